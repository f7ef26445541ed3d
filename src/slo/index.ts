/**
 * Guard: the plan's SLOs as Prometheus recording and burn-rate alerting
 * rules, a Grafana dashboard, and a check against a live Prometheus.
 *
 * @module
 */
export { CONVENTION_PRESETS, PRESETS, resolveConventions } from './conventions.js';
export type { ConventionLabels, ConventionOverrides, ConventionPreset, MetricConventions } from './conventions.js';
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
