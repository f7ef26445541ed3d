/**
 * One live metric series (name + tag set) inside a recorder, and the
 * helpers that read it out as a snapshot entry. Plain mutable fields so the
 * hot path is a few property writes.
 *
 * @module
 */
import type { MetricType, Tags, TrendStats } from '../result/types.js';
import { createCompactHistogram, type Histogram } from './hdr.js';
import { encodeFast } from './encode.js';
import { trendStatsOf } from './summary.js';
import { recordValue } from './fast-record.js';
import type { SnapshotMetric } from './snapshot.js';

/**
 * Values a trend keeps in its sparse form before switching to a compact
 * histogram. A compact histogram costs ~30–40 KB whatever its count, which
 * adds up over hundreds of endpoints × statuses; rare series (errors, odd
 * statuses) mostly never reach this and stay at a few hundred bytes.
 */
export const SPARSE_LIMIT = 256;

/** Unit of a metric's values. */
export type MetricUnit = 'ms' | 'bytes' | '';

/** Counts-array index of a value (lowest 1, 3 significant digits), as in `fast-record.ts`. Values < 2^31. */
function slotOf(value: number): number {
  const bucket = 21 - Math.clz32(value | 2047);
  return ((bucket + 1) << 10) + (value >>> bucket) - 1024;
}

/** Lowest value of a counts-array slot (inverse of {@link slotOf}). */
function slotValue(slot: number): number {
  if (slot < 2048) return slot;
  return ((slot & 1023) + 1024) * 2 ** ((slot >> 10) - 1);
}

/**
 * A live series. Trends are HDR histograms (µs) in three parts:
 * - `zeros`: the count of zero values (most `http_req_connecting` and
 *   `iteration_start_lag` samples), so such series need no histogram;
 * - `sparse`: while the series is small, a map from HDR slot to count, i.e.
 *   the same histogram stored sparsely (values are quantized to their HDR
 *   bucket, never kept raw; at most {@link SPARSE_LIMIT} entries);
 * - `histogram`: the compact histogram every busy series ends up with.
 */
export class LiveMetric {
  /** counter: sum. */
  count = 0;
  /** rate: true samples / false samples. */
  passes = 0;
  fails = 0;
  /** gauge: last value and extremes. */
  value = 0;
  min = Infinity;
  max = -Infinity;
  /** trend: non-zero values (µs) once the series is busy. */
  histogram: Histogram | null = null;
  /** trend: number of zero values, added to the histogram on read. */
  zeros = 0;
  /** trend: HDR slot → count while the series is small; null once `histogram` took over. */
  private sparse: Map<number, number> | null = null;
  private sparseCount = 0;

  constructor(
    readonly name: string,
    readonly type: MetricType,
    readonly unit: MetricUnit,
    readonly tags: Tags,
  ) {}

  /** Record a trend value in µs (rounded; negative and NaN values count as 0, so a bad input cannot corrupt the histogram). */
  recordUs(micros: number): void {
    if (!(micros >= 0.5)) {
      this.zeros++;
      return;
    }
    const h = this.histogram;
    if (h !== null) {
      recordValue(h, Math.round(micros));
      return;
    }
    this.recordSparse(Math.round(micros));
  }

  /** The small-series path: count by slot; switch to a compact histogram once busy. */
  private recordSparse(value: number): void {
    if (this.sparseCount >= SPARSE_LIMIT || value >= 0x7fffffff) {
      const dense = createCompactHistogram();
      this.addSparseTo(dense);
      this.sparse = null;
      this.sparseCount = 0;
      this.histogram = dense;
      recordValue(dense, value);
      return;
    }
    let map = this.sparse;
    if (map === null) map = this.sparse = new Map();
    const slot = slotOf(value);
    map.set(slot, (map.get(slot) ?? 0) + 1);
    this.sparseCount++;
  }

  private addSparseTo(target: Histogram): void {
    if (this.sparse === null) return;
    for (const [slot, count] of this.sparse) target.recordValueWithCount(slotValue(slot), count);
  }

  /** Set a gauge. */
  setGauge(value: number): void {
    this.value = value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Number of samples this series holds (0 = never touched, skipped in snapshots). */
  samples(): number {
    switch (this.type) {
      case 'counter':
        return this.count === 0 ? 0 : 1;
      case 'rate':
        return this.passes + this.fails;
      case 'gauge':
        return this.min === Infinity ? 0 : 1;
      case 'trend':
        return this.zeros + this.sparseCount + (this.histogram?.totalCount ?? 0);
    }
  }

  /** Add this trend's values (µs, zeros included) into `target`; the series is not modified. */
  addTrendTo(target: Histogram): void {
    if (this.histogram) target.add(this.histogram);
    this.addSparseTo(target);
    if (this.zeros > 0) target.recordValueWithCount(0, this.zeros);
  }

  /** The trend's values (µs) including zeros, as a new histogram; the live one is not modified. */
  trendHistogram(): Histogram {
    const h = createCompactHistogram();
    this.addTrendTo(h);
    return h;
  }

  /** Plain-JSON copy for a snapshot. */
  toSnapshot(): SnapshotMetric {
    const base = { name: this.name, type: this.type, unit: this.unit, tags: { ...this.tags } };
    switch (this.type) {
      case 'counter':
        return { ...base, count: this.count };
      case 'rate':
        return { ...base, passes: this.passes, fails: this.fails };
      case 'gauge':
        return { ...base, value: this.value, min: this.min, max: this.max };
      case 'trend': {
        if (this.zeros === 0 && this.sparse === null && this.histogram) return { ...base, histogram: encodeFast(this.histogram) };
        const h = this.trendHistogram();
        const encoded = encodeFast(h);
        h.destroy();
        return { ...base, histogram: encoded };
      }
    }
  }
}

/**
 * Trend summary (ms) of a µs histogram: hdr.ts's `trendStats` semantics,
 * computed in one pass (see `summary.ts`), with `min` 0 when zero values
 * were recorded (HDR's `minNonZeroValue` would report a 0.001 ms minimum
 * connect time for a run that reused every connection).
 */
export function statsOf(histogram: Histogram): TrendStats {
  return trendStatsOf(histogram);
}
