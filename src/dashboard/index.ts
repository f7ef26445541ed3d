/**
 * The live dashboard of `tuneup run|load --dashboard`: a page on 127.0.0.1
 * that follows a run over server-sent events with the HTML report's charts,
 * shows the final state when it ends, and hands out the final report.
 *
 * One job per file: `sse.ts` (event-stream framing and the hub of open
 * streams), `live-state.ts` (the chart data and totals kept while the run
 * goes, as events), `page.ts` + `page-assets.ts` (the page), `server.ts`
 * (node:http routing and lifecycle). Nothing here prints.
 *
 * @module
 */
export { startDashboard, DASHBOARD_HOST, DASHBOARD_REPORT_GRACE_MS, type Dashboard, type DashboardFinal, type DashboardOptions } from './server.js';
export { planChartData, intervalPoint, appendPoint, endState, LiveRunState, DASHBOARD_EVENTS, type ChartPoint, type DashboardEnd } from './live-state.js';
export { renderDashboardPage, type DashboardPage, type DashboardPageInfo } from './page.js';
export { formatSse, formatSseComment, SseHub, type SseHubOptions, type SseMessage } from './sse.js';
