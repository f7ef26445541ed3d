/**
 * The load engine: executors, virtual users, run orchestration, worker
 * threads, execution segments and generator health.
 *
 * @module
 */
export { runPlan, startRun, thresholdQuery, type RunHandle, type RunOptions, type RunOutcome, type RunOutcomeStatus } from './run.js';
export { assembleRunResult, writeRunResult, writeJsonAtomic, runId, modelOf, DEFAULT_RUNS_DIR, type ResultMeta } from './result.js';
export { systemClock } from './clock.js';
export { DEFAULT_LATE_START_TOLERANCE_MS } from './executors/runtime.js';
export {
  parseSegment,
  equalSegment,
  splitSegments,
  subSegment,
  scaleInt,
  stripeOffsets,
  stripePosition,
  ownsIteration,
  FULL_SEGMENT,
  type ExecutionSegment,
} from './segments.js';
export { arrivalOffsets, vusAt, vuSteps, rateAt, stagesDurationMs, meanRatePerSecond, type Stage, type VuStep } from './schedule.js';
export { summarizeHealth, EVENT_LOOP_DELAY_P99_LIMIT_MS, CPU_LIMIT_PERCENT, LATE_START_SHARE_LIMIT, DROPPED_SHARE_LIMIT } from './health.js';
export { precheckTargets, planOrigins, PRECHECK_TIMEOUT_MS } from './precheck.js';
export { mergeScenarioResults } from './scenarios.js';
export { sumLive, workerEntry, planFileSource, type PlanSource } from './workers.js';
export type * from './types.js';
