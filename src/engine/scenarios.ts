/**
 * Runs every scenario of a plan in this thread, concurrently, each after its
 * `startTime`, and turns each one's runtime into a {@link ScenarioResult}.
 * Used by the main thread (no workers) and by each worker thread.
 *
 * @module
 */
import type { MetricsRecorder } from '../metrics/recorder-types.js';
import type { ResolvedPlan, ResolvedScenario } from '../plan/types.js';
import type { ScenarioResult } from '../result/types.js';
import { runExecutor } from './executors/index.js';
import { ScenarioRuntime } from './executors/runtime.js';
import { meanRatePerSecond, stagesDurationMs } from './schedule.js';
import { segmentWidth, type ExecutionSegment } from './segments.js';
import type { Clock } from './types.js';

/** What {@link startScenarios} needs. */
export interface ScenarioRunOptions {
  plan: ResolvedPlan;
  recorder: MetricsRecorder;
  clock: Clock;
  /** Clock time of the run start (t = 0). */
  runStartMs: number;
  segment: ExecutionSegment;
  lateStartToleranceMs: number;
  stopSignal: AbortSignal;
  hardSignal: AbortSignal;
}

/** One scenario's outcome in this thread. */
export interface ScenarioOutcome {
  result: ScenarioResult;
  /** First distinct iteration error messages. */
  errors: string[];
  /** Number of failed iterations with an error (all of them, not only the kept messages). */
  errorCount: number;
}

/** Running scenarios: the end, and the current load for the live series. */
export interface RunningScenarios {
  done: Promise<ScenarioOutcome[]>;
  /** Busy VUs, allocated VUs and target rate (iterations/s) summed over scenarios now. */
  load(): { busy: number; allocated: number; targetRate: number };
  /** Open-model iterations, late starts and drops so far (for generator health). */
  counters(): { openIterations: number; lateStarts: number; dropped: number };
}

/** Start every scenario of `options.plan`. */
export function startScenarios(options: ScenarioRunOptions): RunningScenarios {
  const { plan, clock, segment } = options;
  const runtimes: ScenarioRuntime[] = [];
  // VU ids unique across segments: local index × segment count + segment index + 1.
  let local = 0;
  const nextVuId = (): number => local++ * segment.count + segment.index + 1;

  const runOne = async (scenario: ResolvedScenario): Promise<ScenarioOutcome> => {
    const rt = new ScenarioRuntime({
      scenario,
      baseUrl: plan.baseUrl,
      timeoutMs: plan.timeoutMs,
      headers: plan.headers,
      env: plan.env,
      recorder: options.recorder,
      clock,
      segment,
      nextVuId,
      lateStartToleranceMs: options.lateStartToleranceMs,
      stopSignal: options.stopSignal,
      hardSignal: options.hardSignal,
    });
    const startAt = options.runStartMs + scenario.startTimeMs;
    // Timers may fire a fraction of a millisecond early against performance.now(): sleep until really due.
    for (let wait = startAt - clock.now(); wait > 0 && !options.stopSignal.aborted; wait = startAt - clock.now()) {
      await clock.sleep(Math.max(1, wait), options.stopSignal);
    }
    if (options.stopSignal.aborted) return { result: scenarioResult(rt, scenario, segment, 0, 0), errors: [], errorCount: 0 };
    rt.startMs = clock.now();
    runtimes.push(rt);
    try {
      await runExecutor(rt, scenario);
    } finally {
      await rt.closeAll();
    }
    const end = clock.now();
    const activeMs = (rt.activeEndMs || end) - rt.startMs;
    return {
      result: scenarioResult(rt, scenario, segment, end - rt.startMs, activeMs, rt.startMs - options.runStartMs),
      errors: rt.errors.map((m) => `scenario ${scenario.name}: ${m}`),
      errorCount: rt.errorCount,
    };
  };

  return {
    done: Promise.all(plan.scenarios.map(runOne)),
    load() {
      let busy = 0;
      let allocated = 0;
      let targetRate = 0;
      const now = clock.now();
      for (const rt of runtimes) {
        busy += rt.busy;
        allocated += rt.allocated;
        if (!rt.stopping) targetRate += rt.targetRateNow(now);
      }
      return { busy, allocated, targetRate };
    },
    counters() {
      let openIterations = 0;
      let lateStarts = 0;
      let dropped = 0;
      for (const rt of runtimes) {
        if (rt.env.scenario.model === 'open') openIterations += rt.iterations + rt.interruptedIterations;
        lateStarts += rt.lateStarts;
        dropped += rt.droppedIterations;
      }
      return { openIterations, lateStarts, dropped };
    },
  };
}

function scenarioResult(
  rt: ScenarioRuntime,
  s: ResolvedScenario,
  segment: ExecutionSegment,
  durationMs: number,
  activeMs: number,
  startOffsetMs = s.startTimeMs,
): ScenarioResult {
  return {
    name: s.name,
    executor: s.executor,
    model: s.model,
    options: s.options,
    startOffsetMs,
    durationMs,
    iterations: rt.iterations,
    failedIterations: rt.failedIterations,
    droppedIterations: rt.droppedIterations,
    lateStarts: rt.lateStarts,
    targetRate: targetRateOf(s, segment),
    achievedRate: activeMs > 0 ? rt.iterations / (activeMs / 1000) : 0,
    maxBusyVUs: rt.maxBusy,
    allocatedVUs: rt.allocated,
    interruptedIterations: rt.interruptedIterations,
  };
}

/** Mean scheduled rate (iterations/s) of an open scenario in `segment`, else null. */
function targetRateOf(s: ResolvedScenario, segment: ExecutionSegment): number | null {
  const w = segmentWidth(segment);
  if (s.executor === 'constant-arrival-rate') return ((s.rate * 1000) / s.timeUnitMs) * w;
  if (s.executor === 'ramping-arrival-rate') {
    return stagesDurationMs(s.stages) > 0 ? meanRatePerSecond(s.startRate, s.stages, s.timeUnitMs) * w : 0;
  }
  return null;
}

/**
 * Combine the per-segment results of one scenario (worker threads or
 * machines): counts and rates add, durations take the maximum.
 */
export function mergeScenarioResults(parts: ScenarioResult[]): ScenarioResult {
  const first = parts[0]!;
  const sum = (f: (r: ScenarioResult) => number): number => parts.reduce((a, r) => a + f(r), 0);
  return {
    ...first,
    startOffsetMs: Math.min(...parts.map((p) => p.startOffsetMs)),
    durationMs: Math.max(...parts.map((p) => p.durationMs)),
    iterations: sum((r) => r.iterations),
    failedIterations: sum((r) => r.failedIterations),
    droppedIterations: sum((r) => r.droppedIterations),
    lateStarts: sum((r) => r.lateStarts),
    targetRate: first.targetRate === null ? null : sum((r) => r.targetRate ?? 0),
    achievedRate: sum((r) => r.achievedRate),
    // Peaks of different segments need not coincide: the sum is an upper bound.
    maxBusyVUs: sum((r) => r.maxBusyVUs),
    allocatedVUs: sum((r) => r.allocatedVUs),
    interruptedIterations: sum((r) => r.interruptedIterations),
  };
}
