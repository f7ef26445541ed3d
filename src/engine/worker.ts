/**
 * Entry of a load worker thread: re-create the plan, wait for the common
 * start time, run one execution segment with its own recorder, post live
 * stats each interval and the snapshot at the end.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MetricsSnapshot } from '../metrics/index.js';
import type { ResolvedPlan, ResolvedScenario } from '../plan/types.js';
import { systemClock } from './clock.js';
import { startLocalLoad } from './local-load.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('engine/worker.ts must run in a worker thread');

const init = workerData as WorkerInit;
const post = (message: FromWorker): void => port.postMessage(message);
const stopController = new AbortController();
const hardController = new AbortController();
let cpuPercent = 0;

async function loadPlan(): Promise<ResolvedPlan> {
  if (init.plan !== undefined) {
    // Data plans arrive without functions; the fixed-request fast path never calls `fn`.
    const scenarios = init.plan.scenarios.map((s) => ({ ...s, fn: notCallable(s.name) }) as ResolvedScenario);
    return { ...init.plan, scenarios };
  }
  const source = init.planSource!;
  const mod = (await import(source.module)) as Record<string, unknown>;
  const factory = mod[source.exportName];
  if (typeof factory !== 'function') throw new Error(`${source.module} does not export a function ${source.exportName}`);
  return (await (factory as (...args: unknown[]) => unknown)(...source.args)) as ResolvedPlan;
}

function notCallable(name: string): () => never {
  return () => {
    throw new Error(`scenario ${name}: plan code is not available in this worker (pass a planSource)`);
  };
}

function start(plan: ResolvedPlan, runStartAbsMs: number): void {
  const local = startLocalLoad({
    plan,
    clock: systemClock,
    runStartMs: runStartAbsMs - performance.timeOrigin,
    segment: init.segment,
    lateStartToleranceMs: init.lateStartToleranceMs,
    stopSignal: stopController.signal,
    hardSignal: hardController.signal,
    externalCpu: () => cpuPercent,
    onInterval: ({ eventLoopDelayP99Ms }) => {
      const metrics = init.wantMetrics ? local.recorder.metricsSnapshot() : undefined;
      post({ type: 'interval', live: local.live(), eventLoopDelayP99Ms, ...(metrics ? { metrics } : {}) });
      // The interval closes right after this callback, in the same tick: take its row once the tick is over.
      if (init.wantRows) {
        setImmediate(() => {
          const rows = local.recorder.takeClosedRows();
          if (rows.length > 0) post({ type: 'rows', rows });
        });
      }
    },
  });
  if (init.wantRows) local.recorder.watchRows();
  local.done.then(
    (result) => post({ type: 'done', result }),
    (error: unknown) => postError(error),
  );
}

function postError(error: unknown): void {
  const e = error as { message?: string; code?: string; hint?: string; location?: string; stack?: string };
  post({ type: 'error', error: { message: e?.message ?? String(error), code: e?.code, hint: e?.hint, location: e?.location, stack: e?.stack } });
}

loadPlan().then(
  (plan) => {
    port.on('message', (message: ToWorker) => {
      switch (message.type) {
        case 'go':
          start(plan, message.runStartAbsMs);
          break;
        case 'cpu':
          cpuPercent = message.cpuPercent;
          break;
        case 'stop':
          stopController.abort();
          break;
        case 'hardStop':
          stopController.abort();
          hardController.abort();
          break;
      }
    });
    post({ type: 'ready' });
  },
  (error: unknown) => postError(error),
);
