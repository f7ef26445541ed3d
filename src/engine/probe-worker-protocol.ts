/**
 * Messages between the main thread and the probe worker thread. All of it is
 * structured-clone data. Times cross the thread boundary as absolute
 * monotonic milliseconds (`performance.timeOrigin + performance.now()`),
 * which both threads read from the same clock, so offsets agree.
 *
 * @module
 */
import type { SerializedError } from '../probes/host/errors.js';
import type { ProbeSpec } from '../probes/host/spec.js';
import type { ProbeEvidence } from '../result/types.js';

/** `workerData` of the probe worker. */
export interface ProbeWorkerInit {
  specs: ProbeSpec[];
  /** Sampling interval of the worker's own timer (ms). */
  intervalMs: number;
  /** Absolute monotonic ms of offset 0 of the probe context at start. */
  originAbsMs: number;
  /** Absolute monotonic ms when the main thread created the worker: the boot time is left out of start offsets. */
  spawnedAbsMs: number;
  /** Epoch ms of the run start as the main thread knows it at start. */
  runStartedAt: number;
  targetPid?: number;
}

/** Main → worker. */
export type ToProbeWorker =
  | { type: 'go'; /** New offset 0: the load start. */ originAbsMs: number; runStartedAt: number }
  | { type: 'abort' }
  | { type: 'stop'; /** Time the worker has to hand back evidence (ms). */ budgetMs: number };

/** Per spec, the outcome of `start`. */
export type ProbeStartOutcome = { ok: true } | { ok: false; error: SerializedError };

/** Worker → main. */
export type FromProbeWorker =
  | {
      type: 'started';
      threadId: number;
      /** The worker's OS thread id (Linux /proc/thread-self), so the generator leaves its CPU out of its own; absent elsewhere. */
      osThreadId?: number;
      outcomes: ProbeStartOutcome[];
    }
  | { type: 'evidence'; evidence: ProbeEvidence[] }
  | { type: 'error'; error: SerializedError };
