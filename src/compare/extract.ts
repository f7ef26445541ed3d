/**
 * Reads one number per run for a metric row: a percentile of response or
 * service time, throughput, or an error rate — overall or for one endpoint.
 *
 * Zeros and log-ratios: comparisons work on ln(value). Error rates use the
 * continuity-corrected rate (failed + ½) / (requests + 1), so a clean run
 * (0 failures) has a small positive rate that shrinks with its size instead
 * of ln(0) = −∞; throughput of 0 becomes ½ request over the run. Both are
 * the usual "add half a count" correction and only matter at zero.
 *
 * @module
 */
import type { EndpointSummary, RunResult, TrendStats } from '../result/types.js';
import type { LatencyBasis, MetricKind } from './types.js';

/** Percentile metrics and their quantile. */
export const QUANTILE: Partial<Record<MetricKind, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

/** True for latency percentile metrics. */
export function isPercentile(metric: MetricKind): metric is 'p50' | 'p95' | 'p99' {
  return QUANTILE[metric] !== undefined;
}

/**
 * Latency basis of a run: response time (intended start → last byte) when
 * any scenario is open-model, since that is what a user arriving on
 * schedule sees; service time for closed-model runs, where intended start
 * equals actual start.
 */
export function latencyBasis(run: RunResult): LatencyBasis {
  return run.model === 'closed' ? 'service' : 'response';
}

/** The endpoint summary of `endpoint` in `run`, or undefined. */
export function findEndpoint(run: RunResult, endpoint: string): EndpointSummary | undefined {
  return run.endpoints.find((e) => e.endpoint === endpoint);
}

function trend(run: RunResult, endpoint: string | null, basis: LatencyBasis): TrendStats | undefined {
  const source = endpoint === null ? run.totals : findEndpoint(run, endpoint);
  if (!source) return undefined;
  return basis === 'response' ? source.responseTime : source.serviceTime;
}

/** Active duration (s) used to turn counts into rates; never 0. */
function durationSeconds(run: RunResult): number {
  return Math.max(run.durationMs, 1) / 1000;
}

function count5xx(statuses: Record<string, number>): number {
  return Object.entries(statuses).reduce((s, [code, n]) => (code.startsWith('5') ? s + n : s), 0);
}

/** Number of requests behind a row value (for the tail-sample guardrail). */
export function sampleCount(run: RunResult, endpoint: string | null, basis: LatencyBasis): number {
  return trend(run, endpoint, basis)?.count ?? 0;
}

interface Counts {
  requests: number;
  failed: number;
  rps: number;
}

function counts(run: RunResult, metric: 'throughput' | 'errors' | 'errors_5xx', endpoint: string | null): Counts | undefined {
  const summary = endpoint === null ? undefined : findEndpoint(run, endpoint);
  if (endpoint !== null && !summary) return undefined;
  const requests = summary ? summary.requests : run.totals.requests;
  const rps = summary ? summary.rps : run.totals.rps;
  let failed: number;
  if (metric === 'errors_5xx') failed = summary ? count5xx(summary.statuses) : run.endpoints.reduce((s, e) => s + count5xx(e.statuses), 0);
  else failed = summary ? summary.failed : run.totals.failed;
  return { requests, failed, rps };
}

/**
 * The value of `metric` for one run as shown to the user (ms for
 * percentiles, req/s, or a plain rate failed/requests), or undefined when
 * the endpoint is absent from the run.
 */
export function metricValue(
  run: RunResult,
  metric: MetricKind,
  endpoint: string | null,
  basis: LatencyBasis,
): number | undefined {
  if (isPercentile(metric)) {
    const stats = trend(run, endpoint, basis);
    return stats ? stats[metric] : undefined;
  }
  const c = counts(run, metric, endpoint);
  if (!c) return undefined;
  if (metric === 'throughput') return c.rps;
  return c.requests === 0 ? 0 : c.failed / c.requests;
}

/**
 * ln of the value the statistics use: the shown value for percentiles, and
 * the zero-safe corrections of the module comment for throughput and error
 * rates. Undefined when the endpoint is absent or a percentile is empty.
 */
export function metricLogValue(
  run: RunResult,
  metric: MetricKind,
  endpoint: string | null,
  basis: LatencyBasis,
): number | undefined {
  if (isPercentile(metric)) {
    const v = metricValue(run, metric, endpoint, basis);
    return v !== undefined && v > 0 ? Math.log(v) : undefined;
  }
  const c = counts(run, metric, endpoint);
  if (!c) return undefined;
  if (metric === 'throughput') return Math.log(c.rps > 0 ? c.rps : 0.5 / durationSeconds(run));
  return Math.log((c.failed + 0.5) / (c.requests + 1));
}

/** Plain error rate (failed / requests) pooled over runs, for the error-rate guardrail. */
export function pooledErrorRate(runs: readonly RunResult[]): number {
  const requests = runs.reduce((s, r) => s + r.totals.requests, 0);
  const failed = runs.reduce((s, r) => s + r.totals.failed, 0);
  return requests === 0 ? 0 : failed / requests;
}
