/**
 * Types of the k6-compatible threshold module: a parsed expression, a
 * threshold bound to its metric key, and the narrow query interface the
 * evaluator reads metrics through.
 *
 * @module
 */
import type { Histogram } from '../metrics/hdr.js';
import type { MetricType, Tags, TrendStats } from '../result/types.js';

/** k6's comparison operators, longest first where prefixes overlap. */
export type ThresholdOperator = '>' | '>=' | '<=' | '<' | '==' | '===' | '!=';

/** Aggregation method names of k6's grammar (`p(N)` is `p` with a percentile). */
export type AggregationMethod = 'avg' | 'min' | 'max' | 'med' | 'p' | 'count' | 'rate' | 'value';

/** One parsed assertion such as `p(95)<200`. */
export interface ThresholdExpression {
  /** The expression exactly as written. */
  source: string;
  method: AggregationMethod;
  /** Set when `method` is `p`: the percentile 0..100. */
  percentile?: number;
  operator: ThresholdOperator;
  /** Right-hand side. */
  value: number;
}

/** A metric key split into its name and tag filter, e.g. `http_req_duration{status:200}`. */
export interface MetricKey {
  /** The key exactly as written in the plan. */
  key: string;
  /** Metric name, e.g. `http_req_duration`. */
  name: string;
  /** Tag filter: every tag must match exactly (empty = the whole metric). */
  filter: Tags;
}

/** One threshold: a metric key, one expression and its abort policy. */
export interface ThresholdSpec {
  metric: MetricKey;
  expression: ThresholdExpression;
  /** Stop the run as soon as this threshold fails (checked about once a second). */
  abortOnFail: boolean;
  /** Do not evaluate for abort before this many ms of run time (k6 `delayAbortEval`). */
  delayAbortEvalMs: number;
}

/**
 * A metric aggregated over every series matching a name and tag filter.
 * Same field meanings as {@link import('../result/types.js').MetricSeries}.
 * This is the shape `src/metrics/query.ts` returns.
 */
export interface AggregatedMetricLike {
  type: MetricType;
  /** counter: sum of the values. */
  count?: number;
  /** rate: true samples / false samples. */
  passes?: number;
  fails?: number;
  /** gauge: last value and extremes. */
  value?: number;
  min?: number;
  max?: number;
  /**
   * trend: merged HDR histogram (µs) — compressed base64, or a live histogram
   * (read, never modified or destroyed by the evaluator; saves an
   * encode/decode per live check). Used for arbitrary percentiles.
   */
  histogram?: string | Histogram;
  /** trend: summary (ms). Used when no histogram is present. */
  stats?: TrendStats;
}

/**
 * How the evaluator reads a metric: name plus tag filter → aggregate, or null
 * when no series matched. `src/metrics/query.ts`'s `queryMetric` bound to a
 * run's metrics fits this signature.
 */
export type MetricQuery = (name: string, filter: Tags) => AggregatedMetricLike | null;
