/**
 * The interval row as named metric points: the one list of names, kinds and
 * labels both push outputs send (Prometheus remote write, OTLP), so the two
 * cannot drift apart. Names and labels are documented in docs/outputs.md.
 *
 * Counters are cumulative since the run started (Prometheus and OTLP
 * convention: `rate()` and `increase()` work on them); gauges carry the
 * interval's own value. Latencies are in seconds (the base unit both
 * ecosystems expect), percentiles as a `quantile` label. A percentile of an
 * interval without a request is not sent, as the CSV output writes no line.
 *
 * @module
 */
import type { IntervalPercentiles, IntervalRow } from '../metrics/snapshot.js';
import type { IntervalContext } from './types.js';

/** Prefix of every metric name. */
export const METRIC_PREFIX = 'tuneup_';

/** A counter (cumulative, monotonic) or a gauge (the interval's value). */
export type PointKind = 'counter' | 'gauge';

/** One value of one series at the end of an interval. */
export interface MetricPoint {
  /** Full name without the Prometheus `_total` suffix of counters, e.g. `tuneup_http_reqs`. */
  name: string;
  kind: PointKind;
  /** UCUM unit for OTLP (`s`, `By`, `1`, `{request}`). */
  unit: string;
  /** Labels beyond the run's own (`endpoint`, `quantile`). */
  labels: Record<string, string>;
  value: number;
}

/** One interval's points and where they sit in time. */
export interface IntervalPoints {
  /** Epoch ms of the interval's start. */
  startMs: number;
  /** Epoch ms of the interval's end: every point's timestamp. */
  endMs: number;
  points: MetricPoint[];
}

/** What a metric is, for help texts and OTLP descriptions. */
export const METRIC_HELP: Record<string, string> = {
  http_reqs: 'requests completed',
  http_req_failed: 'requests failed',
  iterations: 'iterations finished',
  dropped_iterations: 'iterations dropped (the open model could not start them on time)',
  data_received_bytes: 'response bytes received',
  vus: 'VUs busy at the end of the interval (requests in flight)',
  target_rate: 'open-model target rate (iterations/s) at the end of the interval',
  http_req_duration_seconds: "service time (send to last byte, k6's http_req_duration) percentiles of the interval",
  http_req_duration_mean_seconds: 'mean service time of the interval',
  http_req_response_time_seconds: 'response time (intended start to last byte) percentiles of the interval',
  http_req_response_time_mean_seconds: 'mean response time of the interval',
  generator_event_loop_delay_p99_seconds: "p99 event-loop delay of the load generator's main thread in the interval",
  generator_cpu_percent: 'CPU of the load generator process in the interval (percent of one core)',
  endpoint_http_reqs: 'requests completed, per endpoint',
  endpoint_http_req_failed: 'requests failed, per endpoint',
  endpoint_data_received_bytes: 'response bytes received, per endpoint',
  endpoint_http_req_duration_seconds: 'service time percentiles of the interval, per endpoint',
  endpoint_http_req_duration_mean_seconds: 'mean service time of the interval, per endpoint',
};

const RUN_QUANTILES = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
  ['1', 'max'],
] as const;
const ENDPOINT_QUANTILES = [
  ['0.5', 'p50'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
] as const;

/**
 * A stateful converter of one run's rows to points: it keeps the running
 * totals the counters need. Rows must come in time order, once each (the
 * order the engine streams them).
 */
export function createPointConverter(): (row: IntervalRow, ctx: IntervalContext) => IntervalPoints {
  const totals = { http_reqs: 0, http_req_failed: 0, iterations: 0, dropped_iterations: 0, data_received_bytes: 0 };
  // Every endpoint seen so far keeps its counters in every batch, so a quiet endpoint's series does not go stale.
  const endpointTotals = new Map<string, { requests: number; failed: number; bytes: number }>();
  return (row, ctx) => {
    const points: MetricPoint[] = [];
    const add = (name: string, kind: PointKind, unit: string, value: number | null, labels: Record<string, string> = {}): void => {
      if (value !== null && Number.isFinite(value)) points.push({ name: METRIC_PREFIX + name, kind, unit, labels, value });
    };
    totals.http_reqs += row.requests;
    totals.http_req_failed += row.failed;
    totals.iterations += row.iterations;
    totals.dropped_iterations += row.droppedIterations;
    totals.data_received_bytes += row.bytesReceived;
    add('http_reqs', 'counter', '{request}', totals.http_reqs);
    add('http_req_failed', 'counter', '{request}', totals.http_req_failed);
    add('iterations', 'counter', '{iteration}', totals.iterations);
    add('dropped_iterations', 'counter', '{iteration}', totals.dropped_iterations);
    add('data_received_bytes', 'counter', 'By', totals.data_received_bytes);
    add('vus', 'gauge', '{vu}', row.vus);
    add('target_rate', 'gauge', '{iteration}/s', row.targetRate);
    percentilePoints(add, 'http_req_duration', row.service);
    percentilePoints(add, 'http_req_response_time', row.response);
    add('generator_event_loop_delay_p99_seconds', 'gauge', 's', row.eventLoopDelayP99 / 1000);
    add('generator_cpu_percent', 'gauge', '%', row.cpuPercent);

    for (const [name, cell] of Object.entries(row.endpoints)) {
      const total = endpointTotals.get(name) ?? { requests: 0, failed: 0, bytes: 0 };
      total.requests += cell.requests;
      total.failed += cell.failed;
      total.bytes += cell.bytesReceived;
      endpointTotals.set(name, total);
    }
    for (const name of [...endpointTotals.keys()].sort()) {
      const total = endpointTotals.get(name)!;
      const endpoint = { endpoint: name };
      add('endpoint_http_reqs', 'counter', '{request}', total.requests, endpoint);
      add('endpoint_http_req_failed', 'counter', '{request}', total.failed, endpoint);
      add('endpoint_data_received_bytes', 'counter', 'By', total.bytes, endpoint);
      const cell = row.endpoints[name];
      if (cell === undefined || cell.requests === 0) continue;
      for (const [quantile, key] of ENDPOINT_QUANTILES) add('endpoint_http_req_duration_seconds', 'gauge', 's', seconds(cell[key]), { ...endpoint, quantile });
      add('endpoint_http_req_duration_mean_seconds', 'gauge', 's', cell.serviceSumUs / cell.requests / 1e6, endpoint);
    }
    const startMs = ctx.startedAt + row.t;
    return { startMs, endMs: startMs + ctx.intervalMs, points };
  };
}

function percentilePoints(add: (name: string, kind: PointKind, unit: string, value: number | null, labels?: Record<string, string>) => void, metric: string, p: IntervalPercentiles): void {
  for (const [quantile, key] of RUN_QUANTILES) add(`${metric}_seconds`, 'gauge', 's', seconds(p[key]), { quantile });
  add(`${metric}_mean_seconds`, 'gauge', 's', seconds(p.mean));
}

/** Milliseconds (or null) to seconds. */
function seconds(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}
