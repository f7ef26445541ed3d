/**
 * The concrete shape of a {@link RecorderSnapshot}: plain JSON (numbers,
 * strings, arrays, objects; histograms as V2 compressed base64), so it
 * survives `postMessage`, `JSON.stringify` and a trip between machines.
 *
 * Intervals are stored row-wise (one object per interval) because merging
 * and coarsening work interval by interval; `buildResultMetrics` turns them
 * into the columnar {@link IntervalSeries} of the RunResult.
 *
 * @module
 */
import { TuneupError } from '../errors.js';
import type { MetricSeries } from '../result/types.js';
import type { RecorderSnapshot } from './recorder-types.js';
import type { LoadFactsSnapshot } from './load-facts.js';

/** A metric series as stored in a snapshot: a {@link MetricSeries} without `stats` (computed at build time). */
export type SnapshotMetric = Omit<MetricSeries, 'stats'>;

/** Percentiles (ms) of one interval histogram; null when the interval had no sample. */
export interface IntervalPercentiles {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** One endpoint's activity in one interval. */
export interface EndpointCell {
  requests: number;
  failed: number;
  /** Sum of service time in whole µs (integers, so sums are exact in any order). */
  serviceSumUs: number;
  bytesReceived: number;
  /** Service-time percentiles (ms) of the interval. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /**
   * Service-time histogram of the interval (encoded), kept while the
   * recorder's histogram budget allows so merges stay exact; null once the
   * budget is spent (merges then approximate, see `intervals.ts`).
   */
  histogram: string | null;
}

/** One closed interval. */
export interface IntervalRow {
  /** Start offset from the run start (ms). */
  t: number;
  requests: number;
  failed: number;
  iterations: number;
  droppedIterations: number;
  /** Busy VUs at the end of the interval. */
  vus: number;
  /** Open-model target rate (iterations/s) at the end of the interval. */
  targetRate: number;
  bytesReceived: number;
  /** Encoded response-time and service-time histograms (µs); '' when empty. */
  responseHistogram: string;
  serviceHistogram: string;
  response: IntervalPercentiles;
  service: IntervalPercentiles;
  eventLoopDelayP99: number;
  cpuPercent: number;
  /** Endpoints active in the interval (absent key = no request). */
  endpoints: Record<string, EndpointCell>;
}

/** The snapshot every recorder produces and `mergeSnapshots` consumes. */
export interface MetricsSnapshot extends RecorderSnapshot {
  readonly kind: 'tuneup-metrics-snapshot';
  readonly version: 1;
  /** Interval length (ms) of `intervals`; a power-of-two multiple of the configured interval after coarsening. */
  intervalMs: number;
  /** The configured (finest) interval length. */
  baseIntervalMs: number;
  metrics: SnapshotMetric[];
  intervals: IntervalRow[];
  /** Endpoints folded into `(other)` by the cardinality cap. */
  folded: { count: number; examples: string[]; limit: number };
  /** Requests recorded without their extra tags because the tag-set cap was reached (absent in older snapshots: 0). */
  droppedTagSets?: number;
  /** Number of recorders merged into this snapshot (1 for a single recorder). */
  parts: number;
  /** The load's own facts (absent in snapshots of older versions). */
  loadFacts?: LoadFactsSnapshot;
}

/** An empty interval row starting at `t`. */
export function emptyRow(t: number): IntervalRow {
  return {
    t,
    requests: 0,
    failed: 0,
    iterations: 0,
    droppedIterations: 0,
    vus: 0,
    targetRate: 0,
    bytesReceived: 0,
    responseHistogram: '',
    serviceHistogram: '',
    response: emptyPercentiles(),
    service: emptyPercentiles(),
    eventLoopDelayP99: 0,
    cpuPercent: 0,
    endpoints: {},
  };
}

/** Percentiles of an empty interval: all null. */
export function emptyPercentiles(): IntervalPercentiles {
  return { p50: null, p90: null, p95: null, p99: null, max: null, mean: null };
}

/**
 * Check that a value is a tuneup metrics snapshot of a version this code
 * reads, and return it typed. Throws `TUNEUP_METRICS_SNAPSHOT_INVALID` otherwise
 * (e.g. a worker from a different tuneup version, or a truncated file).
 */
export function asMetricsSnapshot(value: unknown, where = 'snapshot'): MetricsSnapshot {
  const v = value as Partial<MetricsSnapshot> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    v.kind !== 'tuneup-metrics-snapshot' ||
    v.version !== 1 ||
    !Array.isArray(v.metrics) ||
    !Array.isArray(v.intervals) ||
    typeof v.intervalMs !== 'number' ||
    !(v.intervalMs > 0)
  ) {
    throw new TuneupError('TUNEUP_METRICS_SNAPSHOT_INVALID', `${where} is not a tuneup metrics snapshot (version 1)`, {
      hint: 'Pass values returned by recorder.snapshot() or mergeSnapshots() from the same tuneup version.',
      location: where,
    });
  }
  return v as MetricsSnapshot;
}
