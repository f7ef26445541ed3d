/**
 * Moving-block (circular) bootstrap over a run's 1 s interval histograms: the quick
 * mode of `compare` when there is only one run per side.
 *
 * Requests inside a run are autocorrelated (queues, GC pauses, cache
 * state), so resampling individual requests — or HDR bucket counts as a
 * multinomial — gives intervals far too narrow. Resampling whole blocks of
 * consecutive seconds keeps the short-range dependence inside each block.
 * Even so the interval only describes within-run noise, never the
 * run-to-run variance; callers must label it so.
 *
 * @module
 */
import * as hdr from 'hdr-histogram-js';
import { mulberry32, randomInt, type Random } from './prng.js';
import { quantileSorted } from './robust.js';

/** One interval's histogram as sorted distinct values (µs, highest equivalent value of each bucket) with counts. */
export interface SparseHistogram {
  values: readonly number[];
  counts: readonly number[];
}

/** Decode a V2 compressed-base64 histogram ('' = empty) into a {@link SparseHistogram}. */
export function sparseFromEncoded(encoded: string): SparseHistogram {
  if (encoded === '') return { values: [], counts: [] };
  // Decoded as stored, not re-homed into the shared configuration (hdr.ts's
  // decodeHistogram): iterating needs no headroom, and the copy cost most of the time.
  const histogram = hdr.decodeFromCompressedBase64(encoded, 32, false) as unknown as hdr.JsHistogram;
  const values: number[] = [];
  const counts: number[] = [];
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    values.push(step.valueIteratedTo);
    counts.push(step.countAtValueIteratedTo);
  }
  histogram.destroy();
  return { values, counts };
}

/** Above this many interval × grid cells the cumulative tables are skipped (memory) and selections are merged. */
export const PREFIX_CELL_LIMIT = 20_000_000;

/**
 * A run's interval histograms, re-indexed on one shared value grid so that
 * merging any selection of intervals is a dense array addition (decoding
 * and merging HDR objects 2,000 times per side would be far slower).
 */
export class IntervalHistograms {
  /** Number of intervals. */
  readonly length: number;
  private readonly grid: number[];
  private readonly slots: Int32Array[];
  private readonly counts: Float64Array[];
  private readonly scratch: Float64Array;
  /** Per interval, cumulative counts over the grid (null above {@link PREFIX_CELL_LIMIT} cells). */
  private readonly prefix: Int32Array[] | null;
  private readonly totals: number[];

  /**
   * @param intervals - one sparse histogram per interval, in time order.
   * @param cellLimit - build cumulative tables only up to this many interval × grid cells (tests pass 0 to force merging).
   */
  constructor(intervals: readonly SparseHistogram[], cellLimit = PREFIX_CELL_LIMIT) {
    this.length = intervals.length;
    const distinct = new Set<number>();
    for (const h of intervals) for (const v of h.values) distinct.add(v);
    this.grid = [...distinct].sort((a, b) => a - b);
    const slotOf = new Map<number, number>();
    this.grid.forEach((v, i) => slotOf.set(v, i));
    this.slots = intervals.map((h) => Int32Array.from(h.values, (v) => slotOf.get(v) as number));
    this.counts = intervals.map((h) => Float64Array.from(h.counts));
    this.scratch = new Float64Array(this.grid.length);
    this.totals = this.counts.map((c) => c.reduce((sum, v) => sum + v, 0));
    // Cumulative counts per interval make a quantile of any selection a binary
    // search over the grid (≈ 13 probes × selection size) instead of a merge of
    // every bucket; that is what keeps 2,000 resamples interactive.
    this.prefix =
      this.length * this.grid.length <= cellLimit
        ? this.slots.map((slots, i) => {
            const dense = new Int32Array(this.grid.length);
            const counts = this.counts[i];
            for (let k = 0; k < slots.length; k++) dense[slots[k]] += counts[k];
            for (let g = 1; g < dense.length; g++) dense[g] += dense[g - 1];
            return dense;
          })
        : null;
  }

  /** Build from the encoded interval histograms of a RunResult series. */
  static fromEncoded(encoded: readonly string[]): IntervalHistograms {
    return new IntervalHistograms(encoded.map(sparseFromEncoded));
  }

  /** Every interval index, 0..length−1 (the "no resampling" selection). */
  allIndices(): number[] {
    return Array.from({ length: this.length }, (_, i) => i);
  }

  /**
   * Value (µs) at quantile `q` (0..1) of the merged selection: the smallest
   * recorded value whose cumulative count reaches ⌈q·total⌉ (at least 1),
   * as HDR histograms do. NaN when the selection holds no sample.
   * An interval may be selected more than once.
   */
  quantile(indices: readonly number[], q: number): number {
    return this.quantiles(indices, [q])[0];
  }

  /**
   * Several quantiles (ascending `qs`) of one merged selection: merging is
   * the expensive part, so the percentile rows of quick mode share it.
   */
  quantiles(indices: readonly number[], qs: readonly number[]): number[] {
    if (this.prefix) return this.quantilesBySearch(indices, qs);
    const merged = this.scratch;
    merged.fill(0);
    let total = 0;
    for (const i of indices) {
      const slots = this.slots[i];
      const counts = this.counts[i];
      for (let k = 0; k < slots.length; k++) {
        merged[slots[k]] += counts[k];
        total += counts[k];
      }
    }
    if (total === 0) return qs.map(() => Number.NaN);
    const out: number[] = [];
    let cumulative = 0;
    let s = 0;
    for (const q of qs) {
      const rank = Math.max(1, Math.ceil(q * total - 1e-9));
      while (s < merged.length - 1 && cumulative + merged[s] < rank) cumulative += merged[s++];
      out.push(this.grid[s]);
    }
    return out;
  }

  /** {@link quantiles} by binary search over the per-interval cumulative counts. */
  private quantilesBySearch(indices: readonly number[], qs: readonly number[]): number[] {
    const prefix = this.prefix as Int32Array[];
    let total = 0;
    for (const i of indices) total += this.totals[i];
    if (total === 0) return qs.map(() => Number.NaN);
    return qs.map((q) => {
      const rank = Math.max(1, Math.ceil(q * total - 1e-9));
      // Smallest grid slot whose cumulative count over the selection reaches rank.
      let lo = 0;
      let hi = this.grid.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        let cumulative = 0;
        for (const i of indices) cumulative += prefix[i][mid];
        if (cumulative >= rank) hi = mid;
        else lo = mid + 1;
      }
      return this.grid[lo];
    });
  }
}

/**
 * Indices of one block resample: blocks of `blockLength` consecutive
 * intervals, concatenated until `length` indices are drawn (the last block
 * is cut). Blocks wrap around the end of the run (the *circular* block
 * bootstrap of Politis & Romano): in the plain moving-block scheme the
 * first and last seconds fall in fewer blocks than the middle ones, which
 * made intervals measurably too narrow on 30 s runs (A/A coverage 0.80
 * instead of 0.88 in test/compare/bootstrap.test.ts). Blocks longer than the
 * run shrink to the run.
 */
export function blockResampleIndices(length: number, blockLength: number, random: Random): number[] {
  const block = Math.max(1, Math.min(blockLength, length));
  const out: number[] = [];
  while (out.length < length) {
    const start = randomInt(random, length);
    for (let k = 0; k < block && out.length < length; k++) out.push((start + k) % length);
  }
  return out;
}

/** A per-run statistic computed over a selection of interval indices. */
export interface IntervalStatistic {
  /** Number of intervals in the run. */
  length: number;
  /** The statistic over the selected intervals (repeats allowed); NaN when undefined. */
  compute(indices: readonly number[]): number;
}

/** Several statistics computed together from one selection (e.g. p50, p95, p99 of one merge). */
export interface IntervalStatistics {
  length: number;
  compute(indices: readonly number[]): number[];
}

/** Options of {@link blockBootstrapLogRatio}. */
export interface BlockBootstrapOptions {
  /** Resamples (default 2000). */
  resamples?: number;
  /** Block length in intervals (default 5, i.e. 5 s of 1 s intervals). */
  blockLength?: number;
  /** PRNG seed (default 1); stored in the comparison so the result can be replayed. */
  seed?: number;
  /** Two-sided level (default 0.05 → 2.5 / 97.5 percentiles). */
  alpha?: number;
}

/** Outcome of {@link blockBootstrapLogRatio}. */
export interface BootstrapLogRatio {
  /** ln(after/before) of the statistic over all intervals. */
  estimate: number;
  /** Percentile interval of the resampled log ratios; null when too many resamples were undefined. */
  lower: number | null;
  upper: number | null;
  /** Two-sided bootstrap p: 2·min(share of log ratios ≤ 0, share ≥ 0), capped at 1 (inverts the percentile interval). */
  p: number;
  resamples: number;
  /** Resamples whose ratio was undefined (an empty selection or a zero statistic); they are dropped. */
  undefinedResamples: number;
  blockLength: number;
  seed: number;
}

/**
 * Moving-block bootstrap of ln(after/before) for one run per side: each
 * side is resampled independently (they are independent runs), the
 * statistic is computed on each resample, and the 2.5/97.5 percentiles of
 * the log ratio form the interval.
 */
export function blockBootstrapLogRatio(
  before: IntervalStatistic,
  after: IntervalStatistic,
  options: BlockBootstrapOptions = {},
): BootstrapLogRatio {
  const wrap = (s: IntervalStatistic): IntervalStatistics => ({ length: s.length, compute: (idx) => [s.compute(idx)] });
  return blockBootstrapLogRatios(wrap(before), wrap(after), options)[0];
}

/**
 * {@link blockBootstrapLogRatio} for several statistics sharing each
 * resample (same selections, one merge): one result per statistic.
 */
export function blockBootstrapLogRatios(
  before: IntervalStatistics,
  after: IntervalStatistics,
  options: BlockBootstrapOptions = {},
): BootstrapLogRatio[] {
  const resamples = options.resamples ?? 2000;
  const blockLength = options.blockLength ?? 5;
  const seed = options.seed ?? 1;
  const alpha = options.alpha ?? 0.05;
  const random = mulberry32(seed);
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  const a0 = before.compute(all(before.length));
  const b0 = after.compute(all(after.length));
  const ratios: number[][] = a0.map(() => []);
  const undefinedCounts = a0.map(() => 0);
  for (let b = 0; b < resamples; b++) {
    const a = before.compute(blockResampleIndices(before.length, blockLength, random));
    const z = after.compute(blockResampleIndices(after.length, blockLength, random));
    for (let k = 0; k < a0.length; k++) {
      const r = Math.log(z[k] / a[k]);
      if (Number.isFinite(r)) ratios[k].push(r);
      else undefinedCounts[k]++;
    }
  }
  return ratios.map((list, k) => {
    list.sort((x, y) => x - y);
    // More than 10 % undefined resamples means the statistic is unstable at this run length.
    const usable = list.length > 0 && undefinedCounts[k] <= resamples * 0.1;
    const atOrBelow = list.filter((r) => r <= 0).length / Math.max(1, list.length);
    const atOrAbove = list.filter((r) => r >= 0).length / Math.max(1, list.length);
    return {
      estimate: Math.log(b0[k] / a0[k]),
      lower: usable ? quantileSorted(list, alpha / 2) : null,
      upper: usable ? quantileSorted(list, 1 - alpha / 2) : null,
      p: usable ? Math.min(1, 2 * Math.min(atOrBelow, atOrAbove)) : 1,
      resamples,
      undefinedResamples: undefinedCounts[k],
      blockLength,
      seed,
    };
  });
}
