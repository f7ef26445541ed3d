/**
 * k6-compatible thresholds: parse at plan load, evaluate live and at the end.
 *
 * @module
 */
export * from './types.js';
export {
  AGGREGATIONS_BY_TYPE,
  BUILTIN_METRIC_TYPES,
  collectThresholds,
  formatAggregations,
  formatThresholdProblem,
  parseExpression,
  parseMetricKey,
  parseThreshold,
} from './parse.js';
export type { ThresholdDefinition, ThresholdProblem } from './parse.js';
export { aggregate, compare, createThresholdWatcher, evaluateThresholds } from './evaluate.js';
export type { EvaluateOptions, ThresholdWatcher, WatchOutcome } from './evaluate.js';
