/**
 * The breakpoint search of `tuneup capacity`, as pure functions over judged
 * steps: first the knee search shared with `tuneup diagnose` (geometric ramp,
 * then bisection; see knee.ts), then **repeats near the knee**: a few rates
 * spread geometrically from the highest sustained to the lowest failing rate,
 * each run until it has `repeats` runs, interleaved (every rate gets its
 * second run before any gets its third) so slow drift of the machine touches
 * all of them alike. When the lowest of those rates fails in a repeat, a rate
 * one grid step below is added (at most `maxExtensions` times), so the
 * estimate does not rest on a rate that only passed once by luck.
 *
 * The estimate ({@link estimateCapacity}) is the "all-repeats bracket": the
 * highest rate sustained in every run, and the lowest rate above it that
 * failed at least once.
 *
 * @module
 */
import { nextStep, roundRate, type JudgedStep, type KneeEstimate, type KneeSearchOptions } from './knee.js';
import type { LoopMove } from './ramp.js';
import type { CapacityEstimate, RateTally } from './types.js';

/** Phases of a capacity step. */
export type CapacityPhase = 'ramp' | 'bisect' | 'repeat';

/** Shape of the repeats near the knee. */
export interface RepeatOptions {
  /** Runs per rate near the knee (the search's own run counts); 1 = no repeats. */
  repeats: number;
  /** Rates from the highest sustained to the lowest failing rate (both included); at least 2. */
  points: number;
  /** Most rates added below the grid when its lowest rate fails. */
  maxExtensions: number;
}

/** Default repeats: 3 runs at each of 3 rates, at most 2 rates added below. */
export const REPEAT_DEFAULTS: RepeatOptions = { repeats: 3, points: 3, maxExtensions: 2 };

/** Two offered rates are the same rate (rates are rounded to 3 significant digits). */
export function sameRate(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b), 1);
}

/** Runs and sustained runs per offered rate, ascending. */
export function tallyRates(steps: readonly JudgedStep<string>[]): RateTally[] {
  const tallies: RateTally[] = [];
  for (const s of steps) {
    let t = tallies.find((x) => sameRate(x.rate, s.offeredRate));
    if (!t) tallies.push((t = { rate: s.offeredRate, runs: 0, sustained: 0 }));
    t.runs += 1;
    if (s.sustained) t.sustained += 1;
  }
  return tallies.sort((a, b) => a.rate - b.rate);
}

/** The rates to repeat: `points` rates geometric from the knee's sustained to its failing rate, plus any extensions below. */
export function repeatGrid(knee: KneeEstimate, steps: readonly JudgedStep<string>[], options: RepeatOptions): number[] {
  const lo = knee.sustainedRate!;
  const hi = knee.failedRate!;
  const points = Math.max(2, options.points);
  const ratio = (hi / lo) ** (1 / (points - 1));
  const grid = Array.from({ length: points }, (_, i) => (i === 0 ? lo : i === points - 1 ? hi : roundRate(lo * ratio ** i)));
  const unique = grid.filter((r, i) => grid.findIndex((x) => sameRate(x, r)) === i);
  const tallies = tallyRates(steps);
  for (let i = 0; i < options.maxExtensions; i++) {
    const lowest = Math.min(...unique);
    const t = tallies.find((x) => sameRate(x.rate, lowest));
    if (!t || t.sustained === t.runs) break;
    unique.push(roundRate(lowest / ratio));
  }
  return unique.sort((a, b) => a - b);
}

/**
 * The next step of the capacity search given the judged steps so far: the knee search while it has moves,
 * then repeats near the knee (fewest runs first, lowest rate first among equals); done when every grid rate
 * has `repeats` runs, or when the knee search found no knee to repeat around.
 */
export function nextCapacityStep(steps: readonly JudgedStep<CapacityPhase>[], search: KneeSearchOptions, repeat: RepeatOptions): LoopMove<CapacityPhase> {
  const searched = steps.filter((s) => s.phase !== 'repeat');
  const next = nextStep(searched, search);
  if (!next.done) return next;
  if (next.knee.status !== 'found' || repeat.repeats <= 1) return { done: true };
  const grid = repeatGrid(next.knee, steps, repeat);
  const tallies = tallyRates(steps);
  const runsAt = (rate: number) => tallies.find((t) => sameRate(t.rate, rate))?.runs ?? 0;
  const todo = grid.filter((r) => runsAt(r) < repeat.repeats).sort((a, b) => runsAt(a) - runsAt(b) || a - b);
  return todo.length > 0 ? { done: false, rate: todo[0]!, phase: 'repeat' } : { done: true };
}

/** The method sentence stored with every estimate. */
export const ESTIMATE_METHOD =
  'highest offered rate sustained in every one of its runs (below any rate that failed in all of them); the interval runs to the lowest tested rate above it that failed at least once';

/** The maximum sustainable rate and its bracket from all the steps (see {@link CapacityEstimate}). */
export function estimateCapacity(steps: readonly JudgedStep<string>[]): CapacityEstimate {
  const tallies = tallyRates(steps);
  const notes: string[] = [];
  const failedSteps = steps.filter((s) => !s.sustained);
  const alwaysFails = tallies.filter((t) => t.sustained === 0).map((t) => t.rate);
  const wall = alwaysFails.length > 0 ? Math.min(...alwaysFails) : Number.POSITIVE_INFINITY;
  const clean = tallies.filter((t) => t.sustained === t.runs && t.rate < wall);
  const base = { tallies, method: ESTIMATE_METHOD, notes };
  if (clean.length === 0) {
    const lowestFailure = tallies.find((t) => t.sustained < t.runs);
    return { status: 'below-start', ...(lowestFailure ? { upper: lowestFailure.rate } : {}), ...base };
  }
  const rate = Math.max(...clean.map((t) => t.rate));
  const above = tallies.filter((t) => t.rate > rate && t.sustained < t.runs);
  const upper = above[0]?.rate;
  const flaky = tallies.filter((t) => t.rate < rate && t.sustained < t.runs);
  if (flaky.length > 0) notes.push(`lower rates failed in some runs (${flaky.map((t) => `${t.rate}/s: ${t.runs - t.sustained} of ${t.runs}`).join(', ')}): the service is noisy near its capacity`);
  const repeatedAtRate = tallies.find((t) => sameRate(t.rate, rate))!;
  if (repeatedAtRate.runs < 2 && upper !== undefined) notes.push(`${rate}/s ran once: no repeat backs it`);
  const saturated = failedSteps.filter((s) => s.offeredRate > rate && !s.stoppedEarly).map((s) => s.achievedRate);
  return {
    status: upper === undefined ? 'not-reached' : 'found',
    rate,
    ...(upper !== undefined ? { upper } : {}),
    ...(saturated.length > 0
      ? { saturatedThroughput: { mean: saturated.reduce((a, b) => a + b, 0) / saturated.length, min: Math.min(...saturated), max: Math.max(...saturated), steps: saturated.length } }
      : {}),
    ...base,
  };
}
