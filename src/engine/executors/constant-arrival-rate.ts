/**
 * `constant-arrival-rate` (open model): `rate` iterations per `timeUnit` for
 * `duration`, whatever the response time.
 *
 * @module
 */
import type { ResolvedConstantArrivalRate } from '../../plan/types.js';
import { arrivalOffsets } from '../schedule.js';
import { runArrivalRate } from './arrival-rate.js';
import { openPoolShare } from './pool.js';
import type { ScenarioRuntime } from './runtime.js';

/** Run a `constant-arrival-rate` scenario on `rt`. */
export async function runConstantArrivalRate(rt: ScenarioRuntime, s: ResolvedConstantArrivalRate): Promise<void> {
  const stages = [{ durationMs: s.durationMs, target: s.rate }];
  const perSecond = (s.rate * 1000) / s.timeUnitMs;
  await runArrivalRate(
    rt,
    {
      offsets: arrivalOffsets(s.rate, stages, s.timeUnitMs),
      durationMs: s.durationMs,
      gracefulStopMs: s.gracefulStopMs,
      rateAt: (t) => (t >= 0 && t < s.durationMs ? perSecond : 0),
    },
    openPoolShare(s.preAllocatedVUs, s.maxVUs, rt.env.segment),
  );
}
