/**
 * The report view model: everything a renderer shows, computed once from a
 * RunResult (and an optional baseline). Renderers (terminal, HTML, Markdown,
 * JUnit) only format this model: no rule logic, no ranking, no statistics
 * beyond simple deltas live in them.
 *
 * The model is plain JSON (it is embedded as data in the HTML report).
 *
 * @module
 */
import type { CapacitySection } from '../capacity/types.js';
import type {
  EndpointDemand,
  EndpointSummary,
  ErrorKind,
  IntervalSeries,
  Finding,
  GeneratorEvidence,
  LoadModel,
  RunResult,
  RunStatus,
  Severity,
  ThresholdResult,
  TrendStats,
} from '../result/types.js';
import { bucketSize, downsampleColumn, downsampleX, MAX_PLOT_POINTS, roundSignificant, type Aggregation } from './downsample.js';

/** Overall outcome shown first in every report. */
export type VerdictOutcome = 'passed' | 'failed' | 'incomplete';

/** One threshold line of the verdict. */
export interface ThresholdView extends ThresholdResult {
  /** Unit of `observed`: `ms` for time trends, `%` for rates (observed then in 0..1), '' otherwise. */
  unit: 'ms' | 'rate' | '';
}

/** A finding reduced to one sentence for the verdict. */
export interface FindingHeadline {
  id: string;
  severity: Severity;
  category: string;
  endpoint?: string;
  /** Title with the endpoint, e.g. `Missing index on orders(customer_id) (GET /api/orders/:id)`. */
  title: string;
  /** First sentence of the recommendation, lower-cased first letter, no final period ('' when none). */
  fix: string;
  /** One sentence, ending with a period: `${title}: ${fix}.` */
  sentence: string;
  /** `tuneup diagnose`: whether running the endpoint alone confirmed it. */
  confirmation?: 'confirmed' | 'refuted' | 'not-tested';
}

/** The verdict block. */
export interface Verdict {
  outcome: VerdictOutcome;
  /** One line: "FAILED: 1 of 4 thresholds failed" / "PASSED: all 3 thresholds passed" / "INCOMPLETE: run interrupted". */
  headline: string;
  /** The headline without its outcome prefix ("1 of 4 thresholds failed"), for renderers that show the outcome as a badge. */
  detail: string;
  status: RunStatus;
  statusReason?: string;
  thresholds: ThresholdView[];
  failedThresholds: number;
  generatorSaturated: boolean;
  generatorEvidence: GeneratorEvidence[];
  /** Up to three findings of severity low or higher, in the result's (impact) order. */
  topFindings: FindingHeadline[];
}

/** Per-endpoint changes against the baseline (relative changes as fractions: 0.1 = +10 %). */
export interface EndpointDelta {
  /** Baseline response-time p95 (ms). */
  baselineP95: number;
  baselineP99: number;
  baselineRps: number;
  baselineErrorRate: number;
  p95Change: number | null;
  p99Change: number | null;
  rpsChange: number | null;
  /** Difference in error rate, in fraction points (0.01 = +1 percentage point). */
  errorRateChange: number;
}

/** One row of the per-endpoint table. */
export interface EndpointRow {
  endpoint: string;
  method: string;
  requests: number;
  rps: number;
  failed: number;
  errorRate: number;
  service: Pick<TrendStats, 'p50' | 'p90' | 'p95' | 'p99' | 'max'>;
  response: Pick<TrendStats, 'p50' | 'p90' | 'p95' | 'p99' | 'max'>;
  meanResponseBytes: number;
  /** Present when a baseline was given and it has this endpoint. */
  delta?: EndpointDelta;
}

/** A horizontal SLO line taken from a latency threshold. */
export interface SloLine {
  /** Which latency view it applies to. */
  view: 'service' | 'response';
  /** The percentile (e.g. 95). */
  percentile: number;
  valueMs: number;
  /** e.g. `http_req_response_time p(95)<250`. */
  label: string;
}

/** Plot series on one downsampled time axis (seconds from the run start). */
export interface TimeSeriesView {
  /** Seconds from the run start (x axis). */
  t: number[];
  /** Original interval (ms) and points per bucket after downsampling. */
  intervalMs: number;
  bucket: number;
  /** Requests completed per second (bucket mean). */
  rps: (number | null)[];
  /** Failed requests per second (bucket mean). */
  errorsPerSecond: (number | null)[];
  /** Dropped iterations per second (bucket mean). */
  droppedPerSecond: (number | null)[];
  /** VUs busy (bucket max). */
  vus: (number | null)[];
  /** Target arrival rate (bucket mean); all zero for closed models. */
  targetRate: (number | null)[];
  /** Latency percentiles (ms, bucket max). */
  service: { p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[] };
  response: { p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[] };
  /** Baseline latencies resampled onto this axis by offset from start (null past its end). */
  baseline?: { response: { p95: (number | null)[]; p99: (number | null)[] }; service: { p95: (number | null)[]; p99: (number | null)[] }; rps: (number | null)[] };
}

/** One line of a probe panel. */
export interface ProbeColumnView {
  /** `<probe>.<column>` as stored, e.g. `postgres.pg.cache_hit_ratio`, `process.cpuPercent`. */
  name: string;
  /** Short label for legends. */
  label: string;
  values: (number | null)[];
}

/** One chart of probe series sharing a unit. */
export interface ProbePanel {
  /** Stable id, e.g. `cache-hit-ratio`. */
  id: string;
  title: string;
  unit: string;
  /** Seconds from the run start. */
  t: number[];
  columns: ProbeColumnView[];
}

/** What a probe reported about itself (shown under the probe panels). */
export interface ProbeStatusView {
  probe: string;
  target: string;
  ok: boolean;
  limitations: string[];
  errors: { offsetMs: number; message: string }[];
  samples: number;
  meanSampleMs: number;
}

/** The baseline run, summarized. */
export interface BaselineView {
  id: string;
  startedAt: number;
  durationMs: number;
  requests: number;
  rps: number;
  errorRate: number;
  serviceTime: TrendStats;
  responseTime: TrendStats;
  /** Endpoints present in the baseline but not in this run. */
  missingEndpoints: string[];
}

/** The one view model every renderer uses. */
export interface ReportModel {
  /** The breakpoint search, for runs of `tuneup capacity`. */
  capacity?: CapacitySection;
  run: {
    id: string;
    status: RunStatus;
    planName?: string;
    planSource?: string;
    baseUrl?: string;
    startedAt: number;
    endedAt: number;
    durationMs: number;
    model: LoadModel | 'mixed';
    toolVersion: string;
    labels: Record<string, string>;
  };
  verdict: Verdict;
  latency: {
    service: TrendStats;
    response: TrendStats;
    /** True when response time adds visible queueing to service time (p99 differs by > 5 %). */
    coordinatedOmissionVisible: boolean;
  };
  throughput: {
    requests: number;
    rps: number;
    iterations: number;
    bytesReceived: number;
    bytesSent: number;
  };
  errors: {
    failed: number;
    errorRate: number;
    /** Sorted by count, largest first. */
    byKind: { kind: ErrorKind; count: number }[];
  };
  load: {
    droppedIterations: number;
    lateStarts: number;
    lateStartToleranceMs: number;
    checks: { passes: number; fails: number };
    scenarios: {
      name: string;
      executor: string;
      model: LoadModel;
      iterations: number;
      droppedIterations: number;
      lateStarts: number;
      targetRate: number | null;
      achievedRate: number;
      maxBusyVUs: number;
      allocatedVUs: number;
    }[];
  };
  generator: RunResult['generator'];
  /** Sorted by requests, largest first. */
  endpoints: EndpointRow[];
  series: TimeSeriesView;
  slo: SloLine[];
  probePanels: ProbePanel[];
  probes: ProbeStatusView[];
  /** All findings, in the result's (impact) order. */
  findings: Finding[];
  /** The cost model: demand per request of each endpoint (empty when the run had no probes). */
  demands: EndpointDemand[];
  baseline?: BaselineView;
  config: {
    scenarios: Record<string, Record<string, unknown>>;
    thresholds: Record<string, unknown[]>;
    slo?: Record<string, unknown>;
    environment: RunResult['environment'];
  };
  warnings: string[];
}

/** Options of {@link buildReportModel}. */
export interface BuildReportModelOptions {
  /** Cap on points per plotted series (default 1500). */
  maxPoints?: number;
  /** Number of findings in the verdict (default 3). */
  topFindings?: number;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Numeric rank of a severity (info 0 … critical 4), for renderers that compare severities. */
export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}

/**
 * Build the report model of a run.
 * @param result   the run to report.
 * @param baseline an earlier run to compare against (deltas, dashed overlay).
 */
export function buildReportModel(result: RunResult, baseline?: RunResult, options: BuildReportModelOptions = {}): ReportModel {
  const maxPoints = options.maxPoints ?? 1500;
  const endpoints = buildEndpointRows(result.endpoints, baseline?.endpoints);
  const slo = sloLines(result.thresholds);
  const series = buildSeries(result, baseline, maxPoints);
  const latency = {
    service: result.totals.serviceTime,
    response: result.totals.responseTime,
    coordinatedOmissionVisible: relativeChange(result.totals.serviceTime.p99, result.totals.responseTime.p99) > 0.05,
  };
  return {
    ...(result.capacity ? { capacity: result.capacity } : {}),
    run: {
      id: result.id,
      status: result.status,
      planName: result.plan.name,
      planSource: result.plan.source,
      baseUrl: result.plan.baseUrl,
      startedAt: result.startedAt,
      endedAt: result.endedAt,
      durationMs: result.durationMs,
      model: result.model,
      toolVersion: result.tool.version,
      labels: result.labels ?? {},
    },
    verdict: buildVerdict(result, options.topFindings ?? 3),
    latency,
    throughput: {
      requests: result.totals.requests,
      rps: result.totals.rps,
      iterations: result.totals.iterations,
      bytesReceived: result.totals.bytesReceived,
      bytesSent: result.totals.bytesSent,
    },
    errors: {
      failed: result.totals.failed,
      errorRate: result.totals.errorRate,
      byKind: Object.entries(result.totals.errors)
        .filter((entry): entry is [ErrorKind, number] => typeof entry[1] === 'number' && entry[1] > 0)
        .map(([kind, count]) => ({ kind, count }))
        .sort((a, b) => b.count - a.count),
    },
    load: {
      droppedIterations: result.totals.droppedIterations,
      lateStarts: result.generator.lateStarts,
      lateStartToleranceMs: result.generator.lateStartToleranceMs,
      checks: result.totals.checks,
      scenarios: result.scenarios.map((s) => ({
        name: s.name,
        executor: s.executor,
        model: s.model,
        iterations: s.iterations,
        droppedIterations: s.droppedIterations,
        lateStarts: s.lateStarts,
        targetRate: s.targetRate,
        achievedRate: s.achievedRate,
        maxBusyVUs: s.maxBusyVUs,
        allocatedVUs: s.allocatedVUs,
      })),
    },
    generator: result.generator,
    endpoints,
    series,
    slo,
    probePanels: buildProbePanels(result, maxPoints),
    probes: (result.probes ?? []).map((p) => ({
      probe: p.probe,
      target: p.target,
      ok: p.ok,
      limitations: p.limitations,
      errors: p.errors.slice(0, 5),
      samples: p.overhead.samples,
      meanSampleMs: p.overhead.meanSampleMs,
    })),
    findings: result.findings ?? [],
    demands: result.demands ?? [],
    baseline: baseline ? buildBaselineView(result, baseline) : undefined,
    config: {
      scenarios: result.plan.scenarios,
      thresholds: result.plan.thresholds,
      slo: result.plan.slo,
      environment: result.environment,
    },
    warnings: result.warnings ?? [],
  };
}

function buildVerdict(result: RunResult, topN: number): Verdict {
  const thresholds: ThresholdView[] = result.thresholds.map((t) => ({ ...t, unit: thresholdUnit(t.metric, t.expression) }));
  const failedThresholds = thresholds.filter((t) => !t.passed).length;
  const incomplete = result.status === 'interrupted' || result.status === 'aborted-by-script' || result.status === 'failed';
  const outcome: VerdictOutcome =
    failedThresholds > 0 || result.status === 'aborted-by-threshold' ? 'failed' : incomplete ? 'incomplete' : 'passed';
  let headline: string;
  if (outcome === 'failed') {
    headline = failedThresholds > 0 ? `FAILED: ${failedThresholds} of ${thresholds.length} thresholds failed` : 'FAILED: aborted by a threshold';
  } else if (outcome === 'incomplete') {
    headline = `INCOMPLETE: run ${result.status}`;
  } else {
    headline = thresholds.length > 0 ? `PASSED: all ${thresholds.length} thresholds passed` : 'PASSED: no thresholds defined';
  }
  if (result.status !== 'completed' && outcome === 'failed') headline += ` (run ${result.status})`;
  const topFindings = (result.findings ?? [])
    .filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK.low)
    .slice(0, topN)
    .map(findingHeadline);
  return {
    outcome,
    headline,
    detail: headline.replace(/^[A-Z]+:\s*/, ''),
    status: result.status,
    statusReason: result.statusReason,
    thresholds,
    failedThresholds,
    generatorSaturated: result.generator.saturated,
    generatorEvidence: result.generator.evidence,
    topFindings,
  };
}

/** One sentence for a finding: its title, where, and the first sentence of its fix. */
function findingHeadline(f: Finding): FindingHeadline {
  const title = f.title.replace(/[.\s]+$/, '');
  const where = f.endpoint ? ` (${f.endpoint})` : f.endpoints && f.endpoints.length > 0 ? ` (${f.endpoints.length} endpoints)` : '';
  const fix = firstSentence(f.recommendation.text).replace(/[.\s]+$/, '');
  const sentence = fix ? `${title}${where}: ${lowerFirst(fix)}.` : `${title}${where}.`;
  const headline: FindingHeadline = { id: f.id, severity: f.severity, category: f.category, endpoint: f.endpoint, title: `${title}${where}`, fix: fix ? lowerFirst(fix) : '', sentence };
  if (f.confirmation) headline.confirmation = f.confirmation.status;
  return headline;
}

/** Text up to the first sentence end (". " followed by a capital, backtick or parenthesis). */
function firstSentence(text: string): string {
  const m = /^(.+?[.!?])\s+(?=[A-Z`(])/s.exec(text.trim());
  return (m ? m[1] : text).trim();
}

function lowerFirst(text: string): string {
  // Keep acronyms and identifiers ("SQL", "INDEX") as written.
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

function metricName(key: string): string {
  const brace = key.indexOf('{');
  return brace === -1 ? key.trim() : key.slice(0, brace).trim();
}

const TIME_METRICS = new Set(['http_req_duration', 'http_req_response_time', 'http_req_waiting', 'http_req_connecting', 'http_req_blocked', 'http_req_sending', 'http_req_receiving', 'http_req_tls_handshaking', 'iteration_duration']);

function thresholdUnit(metric: string, expression: string): ThresholdView['unit'] {
  const name = metricName(metric);
  if (/^\s*rate\b/.test(expression) || name === 'http_req_failed' || name === 'checks') return 'rate';
  if (TIME_METRICS.has(name) || /(duration|time|latency)/.test(name)) {
    return /^\s*count\b/.test(expression) ? '' : 'ms';
  }
  return '';
}

/** SLO lines from untagged p(N) latency thresholds (`p(95)<250` on the whole metric); a plan's thresholds (metric key and expression text) serve as well as evaluated ones. */
export function sloLines<T extends Pick<ThresholdResult, 'metric' | 'expression'>>(thresholds: readonly T[]): SloLine[] {
  const lines: SloLine[] = [];
  for (const t of thresholds) {
    if (t.metric.includes('{')) continue; // per-endpoint thresholds do not belong on the overall chart
    const name = metricName(t.metric);
    const view = name === 'http_req_duration' ? 'service' : name === 'http_req_response_time' ? 'response' : null;
    if (!view) continue;
    const m = /^\s*p\(\s*([\d.]+)\s*\)\s*<=?\s*([\d.]+)\s*$/.exec(t.expression);
    if (!m) continue;
    lines.push({ view, percentile: Number(m[1]), valueMs: Number(m[2]), label: `${name} ${t.expression.replace(/\s+/g, '')}` });
  }
  return lines;
}

function pickStats(s: TrendStats): EndpointRow['service'] {
  return { p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99, max: s.max };
}

function relativeChange(before: number, after: number): number {
  if (!(before > 0)) return 0;
  return (after - before) / before;
}

function changeOrNull(before: number, after: number): number | null {
  return before > 0 && Number.isFinite(after) ? (after - before) / before : null;
}

function buildEndpointRows(current: readonly EndpointSummary[], baseline?: readonly EndpointSummary[]): EndpointRow[] {
  const byName = new Map((baseline ?? []).map((e) => [e.endpoint, e]));
  return current
    .map((e): EndpointRow => {
      const row: EndpointRow = {
        endpoint: e.endpoint,
        method: e.method,
        requests: e.requests,
        rps: e.rps,
        failed: e.failed,
        errorRate: e.errorRate,
        service: pickStats(e.serviceTime),
        response: pickStats(e.responseTime),
        meanResponseBytes: e.meanResponseBytes,
      };
      const b = byName.get(e.endpoint);
      if (b) {
        row.delta = {
          baselineP95: b.responseTime.p95,
          baselineP99: b.responseTime.p99,
          baselineRps: b.rps,
          baselineErrorRate: b.errorRate,
          p95Change: changeOrNull(b.responseTime.p95, e.responseTime.p95),
          p99Change: changeOrNull(b.responseTime.p99, e.responseTime.p99),
          rpsChange: changeOrNull(b.rps, e.rps),
          errorRateChange: e.errorRate - b.errorRate,
        };
      }
      return row;
    })
    .sort((a, b) => b.requests - a.requests || a.endpoint.localeCompare(b.endpoint));
}

function buildBaselineView(result: RunResult, baseline: RunResult): BaselineView {
  const current = new Set(result.endpoints.map((e) => e.endpoint));
  return {
    id: baseline.id,
    startedAt: baseline.startedAt,
    durationMs: baseline.durationMs,
    requests: baseline.totals.requests,
    rps: baseline.totals.rps,
    errorRate: baseline.totals.errorRate,
    serviceTime: baseline.totals.serviceTime,
    responseTime: baseline.totals.responseTime,
    missingEndpoints: baseline.endpoints.map((e) => e.endpoint).filter((e) => !current.has(e)),
  };
}

const round = (values: (number | null)[]) => values.map((v) => roundSignificant(v));

function perSecond(values: readonly number[], intervalMs: number): number[] {
  const factor = 1000 / (intervalMs || 1000);
  return values.map((v) => v * factor);
}

/**
 * The plotted load and latency columns of an interval series, downsampled to
 * at most `maxPoints` points (latency: bucket maximum; rates: bucket mean).
 * The live dashboard builds its points with this too, so both pages plot the same numbers.
 */
export function seriesView(s: IntervalSeries, maxPoints: number = MAX_PLOT_POINTS): TimeSeriesView {
  const k = bucketSize(s.t.length, maxPoints);
  const col = (values: readonly (number | null)[] | undefined, agg: Aggregation) => round(downsampleColumn(values ?? [], k, agg));
  return {
    t: downsampleX(s.t, k).map((ms) => ms / 1000),
    intervalMs: s.intervalMs,
    bucket: k,
    rps: col(perSecond(s.requests, s.intervalMs), 'mean'),
    errorsPerSecond: col(perSecond(s.failed, s.intervalMs), 'mean'),
    droppedPerSecond: col(perSecond(s.droppedIterations, s.intervalMs), 'mean'),
    vus: col(s.vus, 'max'),
    targetRate: col(s.targetRate, 'mean'),
    service: { p50: col(s.service.p50, 'max'), p95: col(s.service.p95, 'max'), p99: col(s.service.p99, 'max') },
    response: { p50: col(s.response.p50, 'max'), p95: col(s.response.p95, 'max'), p99: col(s.response.p99, 'max') },
  };
}

function buildSeries(result: RunResult, baseline: RunResult | undefined, maxPoints: number): TimeSeriesView {
  const view = seriesView(result.series, maxPoints);
  if (baseline) {
    view.baseline = {
      response: { p95: resampleBaseline(baseline, baseline.series.response.p95, view.t, 'max'), p99: resampleBaseline(baseline, baseline.series.response.p99, view.t, 'max') },
      service: { p95: resampleBaseline(baseline, baseline.series.service.p95, view.t, 'max'), p99: resampleBaseline(baseline, baseline.series.service.p99, view.t, 'max') },
      rps: resampleBaseline(baseline, perSecond(baseline.series.requests, baseline.series.intervalMs), view.t, 'mean'),
    };
  }
  return view;
}

/**
 * Put a baseline column on the current run's x axis: each current bucket
 * [t_i, t_{i+1}) takes the aggregate of the baseline points whose offset from
 * the baseline's own start falls in it. Runs are aligned by elapsed time.
 */
function resampleBaseline(
  baseline: RunResult,
  values: readonly (number | null)[],
  axisSeconds: readonly number[],
  agg: Aggregation,
): (number | null)[] {
  const tb = baseline.series.t;
  const out: (number | null)[] = [];
  let j = 0;
  for (let i = 0; i < axisSeconds.length; i++) {
    const from = axisSeconds[i] * 1000;
    const to = i + 1 < axisSeconds.length ? axisSeconds[i + 1] * 1000 : from + (axisSeconds.length > 1 ? (axisSeconds[1] - axisSeconds[0]) * 1000 : baseline.series.intervalMs);
    while (j < tb.length && tb[j] < from) j++;
    const bucket: (number | null)[] = [];
    let m = j;
    while (m < tb.length && tb[m] < to) bucket.push(values[m++] ?? null);
    out.push(roundSignificant(downsampleColumn(bucket, bucket.length || 1, agg)[0] ?? null));
  }
  return out;
}

/** How one well-known probe column is grouped into a panel. */
interface PanelRule {
  id: string;
  title: string;
  match: RegExp;
  aggregation: Aggregation;
}

/**
 * Panels by well-known column names, first match wins. Rules match
 * `<probe>.<column>` (e.g. `postgres.pg.exec_ms_per_s`,
 * `process.cpuPercent`, `prometheus.eventLoopLagP99Ms`). The probes own
 * their column names (see `src/probes/<name>/types.ts`); this list only
 * groups them for plotting. A column no rule matches lands in a per-probe
 * "other" panel, and columns of different units never share a panel.
 */
const PANEL_RULES: PanelRule[] = [
  { id: 'database-time', title: 'Database time', match: /\.pg\.(exec_ms|.*_time|.*duration)/i, aggregation: 'mean' },
  { id: 'cache-hit-ratio', title: 'Cache hit ratio', match: /(hit_?ratio|hit_?rate|cache_?hit)/i, aggregation: 'min' },
  { id: 'connections', title: 'Connections', match: /(\.pg\.(connections|active|idle)|conn|backend|\.redis\.clients|pool)/i, aggregation: 'max' },
  { id: 'database-waits', title: 'Waiting and blocked database backends', match: /\.pg\.(waiting|blocked)/i, aggregation: 'max' },
  { id: 'event-loop-delay', title: 'Event-loop delay', match: /(event_?loop|loop_?lag|loop_?delay)/i, aggregation: 'max' },
  { id: 'cpu', title: 'CPU', match: /cpu/i, aggregation: 'mean' },
  { id: 'gc', title: 'Garbage collection', match: /(^|\.)gc/i, aggregation: 'mean' },
  { id: 'memory', title: 'Memory', match: /(rss|heap|memory|mem_)/i, aggregation: 'max' },
  { id: 'oldest-query', title: 'Oldest running query and transaction', match: /\.pg\.longest/i, aggregation: 'max' },
  { id: 'database-activity', title: 'Database activity', match: /\.pg\..*_per_s/i, aggregation: 'mean' },
  { id: 'redis-activity', title: 'Redis activity', match: /\.redis\..*(_per_s|ops)/i, aggregation: 'mean' },
  { id: 'service-http', title: 'Service HTTP metrics (/metrics)', match: /^prometheus\.http:/i, aggregation: 'max' },
];

/** Most lines one panel shows; more would be unreadable. */
const MAX_COLUMNS_PER_PANEL = 8;

function buildProbePanels(result: RunResult, maxPoints: number): ProbePanel[] {
  const panels = new Map<string, ProbePanel & { order: number }>();
  const add = (id: string, title: string, unit: string, order: number, tMs: readonly number[], name: string, label: string, values: (number | null)[]) => {
    const key = `${id}|${unit}`;
    let panel = panels.get(key);
    const k = bucketSize(tMs.length, maxPoints);
    const t = downsampleX(tMs as number[], k).map((ms) => ms / 1000);
    if (panel && panel.t.length !== t.length) {
      // Probes sampled on different grids cannot share one uPlot data table: give the column its own panel.
      return add(`${id}-${name}`, title, unit, order, tMs, name, label, values);
    }
    if (!panel) {
      const unitText = unit === '1/s' ? 'per second' : unit;
      const titled = unit && !title.toLowerCase().includes(unit.toLowerCase()) ? `${title} (${unitText})` : title;
      panel = { id: key === `${id}|` ? id : `${id}-${slug(unit)}`, title: titled, unit, t, columns: [], order };
      panels.set(key, panel);
    }
    if (panel.columns.length < MAX_COLUMNS_PER_PANEL) panel.columns.push({ name, label, values });
  };
  for (const probe of result.probes ?? []) {
    const { t, values, units } = probe.series;
    if (!t || t.length === 0) continue;
    const k = bucketSize(t.length, maxPoints);
    for (const [name, column] of Object.entries(values)) {
      if (!column.some((v) => v !== null && v !== undefined)) continue;
      const key = `${probe.probe}.${name}`;
      const ruleIndex = PANEL_RULES.findIndex((r) => r.match.test(key));
      const rule = ruleIndex >= 0 ? PANEL_RULES[ruleIndex] : undefined;
      const aggregation = rule?.aggregation ?? 'mean';
      const data = round(downsampleColumn(column, k, aggregation));
      const id = rule?.id ?? `other-${slug(probe.probe)}`;
      const title = rule?.title ?? `${probe.probe}: ${units[name] || 'other series'}`;
      // Columns without a dotted prefix (process: `cpuPercent`) get the probe name, so legends stay unambiguous.
      const label = name.includes('.') ? name : key;
      add(id, title, units[name] ?? '', ruleIndex >= 0 ? ruleIndex : PANEL_RULES.length, t, key, label, data);
    }
  }
  // The generator watches itself: show its health on the same axis, last.
  const generator = generatorPanel(result.series, maxPoints);
  if (generator) panels.set('generator', { ...generator, order: PANEL_RULES.length + 1 });
  return [...panels.values()].sort((a, b) => a.order - b.order).map(({ order: _order, ...panel }) => panel);
}

/**
 * The "Load generator health" panel (event-loop delay p99, CPU) of an interval
 * series; undefined when the series has no generator columns. Shared with the live dashboard.
 */
export function generatorPanel(s: IntervalSeries, maxPoints: number = MAX_PLOT_POINTS): ProbePanel | undefined {
  const g = s.generator;
  if (!g || s.t.length === 0 || !(g.eventLoopDelayP99?.length || g.cpuPercent?.length)) return undefined;
  const k = bucketSize(s.t.length, maxPoints);
  const t = downsampleX(s.t, k).map((ms) => ms / 1000);
  const columns: ProbeColumnView[] = [];
  if (g.eventLoopDelayP99?.length) columns.push({ name: 'generator.event_loop_delay_p99', label: 'event-loop delay p99 (ms)', values: round(downsampleColumn(g.eventLoopDelayP99, k, 'max')) });
  if (g.cpuPercent?.length) columns.push({ name: 'generator.cpu_percent', label: 'CPU (%)', values: round(downsampleColumn(g.cpuPercent, k, 'mean')) });
  return { id: 'generator', title: 'Load generator health', unit: '', t, columns };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/%/g, 'pct').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}
