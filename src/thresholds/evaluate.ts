/**
 * Threshold evaluation: at the end of a run over the run's metrics, and live
 * (about once a second) for `abortOnFail`.
 *
 * Policy for a metric with no matching samples: `observed` is null and the
 * threshold PASSES, as in k6 (an empty sub-metric cannot breach a bound).
 * `ThresholdResult.observed === null` lets reports say "no samples".
 *
 * @module
 */
import { decodeHistogram, percentileMs, type Histogram } from '../metrics/hdr.js';
import type { ThresholdResult } from '../result/types.js';
import { AGGREGATIONS_BY_TYPE } from './parse.js';
import type { AggregatedMetricLike, MetricQuery, ThresholdExpression, ThresholdOperator, ThresholdSpec } from './types.js';

/** Options of {@link evaluateThresholds}. */
export interface EvaluateOptions {
  /** Run duration so far (ms); counters' `rate` is count per second of it. */
  durationMs: number;
  /** Thresholds that aborted the run (their results get `aborted: true`). */
  aborted?: ReadonlySet<ThresholdSpec>;
}

/** Compare with a k6 operator (`===` is the same as `==` for numbers). */
export function compare(observed: number, operator: ThresholdOperator, bound: number): boolean {
  switch (operator) {
    case '>':
      return observed > bound;
    case '>=':
      return observed >= bound;
    case '<':
      return observed < bound;
    case '<=':
      return observed <= bound;
    case '==':
    case '===':
      return observed === bound;
    case '!=':
      return observed !== bound;
  }
}

/**
 * The observed value of an aggregation over a metric, or null when the
 * metric has no samples or the aggregation does not apply to its type.
 * Trend values are in ms.
 */
export function aggregate(
  metric: AggregatedMetricLike,
  expression: ThresholdExpression,
  durationMs: number,
  decoded?: Map<string, Histogram>,
): number | null {
  if (!AGGREGATIONS_BY_TYPE[metric.type].includes(expression.method)) return null;
  switch (metric.type) {
    case 'counter': {
      const count = metric.count ?? 0;
      if (expression.method === 'count') return count;
      return durationMs > 0 ? count / (durationMs / 1000) : null;
    }
    case 'rate': {
      const total = (metric.passes ?? 0) + (metric.fails ?? 0);
      return total === 0 ? null : (metric.passes ?? 0) / total;
    }
    case 'gauge':
      return metric.value ?? null;
    case 'trend':
      return trendValue(metric, expression, decoded);
  }
}

function trendValue(
  metric: AggregatedMetricLike,
  expression: ThresholdExpression,
  decoded?: Map<string, Histogram>,
): number | null {
  const stats = metric.stats;
  if (stats !== undefined && stats.count === 0) return null;
  if (stats === undefined && !metric.histogram) return null;
  // Summary fields are exact enough (computed from the same histogram); the
  // histogram is needed only for percentiles the summary does not carry.
  if (stats !== undefined) {
    switch (expression.method) {
      case 'avg':
        return stats.mean;
      case 'min':
        return stats.min;
      case 'max':
        return stats.max;
      case 'med':
        return stats.p50;
    }
    const known: Record<number, number> = { 50: stats.p50, 90: stats.p90, 95: stats.p95, 99: stats.p99, 99.9: stats.p999 };
    if (expression.percentile !== undefined && expression.percentile in known && !metric.histogram) {
      return known[expression.percentile];
    }
  }
  if (!metric.histogram) return null;
  let histogram: Histogram | undefined;
  if (typeof metric.histogram !== 'string') {
    histogram = metric.histogram;
  } else {
    histogram = decoded?.get(metric.histogram);
    if (histogram === undefined) {
      histogram = decodeHistogram(metric.histogram);
      if (decoded) decoded.set(metric.histogram, histogram);
      else {
        // No cache to own it: read and free at once.
        const value = histogramValue(histogram, expression);
        histogram.destroy();
        return value;
      }
    }
  }
  return histogramValue(histogram, expression);
}

function histogramValue(histogram: Histogram, expression: ThresholdExpression): number | null {
  if (histogram.totalCount === 0) return null;
  switch (expression.method) {
    case 'avg':
      return histogram.mean / 1000;
    case 'min':
      return histogram.minNonZeroValue / 1000;
    case 'max':
      return histogram.maxValue / 1000;
    case 'med':
      return percentileMs(histogram, 50);
    default:
      return percentileMs(histogram, expression.percentile ?? 50);
  }
}

/**
 * Evaluate every threshold once. A metric with no matching samples gives
 * `observed: null` and passes (k6 behaviour). A custom metric whose type
 * does not support the aggregation fails with `observed: null`.
 */
export function evaluateThresholds(specs: readonly ThresholdSpec[], query: MetricQuery, options: EvaluateOptions): ThresholdResult[] {
  const decoded = new Map<string, Histogram>();
  const cache = new Map<string, AggregatedMetricLike | null>();
  try {
    return specs.map((spec) => {
      let metric = cache.get(spec.metric.key);
      if (metric === undefined) {
        metric = query(spec.metric.name, spec.metric.filter);
        cache.set(spec.metric.key, metric);
      }
      let observed: number | null = null;
      let passed = true;
      if (metric !== null) {
        observed = aggregate(metric, spec.expression, options.durationMs, decoded);
        // Wrong aggregation for a custom metric's type: a configuration error the
        // user must see, so it fails instead of passing silently.
        if (!AGGREGATIONS_BY_TYPE[metric.type].includes(spec.expression.method)) passed = false;
        else passed = observed === null ? true : compare(observed, spec.expression.operator, spec.expression.value);
      }
      return {
        metric: spec.metric.key,
        expression: spec.expression.source,
        observed,
        passed,
        abortOnFail: spec.abortOnFail,
        aborted: options.aborted?.has(spec) ?? false,
      };
    });
  } finally {
    for (const histogram of decoded.values()) histogram.destroy();
  }
}

/** What the live watcher reports after each check. */
export interface WatchOutcome {
  /** True once an `abortOnFail` threshold failed after its `delayAbortEval` (sticky). */
  abort: boolean;
  /** Every threshold's current state; `aborted` marks the ones that triggered the abort. */
  results: ThresholdResult[];
}

/** Live threshold evaluation for `abortOnFail`; see {@link createThresholdWatcher}. */
export interface ThresholdWatcher {
  /** True when at least one threshold has `abortOnFail` (otherwise the engine need not call `check`). */
  readonly needed: boolean;
  /** Evaluate now. `elapsedMs` is the run time so far. */
  check(elapsedMs: number, query: MetricQuery): WatchOutcome;
  /** The final evaluation at the end of the run, marking thresholds that aborted it. */
  finalize(durationMs: number, query: MetricQuery): ThresholdResult[];
  /** Thresholds that aborted the run (empty if none). */
  readonly abortedBy: readonly ThresholdSpec[];
}

/**
 * Create a watcher that the engine calls about once per second. A
 * threshold with `abortOnFail` stops the run the first time it fails once
 * `elapsedMs >= delayAbortEvalMs`; thresholds without samples never abort.
 */
export function createThresholdWatcher(specs: readonly ThresholdSpec[]): ThresholdWatcher {
  const aborted = new Set<ThresholdSpec>();
  return {
    needed: specs.some((s) => s.abortOnFail),
    get abortedBy() {
      return [...aborted];
    },
    check(elapsedMs, query) {
      const results = evaluateThresholds(specs, query, { durationMs: elapsedMs });
      // The abort is decided once: every abortOnFail threshold failing in the
      // first failing check is recorded as a cause; later checks add none.
      if (aborted.size === 0) {
        specs.forEach((spec, i) => {
          if (spec.abortOnFail && !results[i].passed && elapsedMs >= spec.delayAbortEvalMs) aborted.add(spec);
        });
      }
      for (let i = 0; i < specs.length; i++) results[i].aborted = aborted.has(specs[i]);
      return { abort: aborted.size > 0, results };
    },
    finalize(durationMs, query) {
      return evaluateThresholds(specs, query, { durationMs, aborted });
    },
  };
}
