/**
 * The main thread's side of the probe worker: start the worker with the
 * probe specs, tell it when the load starts, and collect the evidence at
 * stop. The worker samples on its own timer; the main thread only sends
 * three messages per run, so probing costs the generator's loop nothing
 * while the load runs.
 *
 * @module
 */
import { threadId as mainThreadId, Worker } from 'node:worker_threads';
import { TuneupError } from '../errors.js';
import { deserializeError, type SerializedError } from '../probes/host/errors.js';
import { failedEvidence } from '../probes/host/probe-set.js';
import type { ProbeSpec } from '../probes/host/spec.js';
import type { ProbeContext } from '../probes/types.js';
import type { ProbeEvidence } from '../result/types.js';
import { excludeThreadFromGeneratorCpu } from './health.js';
import type { FromProbeWorker, ProbeWorkerInit, ToProbeWorker } from './probe-worker-protocol.js';
import { workerEntry } from './workers.js';

/** Extra time the main thread waits past the worker's own stop budget before it gives up on the worker. */
const STOP_GRACE_MS = 2000;

/** Start outcome of one spec: ok, or the error its `start` threw (rebuilt in this thread). */
export type HostedStart = { ok: true } | { ok: false; error: Error };

/** A running probe worker. */
export interface ProbeWorkerHandle {
  /** `threadId` of the worker thread the probes run in. */
  readonly threadId: number;
  /** The start outcome of each spec, in order. */
  readonly outcomes: HostedStart[];
  /** The load started: offset 0 is now `originAbsMs`; sampling begins one interval later. */
  go(originAbsMs: number, runStartedAt: number): void;
  /** The run stopped early: abort what the probes are doing (their context's signal). */
  abort(): void;
  /**
   * Stop the started probes and return their evidence (in spec order, started
   * ones only). Never throws: a worker that crashed or did not answer within
   * `budgetMs` (+ a grace period) yields evidence marked not ok. The worker
   * is terminated afterwards.
   */
  stop(budgetMs: number): Promise<ProbeEvidence[]>;
}

/** Absolute monotonic ms, the same clock in every thread of the process. */
export function absoluteNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Start a worker thread hosting the probes of `specs` and wait until every
 * probe's `start` settled. Rejects with `TUNEUP_PROBE_HOST_FAILED` only when
 * the worker itself cannot run; a probe's own start error is reported in
 * `outcomes` with its code and hint intact.
 */
export async function startProbeWorker(specs: ProbeSpec[], ctx: ProbeContext, options: { intervalMs: number }): Promise<ProbeWorkerHandle> {
  const init: ProbeWorkerInit = {
    specs,
    intervalMs: options.intervalMs,
    originAbsMs: absoluteNowMs() - ctx.offsetMs(),
    spawnedAbsMs: absoluteNowMs(),
    runStartedAt: ctx.runStartedAt,
    ...(ctx.targetPid !== undefined ? { targetPid: ctx.targetPid } : {}),
  };
  const entry = workerEntry('probe-worker');
  const worker = new Worker(entry.entry, { workerData: init, eval: entry.eval });
  const send = (message: ToProbeWorker): void => {
    try {
      worker.postMessage(message);
    } catch {
      // The worker is gone; stop() notices and reports it.
    }
  };

  // Every message and the worker's end, as one stream the phases below wait on.
  let onEvent: (event: FromProbeWorker | { type: 'exit'; reason: string }) => void = () => undefined;
  let ended: string | undefined;
  worker.on('message', (message: FromProbeWorker) => onEvent(message));
  worker.on('error', (error) => {
    ended ??= `crashed: ${error.message}`;
    onEvent({ type: 'exit', reason: ended });
  });
  worker.on('exit', (code) => {
    ended ??= `exited with code ${code}`;
    onEvent({ type: 'exit', reason: ended });
  });

  const hostFailed = (reason: string): TuneupError =>
    new TuneupError('TUNEUP_PROBE_HOST_FAILED', `The probe worker thread ${reason}`, {
      hint: "Re-run with --verbose and report it (a bug); meanwhile run without the probe flags, or, from the library, with probeHost: 'main'.",
    });

  const started = await new Promise<{ threadId: number; osThreadId?: number; outcomes: HostedStart[] }>((resolve, reject) => {
    onEvent = (event) => {
      if (event.type === 'started') {
        resolve({
          threadId: event.threadId,
          ...(event.osThreadId !== undefined ? { osThreadId: event.osThreadId } : {}),
          outcomes: event.outcomes.map((o) => (o.ok ? { ok: true } : { ok: false, error: deserializeError(o.error) })),
        });
      } else if (event.type === 'error') {
        reject(hostFailed(`failed to start: ${describe(event.error)}`));
        void worker.terminate();
      } else if (event.type === 'exit') {
        reject(hostFailed(event.reason));
      }
    };
  });
  if (started.threadId === mainThreadId) throw hostFailed('reported the main thread id');

  // The probes' CPU is not the generator's: its self-health verdict judges the load threads only.
  const releaseCpu = started.osThreadId !== undefined ? excludeThreadFromGeneratorCpu(started.osThreadId) : () => undefined;
  const names = specs.filter((_, i) => started.outcomes[i]!.ok).map((s) => s.kind);
  let stopped: Promise<ProbeEvidence[]> | undefined;
  return {
    threadId: started.threadId,
    outcomes: started.outcomes,
    go: (originAbsMs, runStartedAt) => send({ type: 'go', originAbsMs, runStartedAt }),
    abort: () => send({ type: 'abort' }),
    stop(budgetMs) {
      stopped ??= new Promise<ProbeEvidence[]>((resolve) => {
        const lost = (why: string): ProbeEvidence[] => names.map((name) => failedEvidence(name, `the probe worker ${why}; this probe's evidence is lost`));
        let timer: NodeJS.Timeout | undefined;
        const finish = (evidence: ProbeEvidence[]): void => {
          clearTimeout(timer);
          releaseCpu();
          onEvent = () => undefined;
          resolve(evidence);
          void worker.terminate();
        };
        if (ended !== undefined) return finish(lost(ended));
        onEvent = (event) => {
          if (event.type === 'evidence') finish(event.evidence.length === names.length ? event.evidence : lost('returned evidence for the wrong number of probes'));
          else if (event.type === 'error') finish(lost(`failed: ${describe(event.error)}`));
          else if (event.type === 'exit') finish(lost(event.reason));
        };
        timer = setTimeout(() => finish(lost(`did not answer within ${budgetMs + STOP_GRACE_MS} ms (hung)`)), budgetMs + STOP_GRACE_MS);
        send({ type: 'stop', budgetMs });
      });
      return stopped;
    },
  };
}

function describe(error: Partial<SerializedError>): string {
  return error.code ? `${error.message} (${error.code})` : String(error.message);
}
