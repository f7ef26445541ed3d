/**
 * `tuneup diagnose`'s experiment: capacity steps → diagnosis at a sustainable
 * rate → confirmation by isolation. See run.ts for the algorithm.
 *
 * @module
 */
export { runExperiment, chooseRate, drainMs, withExploration, EXPERIMENT_DEFAULTS, DIAGNOSIS_MS_PER_UNKNOWN, DIAGNOSIS_MAX_MS, diagnosisLengthMs, type ExperimentContext, type ExperimentHooks, type ExperimentOptions, type ExperimentOutcome } from './run.js';
export { confirmFindings, isSuspect, isUnplaced, suspectEndpoints, showsFinding, sameProblem, reattributionCandidates, demandEvidence, dominantStatement, MIXED_ESTIMATE_CATEGORIES, DOMINANT_STATEMENT_SHARE, type IsolatedOutcome } from './confirm.js';
export { findIsolation, isolationRawPlan, scenarioEndpoints, type IsolationTarget, type ScenarioEndpoints } from './isolate.js';
export { overloadFinding, withOverloadFirst, OVERLOAD_FINDING_ID } from './overload.js';
export { mixPlan, planMix, peakRate, scenarioAlonePlan, type PlanMix, type DerivedRunOptions } from './plans.js';
export { saturatedResource, SATURATED_UTILIZATION, type SaturatedResource } from './saturation.js';
