/**
 * Quick mode (one run per side): builds the per-interval statistics a row
 * needs and runs the moving-block bootstrap over them.
 *
 * Overall percentiles resample the run's 1 s interval histograms;
 * throughput and error rates resample the per-interval counts, overall or
 * per endpoint. Per-endpoint percentiles have no interval histograms in the
 * RunResult contract, so those rows stay descriptive.
 *
 * @module
 */
import type { RunResult } from '../result/types.js';
import { QUANTILE, isPercentile } from './extract.js';
import {
  IntervalHistograms,
  blockBootstrapLogRatio,
  blockBootstrapLogRatios,
  type BootstrapLogRatio,
  type IntervalStatistic,
} from './stats/bootstrap.js';
import type { LatencyBasis, MetricKind } from './types.js';

/** Outcome of {@link quickModeInterval}: a bootstrap result, or why none could be computed. */
export interface QuickInterval {
  result?: BootstrapLogRatio;
  reason?: string;
}

function sumAt(values: readonly number[], indices: readonly number[]): number {
  let s = 0;
  for (const i of indices) s += values[i] ?? 0;
  return s;
}

/** The per-interval statistic of one run for a row, or a reason why there is none. */
export function intervalStatistic(
  run: RunResult,
  metric: MetricKind,
  endpoint: string | null,
  basis: LatencyBasis,
): IntervalStatistic | string {
  const series = run.series;
  if (isPercentile(metric)) {
    if (endpoint !== null) return 'per-endpoint interval histograms are not recorded; shown without an interval';
    const encoded = basis === 'response' ? series.responseHistograms : series.serviceHistograms;
    if (!encoded || encoded.every((h) => h === '')) return 'the run has no interval histograms';
    const histograms = IntervalHistograms.fromEncoded(encoded);
    const q = QUANTILE[metric] as number;
    return { length: histograms.length, compute: (idx) => histograms.quantile(idx, q) / 1000 };
  }
  if (metric === 'errors_5xx') return '5xx counts are not recorded per interval; shown without an interval';
  const columns = endpoint === null ? series : series.endpoints[endpoint];
  if (!columns || columns.requests.length === 0) return 'the run has no interval series';
  const requests = columns.requests;
  const failed = columns.failed;
  const seconds = series.intervalMs / 1000;
  if (metric === 'throughput') {
    // Same zero handling as extract.ts: half a request over the selection.
    return { length: requests.length, compute: (idx) => Math.max(sumAt(requests, idx), 0.5) / (idx.length * seconds) };
  }
  return { length: requests.length, compute: (idx) => (sumAt(failed, idx) + 0.5) / (sumAt(requests, idx) + 1) };
}

/** Block-bootstrap interval of ln(after/before) for one row in quick mode. */
export function quickModeInterval(
  before: RunResult,
  after: RunResult,
  metric: MetricKind,
  endpoint: string | null,
  basis: LatencyBasis,
  bootstrap: { resamples: number; blockLength: number; seed: number },
  alpha: number,
): QuickInterval {
  const a = intervalStatistic(before, metric, endpoint, basis);
  const b = intervalStatistic(after, metric, endpoint, basis);
  if (typeof a === 'string') return { reason: a };
  if (typeof b === 'string') return { reason: b };
  return { result: blockBootstrapLogRatio(a, b, { ...bootstrap, alpha }) };
}

/** The overall percentile metrics, ascending, bootstrapped together. */
const PERCENTILES = ['p50', 'p95', 'p99'] as const;

function histogramsOf(run: RunResult, basis: LatencyBasis): IntervalHistograms | string {
  const encoded = basis === 'response' ? run.series.responseHistograms : run.series.serviceHistograms;
  if (!encoded || encoded.every((h) => h === '')) return 'the run has no interval histograms';
  return IntervalHistograms.fromEncoded(encoded);
}

/**
 * Quick-mode intervals of the overall p50, p95 and p99 from one shared
 * bootstrap: every resample is merged once and read at the three
 * quantiles, instead of three bootstraps (the merge is the cost).
 */
export function quickPercentileIntervals(
  before: RunResult,
  after: RunResult,
  basis: LatencyBasis,
  bootstrap: { resamples: number; blockLength: number; seed: number },
  alpha: number,
): Map<MetricKind, QuickInterval> {
  const out = new Map<MetricKind, QuickInterval>();
  const a = histogramsOf(before, basis);
  const b = histogramsOf(after, basis);
  if (typeof a === 'string' || typeof b === 'string') {
    for (const m of PERCENTILES) out.set(m, { reason: typeof a === 'string' ? a : (b as string) });
    return out;
  }
  const qs = PERCENTILES.map((m) => QUANTILE[m] as number);
  const results = blockBootstrapLogRatios(
    { length: a.length, compute: (idx) => a.quantiles(idx, qs) },
    { length: b.length, compute: (idx) => b.quantiles(idx, qs) },
    { ...bootstrap, alpha },
  );
  PERCENTILES.forEach((m, i) => out.set(m, { result: results[i] }));
  return out;
}
