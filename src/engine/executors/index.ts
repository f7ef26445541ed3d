/**
 * Executor dispatch: one function per k6 executor.
 *
 * @module
 */
import type { ResolvedScenario } from '../../plan/types.js';
import { runConstantArrivalRate } from './constant-arrival-rate.js';
import { runConstantVus } from './constant-vus.js';
import { runPerVuIterations } from './per-vu-iterations.js';
import { runRampingArrivalRate } from './ramping-arrival-rate.js';
import { runRampingVus } from './ramping-vus.js';
import type { ScenarioRuntime } from './runtime.js';
import { runSharedIterations } from './shared-iterations.js';

export { ScenarioRuntime, Slot, DEFAULT_LATE_START_TOLERANCE_MS, type ScenarioEnv } from './runtime.js';

/** Run `scenario`'s executor on `rt` until it ends (including its graceful stop). */
export function runExecutor(rt: ScenarioRuntime, scenario: ResolvedScenario): Promise<void> {
  switch (scenario.executor) {
    case 'constant-vus':
      return runConstantVus(rt, scenario);
    case 'ramping-vus':
      return runRampingVus(rt, scenario);
    case 'per-vu-iterations':
      return runPerVuIterations(rt, scenario);
    case 'shared-iterations':
      return runSharedIterations(rt, scenario);
    case 'constant-arrival-rate':
      return runConstantArrivalRate(rt, scenario);
    case 'ramping-arrival-rate':
      return runRampingArrivalRate(rt, scenario);
  }
}
