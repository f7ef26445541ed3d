/**
 * Plans: types, validation, loaders, YAML workloads, profiles, config layering.
 *
 * @module
 */
export * from './types.js';
export { defineTest } from './define.js';
export type { ScenarioDefinition, TestDefinition } from './define.js';
export { loadPlan } from './load.js';
export type { LoadPlanOptions } from './load.js';
export {
  resolvePlan,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_GRACEFUL_STOP_MS,
  DEFAULT_MAX_DURATION_MS,
  DEFAULT_TIME_UNIT_MS,
  BREAKPOINT_DEFAULT_THRESHOLDS,
} from './resolve.js';
export type { ResolveInput } from './resolve.js';
export { planFromQuickOptions, QUICK_DEFAULTS } from './quick.js';
export type { QuickOptions } from './quick.js';
export { parseDuration, tryParseDuration, formatDuration } from './duration.js';
export { resolveOptions, overridesFromEnv, checkOverrides, isHttpUrl, ENV_OPTIONS } from './options.js';
export type { PlanOverrides } from './options.js';
export { expandProfile, sizeVUs, PROFILE_DEFAULTS } from './profiles.js';
export type { ProfileExpansion } from './profiles.js';
export { parseCsv, CsvError } from './csv.js';
export type { CsvTable } from './csv.js';
export { compileTemplate, TemplateError } from './template.js';
export type { CompiledTemplate, TemplateContext, TemplateScope } from './template.js';
export { compileWorkload, compileCapture } from './workload.js';
export type { CompiledWorkload, WorkloadEnvironment } from './workload.js';
export { planJsonSchema } from './json-schema.js';
export { profileStepsPlan, PROFILE_STEP_DEFAULTS, type ProfileStepsOptions } from './profile-steps.js';
