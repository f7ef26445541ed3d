/**
 * What the live page shows, kept while the run goes: the chart data (the
 * HTML report's shape, grown one point per interval), the latest totals,
 * and the final state. Each update comes back as the event that announces it,
 * and a page that connects late gets {@link LiveRunState.catchUp}.
 *
 * Points are built with the report's own functions (`seriesView`,
 * `generatorPanel`), so the live charts and the report plot the same numbers.
 *
 * @module
 */
import { modelOf } from '../engine/result.js';
import type { LiveStats } from '../metrics/recorder-types.js';
import { toIntervalSeries } from '../metrics/build.js';
import type { IntervalRow } from '../metrics/snapshot.js';
import type { ResolvedPlan } from '../plan/types.js';
import { loadKind, primaryView, reportChartData, type ReportChartData } from '../report/html.js';
import { generatorPanel, seriesView, sloLines, type ProbePanel, type ReportModel, type TimeSeriesView, type VerdictOutcome } from '../report/model.js';
import type { RunStatus } from '../result/types.js';
import type { SseMessage } from './sse.js';

/** The event types of the dashboard's stream. */
export const DASHBOARD_EVENTS = {
  /** {@link ReportChartData}: everything plotted so far (first event of every connection). */
  snapshot: 'snapshot',
  /** {@link ChartPoint}: one closed interval, to append. */
  interval: 'interval',
  /** `LiveStats`: the totals so far, about once a second. */
  progress: 'progress',
  /** {@link DashboardEnd}: the final state; the stream ends soon after. */
  end: 'end',
} as const;

/** One interval as plotted: the chart data's columns with one point each. */
export interface ChartPoint {
  series: TimeSeriesView;
  /** The generator-health panel's point (the only panel known before the probes stop). */
  probePanels: ProbePanel[];
}

/** The final state of a run, as the page shows it. */
export interface DashboardEnd {
  status: RunStatus;
  statusReason?: string;
  outcome: VerdictOutcome;
  /** e.g. "1 of 4 thresholds failed" (the verdict without its outcome word). */
  detail: string;
  totals: {
    requests: number;
    rps: number;
    failed: number;
    errorRate: number;
    /** p95 / p99 of the run's primary latency view (response time; service time for closed models), ms. */
    p95Ms: number;
    p99Ms: number;
    droppedIterations: number;
  };
  /** The report's chart data (all points, downsampled as in the report, probe panels included). */
  chartData: ReportChartData;
  /** Path of the final HTML report on the dashboard server. */
  report: string;
}

/**
 * The chart data of a run that has not started: empty columns, the planned
 * duration as the x axis, and the SLO lines of the plan's thresholds.
 * @param plannedMs the plan's planned length (ms); undefined when open-ended.
 */
export function planChartData(plan: ResolvedPlan, plannedMs: number | undefined): ReportChartData {
  const model = modelOf(plan.scenarios.map((s) => s.model));
  return {
    durationS: (plannedMs ?? 0) / 1000,
    primaryView: primaryView(model),
    // Every open-model scenario has a target rate, so the plan's model decides the load line.
    loadKind: loadKind(model, model !== 'closed'),
    series: seriesView(toIntervalSeries([], 1000)),
    slo: sloLines(plan.thresholds.map((t) => ({ metric: t.metric.key, expression: t.expression.source }))),
    probePanels: [],
  };
}

/** One closed interval row as a chart point (its histograms and endpoint cells are not plotted, so not converted). */
export function intervalPoint(row: IntervalRow, intervalMs: number): ChartPoint {
  const series = toIntervalSeries([{ ...row, endpoints: {}, responseHistogram: '', serviceHistogram: '' }], intervalMs);
  const generator = generatorPanel(series);
  return { series: seriesView(series), probePanels: generator ? [generator] : [] };
}

/**
 * Append a point to chart data in place: every column of `series`, and each
 * panel's columns by panel id and column name (a new panel is added).
 * The page's script does the same in the browser.
 */
export function appendPoint(data: ReportChartData, point: ChartPoint): void {
  appendArrays(data.series as unknown as Record<string, unknown>, point.series as unknown as Record<string, unknown>);
  data.series.intervalMs = point.series.intervalMs;
  for (const panel of point.probePanels) {
    const into = data.probePanels.find((p) => p.id === panel.id);
    if (!into) {
      data.probePanels.push(structuredClone(panel));
      continue;
    }
    into.t.push(...panel.t);
    for (const column of panel.columns) into.columns.find((c) => c.name === column.name)?.values.push(...column.values);
  }
}

function appendArrays(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const into = target[key];
    if (Array.isArray(value) && Array.isArray(into)) into.push(...value);
    else if (value && typeof value === 'object' && into && typeof into === 'object') appendArrays(into as Record<string, unknown>, value as Record<string, unknown>);
  }
}

/** The final state of a run from its report model. */
export function endState(model: ReportModel, report: string): DashboardEnd {
  const latency = model.latency[primaryView(model.run.model)];
  return {
    status: model.run.status,
    ...(model.verdict.statusReason ? { statusReason: model.verdict.statusReason } : {}),
    outcome: model.verdict.outcome,
    detail: model.verdict.detail,
    totals: {
      requests: model.throughput.requests,
      rps: model.throughput.rps,
      failed: model.errors.failed,
      errorRate: model.errors.errorRate,
      p95Ms: latency.p95,
      p99Ms: latency.p99,
      droppedIterations: model.load.droppedIterations,
    },
    chartData: reportChartData(model),
    report,
  };
}

/** The page's state on the server, turned into events. */
export class LiveRunState {
  private readonly data: ReportChartData;
  private latest: LiveStats | undefined;
  private final: DashboardEnd | undefined;

  /** @param initial the chart data before the first interval (see {@link planChartData}); copied. */
  constructor(initial: ReportChartData) {
    this.data = structuredClone(initial);
  }

  /** True once {@link end} was called. */
  get ended(): boolean {
    return this.final !== undefined;
  }

  /** Add one closed interval; returns its `interval` event. */
  interval(row: IntervalRow, intervalMs: number): SseMessage {
    const point = intervalPoint(row, intervalMs);
    appendPoint(this.data, point);
    return { event: DASHBOARD_EVENTS.interval, data: JSON.stringify(point) };
  }

  /** Record the latest totals; returns their `progress` event. */
  progress(live: LiveStats): SseMessage {
    this.latest = live;
    return { event: DASHBOARD_EVENTS.progress, data: JSON.stringify(live) };
  }

  /** Record the final state; returns the `end` event. */
  end(final: DashboardEnd): SseMessage {
    this.final = final;
    return { event: DASHBOARD_EVENTS.end, data: JSON.stringify(final) };
  }

  /** What a page connecting now needs, in order: the chart data so far, the latest totals, and the end if the run is over. */
  catchUp(): SseMessage[] {
    const messages: SseMessage[] = [{ event: DASHBOARD_EVENTS.snapshot, data: JSON.stringify(this.data) }];
    if (this.latest) messages.push({ event: DASHBOARD_EVENTS.progress, data: JSON.stringify(this.latest) });
    if (this.final) messages.push({ event: DASHBOARD_EVENTS.end, data: JSON.stringify(this.final) });
    return messages;
  }
}
