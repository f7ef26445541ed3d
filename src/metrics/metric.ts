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

/** Unit of a metric's values. */
export type MetricUnit = 'ms' | 'bytes' | '';

/**
 * A live series. Trends keep a lazily created µs histogram plus a separate
 * count of zero values: most `http_req_connecting` and `iteration_start_lag`
 * samples are 0, and counting them avoids allocating a histogram at all
 * for series that never see a non-zero value.
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
  /** trend: non-zero values (µs). */
  histogram: Histogram | null = null;
  /** trend: number of zero values, added to the histogram on read. */
  zeros = 0;

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
    let h = this.histogram;
    if (h === null) h = this.histogram = createCompactHistogram();
    recordValue(h, Math.round(micros));
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
        return this.zeros + (this.histogram?.totalCount ?? 0);
    }
  }

  /** The trend's values (µs) including zeros, as a new histogram; the live one is not modified. */
  trendHistogram(): Histogram {
    const h = createCompactHistogram();
    if (this.histogram) h.add(this.histogram);
    if (this.zeros > 0) h.recordValueWithCount(0, this.zeros);
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
        if (this.zeros === 0 && this.histogram) return { ...base, histogram: encodeFast(this.histogram) };
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
