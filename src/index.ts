/**
 * Public API of tuneup for plan authors and programmatic use.
 *
 * @module
 */
export { defineTest } from './plan/define.js';
export type { ScenarioDefinition, TestDefinition } from './plan/define.js';
export type {
  DurationInput,
  ExecutorName,
  PlanOptions,
  ProfileInput,
  ProfileName,
  RequestInput,
  ScenarioInput,
  StageInput,
  ThresholdInput,
  ResolvedPlan,
  ResolvedScenario,
} from './plan/types.js';
export type { HttpResponse, RequestSpec, ScenarioFunction, VirtualUser } from './engine/types.js';
export type { RunResult, ThresholdResult } from './result/types.js';
export { TuneupError, ExitCode } from './errors.js';
