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
  // Slot values by bit arithmetic for our layout (lowest 1, 2048 sub-buckets);
  // the library's own methods for any other layout.
  const fast = isStandardLayout(histogram);
  const length = h.countsArrayLength;
  const values = [0, 0, 0, 0, 0, 0];
  let next = 0;
  let running = 0;
  let total = 0;
  let minSlot = -1;
  for (let i = 0; i < length; i++) {
    const c = counts[i];
    if (c === 0) continue;
    if (minSlot < 0) minSlot = i;
    let v: number;
    let width: number;
    if (!fast) {
      v = h.valueFromIndex(i);
      width = h.highestEquivalentValue(v) - v + 1;
    } else if (i < 2048) {
      v = i;
      width = 1;
    } else {
      // Bucket b ≥ 1 holds slots 1024(b+1) … 1024(b+2)−1, each 2^b values wide.
      width = 2 ** ((i >> 10) - 1);
      v = ((i & 1023) + 1024) * width;
    }
    running += c;
    // Median equivalent value = lowest + floor(width / 2).
    total += (v + Math.floor(width / 2)) * c;
    while (next < targets.length && running >= targets[next]) values[next++] = v + width - 1;
    if (running >= n) break;
  }
  const mean = total / n;
  let deviation = 0;
  running = 0;
  for (let i = minSlot; i < length; i++) {
    const c = counts[i];
    if (c === 0) continue;
    let median: number;
    if (!fast) {
      const v = h.valueFromIndex(i);
      median = h.medianEquivalentValue(v);
    } else if (i < 2048) {
      median = i;
    } else {
      const width = 2 ** ((i >> 10) - 1);
      median = ((i & 1023) + 1024) * width + Math.floor(width / 2);
    }
    const d = median - mean;
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

/** True for histograms with lowest discernible value 1 and 3 significant digits (2048 sub-buckets). */
function isStandardLayout(histogram: Histogram): boolean {
  const h = histogram as unknown as { subBucketHalfCountMagnitude?: number; unitMagnitude?: number };
  return h.subBucketHalfCountMagnitude === 10 && h.unitMagnitude === 0;
}
