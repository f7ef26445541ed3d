/**
 * Named load profiles expanded from one expected-load figure (`rate`,
 * iterations per second). A pure function: the same profile always gives
 * the same scenario. Shapes and numbers are documented in docs/plan.md.
 *
 * @module
 */
import { formatDuration, parseDuration } from './duration.js';
import type { ProfileInput, ScenarioInput, StageInput } from './types.js';

/** Defaults per profile (ms). */
export const PROFILE_DEFAULTS = {
  smoke: { duration: 30_000 },
  load: { rampUp: 60_000, duration: 300_000 },
  stress: { rampUp: 60_000, duration: 120_000, stepRamp: 30_000, multipliers: [1, 2, 3, 5] },
  spike: { rampUp: 10_000, baseline: 60_000, jump: 5_000, duration: 60_000, recovery: 60_000, factor: 5 },
  soak: { rampUp: 120_000, duration: 3_600_000 },
  breakpoint: { duration: 600_000, factor: 10 },
} as const;

/** What a profile expands to: one scenario, plus whether every threshold must abort the run. */
export interface ProfileExpansion {
  /** Scenario name (the profile's name). */
  name: string;
  scenario: ScenarioInput;
  /** True for `breakpoint`: every threshold gets abortOnFail so the run stops at the first breach. */
  abortOnFail: boolean;
  /** Peak iterations per second (for sizing and reports). */
  peakRate: number;
}

/**
 * VU sizing for arrival-rate profiles, from k6's rule
 * `preAllocatedVUs = median_iteration_duration × rate + constant`: we
 * assume 100 ms iterations up front and allow up to 1 s at the peak before
 * iterations are dropped (counted, never hidden).
 */
export function sizeVUs(peakRate: number, profile: Pick<ProfileInput, 'preAllocatedVUs' | 'maxVUs'>): { preAllocatedVUs: number; maxVUs: number } {
  const preAllocatedVUs = profile.preAllocatedVUs ?? Math.max(5, Math.ceil(peakRate * 0.1));
  const maxVUs = Math.max(profile.maxVUs ?? Math.max(50, Math.ceil(peakRate)), preAllocatedVUs);
  return { preAllocatedVUs, maxVUs };
}

const d = (ms: number) => formatDuration(ms);

/**
 * Expand a profile into one scenario. `rate` is required for every profile
 * except `smoke`. Throws `TUNEUP_PLAN_INVALID` (via parseDuration) on a bad duration;
 * the caller has already checked `rate`.
 */
export function expandProfile(profile: ProfileInput): ProfileExpansion {
  const ms = (value: ProfileInput['duration'], fallback: number, what: string) =>
    value === undefined ? fallback : parseDuration(value, `profile.${what}`);
  const rate = profile.rate ?? 1;
  const open = (stages: StageInput[], peakRate: number, abortOnFail = false): ProfileExpansion => ({
    name: profile.name,
    scenario: {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      stages,
      ...sizeVUs(peakRate, profile),
    },
    abortOnFail,
    peakRate,
  });
  switch (profile.name) {
    case 'smoke':
      return {
        name: 'smoke',
        scenario: { executor: 'constant-vus', vus: 1, duration: d(ms(profile.duration, PROFILE_DEFAULTS.smoke.duration, 'duration')) },
        abortOnFail: false,
        peakRate: 0,
      };
    case 'load': {
      const D = PROFILE_DEFAULTS.load;
      return open(
        [
          { duration: d(ms(profile.rampUp, D.rampUp, 'rampUp')), target: rate },
          { duration: d(ms(profile.duration, D.duration, 'duration')), target: rate },
        ],
        rate,
      );
    }
    case 'stress': {
      const D = PROFILE_DEFAULTS.stress;
      const hold = d(ms(profile.duration, D.duration, 'duration'));
      const stages: StageInput[] = [];
      D.multipliers.forEach((multiplier, i) => {
        const target = rate * multiplier;
        stages.push({ duration: i === 0 ? d(ms(profile.rampUp, D.rampUp, 'rampUp')) : d(D.stepRamp), target });
        stages.push({ duration: hold, target });
      });
      return open(stages, rate * D.multipliers[D.multipliers.length - 1]);
    }
    case 'spike': {
      const D = PROFILE_DEFAULTS.spike;
      const peak = rate * (profile.factor ?? D.factor);
      return open(
        [
          { duration: d(ms(profile.rampUp, D.rampUp, 'rampUp')), target: rate },
          { duration: d(D.baseline), target: rate },
          { duration: d(D.jump), target: peak },
          { duration: d(ms(profile.duration, D.duration, 'duration')), target: peak },
          { duration: d(D.jump), target: rate },
          { duration: d(D.recovery), target: rate },
        ],
        peak,
      );
    }
    case 'soak': {
      const D = PROFILE_DEFAULTS.soak;
      return open(
        [
          { duration: d(ms(profile.rampUp, D.rampUp, 'rampUp')), target: rate },
          { duration: d(ms(profile.duration, D.duration, 'duration')), target: rate },
        ],
        rate,
      );
    }
    case 'breakpoint': {
      const D = PROFILE_DEFAULTS.breakpoint;
      const peak = rate * (profile.factor ?? D.factor);
      return open([{ duration: d(ms(profile.duration, D.duration, 'duration')), target: peak }], peak, true);
    }
  }
}
