/**
 * `tuneup capacity`: the breakpoint search on the open model. Short
 * constant-arrival-rate steps of the plan's mix (the same derived plans as
 * `tuneup diagnose`, with the plan's own thresholds kept as the SLO), run by
 * the shared step loop (ramp.ts): geometric ramp until a step is past the
 * knee or fails an SLO threshold, bisection, then repeats near the knee
 * (search.ts). Each step is guarded (guarded-run.ts): a step whose errors,
 * drops or latency explode is stopped at once, a probe slow to start is
 * retried rather than losing the search; after a failing step the
 * load pauses until its backlog drained; an interrupt ends the current step
 * gracefully and returns what was measured. Nothing runs after the last
 * step, so the target is idle when this returns.
 *
 * From the steps: the maximum sustainable rate with its bracket
 * (search.ts), the bottleneck from the cost model on the step at capacity
 * (bottleneck.ts), and a USL fit of throughput against concurrency (usl.ts).
 * This module prints nothing; progress goes through {@link CapacityHooks}.
 *
 * @module
 */
import { planMix, mixPlan } from '../diagnose/experiment/plans.js';
import { saturatedResource } from '../diagnose/experiment/saturation.js';
import type { LiveStats } from '../metrics/recorder-types.js';
import type { ResolvedPlan } from '../plan/types.js';
import type { Probe } from '../probes/types.js';
import type { RunResult } from '../result/types.js';
import { sloLines } from '../report/model.js';
import { mixBottleneck } from './bottleneck.js';
import { runGuarded, type GuardedRunContext } from './guarded-run.js';
import { KNEE_SEARCH_DEFAULTS, rampRates, type JudgedStep, type KneeSearchOptions } from './knee.js';
import { runStepLoop, type StepRun } from './ramp.js';
import { CAPACITY_DEFAULTS, type CapacityOptions } from './options.js';
import { estimateCapacity, nextCapacityStep, sameRate, type CapacityPhase, type RepeatOptions } from './search.js';
import type { CapacitySection, CapacityStep } from './types.js';
import { fitUsl } from './usl.js';

export { CAPACITY_DEFAULTS, type CapacityOptions } from './options.js';

/** In-flight iterations get this long after a step's end, then the step's load is gone. */
const GRACEFUL_STOP_MS = 1000;

/** Progress callbacks (optional; must not throw). */
export interface CapacityHooks {
  onPlan?(plan: { rates: number[]; requestedRate?: number; search: KneeSearchOptions; repeat: RepeatOptions }): void;
  onRunStart?(run: { label: string; rate: number; durationMs: number }): void;
  onLive?(live: LiveStats): void;
  onRunEnd?(): void;
  onStep?(step: CapacityStep): void;
}

/** What the search needs from its caller (the target's pid, the stop signals and argv go to every step's run). */
export interface CapacityContext extends Pick<GuardedRunContext, 'targetPid' | 'hardSignal' | 'argv'> {
  plan: ResolvedPlan;
  /** Fresh probes for one step (probes start and stop once); default none. */
  probes?: () => Promise<Probe[]>;
  /** Graceful stop (Ctrl-C): the current step ends, nothing more starts. */
  signal?: AbortSignal;
  hooks?: CapacityHooks;
}

/** What the search produced: the run to store (the step at capacity, with the section), or nothing when no step finished. */
export interface CapacityOutcome {
  result?: RunResult;
  capacity: CapacitySection;
}

/** Run the whole search. Rejects only when a step cannot start (e.g. the target is unreachable). */
export async function runCapacity(ctx: CapacityContext, options: CapacityOptions = CAPACITY_DEFAULTS): Promise<CapacityOutcome> {
  const started = Date.now();
  const hooks = ctx.hooks ?? {};
  const mix = planMix(ctx.plan);
  const requested = mix.requestedRate;
  const search: KneeSearchOptions = {
    ...KNEE_SEARCH_DEFAULTS,
    factor: options.factor,
    maxSteps: options.maxSteps,
    bisections: options.bisections,
    startRate: options.startRate ?? (requested !== undefined ? Math.max(1, requested / 8) : 10),
    ...(options.maxRate !== undefined ? { maxRate: options.maxRate } : {}),
  };
  hooks.onPlan?.({ rates: rampRates(search), ...(requested !== undefined ? { requestedRate: requested } : {}), search, repeat: options.repeat });
  const steps: CapacityStep[] = [];
  const runs: { rate: number; result: RunResult }[] = [];
  const judged = await runStepLoop<CapacityPhase>(
    {
      next: (done) => nextCapacityStep(done, search, options.repeat),
      run: (rate, phase, index) => {
        hooks.onRunStart?.({ label: `${phase} step ${index + 1}`, rate, durationMs: options.stepMs });
        return runStep(ctx, stepPlan(ctx.plan, mix, rate, options.stepMs));
      },
      extraReasons: failedThresholds,
      onStep: (step, result) => {
        runs.push({ rate: step.offeredRate, result });
        const shown = toCapacityStep(step, result);
        steps.push(shown);
        hooks.onStep?.(shown);
      },
    },
    { stepMs: options.stepMs, gapMs: options.gapMs, signal: ctx.signal },
  );
  const estimate = estimateCapacity(judged);
  const capacity: CapacitySection = {
    steps,
    estimate,
    usl: fitUsl(steps.filter((s) => !s.stoppedEarly && s.concurrency !== null).map((s) => ({ n: s.concurrency!, x: s.achievedRate }))),
    durationMs: Date.now() - started,
  };
  if (requested !== undefined) capacity.requestedRate = round(requested);
  if (ctx.signal?.aborted) capacity.interrupted = true;
  const slo = runs[0] ? sloLines(runs[0].result.thresholds) : [];
  if (slo.length > 0) capacity.slo = slo.map((l) => ({ label: l.label, percentile: l.percentile, valueMs: l.valueMs }));
  const exploded = steps.filter((s) => s.stoppedEarly);
  if (exploded.length > 0) capacity.stoppedBecause = `${exploded.length} step(s) stopped early: ${exploded[exploded.length - 1]!.stoppedEarly}`;

  // The run stored: the last step at the estimated capacity (sustained), else the last step.
  const atCapacity = estimate.rate !== undefined ? runs.filter((r) => sameRate(r.rate, estimate.rate!) && judged[runs.indexOf(r)]?.sustained).pop() : undefined;
  const stored = atCapacity ?? runs[runs.length - 1];
  if (atCapacity) {
    const bottleneck = mixBottleneck(atCapacity.result, estimate.rate, atCapacity.rate);
    const failing = estimate.upper !== undefined ? runs.filter((r) => sameRate(r.rate, estimate.upper!)).pop() : undefined;
    const saturated = failing ? saturatedResource(failing.result) : undefined;
    if (bottleneck) capacity.bottleneck = { ...bottleneck, ...(saturated ? { saturated } : {}) };
    else if (saturated) capacity.bottleneck = { bounds: [], measuredAt: failing!.rate, method: 'none', saturated, notes: [] };
  }
  if (!stored) return { capacity };
  const result: RunResult = { ...stored.result, capacity, labels: { ...stored.result.labels, kind: 'capacity' } };
  if (capacity.interrupted) Object.assign(result, { status: 'interrupted', statusReason: 'interrupted by the user' });
  return { result, capacity };
}

/**
 * The plan's mix at `rate` as one step, with the plan's own thresholds kept: they are the SLO a step must
 * meet (the derived plan drops them, as `tuneup diagnose` measures rather than judges).
 */
export function stepPlan(plan: ResolvedPlan, mix: ReturnType<typeof planMix>, rate: number, stepMs: number): ResolvedPlan {
  const derived = mixPlan(plan, mix, rate, { durationMs: stepMs, gracefulStopMs: GRACEFUL_STOP_MS, label: `capacity step ${rate}/s` });
  return { ...derived, thresholds: plan.thresholds, json: { ...derived.json, thresholds: plan.json.thresholds } };
}

/**
 * The plan's thresholds a step failed, as reasons. `count` thresholds are left out: a total over the
 * whole plan (e.g. `count>1000`) says nothing about a five-second step.
 */
export function failedThresholds(result: RunResult): string[] {
  return result.thresholds
    .filter((t) => !t.passed && !/^\s*count\b/.test(t.expression))
    .map((t) => `SLO ${t.metric} ${t.expression.replace(/\s+/g, '')} failed${t.observed === null ? '' : ` (observed ${Number(t.observed.toPrecision(3))})`}`);
}

/** One guarded step ({@link runGuarded}): stopped at once when it fails badly, a probe slow to start retried. */
function runStep(ctx: CapacityContext, plan: ResolvedPlan): Promise<StepRun> {
  return runGuarded(plan, {
    probes: ctx.probes ?? (async () => []),
    guard: true,
    kind: 'capacity',
    targetPid: ctx.targetPid,
    signal: ctx.signal,
    hardSignal: ctx.hardSignal,
    argv: ctx.argv,
    onLive: (live) => ctx.hooks?.onLive?.(live),
    onRunEnd: () => ctx.hooks?.onRunEnd?.(),
  });
}

/**
 * Requests in flight on average during a step (Little's law, N = X·R): the run's own in-flight count
 * (request time over its active duration, summed over endpoints) when recorded, else requests per second × mean service time.
 */
export function stepConcurrency(result: RunResult): number | null {
  const facts = Object.values(result.loadFacts?.endpoints ?? {});
  const recorded = facts.reduce((a, e) => a + e.meanInFlight, 0);
  if (facts.length > 0 && Number.isFinite(recorded) && recorded > 0) return recorded;
  const t = result.totals;
  if (t.requests === 0 || !(t.rps > 0)) return null;
  return (t.rps * t.serviceTime.mean) / 1000;
}

function toCapacityStep(step: JudgedStep<CapacityPhase>, result: RunResult): CapacityStep {
  const concurrency = stepConcurrency(result);
  const rt = result.totals.responseTime;
  return {
    phase: step.phase,
    offeredRate: step.offeredRate,
    achievedRate: round(step.achievedRate),
    p50Ms: step.p50Ms === null ? null : round(step.p50Ms),
    p95Ms: step.p95Ms === null ? null : round(step.p95Ms),
    meanMs: rt.count > 0 ? round(rt.mean) : null,
    concurrency: concurrency === null ? null : round(concurrency),
    errorRate: Math.round(step.errorRate * 10_000) / 10_000,
    droppedIterations: step.droppedIterations,
    latencyGrowthMs: step.latencyGrowthMs === null ? null : round(step.latencyGrowthMs),
    durationMs: result.durationMs,
    sustained: step.sustained,
    reasons: step.reasons,
    ...(step.stoppedEarly ? { stoppedEarly: step.stoppedEarly } : {}),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
