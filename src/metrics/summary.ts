/**
 * One-pass histogram summary. hdr-histogram-js computes each percentile,
 * the mean and the standard deviation with a separate scan through an
 * iterator object; a TrendStats needs eight of them, which made building a
 * result with a few hundred endpoints take seconds. This walks the counts
 * array directly (twice: values, then deviations) and reproduces the
 * library's definitions exactly:
 *
 * - percentile p: the highest equivalent value of the first bucket where the
 *   running count reaches `max(ceil(p/100·n − ulp), 1)`;
 * - mean and stddev: over each bucket's median equivalent value;
 * - min: the lowest equivalent value of the smallest recorded non-zero
 *   value, or 0 when zeros were recorded (HDR's `minNonZeroValue` would
 *   hide them); max: the highest equivalent value of the largest value.
 *   Both are bucket edges (within 0.1 %) so live and decoded histograms
 *   give identical stats.
 *
 * @module
 */
import type { TrendStats } from '../result/types.js';
import type { Histogram } from './hdr.js';

/** The JS histogram internals the summary reads (all public in hdr-histogram-js's JsHistogram). */
interface CountsView {
  readonly totalCount: number;
  readonly countsArrayLength: number;
  readonly maxValue: number;
  readonly minNonZeroValue: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
  lowestEquivalentValue(value: number): number;
  medianEquivalentValue(value: number): number;
}

/** Percentiles every summary computes, ascending. */
const PERCENTILES = [50, 90, 95, 99, 99.9, 100] as const;

/** Everything the metrics layer reads from a histogram, in the histogram's unit (µs). */
export interface HistogramSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  /** Highest equivalent value of the top bucket (the max as HDR percentiles see it). */
  p100: number;
}

const ulp = (x: number): number => Math.pow(2, Math.floor(Math.log2(x)) - 52);

/** Summarize a µs histogram in two linear scans. All zeros when empty. */
export function summarize(histogram: Histogram): HistogramSummary {
  const h = histogram as unknown as CountsView;
  const n = h.totalCount;
  const out: HistogramSummary = { count: n, min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, p100: 0 };
  if (n === 0) return out;
  const targets = PERCENTILES.map((p) => {
    const fp = (p / 100) * n;
    return Math.max(Math.ceil(fp - ulp(fp)), 1);
  });
  // Read the typed counts array directly when it is there (every JS-mode
  // histogram): a method call per slot was most of the cost of a summary.
  const raw = (histogram as unknown as { _counts?: ArrayLike<number> })._counts;
  const counts: ArrayLike<number> = raw !== undefined && raw.length >= h.countsArrayLength ? raw : countsOf(h);
  const values = [0, 0, 0, 0, 0, 0];
  let next = 0;
  let running = 0;
  let total = 0;
  const length = h.countsArrayLength;
  for (let i = 0; i < length; i++) {
    const c = counts[i];
    if (c === 0) continue;
    const v = h.valueFromIndex(i);
    running += c;
    total += h.medianEquivalentValue(v) * c;
    while (next < targets.length && running >= targets[next]) values[next++] = h.highestEquivalentValue(v);
    if (running >= n) break;
  }
  const mean = total / n;
  let deviation = 0;
  running = 0;
  for (let i = 0; i < length; i++) {
    const c = counts[i];
    if (c === 0) continue;
    const d = h.medianEquivalentValue(h.valueFromIndex(i)) - mean;
    deviation += d * d * c;
    running += c;
    if (running >= n) break;
  }
  // Bucket edges, not the exact extremes: a live histogram knows its exact
  // max but a decoded one only its bucket, and a query must not depend on
  // whether the histogram went through a snapshot (error ≤ 0.1 %).
  out.min = counts[0] > 0 ? 0 : h.lowestEquivalentValue(h.minNonZeroValue);
  out.max = h.highestEquivalentValue(h.maxValue);
  out.mean = mean;
  out.stddev = Math.sqrt(deviation / n);
  [out.p50, out.p90, out.p95, out.p99, out.p999, out.p100] = values;
  return out;
}

/** TrendStats (ms) of a µs histogram, from {@link summarize}. All zeros when empty. */
export function trendStatsOf(histogram: Histogram): TrendStats {
  const s = summarize(histogram);
  return {
    count: s.count,
    min: s.min / 1000,
    max: s.max / 1000,
    mean: s.mean / 1000,
    stddev: s.stddev / 1000,
    p50: s.p50 / 1000,
    p90: s.p90 / 1000,
    p95: s.p95 / 1000,
    p99: s.p99 / 1000,
    p999: s.p999 / 1000,
  };
}

/** Counts through the public accessor, for histogram classes without a `_counts` array. */
function countsOf(h: CountsView): ArrayLike<number> {
  const out = new Float64Array(h.countsArrayLength);
  for (let i = 0; i < out.length; i++) out[i] = h.getCountAtIndex(i);
  return out;
}
