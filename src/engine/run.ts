/**
 * The run orchestrator: pre-check the target, start the probes, generate
 * the plan's load (in this thread, in worker threads, or one execution
 * segment), report live progress, stop early on request or on an
 * `abortOnFail` threshold, and return everything a RunResult is built from.
 *
 * CLI usage:
 *
 *     const run = startRun(plan, { onProgress: (live) => draw(live), workers });
 *     let stops = 0;
 *     process.on('SIGINT', () => (stops++ === 0 ? run.stop() : run.hardStop()));
 *     const outcome = await run.done;
 *     const result = assembleRunResult(outcome, { version, argv, labels });
 *     const path = await writeRunResult(result);
 *
 * @module
 */
import { TuneupError } from '../errors.js';
import { buildResultMetrics, queryMetric, type AggregatedMetric, type ResultMetrics, type SnapshotMetric } from '../metrics/index.js';
import type { MetricSeries } from '../result/types.js';
import type { AggregatedMetricLike, MetricQuery } from '../thresholds/types.js';
import type { LiveStats, RecorderSnapshot } from '../metrics/recorder-types.js';
import { asMetricsSnapshot, type IntervalRow } from '../metrics/snapshot.js';
import type { StreamedRow } from '../metrics/recorder.js';
export type { CombinedLoad, LoadDriver } from './load-driver.js';
import type { ResolvedPlan } from '../plan/types.js';
import type { Probe } from '../probes/types.js';
import type { GeneratorHealth, ProbeEvidence, ScenarioResult, ThresholdResult } from '../result/types.js';
import { createThresholdWatcher } from '../thresholds/index.js';
import { systemClock } from './clock.js';
import { DEFAULT_LATE_START_TOLERANCE_MS } from './executors/runtime.js';
import { latencyInputs, summarizeHealth } from './health.js';
import { INTERVAL_MS, startLocalLoad } from './local-load.js';
import { precheckTargets, PRECHECK_TIMEOUT_MS } from './precheck.js';
import { ProbeRunner, type ProbeHostMode } from './probe-runner.js';
import { collectErrors, type CombinedLoad, type LoadDriver } from './load-driver.js';
import { FULL_SEGMENT, parseSegment, type ExecutionSegment } from './segments.js';
import type { Clock } from './types.js';
import { startWorkerLoad, type PlanSource } from './workers.js';

/** Final status of a run as the engine decides it. */
export type RunOutcomeStatus = 'completed' | 'interrupted' | 'aborted-by-threshold';

/** Options of {@link startRun} / {@link runPlan}. */
export interface RunOptions {
  /** First abort = graceful stop (iterations get their gracefulStop), status `interrupted`. */
  signal?: AbortSignal;
  /** Abort = stop now: running iterations are interrupted at once. */
  hardSignal?: AbortSignal;
  /** Live totals about once a second (for the terminal). Must not throw. */
  onProgress?: (live: LiveStats) => void;
  /** Clock for in-thread runs (tests); ignored with workers, which use the system clock. */
  clock?: Clock;
  /** Worker threads generating the load (default 1: the load runs in this thread). */
  workers?: number;
  /** Run one execution segment only, e.g. `2/8` or `1/4:1/2` (results of all segments merge later). */
  segment?: string | ExecutionSegment;
  /** Probes sampled during the run. */
  probes?: readonly Probe[];
  /** Pid of the service under test, for the probes. */
  targetPid?: number;
  /** Where probes built from a spec run: `worker` (default, off the generator's thread) or `main` (for comparison). */
  probeHost?: ProbeHostMode;
  /** An open-model iteration starting later than this after its intended time is a late start (default 10 ms). */
  lateStartToleranceMs?: number;
  /** Connectivity pre-check before the load (default true). */
  precheck?: boolean;
  /** Timeout of one pre-check connection (ms, default 3000). */
  precheckTimeoutMs?: number;
  /**
   * How a worker thread re-creates the plan. Needed with `workers > 1` when a
   * scenario runs plan code (no `fixed` request): functions cannot be sent to
   * a thread. Pure-data plans (every scenario `fixed`) are sent as they are.
   */
  planSource?: PlanSource;
  /**
   * Each interval row of the run as it closes (all load threads combined),
   * then, after the load, the rows only the final snapshot holds (the last,
   * partial interval; with workers, the rows of the last second or two). The
   * rows are those of the stored series. For streaming outputs (`--out`);
   * `startedAt` is the epoch ms of t = 0. Must not throw.
   */
  onInterval?: (row: IntervalRow, info: { intervalMs: number; startedAt: number }) => void;
}

/** Everything a RunResult is assembled from (see `assembleRunResult`). */
export interface RunOutcome {
  status: RunOutcomeStatus;
  /** Why the run did not complete. */
  statusReason?: string;
  /** Epoch ms of t = 0 and of the end. */
  startedAt: number;
  endedAt: number;
  durationMs: number;
  plan: ResolvedPlan;
  scenarios: ScenarioResult[];
  /** Merged recorder snapshot (the raw material of `tuneup merge`). */
  snapshot: RecorderSnapshot;
  /** Metrics, tables and series built from the snapshot. */
  metrics: ResultMetrics;
  /** Thresholds evaluated over the final metrics (`aborted` marks those that stopped the run). */
  thresholds: ThresholdResult[];
  generator: GeneratorHealth;
  probes: ProbeEvidence[];
  warnings: string[];
  workers: number;
  /** The execution segment this process ran (`1/1` for the whole run). */
  segment: string;
}

/** A run in progress. */
export interface RunHandle {
  /** Graceful stop: no new iterations, running ones get their gracefulStop. Idempotent. */
  stop(reason?: string): void;
  /** Stop now: interrupt running iterations; the outcome still holds everything recorded. */
  hardStop(): void;
  /** Live totals now (zeros before the load starts). */
  live(): LiveStats;
  /** The outcome. Rejects with a TuneupError when the run cannot start (unreachable target, bad options, probe start failure). */
  done: Promise<RunOutcome>;
}

const EMPTY_LIVE: LiveStats = {
  elapsedMs: 0,
  requests: 0,
  failed: 0,
  rps: 0,
  p95ServiceMs: null,
  p95ResponseMs: null,
  iterations: 0,
  droppedIterations: 0,
  vus: 0,
};

/** Run a plan to the end (or until `options.signal` stops it). */
export function runPlan(plan: ResolvedPlan, options: RunOptions = {}): Promise<RunOutcome> {
  return startRun(plan, options).done;
}

/** Start a run and return a handle to stop it and watch it. */
export function startRun(plan: ResolvedPlan, options: RunOptions = {}): RunHandle {
  const stopController = new AbortController();
  const hardController = new AbortController();
  let stopped: { status: RunOutcomeStatus; reason: string } | undefined;
  const stop = (status: RunOutcomeStatus, reason: string): void => {
    stopped ??= { status, reason };
    if (!stopController.signal.aborted) stopController.abort();
  };
  const hardStop = (): void => {
    stop('interrupted', 'stopped immediately by the user');
    if (!hardController.signal.aborted) hardController.abort();
  };
  const onSignal = (): void => stop('interrupted', 'interrupted by the user');
  options.signal?.addEventListener('abort', onSignal, { once: true });
  options.hardSignal?.addEventListener('abort', hardStop, { once: true });
  if (options.signal?.aborted) onSignal();
  if (options.hardSignal?.aborted) hardStop();

  let driver: LoadDriver | undefined;
  const done = (async (): Promise<RunOutcome> => {
    try {
      return await execute();
    } finally {
      options.signal?.removeEventListener('abort', onSignal);
      options.hardSignal?.removeEventListener('abort', hardStop);
    }
  })();

  async function execute(): Promise<RunOutcome> {
    const workers = normalizeWorkers(options.workers);
    const segment = typeof options.segment === 'string' ? parseSegment(options.segment) : (options.segment ?? FULL_SEGMENT);
    // Worker threads run on the system clock, so the main thread must too.
    const clock = workers > 1 ? systemClock : (options.clock ?? systemClock);
    const lateStartToleranceMs = options.lateStartToleranceMs ?? DEFAULT_LATE_START_TOLERANCE_MS;
    const warnings: string[] = [...plan.warnings];
    if (plan.scenarios.length === 0) {
      throw new TuneupError('TUNEUP_PLAN_INVALID', 'The plan has no scenario to run.', { hint: 'Add a scenario under `scenarios` or a `profile`.', location: plan.source });
    }
    if (options.precheck !== false) warnings.push(...(await precheckTargets(plan, options.precheckTimeoutMs ?? PRECHECK_TIMEOUT_MS)));

    // t = 0 is the load start, after the probes took their "before" snapshot;
    // the context is updated then, so probe series align with the load's.
    let t0 = clock.now();
    const probeContext = {
      runStartedAt: Date.now(),
      offsetMs: () => clock.now() - t0,
      // Spans between probe readings: t0 moves to the load start after the probes primed their counters.
      monotonicMs: () => clock.now(),
      signal: stopController.signal,
      targetPid: options.targetPid,
    };
    const probes = new ProbeRunner(options.probes ?? [], { host: options.probeHost });
    await probes.start(probeContext);

    const common = { plan, segment, lateStartToleranceMs, stopSignal: stopController.signal, hardSignal: hardController.signal };
    let load: LoadDriver;
    try {
      load =
        workers > 1
          ? startWorkerLoad({ ...common, workers, planSource: options.planSource, watchRows: options.onInterval !== undefined })
          : localDriver({ ...common, clock, runStartMs: clock.now(), watchRows: options.onInterval !== undefined });
    } catch (error) {
      await probes.stop();
      throw error;
    }
    driver = load;
    // Worker threads take a moment to boot: t = 0 is when they all start, not now.
    const loadStartMs = await Promise.race([load.started, load.done.then(() => clock.now(), () => clock.now())]);
    const loadStartedAt = Date.now() - (clock.now() - loadStartMs);
    t0 = loadStartMs;
    probeContext.runStartedAt = loadStartedAt;
    probes.loadStarted();

    let streamedUpTo = -Infinity;
    const stream = (rows: readonly StreamedRow[]): void => {
      if (!options.onInterval) return;
      for (const { row, intervalMs } of rows) {
        if (row.t <= streamedUpTo) continue;
        streamedUpTo = row.t;
        try {
          options.onInterval(row, { intervalMs, startedAt: loadStartedAt });
        } catch {
          // An output failure must not end the run (the output reports its own errors).
        }
      }
    };

    const watcher = createThresholdWatcher(plan.thresholds);
    let nextSecond = loadStartMs + INTERVAL_MS;
    const everySecond = setInterval(() => {
      // Worker threads post a closed row a moment after the second's boundary, so rows
      // are collected on every tick: waiting for the next boundary would hold each row a
      // whole second, and the last ones until the run ended.
      if (load.takeRows) stream(load.takeRows());
      const now = clock.now();
      if (now < nextSecond) return;
      while (nextSecond <= now) nextSecond += INTERVAL_MS;
      const elapsed = now - loadStartMs;
      probes.sample(elapsed);
      if (options.onProgress) {
        try {
          options.onProgress(load.live());
        } catch {
          // A display failure must not end the run.
        }
      }
      if (watcher.needed && !stopController.signal.aborted) {
        const metrics = load.metricsNow();
        const check = watcher.check(elapsed, thresholdQuery(metrics));
        if (check.abort) {
          const which = check.results.filter((r) => r.aborted).map((r) => `${r.metric} ${r.expression}`);
          stop('aborted-by-threshold', `threshold failed with abortOnFail: ${which.join(', ')}`);
        }
      }
    }, 100);

    let combined: CombinedLoad;
    try {
      combined = await load.done;
    } catch (error) {
      await probes.stop();
      throw error;
    } finally {
      clearInterval(everySecond);
    }
    const endMs = clock.now();
    const endedAt = loadStartedAt + (endMs - loadStartMs);
    const durationMs = endMs - loadStartMs;
    if (options.onInterval) {
      const final = asMetricsSnapshot(combined.snapshot);
      stream(final.intervals.map((row) => ({ row, intervalMs: final.intervalMs })));
    }
    const probeEvidence = await probes.stop();

    const metrics = buildResultMetrics(combined.snapshot, { durationMs });
    const thresholds = watcher.finalize(durationMs, thresholdQuery(metrics.metrics));
    const generator = summarizeHealth({
      loopDelays: combined.loopDelays,
      cpuSamples: combined.cpuSamples,
      maxRssBytes: combined.maxRssBytes,
      loadThreads: combined.loadThreads,
      workers,
      openIterations: combined.counters.openIterations,
      lateStarts: combined.counters.lateStarts,
      droppedIterations: combined.counters.dropped,
      lateStartToleranceMs,
      latency: latencyInputs(metrics.metrics, metrics.totals, combined.scenarios),
    });
    warnings.push(...metrics.warnings);
    if (combined.errorCount > 0) {
      warnings.push(`${combined.errorCount} iteration(s) threw an error; first messages:`, ...combined.errors.map((m) => `  ${m}`));
    }
    if (generator.limitedBy === 'host-contention' && generator.distortion) {
      warnings.push(`the host was contended: the generator's delays were ${Math.round(generator.distortion.share * 100)} % of the measured latency (${generator.distortion.basis}) while its own CPU averaged ${Math.round(generator.cpuPercent.mean)} %; other processes held the CPU (the process probe names them)`);
    }
    if (generator.saturated) {
      warnings.push(`the load generator was saturated (${generator.evidence.map((e) => `${e.label}: ${e.value}${e.unit}`).join('; ')}); latency numbers may be the generator's, not the target's`);
    }
    return {
      status: stopped?.status ?? 'completed',
      ...(stopped ? { statusReason: stopped.reason } : {}),
      startedAt: loadStartedAt,
      endedAt,
      durationMs,
      plan,
      scenarios: combined.scenarios,
      snapshot: combined.snapshot,
      metrics,
      thresholds,
      generator,
      probes: probeEvidence,
      warnings,
      workers,
      segment: segment.label,
    };
  }

  return {
    stop: (reason?: string) => stop('interrupted', reason ?? 'interrupted by the user'),
    hardStop,
    live: () => driver?.live() ?? { ...EMPTY_LIVE },
    done,
  };
}

function normalizeWorkers(workers: number | undefined): number {
  const n = workers ?? 1;
  if (!Number.isInteger(n) || n < 1) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--workers must be a positive integer, got ${String(workers)}.`, {
      hint: 'Pass --workers N with N ≥ 1 (at most the number of CPU cores is useful).',
      location: '--workers',
    });
  }
  return n;
}

/** The load in this thread. */
function localDriver(o: {
  plan: ResolvedPlan;
  clock: Clock;
  runStartMs: number;
  segment: ExecutionSegment;
  lateStartToleranceMs: number;
  stopSignal: AbortSignal;
  hardSignal: AbortSignal;
  watchRows: boolean;
}): LoadDriver {
  const local = startLocalLoad(o);
  if (o.watchRows) local.recorder.watchRows();
  return {
    ...(o.watchRows ? { takeRows: () => local.recorder.takeClosedRows() } : {}),
    started: Promise.resolve(o.runStartMs),
    live: () => local.live(),
    metricsNow: () => local.recorder.metricsSnapshot(),
    done: local.done.then((r) => ({
      snapshot: r.snapshot,
      scenarios: r.scenarios.map((s) => s.result),
      ...collectErrors(r.scenarios),
      loopDelays: [r.loopDelay],
      cpuSamples: r.cpuSamples,
      maxRssBytes: r.maxRssBytes,
      counters: r.counters,
      loadThreads: 1,
    })),
  };
}

/**
 * Bind `queryMetric` to a metric list in the shape the threshold evaluator
 * reads (`metrics/query.ts` returns a live histogram; thresholds expect the
 * encoded form).
 */
export function thresholdQuery(metrics: ReadonlyArray<MetricSeries | SnapshotMetric>): MetricQuery {
  return (name, filter) => {
    const agg: AggregatedMetric | null = queryMetric(metrics, name, filter);
    if (agg === null) return null;
    const out: AggregatedMetricLike = { type: agg.type };
    if (agg.count !== undefined) out.count = agg.count;
    if (agg.passes !== undefined) out.passes = agg.passes;
    if (agg.fails !== undefined) out.fails = agg.fails;
    if (agg.value !== undefined) out.value = agg.value;
    if (agg.min !== undefined) out.min = agg.min;
    if (agg.max !== undefined) out.max = agg.max;
    if (agg.stats !== undefined) out.stats = agg.stats;
    // The evaluator reads a live histogram directly: no encode/decode per live check.
    if (agg.histogram !== undefined) out.histogram = agg.histogram;
    return out;
  };
}
