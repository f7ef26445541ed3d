/**
 * The step loop shared by `tuneup diagnose` (capacity ramp) and `tuneup
 * capacity` (ramp, bisection and repeats near the knee): ask the search for
 * the next rate, run one step, measure it ({@link measureStep}), judge it
 * against the lowest sustained step ({@link judgeStep}), then pause — longer
 * after a failing step, so the queue it left drains before the next one
 * ({@link drainMs}). The caller decides the rates ({@link StepLoop.next}) and
 * how a step runs ({@link StepLoop.run}); this module runs no load itself.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunResult } from '../result/types.js';
import { baselineOf, judgeStep, type JudgedStep } from './knee.js';
import { measureStep } from './step-result.js';

/** Longest extra pause after a failing step (ms). */
const MAX_DRAIN_MS = 10_000;

/**
 * How long the service needs to work off what a failing step queued: the generator stops waiting at the
 * step's end, but the service still serves every request it accepted. A step that offered λ and finished
 * X < λ left about (λ/X − 1) × the step's length of work behind, plus one response time in flight.
 */
export function drainMs(step: { offeredRate: number; achievedRate: number; p95Ms: number | null }, stepMs: number): number {
  const backlog = Math.max(0, step.offeredRate / Math.max(step.achievedRate, 1e-9) - 1) * stepMs;
  return Math.round(Math.min(MAX_DRAIN_MS, backlog + (step.p95Ms ?? 0)));
}

/** One step's engine run, and why it was stopped early if it was. */
export interface StepRun {
  result: RunResult;
  stoppedEarly?: string;
}

/** The search's next move in a {@link StepLoop}. */
export type LoopMove<P extends string> = { done: false; rate: number; phase: P } | { done: true };

/** What the loop needs from its caller. */
export interface StepLoop<P extends string> {
  /** The next rate to run given the judged steps so far (in the order they ran), or done. */
  next(steps: readonly JudgedStep<P>[]): LoopMove<P>;
  /** Run one step at `rate` (the `index`-th step of the loop). */
  run(rate: number, phase: P, index: number): Promise<StepRun>;
  /** Reasons beyond the knee criteria that fail a step (e.g. the plan's thresholds); default none. */
  extraReasons?(result: RunResult): string[];
  /** Called after each step is judged, with its run. */
  onStep?(step: JudgedStep<P>, result: RunResult): void;
}

/** Timing of a {@link runStepLoop}. */
export interface StepLoopOptions {
  /** Planned length of one step (ms). */
  stepMs: number;
  /** Pause after every step (ms); a failing step adds {@link drainMs}. */
  gapMs: number;
  /** Stops the loop before its next step (the current step ends through the engine's own signal). */
  signal?: AbortSignal;
}

/**
 * Run steps until the search is done or `signal` aborts; returns the judged steps in the order they ran.
 * Rejects when a step's run rejects (e.g. the target is unreachable): the steps so far are then lost to
 * the caller, which should record them through {@link StepLoop.onStep} if it needs them.
 */
export async function runStepLoop<P extends string>(loop: StepLoop<P>, options: StepLoopOptions): Promise<JudgedStep<P>[]> {
  const judged: JudgedStep<P>[] = [];
  for (;;) {
    if (options.signal?.aborted) break;
    const next = loop.next(judged);
    if (next.done) break;
    const run = await loop.run(next.rate, next.phase, judged.length);
    const m = measureStep(run.result, next.rate, options.stepMs, run.stoppedEarly);
    const verdict = judgeStep(m, baselineOf(judged));
    const extra = loop.extraReasons?.(run.result) ?? [];
    const step: JudgedStep<P> = { ...m, sustained: verdict.sustained && extra.length === 0, reasons: [...verdict.reasons, ...extra], phase: next.phase };
    judged.push(step);
    loop.onStep?.(step, run.result);
    await pause(options.gapMs + (step.sustained ? 0 : drainMs(step, options.stepMs)), options.signal);
  }
  return judged;
}

/** Wait `ms`, or less when `signal` aborts (never rejects). */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
