/**
 * `ramping-arrival-rate` (open model): the rate moves linearly from
 * `startRate` through each stage's target (iterations per `timeUnit`).
 *
 * @module
 */
import type { ResolvedRampingArrivalRate } from '../../plan/types.js';
import { arrivalOffsets, rateAt, stagesDurationMs } from '../schedule.js';
import { runArrivalRate } from './arrival-rate.js';
import { openPoolShare } from './pool.js';
import type { ScenarioRuntime } from './runtime.js';

/** Run a `ramping-arrival-rate` scenario on `rt`. */
export async function runRampingArrivalRate(rt: ScenarioRuntime, s: ResolvedRampingArrivalRate): Promise<void> {
  await runArrivalRate(
    rt,
    {
      offsets: arrivalOffsets(s.startRate, s.stages, s.timeUnitMs),
      durationMs: stagesDurationMs(s.stages),
      gracefulStopMs: s.gracefulStopMs,
      rateAt: (t) => (rateAt(s.startRate, s.stages, t) * 1000) / s.timeUnitMs,
    },
    openPoolShare(s.preAllocatedVUs, s.maxVUs, rt.env.segment),
  );
}
