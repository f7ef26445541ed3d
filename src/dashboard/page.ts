/**
 * The live dashboard page: the HTML report's stylesheet, chart library and
 * chart script, plus a small script that follows the run's event stream.
 * Everything is inlined; the Content-Security-Policy (sent as a header by the
 * server) allows exactly these scripts and styles by hash, and network
 * access only to this server (`connect-src 'self'`: the stream and the report).
 *
 * @module
 */
import { cspHash, escapeHtml, jsonForScript, uplotAssets, type ReportChartData } from '../report/html.js';
import { REPORT_CSS, REPORT_SCRIPT } from '../report/html-assets.js';
import { DASHBOARD_CSS, DASHBOARD_SCRIPT } from './page-assets.js';

/** What the page is about. */
export interface DashboardPageInfo {
  /** Run id (the run directory's name). */
  runId: string;
  /** Plan name, or the URL of `tuneup load`. */
  title: string;
  /** The plan's base URL, shown in the header. */
  target?: string;
  /** The chart data to draw before the first event (see `planChartData`). */
  chartData: ReportChartData;
}

/** A rendered page and the Content-Security-Policy to serve it with. */
export interface DashboardPage {
  html: string;
  csp: string;
}

const e = escapeHtml;

function kpi(id: string, label: string): string {
  return `<div class="kpi"><b id="kpi-${id}">-</b><span id="kpi-${id}-label">${e(label)}</span></div>`;
}

/** Render the dashboard page. */
export function renderDashboardPage(info: DashboardPageInfo): DashboardPage {
  const { js: uplotJs, css: uplotCss } = uplotAssets();
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(uplotJs)} ${cspHash(REPORT_SCRIPT)} ${cspHash(DASHBOARD_SCRIPT)}`,
    `style-src ${cspHash(uplotCss)} ${cspHash(REPORT_CSS)} ${cspHash(DASHBOARD_CSS)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en" data-state="connecting" data-points="0">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${e(`tuneup live — ${info.title}`)}</title>
<link rel="icon" href="data:,">
<style>${uplotCss}</style>
<style>${REPORT_CSS}</style>
<style>${DASHBOARD_CSS}</style>
</head>
<body>
<header class="top">
<h1>${e(info.title)} <span class="muted">· run ${e(info.runId)} · <span id="dash-phase">live</span></span></h1>
<div class="meta"><span id="dash-conn">connecting…</span>${info.target ? `<span>target ${e(info.target)}</span>` : ''}</div>
</header>
<main>
<section id="dash-verdict" class="verdict running" aria-live="polite">
<div><span id="dash-badge" class="badge running">RUNNING</span><span id="dash-headline" class="headline">The run is under way; charts add a point every interval.</span></div>
<div class="kpis">${kpi('elapsed', 'elapsed')}${kpi('requests', 'requests')}${kpi('rps', 'throughput (last interval)')}${kpi('errors', 'errors')}${kpi('p95', 'p95 so far')}${kpi('vus', 'VUs busy')}${kpi('dropped', 'dropped iterations')}</div>
<div class="actions"><a id="dash-report" class="button" aria-disabled="true">Download report.html</a><a id="dash-open" target="_blank" rel="noopener" hidden>Open the report</a><span id="dash-report-note" class="muted">The report is ready when the run ends.</span></div>
</section>
<section id="latency"><h2>Latency over time</h2>
<p class="note">Percentiles per interval of the run's primary view (response time; service time for closed models); the grey area is the offered load on the right axis; dashed red lines are the plan's SLO thresholds.</p>
<div class="chart" id="chart-latency" role="img" aria-label="Latency percentiles over time with SLO and load"></div>
</section>
<section id="throughput"><h2>Throughput and errors</h2>
<div class="chart" id="chart-throughput" role="img" aria-label="Requests, errors and dropped iterations per second"></div>
</section>
<section id="views"><h2>Service time and response time</h2>
<p class="note">The gap between the two is the time requests waited past their scheduled start (coordinated omission, made visible).</p>
<div class="chart" id="chart-views" role="img" aria-label="Service time and response time percentiles over time"></div>
</section>
<section id="probes" hidden><h2>System under test</h2>
<p class="note">The load generator's own health while the run goes; every probe's series appear when the run ends.</p>
<div class="grid2" id="probe-panels"></div>
</section>
</main>
<footer>tuneup live dashboard · served from 127.0.0.1 while the command runs; the final report is stored with the run.</footer>
<script type="application/json" id="tuneup-data">${jsonForScript(info.chartData)}</script>
<script>${uplotJs}</script>
<script>${REPORT_SCRIPT}</script>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
  return { html, csp };
}
