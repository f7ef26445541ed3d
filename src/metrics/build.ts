/**
 * Finalize a (merged) snapshot into the metric parts of a RunResult:
 * per-tag-set series with trend stats, the per-endpoint table, totals, the
 * columnar interval series, and warnings.
 *
 * @module
 */
import type {
  EndpointIntervalSeries,
  EndpointSummary,
  ErrorKind,
  IntervalSeries,
  MetricSeries,
  PercentileColumns,
  RunResult,
} from '../result/types.js';
import { createCompactHistogram, type Histogram } from './hdr.js';
import { decodeForReading } from './intervals.js';
import { statsOf } from './metric.js';
import type { RecorderSnapshot } from './recorder-types.js';
import { asMetricsSnapshot, type IntervalPercentiles, type IntervalRow } from './snapshot.js';
import { OTHER_ENDPOINT } from './endpoint.js';
import { buildLoadFacts } from './load-facts-build.js';
import type { LoadFacts } from '../result/types.js';

/** Options of {@link buildResultMetrics}. */
export interface BuildOptions {
  /** Active duration of the run (ms): the denominator of every `rps`. */
  durationMs: number;
}

/** What the RunResult needs from the metrics layer. */
export interface ResultMetrics {
  metrics: MetricSeries[];
  endpoints: EndpointSummary[];
  totals: RunResult['totals'];
  series: IntervalSeries;
  warnings: string[];
  /** The load's own facts, when the snapshot carries them. */
  loadFacts?: LoadFacts;
}

/** The HTTP trends summarised per endpoint. */
const HTTP_TRENDS = ['http_req_duration', 'http_req_response_time', 'http_req_waiting'] as const;
type HttpTrend = (typeof HTTP_TRENDS)[number];

/** Accumulates one endpoint's row of the summary table. */
class EndpointRow {
  requests = 0;
  failed = 0;
  bytesReceived = 0;
  bytesSent = 0;
  readonly methods = new Set<string>();
  readonly errors: Partial<Record<ErrorKind, number>> = {};
  readonly statuses: Record<string, number> = {};
  readonly trends: Record<HttpTrend, Histogram> = {
    http_req_duration: createCompactHistogram(),
    http_req_response_time: createCompactHistogram(),
    http_req_waiting: createCompactHistogram(),
  };
  constructor(readonly endpoint: string) {}
}

/**
 * Turn a snapshot (from `recorder.snapshot()` or `mergeSnapshots`) into
 * metric series with stats, endpoint rows sorted by request count (desc),
 * totals, the interval series, and warnings (endpoint cap, coarsening).
 */
export function buildResultMetrics(snapshot: RecorderSnapshot, options: BuildOptions): ResultMetrics {
  const snap = asMetricsSnapshot(snapshot);
  const seconds = options.durationMs > 0 ? options.durationMs / 1000 : 0;
  const rowsByEndpoint = new Map<string, EndpointRow>();
  const totalService = createCompactHistogram();
  const totalResponse = createCompactHistogram();
  const totals: RunResult['totals'] = {
    requests: 0,
    failed: 0,
    errorRate: 0,
    rps: 0,
    errors: {},
    serviceTime: statsOf(totalService),
    responseTime: statsOf(totalResponse),
    bytesReceived: 0,
    bytesSent: 0,
    iterations: 0,
    droppedIterations: 0,
    checks: { passes: 0, fails: 0 },
  };

  const metrics: MetricSeries[] = [];
  for (const m of snap.metrics) {
    const series: MetricSeries = { ...m, tags: { ...m.tags } };
    let histogram: Histogram | null = null;
    if (m.type === 'trend') {
      histogram = decodeForReading(m.histogram ?? '');
      series.stats = statsOf(histogram);
    }
    metrics.push(series);

    const endpoint = m.tags.endpoint;
    if (m.name === 'iterations') totals.iterations += m.count ?? 0;
    else if (m.name === 'dropped_iterations') totals.droppedIterations += m.count ?? 0;
    else if (m.name === 'checks') {
      totals.checks.passes += m.passes ?? 0;
      totals.checks.fails += m.fails ?? 0;
    }
    if (endpoint === undefined || (!m.name.startsWith('http_req') && !m.name.startsWith('data_'))) continue;

    let row = rowsByEndpoint.get(endpoint);
    if (!row) rowsByEndpoint.set(endpoint, (row = new EndpointRow(endpoint)));
    if (m.tags.method) row.methods.add(m.tags.method);
    switch (m.name) {
      case 'http_reqs': {
        const n = m.count ?? 0;
        row.requests += n;
        const status = m.tags.status ?? '0';
        row.statuses[status] = (row.statuses[status] ?? 0) + n;
        if (m.tags.expected_response === 'false') {
          row.failed += n;
          const kind = (m.tags.error ?? 'other') as ErrorKind;
          row.errors[kind] = (row.errors[kind] ?? 0) + n;
        }
        break;
      }
      case 'data_received':
        row.bytesReceived += m.count ?? 0;
        break;
      case 'data_sent':
        row.bytesSent += m.count ?? 0;
        break;
      case 'http_req_duration':
      case 'http_req_response_time':
      case 'http_req_waiting':
        row.trends[m.name].add(histogram!);
        break;
    }
  }

  const endpoints: EndpointSummary[] = [];
  for (const row of rowsByEndpoint.values()) {
    totals.requests += row.requests;
    totals.failed += row.failed;
    totals.bytesReceived += row.bytesReceived;
    totals.bytesSent += row.bytesSent;
    for (const [kind, n] of Object.entries(row.errors) as [ErrorKind, number][]) {
      totals.errors[kind] = (totals.errors[kind] ?? 0) + n;
    }
    totalService.add(row.trends.http_req_duration);
    totalResponse.add(row.trends.http_req_response_time);
    endpoints.push({
      endpoint: row.endpoint,
      method: [...row.methods].sort().join(','),
      requests: row.requests,
      rps: seconds > 0 ? row.requests / seconds : 0,
      failed: row.failed,
      errorRate: row.requests > 0 ? row.failed / row.requests : 0,
      errors: row.errors,
      statuses: row.statuses,
      serviceTime: statsOf(row.trends.http_req_duration),
      responseTime: statsOf(row.trends.http_req_response_time),
      waiting: statsOf(row.trends.http_req_waiting),
      bytesReceived: row.bytesReceived,
      bytesSent: row.bytesSent,
      meanResponseBytes: row.requests > 0 ? row.bytesReceived / row.requests : 0,
    });
  }
  endpoints.sort((a, b) => b.requests - a.requests || a.endpoint.localeCompare(b.endpoint));
  totals.errorRate = totals.requests > 0 ? totals.failed / totals.requests : 0;
  totals.rps = seconds > 0 ? totals.requests / seconds : 0;
  totals.serviceTime = statsOf(totalService);
  totals.responseTime = statsOf(totalResponse);

  return {
    metrics,
    endpoints,
    totals,
    series: toIntervalSeries(snap.intervals, snap.intervalMs),
    warnings: warningsOf(snap),
    ...(snap.loadFacts ? { loadFacts: buildLoadFacts(snap.loadFacts, options.durationMs, snap.parts ?? 1) } : {}),
  };
}

function warningsOf(snap: ReturnType<typeof asMetricsSnapshot>): string[] {
  const warnings: string[] = [];
  const folded = snap.folded;
  if (folded && folded.count > 0) {
    const examples = folded.examples.slice(0, 3).join(', ');
    warnings.push(
      `endpoint cardinality capped at ${folded.limit}: ${folded.count} further endpoint name(s) were recorded as "${OTHER_ENDPOINT}" ` +
        `(e.g. ${examples}). Give such requests a route name with \`name: 'GET /path/:id'\` or raise \`maxEndpoints\`.`,
    );
  }
  if ((snap.droppedTagSets ?? 0) > 0) {
    warnings.push(
      `too many distinct extra-tag sets on requests: ${snap.droppedTagSets} handle lookup(s) were recorded without their extra tags. ` +
        'Keep request tags low-cardinality (no ids in tags) or raise `maxTagSets`.',
    );
  }
  const base = snap.baseIntervalMs ?? snap.intervalMs;
  if (snap.intervalMs > base) {
    warnings.push(
      `the interval series was coarsened from ${base} ms to ${snap.intervalMs} ms to stay bounded on a long run.`,
    );
  }
  return warnings;
}

/** Row-wise interval rows → the columnar RunResult series. */
export function toIntervalSeries(rows: IntervalRow[], intervalMs: number): IntervalSeries {
  const n = rows.length;
  const names = new Set<string>();
  for (const r of rows) for (const name in r.endpoints) names.add(name);
  const endpoints: Record<string, EndpointIntervalSeries> = {};
  for (const name of [...names].sort()) {
    const col: EndpointIntervalSeries = {
      requests: new Array<number>(n).fill(0),
      failed: new Array<number>(n).fill(0),
      serviceSumMs: new Array<number>(n).fill(0),
      p50: new Array<number | null>(n).fill(null),
      p95: new Array<number | null>(n).fill(null),
      p99: new Array<number | null>(n).fill(null),
      bytesReceived: new Array<number>(n).fill(0),
    };
    rows.forEach((r, i) => {
      const c = r.endpoints[name];
      if (!c) return;
      col.requests[i] = c.requests;
      col.failed[i] = c.failed;
      col.serviceSumMs[i] = c.serviceSumUs / 1000;
      col.p50[i] = c.p50;
      col.p95[i] = c.p95;
      col.p99[i] = c.p99;
      col.bytesReceived[i] = c.bytesReceived;
    });
    endpoints[name] = col;
  }
  return {
    intervalMs,
    t: rows.map((r) => r.t),
    requests: rows.map((r) => r.requests),
    failed: rows.map((r) => r.failed),
    iterations: rows.map((r) => r.iterations),
    droppedIterations: rows.map((r) => r.droppedIterations),
    vus: rows.map((r) => r.vus),
    targetRate: rows.map((r) => r.targetRate),
    service: columns(rows.map((r) => r.service)),
    response: columns(rows.map((r) => r.response)),
    responseHistograms: rows.map((r) => r.responseHistogram),
    serviceHistograms: rows.map((r) => r.serviceHistogram),
    bytesReceived: rows.map((r) => r.bytesReceived),
    endpoints,
    generator: {
      eventLoopDelayP99: rows.map((r) => r.eventLoopDelayP99),
      cpuPercent: rows.map((r) => r.cpuPercent),
    },
  };
}

function columns(list: IntervalPercentiles[]): PercentileColumns {
  return {
    p50: list.map((p) => p.p50),
    p90: list.map((p) => p.p90),
    p95: list.map((p) => p.p95),
    p99: list.map((p) => p.p99),
    max: list.map((p) => p.max),
    mean: list.map((p) => p.mean),
  };
}

