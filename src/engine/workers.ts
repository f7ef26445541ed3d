/**
 * Load across worker threads: the plan is split into equal execution
 * segments, one per worker; each worker has its own recorder, posts live
 * stats every interval and its snapshot at the end, and the main thread
 * merges them exactly (`mergeSnapshots`). The main thread measures process
 * CPU (all threads) and forwards it, so CPU is counted once.
 *
 * @module
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TuneupError, type ErrorCode } from '../errors.js';
import { mergeMetrics, mergeSnapshots, type SnapshotMetric } from '../metrics/index.js';
import type { LiveStats } from '../metrics/recorder-types.js';
import type { ResolvedPlan } from '../plan/types.js';
import type { ScenarioResult } from '../result/types.js';
import { ProcessUsageMonitor } from './health.js';
import { INTERVAL_MS, type LocalLoadResult } from './local-load.js';
import { collectErrors, type CombinedLoad, type LoadDriver } from './load-driver.js';
import { ParallelRowJoiner } from './row-stream.js';
import { mergeScenarioResults } from './scenarios.js';
import { subSegment, type ExecutionSegment } from './segments.js';
import type { FromWorker, PlanSource, ToWorker, WorkerInit } from './worker-protocol.js';

export type { PlanSource } from './worker-protocol.js';

/** Options of {@link startWorkerLoad}. */
export interface WorkerLoadOptions {
  plan: ResolvedPlan;
  workers: number;
  /** The segment of the whole run this process runs; split again among the workers. */
  segment: ExecutionSegment;
  lateStartToleranceMs: number;
  stopSignal: AbortSignal;
  hardSignal: AbortSignal;
  planSource?: PlanSource;
  /** Stream closed interval rows (see `LoadDriver.takeRows`). */
  watchRows?: boolean;
}

/**
 * How to start a worker: `worker.js` next to this module in `dist/`; when
 * this module itself runs as TypeScript (tests, `tsx src/...`), a small
 * bootstrap registers tsx inside the worker first (`--import tsx` in
 * execArgv does not apply its hooks to a worker's entry on Node 20) and
 * then imports `worker.ts`. `name` picks another entry module of this
 * directory (the probe worker: `probe-worker`).
 */
export function workerEntry(name = 'worker'): { entry: URL | string; eval: boolean } {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return { entry: new URL(`./${name}.js`, self), eval: false };
  const worker = new URL(`./${name}.ts`, self).href;
  let tsxApi = 'tsx/esm/api';
  try {
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch {
    // fall back to bare resolution from the working directory
  }
  const code =
    `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); })` +
    `.catch((e) => { require('node:worker_threads').parentPort.postMessage({ type: 'error', error: { message: String(e && e.stack || e) } }); });`;
  return { entry: code, eval: true };
}

/**
 * The {@link PlanSource} of a plan file: workers call the plan module's
 * `loadPlan(path, options)` with the same arguments as the main thread.
 * `options` must be plain data (env, overrides).
 */
export function planFileSource(path: string, options: Record<string, unknown> = {}): PlanSource {
  return { module: new URL(`../plan/load.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href, exportName: 'loadPlan', args: [resolve(path), options] };
}

/** Strip functions so the plan can cross a thread boundary; only valid when every scenario is `fixed`. */
export function planAsData(plan: ResolvedPlan): ResolvedPlan {
  return {
    ...plan,
    scenarios: plan.scenarios.map((s) => {
      const { fn: _fn, ...rest } = s;
      return rest as typeof s;
    }),
  };
}

/** Start `options.workers` worker threads, each running one segment of the plan. */
export function startWorkerLoad(options: WorkerLoadOptions): LoadDriver {
  const { plan, workers: n } = options;
  const dataOnly = plan.scenarios.every((s) => s.fixed !== undefined);
  if (!dataOnly && options.planSource === undefined) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', 'Worker threads need to re-load a plan that runs code, but no plan source was given.', {
      hint: 'Run this plan without --workers, or pass planSource (the plan loader module and its arguments) to runPlan.',
      location: '--workers',
    });
  }
  const wantMetrics = plan.thresholds.some((t) => t.abortOnFail);
  const entry = workerEntry();
  const lives: (LiveStats | undefined)[] = new Array(n).fill(undefined);
  const metrics: (SnapshotMetric[] | undefined)[] = new Array(n).fill(undefined);
  const loopP99: number[] = new Array(n).fill(0);
  const joiner = options.watchRows ? new ParallelRowJoiner(n) : undefined;
  const threads: Worker[] = [];
  const usage = new ProcessUsageMonitor();
  let cpuTimer: NodeJS.Timeout | undefined;

  let markStarted: (clockMs: number) => void = () => undefined;
  const started = new Promise<number>((resolve) => (markStarted = resolve));
  const broadcast = (message: ToWorker): void => {
    for (const w of threads) w.postMessage(message);
  };

  const done = new Promise<CombinedLoad>((resolve, reject) => {
    const results: (LocalLoadResult | undefined)[] = new Array(n).fill(undefined);
    let ready = 0;
    let finished = 0;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      if (cpuTimer !== undefined) clearInterval(cpuTimer);
      options.stopSignal.removeEventListener('abort', onStop);
      options.hardSignal.removeEventListener('abort', onHard);
      for (const w of threads) void w.terminate();
    };
    const onStop = (): void => broadcast({ type: 'stop' });
    const onHard = (): void => broadcast({ type: 'hardStop' });

    for (let i = 0; i < n; i++) {
      const init: WorkerInit = {
        ...(dataOnly ? { plan: planAsData(plan) } : { planSource: options.planSource }),
        segment: subSegment(options.segment, i, n),
        lateStartToleranceMs: options.lateStartToleranceMs,
        wantMetrics,
        wantRows: options.watchRows,
      };
      const worker = new Worker(entry.entry, { workerData: init, eval: entry.eval });
      threads.push(worker);
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            if (++ready === n) {
              if (options.stopSignal.aborted) {
                broadcast({ type: 'stop' });
              }
              const now = performance.now();
              broadcast({ type: 'go', runStartAbsMs: performance.timeOrigin + now });
              markStarted(now);
              cpuTimer = setInterval(() => broadcast({ type: 'cpu', cpuPercent: usage.takeInterval() }), INTERVAL_MS);
            }
            break;
          case 'interval':
            lives[i] = message.live;
            loopP99[i] = message.eventLoopDelayP99Ms;
            if (message.metrics) metrics[i] = message.metrics;
            break;
          case 'rows':
            joiner?.add(i, message.rows);
            break;
          case 'done':
            results[i] = message.result;
            lives[i] = undefined;
            joiner?.finish(i);
            if (++finished === n) {
              cleanup();
              if (usage.cpuSamples.length === 0) usage.takeInterval();
              resolve(combine(results as LocalLoadResult[], usage));
            }
            break;
          case 'error': {
            const e = message.error;
            fail(
              e.code
                ? new TuneupError(e.code as ErrorCode, e.message, { hint: e.hint, location: e.location })
                : new TuneupError('TUNEUP_WORKER_FAILED', `A load worker failed: ${e.message}`, { hint: 'Run without --workers to see the error in the main thread.' }),
            );
            break;
          }
        }
      });
      worker.on('error', (error) => fail(new TuneupError('TUNEUP_WORKER_FAILED', `A load worker crashed: ${error.message}`, { cause: error, hint: 'Run without --workers to see the error in the main thread.' })));
      worker.on('exit', (code) => {
        if (results[i] === undefined) fail(new TuneupError('TUNEUP_WORKER_FAILED', `A load worker exited (code ${code}) before finishing.`, { hint: 'Run without --workers to see the error in the main thread.' }));
      });
    }
    options.stopSignal.addEventListener('abort', onStop, { once: true });
    options.hardSignal.addEventListener('abort', onHard, { once: true });
  });

  return {
    started,
    live: () => sumLive(lives.filter((l): l is LiveStats => l !== undefined)),
    metricsNow: () => mergeMetrics(metrics.flatMap((m) => m ?? [])),
    ...(joiner ? { takeRows: () => joiner.take() } : {}),
    done,
  };
}

function combine(results: LocalLoadResult[], usage: ProcessUsageMonitor): CombinedLoad {
  const byName = new Map<string, ScenarioResult[]>();
  for (const r of results) {
    for (const s of r.scenarios) {
      let list = byName.get(s.result.name);
      if (!list) byName.set(s.result.name, (list = []));
      list.push(s.result);
    }
  }
  const counters = { openIterations: 0, lateStarts: 0, dropped: 0 };
  for (const r of results) {
    counters.openIterations += r.counters.openIterations;
    counters.lateStarts += r.counters.lateStarts;
    counters.dropped += r.counters.dropped;
  }
  return {
    snapshot: mergeSnapshots(results.map((r) => r.snapshot)),
    scenarios: [...byName.values()].map(mergeScenarioResults),
    ...collectErrors(results.flatMap((r) => r.scenarios)),
    loopDelays: results.map((r) => r.loopDelay),
    cpuSamples: usage.cpuSamples.slice(),
    maxRssBytes: usage.maxRssBytes,
    counters,
    loadThreads: results.length,
  };
}

/** Sum the workers' live totals (p95 is the worst worker's: an upper bound). */
export function sumLive(parts: LiveStats[]): LiveStats {
  const out: LiveStats = { elapsedMs: 0, requests: 0, failed: 0, rps: 0, p95ServiceMs: null, p95ResponseMs: null, iterations: 0, droppedIterations: 0, vus: 0 };
  const max = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));
  for (const p of parts) {
    out.elapsedMs = Math.max(out.elapsedMs, p.elapsedMs);
    out.requests += p.requests;
    out.failed += p.failed;
    out.rps += p.rps;
    out.p95ServiceMs = max(out.p95ServiceMs, p.p95ServiceMs);
    out.p95ResponseMs = max(out.p95ResponseMs, p.p95ResponseMs);
    out.iterations += p.iterations;
    out.droppedIterations += p.droppedIterations;
    out.vus += p.vus;
  }
  return out;
}
