/**
 * Load generated in the current thread: one recorder, the plan's scenarios
 * (or one execution segment of them), ticked every 100 ms, with this
 * thread's event-loop delay (and, in the main thread, process CPU) recorded
 * per 1 s interval. The main thread uses it directly without workers; each
 * worker thread runs one.
 *
 * @module
 */
import { createRecorder, type Recorder } from '../metrics/recorder.js';
import type { LiveStats, MetricsRecorder, RecorderSnapshot } from '../metrics/recorder-types.js';
import type { ResolvedPlan } from '../plan/types.js';
import { LoopDelayMonitor, ProcessUsageMonitor, type LoopDelaySummary } from './health.js';
import { startScenarios, type ScenarioOutcome } from './scenarios.js';
import type { ExecutionSegment } from './segments.js';
import type { Clock } from './types.js';

/** How often the recorder is ticked and the load sampled (ms). */
export const TICK_MS = 100;
/** Interval of the series, the health samples and the live callbacks (ms). */
export const INTERVAL_MS = 1000;

/** Options of {@link startLocalLoad}. */
export interface LocalLoadOptions {
  plan: ResolvedPlan;
  clock: Clock;
  /** Clock time of t = 0. */
  runStartMs: number;
  segment: ExecutionSegment;
  lateStartToleranceMs: number;
  stopSignal: AbortSignal;
  hardSignal: AbortSignal;
  /**
   * Process CPU (% of one core) of the last interval, when another thread
   * measures it (worker threads); by default this thread measures it.
   */
  externalCpu?: () => number;
  /** Called once per interval, after the health sample. */
  onInterval?: (info: { eventLoopDelayP99Ms: number; cpuPercent: number }) => void;
}

/** What a finished local load returns. */
export interface LocalLoadResult {
  snapshot: RecorderSnapshot;
  scenarios: ScenarioOutcome[];
  loopDelay: LoopDelaySummary;
  cpuSamples: number[];
  maxRssBytes: number;
  counters: { openIterations: number; lateStarts: number; dropped: number };
}

/** A running local load. */
export interface LocalLoad {
  readonly recorder: Recorder;
  live(): LiveStats;
  done: Promise<LocalLoadResult>;
}

/** Start the plan's load (or `segment` of it) in this thread. */
export function startLocalLoad(options: LocalLoadOptions): LocalLoad {
  const { clock, runStartMs } = options;
  const recorder = createRecorder({ runStartMs, intervalMs: INTERVAL_MS });
  const loop = new LoopDelayMonitor();
  const usage = options.externalCpu === undefined ? new ProcessUsageMonitor() : undefined;
  const running = startScenarios({
    plan: options.plan,
    recorder,
    clock,
    runStartMs,
    segment: options.segment,
    lateStartToleranceMs: options.lateStartToleranceMs,
    stopSignal: options.stopSignal,
    hardSignal: options.hardSignal,
  });

  let nextInterval = runStartMs + INTERVAL_MS;
  let lastAllocated = -1;
  const sampleHealth = (): void => {
    const eventLoopDelayP99Ms = loop.takeInterval();
    const cpuPercent = usage ? usage.takeInterval() : options.externalCpu!();
    recorder.setGeneratorHealth(eventLoopDelayP99Ms, cpuPercent);
    options.onInterval?.({ eventLoopDelayP99Ms, cpuPercent });
  };
  const tick = (): void => {
    const now = clock.now();
    // Health belongs to the interval that is about to close, so set it first.
    if (now >= nextInterval) {
      sampleHealth();
      while (nextInterval <= now) nextInterval += INTERVAL_MS;
    }
    const load = running.load();
    recorder.setLoad(load.busy, load.targetRate);
    // k6 vus_max: VUs allocated (initialised), busy or not.
    if (load.allocated !== lastAllocated) {
      lastAllocated = load.allocated;
      recorder.setGauge('vus_max', load.allocated);
    }
    recorder.tick(now);
  };
  const timer = setInterval(tick, TICK_MS);

  const done = running.done.then(
    (scenarios) => {
      clearInterval(timer);
      recorder.setLoad(0, 0);
      recorder.tick(clock.now());
      loop.stop();
      // A run shorter than one interval still gets one CPU sample.
      if (usage && usage.cpuSamples.length === 0) usage.takeInterval();
      return {
        snapshot: recorder.snapshot(),
        scenarios,
        loopDelay: loop.summary(),
        cpuSamples: usage ? usage.cpuSamples.slice() : [],
        maxRssBytes: usage ? usage.maxRssBytes : 0,
        counters: running.counters(),
      };
    },
    (error: unknown) => {
      clearInterval(timer);
      loop.stop();
      throw error;
    },
  );
  return { recorder, live: () => recorder.live(), done };
}
