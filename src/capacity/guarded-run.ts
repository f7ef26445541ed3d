/**
 * One engine run for the stepped commands — every step of `tuneup capacity`,
 * and the capacity steps, diagnosis and isolation runs of `tuneup diagnose` —
 * with the safety both need:
 *
 * - **early stop**: with `guard`, a step whose errors, drops or latency
 *   explode is stopped at once ({@link abortReason}), so the target is never
 *   left overloaded for the rest of the step;
 * - **probe-start retry**: a probe that fails to start (a first scrape timing
 *   out on a busy host) gets one more try after a pause, and after a second
 *   failure the run goes on without that probe (said in the result's
 *   warnings), so one slow start does not throw away the runs already made;
 * - **interrupts**: the graceful and hard signals reach the engine, and no
 *   retry starts once the graceful one has fired.
 *
 * This module prints nothing; live stats and the run's end go through the
 * caller's hooks.
 *
 * @module
 */
import { isTuneupError } from '../errors.js';
import { assembleRunResult } from '../engine/result.js';
import { startRun } from '../engine/run.js';
import type { LiveStats } from '../metrics/recorder-types.js';
import type { ResolvedPlan } from '../plan/types.js';
import type { Probe } from '../probes/types.js';
import { abortReason } from './knee.js';
import { pause, type StepRun } from './ramp.js';

/** Pause before retrying a run whose probe failed to start (ms). */
export const PROBE_RETRY_PAUSE_MS = 5000;

/** What one guarded run needs from its caller. */
export interface GuardedRunContext {
  /** Fresh probes for this run (probes start and stop once). */
  probes: () => Promise<Probe[]>;
  /** Stop the run early when it fails badly ({@link abortReason}); off for runs that must run their length. */
  guard: boolean;
  /** The `kind` label of the assembled result (`capacity`, `diagnose`). */
  kind: string;
  targetPid?: number;
  /** Graceful stop (Ctrl-C): the run ends, and no retry starts. */
  signal?: AbortSignal;
  /** Immediate stop (second Ctrl-C). */
  hardSignal?: AbortSignal;
  argv?: string[];
  /** Live totals during the run (must not throw). */
  onLive?(live: LiveStats): void;
  /** Called when an engine run ends, after each try (must not throw). */
  onRunEnd?(): void;
  /** Pause before the retry (ms); default {@link PROBE_RETRY_PAUSE_MS}. */
  probeRetryPauseMs?: number;
}

/**
 * Run `plan` once through the engine, guarded as {@link GuardedRunContext} says, retrying a probe that
 * fails to start. Rejects when the run cannot start for another reason (e.g. the target is unreachable).
 */
export async function runGuarded(plan: ResolvedPlan, ctx: GuardedRunContext): Promise<StepRun> {
  try {
    return await runGuardedOnce(plan, ctx, ctx.probes);
  } catch (error) {
    if (!isProbeStartError(error) || ctx.signal?.aborted) throw error;
    await pause(ctx.probeRetryPauseMs ?? PROBE_RETRY_PAUSE_MS, ctx.signal);
    try {
      return await runGuardedOnce(plan, ctx, ctx.probes);
    } catch (again) {
      // Twice: run without that probe rather than lose the runs so far, and say so in the result.
      const failing = probeOfError(again);
      if (!failing || ctx.signal?.aborted) throw again;
      const without = async () => (await ctx.probes()).filter((p) => p.name !== failing);
      const run = await runGuardedOnce(plan, ctx, without);
      run.result.warnings.push(`the ${failing} probe could not start twice and was left out of this run: ${(again as Error).message}`);
      return run;
    }
  }
}

/** The probe a start error names (`TUNEUP_PROBE_PROMETHEUS_UNREACHABLE` → `prometheus`), if any. */
function probeOfError(error: unknown): string | undefined {
  if (!isTuneupError(error)) return undefined;
  const m = /^TUNEUP_PROBE_(POSTGRES|REDIS|PROMETHEUS|PROCESS|OTLP)_/.exec(error.code);
  return m ? m[1]!.toLowerCase() : undefined;
}

function isProbeStartError(error: unknown): boolean {
  return isTuneupError(error) && error.code.startsWith('TUNEUP_PROBE_');
}

async function runGuardedOnce(plan: ResolvedPlan, ctx: GuardedRunContext, makeProbes: () => Promise<Probe[]>): Promise<StepRun> {
  let stoppedEarly: string | undefined;
  const probes = await makeProbes();
  const handle = startRun(plan, {
    probes,
    targetPid: ctx.targetPid,
    signal: ctx.signal,
    hardSignal: ctx.hardSignal,
    onProgress: (live) => {
      ctx.onLive?.(live);
      if (!ctx.guard || stoppedEarly) return;
      const reason = abortReason(live);
      if (reason) {
        stoppedEarly = reason;
        handle.stop(reason);
      }
    },
  });
  try {
    const outcome = await handle.done;
    return { result: assembleRunResult(outcome, { argv: ctx.argv, labels: { kind: ctx.kind } }), ...(stoppedEarly ? { stoppedEarly } : {}) };
  } finally {
    ctx.onRunEnd?.();
  }
}
