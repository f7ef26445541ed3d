/**
 * The CSV output (`--out csv=FILE`): k6's long layout, one value per line
 * (`metric_name,timestamp,metric_value,<tags>`), with the interval's offset
 * and length added and `endpoint` as the one tag column (an empty endpoint
 * = all endpoints). Columns and metric names are in docs/outputs.md.
 *
 * @module
 */
import type { IntervalPercentiles, IntervalRow } from '../metrics/snapshot.js';
import type { IntervalContext } from './types.js';

/** The header line. */
export const CSV_HEADER = 'metric_name,timestamp,t_ms,interval_ms,metric_value,endpoint';

const PERCENTILE_KEYS = ['p50', 'p90', 'p95', 'p99', 'max', 'mean'] as const;

/** The lines of one interval row (each ends in a newline). Empty percentiles write no line, as k6 writes no sample. */
export function intervalCsv(row: IntervalRow, ctx: IntervalContext): string {
  const timestamp = ((ctx.startedAt + row.t) / 1000).toFixed(3);
  const prefix = `,${timestamp},${row.t},${ctx.intervalMs},`;
  let out = '';
  const line = (name: string, value: number | null, endpoint = ''): void => {
    if (value === null) return;
    out += `${name}${prefix}${value}${endpoint === '' ? ',' : `,${csvField(endpoint)}`}\n`;
  };
  line('http_reqs', row.requests);
  line('http_req_failed', row.failed);
  line('iterations', row.iterations);
  line('dropped_iterations', row.droppedIterations);
  line('vus', row.vus);
  line('target_rate', row.targetRate);
  line('data_received', row.bytesReceived);
  percentileLines(line, 'http_req_duration', row.service);
  percentileLines(line, 'http_req_response_time', row.response);
  line('generator_event_loop_delay_p99', row.eventLoopDelayP99);
  line('generator_cpu_percent', row.cpuPercent);
  for (const name of Object.keys(row.endpoints).sort()) {
    const c = row.endpoints[name];
    line('http_reqs', c.requests, name);
    line('http_req_failed', c.failed, name);
    line('data_received', c.bytesReceived, name);
    if (c.requests > 0) line('http_req_duration_mean', Math.round(c.serviceSumUs / c.requests) / 1000, name);
    line('http_req_duration_p50', c.p50, name);
    line('http_req_duration_p95', c.p95, name);
    line('http_req_duration_p99', c.p99, name);
  }
  return out;
}

function percentileLines(line: (name: string, value: number | null) => void, metric: string, p: IntervalPercentiles): void {
  for (const key of PERCENTILE_KEYS) line(`${metric}_${key}`, p[key]);
}

/** RFC 4180 quoting: only when the field holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
