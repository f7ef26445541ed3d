/**
 * The metrics layer: the hot-path recorder, route templating, snapshots and
 * their exact merge, RunResult building, and metric queries.
 *
 * @module
 */
export type { EndpointHandle, LiveStats, MetricsRecorder, RecorderSnapshot } from './recorder-types.js';
export {
  createHistogram,
  createCompactHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  percentileMs,
  recordMicros,
  trendStats,
  type Histogram,
} from './hdr.js';
export { createRecorder, Recorder, type RecorderOptions, type StreamedRow } from './recorder.js';
export { templateEndpoint, templateSegment, OTHER_ENDPOINT } from './endpoint.js';
export { mergeSnapshots, mergeMetrics, type MergeOptions } from './merge.js';
export { buildResultMetrics, toIntervalSeries, type BuildOptions, type ResultMetrics } from './build.js';
export { queryMetric, Aggregator, type AggregatedMetric } from './query.js';
export { statsOf, LiveMetric, type MetricUnit } from './metric.js';
export { seriesKey, tagsMatch } from './tags.js';
export { combineRows, combineCells, coarsenRows, decodeForReading, addEncoded, percentilesOf, type CombineMode } from './intervals.js';
export { summarize, trendStatsOf, type HistogramSummary } from './summary.js';
export { recordValue } from './fast-record.js';
export { LoadFactsRecorder, mergeLoadFacts, hashRequestKey, type LoadFactsSnapshot, type EndpointFactsSnapshot } from './load-facts.js';
export { buildLoadFacts } from './load-facts-build.js';
export {
  asMetricsSnapshot,
  emptyRow,
  type EndpointCell,
  type IntervalPercentiles,
  type IntervalRow,
  type MetricsSnapshot,
  type SnapshotMetric,
} from './snapshot.js';
