/**
 * Guard: the plan's SLOs as Prometheus recording and burn-rate alerting
 * rules, a Grafana dashboard, and a check against a live Prometheus.
 *
 * @module
 */
export {
  CACHE_PRESETS,
  CACHE_PRESET_VALUES,
  CONVENTION_PRESETS,
  POSTGRES_PRESETS,
  POSTGRES_PRESET_VALUES,
  PRESETS,
  resolveCacheConventions,
  resolveConventions,
  resolvePostgresConventions,
} from './conventions.js';
export type {
  CacheConventionOverrides,
  CacheConventions,
  CachePreset,
  ConventionLabels,
  ConventionOverrides,
  ConventionPreset,
  CounterSeries,
  MetricConventions,
  PostgresConventionOverrides,
  PostgresConventions,
  PostgresPreset,
} from './conventions.js';
export { DEPENDENCY_WINDOW_MS, dependenciesFor, measurementsFromRun } from './dependencies.js';
export type { CacheRuleSpec, DependencyInputs, DependencySpec, DependencyThreshold, PostgresRuleSpec, RunMeasurements } from './dependencies.js';
export {
  DEPENDENCY_ALERTS,
  DEPENDENCY_RECORDS,
  bufferBlockRate,
  bufferCacheHitRatio,
  cacheHitRatio,
  cacheLookupRate,
  dependencyGroups,
  statementCallRate,
  statementMeanSeconds,
} from './dependency-rules.js';
export { SLO_SECTION_SCHEMA, parseEndpoint, pickBucket, slosFromPlan } from './spec.js';
export type { LatencyTarget, SloEndpoint, SloOverrides, SloSection, SloSet, SloSpec } from './spec.js';
export { errorBudget, errorRatio, errorRate, leMatcher, sloMatchers, totalRate } from './promql.js';
export { alertName, buildRules, idSelector, ratioRecord, renderRuleFile, sloLabels } from './rules.js';
export type { AlertingRule, RecordingRule, RuleFile, RuleGroup } from './rules.js';
export { buildDashboard } from './dashboard.js';
export { validateSlos } from './validate.js';
export type { BurnState, SloStatus, SloValidation, SloVerdict, ValidateOptions } from './validate.js';
export { DEFAULT_PERIOD_MS, GOOGLE_30D, burnWindows, formatPromDuration, parsePromDuration, recordedWindows } from './windows.js';
export type { BurnWindow } from './windows.js';
