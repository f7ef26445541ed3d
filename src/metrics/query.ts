/**
 * Metric queries: aggregate every series of one name whose tags include a
 * filter — what a threshold such as `http_req_duration{endpoint:GET /x}`
 * evaluates against. Works on finished metrics (`queryMetric`) and on a live
 * recorder (`Recorder.query`, same semantics, no serialization).
 *
 * Aggregation per type:
 * - counter: `count` = sum of the matching series;
 * - rate: `passes`/`fails` add, `rate` = passes / (passes + fails);
 * - trend: histograms merge exactly, `stats` (ms) come from the merge;
 * - gauge: `value` = the largest current value among matching series, `min`
 *   and `max` = the extremes over all of them.
 *
 * @module
 */
import type { MetricSeries, MetricType, Tags, TrendStats } from '../result/types.js';
import { createCompactHistogram, type Histogram } from './hdr.js';
import { addEncoded } from './intervals.js';
import { statsOf, type LiveMetric } from './metric.js';
import type { SnapshotMetric } from './snapshot.js';
import { tagsMatch } from './tags.js';

/** The aggregate of every matching series. Exactly the fields of `type` are set. */
export interface AggregatedMetric {
  type: MetricType;
  /** Number of series merged. */
  series: number;
  /** counter: sum. */
  count?: number;
  /** rate: true / false samples and their ratio (0 when no sample). */
  passes?: number;
  fails?: number;
  rate?: number;
  /** gauge: current value and extremes. */
  value?: number;
  min?: number;
  max?: number;
  /** trend: merged histogram (µs), live: callers may read percentiles at any level. */
  histogram?: Histogram;
  /** trend: summary (ms) of `histogram`. */
  stats?: TrendStats;
}

/** Accumulates matching series; shared by the finished and the live query. */
export class Aggregator {
  private type: MetricType | null = null;
  private series = 0;
  private count = 0;
  private passes = 0;
  private fails = 0;
  private value = -Infinity;
  private min = Infinity;
  private max = -Infinity;
  private histogram: Histogram | null = null;

  /** Add a finished (snapshot or result) series. */
  add(m: SnapshotMetric | MetricSeries): void {
    this.begin(m.type);
    switch (m.type) {
      case 'counter':
        this.count += m.count ?? 0;
        break;
      case 'rate':
        this.passes += m.passes ?? 0;
        this.fails += m.fails ?? 0;
        break;
      case 'gauge':
        this.gauge(m.value ?? 0, m.min ?? Infinity, m.max ?? -Infinity);
        break;
      case 'trend':
        addEncoded(this.trend(), m.histogram ?? '');
        break;
    }
  }

  /** Add a live recorder series. */
  addLive(m: LiveMetric): void {
    this.begin(m.type);
    switch (m.type) {
      case 'counter':
        this.count += m.count;
        break;
      case 'rate':
        this.passes += m.passes;
        this.fails += m.fails;
        break;
      case 'gauge':
        this.gauge(m.value, m.min, m.max);
        break;
      case 'trend':
        m.addTrendTo(this.trend());
        break;
    }
  }

  /** The aggregate, or null when nothing matched. */
  result(): AggregatedMetric | null {
    if (this.type === null) return null;
    const out: AggregatedMetric = { type: this.type, series: this.series };
    switch (this.type) {
      case 'counter':
        out.count = this.count;
        break;
      case 'rate': {
        const total = this.passes + this.fails;
        out.passes = this.passes;
        out.fails = this.fails;
        out.rate = total === 0 ? 0 : this.passes / total;
        break;
      }
      case 'gauge':
        out.value = this.value;
        out.min = this.min;
        out.max = this.max;
        break;
      case 'trend': {
        const h = this.trend();
        out.histogram = h;
        out.stats = statsOf(h);
        break;
      }
    }
    return out;
  }

  private begin(type: MetricType): void {
    // A name has one type by construction; the first series decides.
    if (this.type === null) this.type = type;
    this.series++;
  }

  private gauge(value: number, min: number, max: number): void {
    if (value > this.value) this.value = value;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  private trend(): Histogram {
    if (this.histogram === null) this.histogram = createCompactHistogram();
    return this.histogram;
  }
}

/**
 * Aggregate every series called `name` whose tags include all of `filter`
 * (exact string match; `{}` matches all). Null when no series matches.
 *
 * @example queryMetric(result.metrics, 'http_req_duration', { endpoint: 'GET /api/orders/:id' })?.stats?.p95
 */
export function queryMetric(
  metrics: ReadonlyArray<MetricSeries | SnapshotMetric>,
  name: string,
  filter: Tags = {},
): AggregatedMetric | null {
  const agg = new Aggregator();
  for (const m of metrics) {
    if (m.name === name && tagsMatch(m.tags, filter)) agg.add(m);
  }
  return agg.result();
}
