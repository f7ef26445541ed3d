/**
 * The JSON-lines output (`--out json=FILE`): one self-contained object per
 * interval and one closing object, each on its own line (fields in
 * docs/outputs.md). Names follow the stored RunResult series
 * (`metrics.series`), so a line and the series column at the same `t` agree.
 *
 * @module
 */
import type { IntervalPercentiles, IntervalRow } from '../metrics/snapshot.js';
import type { IntervalContext } from './types.js';

/** Version of the line format; bump when a field changes meaning. */
export const JSON_LINES_VERSION = 1;

/** One `Interval` line (without the newline). */
export function intervalLine(row: IntervalRow, ctx: IntervalContext): string {
  const seconds = ctx.intervalMs / 1000;
  const endpoints: Record<string, unknown> = {};
  for (const name of Object.keys(row.endpoints).sort()) {
    const c = row.endpoints[name];
    endpoints[name] = {
      requests: c.requests,
      failed: c.failed,
      serviceMeanMs: c.requests > 0 ? round(c.serviceSumUs / c.requests / 1000) : null,
      p50: c.p50,
      p95: c.p95,
      p99: c.p99,
      bytesReceived: c.bytesReceived,
    };
  }
  return JSON.stringify({
    type: 'Interval',
    version: JSON_LINES_VERSION,
    time: new Date(ctx.startedAt + row.t).toISOString(),
    t: row.t,
    intervalMs: ctx.intervalMs,
    segment: ctx.segment,
    requests: row.requests,
    failed: row.failed,
    rps: round(row.requests / seconds),
    iterations: row.iterations,
    droppedIterations: row.droppedIterations,
    vus: row.vus,
    targetRate: row.targetRate,
    bytesReceived: row.bytesReceived,
    service: percentiles(row.service),
    response: percentiles(row.response),
    generator: { eventLoopDelayP99: row.eventLoopDelayP99, cpuPercent: row.cpuPercent },
    endpoints,
  });
}

/** The closing `End` line: how the run ended. */
export function endLine(end: { status: string; endedAt: number; durationMs: number; segment: string }): string {
  return JSON.stringify({ type: 'End', version: JSON_LINES_VERSION, time: new Date(end.endedAt).toISOString(), status: end.status, durationMs: end.durationMs, segment: end.segment });
}

function percentiles(p: IntervalPercentiles): IntervalPercentiles {
  return { p50: p.p50, p90: p.p90, p95: p.p95, p99: p.p99, max: p.max, mean: p.mean };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
