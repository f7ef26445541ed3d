/**
 * The plan behind `tuneup profile`: every scenario of a plan runs alone, one
 * after the other, for a short step. Because each second of the run then
 * serves one scenario only, the cost model measures each endpoint's demands
 * exactly (operational analysis, "profile" estimator) instead of estimating
 * them by regression.
 *
 * Each step runs at the scenario's own load unless a rate is given: an
 * open-model scenario at its own arrival rate (its share of the plan's mix,
 * which the service is expected to sustain), a closed-model scenario with its
 * own virtual users (a closed loop cannot overload the service). One fixed
 * rate for every step would overload a slow endpoint — its requests queue,
 * its demands smear — while barely exercising a fast one.
 *
 * @module
 */
import { TuneupError } from '../errors.js';
import { formatDuration } from './duration.js';
import { sizeVUs } from './profiles.js';
import type { ResolvedConstantArrivalRate, ResolvedConstantVus, ResolvedPlan, ResolvedScenario } from './types.js';

/** Options of {@link profileStepsPlan}. */
export interface ProfileStepsOptions {
  /** Length of each step (ms). */
  stepMs: number;
  /** Idle time between steps (ms), so no second mixes two steps. */
  gapMs: number;
  /** Iterations per second of every step; absent: each scenario's own load (see {@link ownStepLoad}). */
  rate?: number;
}

/** Default step shape: 10 s per scenario with 2 s between steps, each at its scenario's own load. */
export const PROFILE_STEP_DEFAULTS: Readonly<Required<Pick<ProfileStepsOptions, 'stepMs' | 'gapMs'>>> = { stepMs: 10_000, gapMs: 2_000 };

/** The load a profile step of one scenario runs at: an arrival rate (iterations/s) or a number of VUs. */
export type StepLoad = { rate: number } | { vus: number };

/**
 * A scenario's own load: `constant-arrival-rate` its rate; `ramping-arrival-rate` its time-weighted mean
 * rate over its stages (the level it mostly runs at, not a stress peak); closed-model executors their VUs
 * (the most VUs any stage asks for).
 */
export function ownStepLoad(s: ResolvedScenario): StepLoad {
  switch (s.executor) {
    case 'constant-arrival-rate':
      return { rate: (s.rate * 1000) / s.timeUnitMs };
    case 'ramping-arrival-rate': {
      let area = 0;
      let time = 0;
      let from = s.startRate;
      for (const st of s.stages) {
        area += ((from + st.target) / 2) * st.durationMs;
        time += st.durationMs;
        from = st.target;
      }
      const perUnit = time > 0 ? area / time : s.startRate;
      return { rate: (perUnit * 1000) / s.timeUnitMs };
    }
    case 'ramping-vus':
      return { vus: Math.max(1, s.startVUs, ...s.stages.map((st) => st.target)) };
    default:
      return { vus: Math.max(1, s.vus) };
  }
}

/**
 * Rewrite `plan` so its scenarios run one at a time as steps: constant-arrival-rate at `options.rate`, or
 * at each scenario's own load ({@link ownStepLoad}). Thresholds are dropped: a profile measures, it does not judge.
 * @throws TuneupError `TUNEUP_OPTION_INVALID` for a non-positive step or rate, or a scenario whose own rate is not positive.
 */
export function profileStepsPlan(plan: ResolvedPlan, options: ProfileStepsOptions): ResolvedPlan {
  if (!(options.stepMs > 0) || (options.rate !== undefined && !(options.rate > 0))) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', 'profile steps need a positive --step and --rate', {
      location: options.stepMs > 0 ? '--rate' : '--step',
      hint: 'For example --step 10s --rate 20, or leave --rate out to run each scenario at its own rate.',
    });
  }
  const scenarios = plan.scenarios.map((scenario, index): ResolvedConstantArrivalRate | ResolvedConstantVus => {
    const startTimeMs = index * (options.stepMs + options.gapMs);
    const load: StepLoad = options.rate !== undefined ? { rate: options.rate } : ownStepLoad(scenario);
    if ('rate' in load && !(load.rate > 0)) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', `scenario "${scenario.name}" has no positive rate to profile it at`, {
        location: '--rate',
        hint: 'Give --rate to run every step at that many iterations per second.',
      });
    }
    const common = {
      name: scenario.name,
      startTimeMs,
      gracefulStopMs: Math.min(scenario.gracefulStopMs, options.gapMs),
      ...(scenario.exec === undefined ? {} : { exec: scenario.exec }),
      tags: scenario.tags,
      env: scenario.env,
      fn: scenario.fn,
      ...(scenario.fixed === undefined ? {} : { fixed: scenario.fixed }),
      durationMs: options.stepMs,
    };
    if ('vus' in load) {
      return {
        ...common,
        executor: 'constant-vus',
        model: 'closed',
        vus: load.vus,
        options: { executor: 'constant-vus', vus: load.vus, duration: formatDuration(options.stepMs), startTime: formatDuration(startTimeMs), profiledFrom: scenario.executor },
      };
    }
    const { preAllocatedVUs, maxVUs } = sizeVUs(load.rate, {});
    return {
      ...common,
      executor: 'constant-arrival-rate',
      model: 'open',
      rate: load.rate,
      timeUnitMs: 1000,
      preAllocatedVUs,
      maxVUs,
      options: {
        executor: 'constant-arrival-rate',
        rate: load.rate,
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
