/**
 * The plan behind `tuneup profile`: every scenario of a plan runs alone, one
 * after the other, at a moderate constant arrival rate for a short step.
 * Because each second of the run then serves one scenario only, the cost
 * model measures each endpoint's demands exactly (operational analysis,
 * "profile" estimator) instead of estimating them by regression.
 *
 * @module
 */
import { TuneupError } from '../errors.js';
import { formatDuration } from './duration.js';
import { sizeVUs } from './profiles.js';
import type { ResolvedConstantArrivalRate, ResolvedPlan } from './types.js';

/** Options of {@link profileStepsPlan}. */
export interface ProfileStepsOptions {
  /** Length of each step (ms). */
  stepMs: number;
  /** Idle time between steps (ms), so no second mixes two steps. */
  gapMs: number;
  /** Iterations per second of every step. */
  rate: number;
}

/** Default step shape: 10 s per scenario at 20 iterations/s with 2 s between steps. */
export const PROFILE_STEP_DEFAULTS: ProfileStepsOptions = { stepMs: 10_000, gapMs: 2_000, rate: 20 };

/**
 * Rewrite `plan` so its scenarios run one at a time as constant-arrival-rate
 * steps. Thresholds are dropped: a profile measures, it does not judge.
 * @throws TuneupError `TUNEUP_OPTION_INVALID` for a non-positive step or rate.
 */
export function profileStepsPlan(plan: ResolvedPlan, options: ProfileStepsOptions): ResolvedPlan {
  if (!(options.stepMs > 0) || !(options.rate > 0)) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', 'profile steps need a positive --step and --rate', {
      location: options.stepMs > 0 ? '--rate' : '--step',
      hint: 'For example --step 10s --rate 20.',
    });
  }
  const { preAllocatedVUs, maxVUs } = sizeVUs(options.rate, {});
  const scenarios = plan.scenarios.map((scenario, index): ResolvedConstantArrivalRate => {
    const startTimeMs = index * (options.stepMs + options.gapMs);
    return {
      name: scenario.name,
      executor: 'constant-arrival-rate',
      model: 'open',
      startTimeMs,
      gracefulStopMs: Math.min(scenario.gracefulStopMs, options.gapMs),
      ...(scenario.exec === undefined ? {} : { exec: scenario.exec }),
      tags: scenario.tags,
      env: scenario.env,
      fn: scenario.fn,
      ...(scenario.fixed === undefined ? {} : { fixed: scenario.fixed }),
      rate: options.rate,
      timeUnitMs: 1000,
      durationMs: options.stepMs,
      preAllocatedVUs,
      maxVUs,
      options: {
        executor: 'constant-arrival-rate',
        rate: options.rate,
        timeUnit: '1s',
        duration: formatDuration(options.stepMs),
        startTime: formatDuration(startTimeMs),
        preAllocatedVUs,
        maxVUs,
        profiledFrom: scenario.executor,
      },
    };
  });
  return {
    ...plan,
    scenarios,
    thresholds: [],
    json: {
      ...plan.json,
      name: `${plan.name ?? 'plan'} (profile)`,
      scenarios: Object.fromEntries(scenarios.map((s) => [s.name, s.options])),
      thresholds: {},
    },
  };
}
