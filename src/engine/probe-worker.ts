/**
 * Entry of the probe worker thread: build the probes from their specs,
 * start them, sample them on this thread's own timer from the load start
 * on, and hand back their evidence at stop. Nothing here runs on the load
 * generator's event loop, so a probe's queries, /proc reads and parsing
 * cannot make the generator late.
 *
 * @module
 */
import { readlinkSync } from 'node:fs';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { createProbeFromSpec } from '../probes/host/create.js';
import { serializeError } from '../probes/host/errors.js';
import { ProbeSet } from '../probes/host/probe-set.js';
import type { Probe, ProbeContext } from '../probes/types.js';
import type { FromProbeWorker, ProbeStartOutcome, ProbeWorkerInit, ToProbeWorker } from './probe-worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('engine/probe-worker.ts must run in a worker thread');

const init = workerData as ProbeWorkerInit;
const post = (message: FromProbeWorker): void => port.postMessage(message);
const absNow = (): number => performance.timeOrigin + performance.now();
const abort = new AbortController();

// The context the probes hold: mutated at `go`, exactly like the main thread's
// context, so "before" snapshots sit before t = 0 and samples after it.
// The worker's boot time (hundreds of ms, seconds on a busy host) is left out of
// the start offsets, so they read as they would in-thread and the "before"
// sample never lands after the first sample of the load.
let originAbsMs = init.originAbsMs + Math.max(0, absNow() - init.spawnedAbsMs);
const ctx: ProbeContext = {
  runStartedAt: init.runStartedAt,
  offsetMs: () => absNow() - originAbsMs,
  monotonicMs: absNow,
  signal: abort.signal,
  ...(init.targetPid !== undefined ? { targetPid: init.targetPid } : {}),
};

let set = new ProbeSet([]);
let timer: NodeJS.Timeout | undefined;
let stopping = false;

/** Tick k fires at origin + k·interval; a late tick skips the ticks it missed instead of bunching them. */
function scheduleTick(k: number): void {
  if (stopping) return;
  const due = originAbsMs + k * init.intervalMs;
  timer = setTimeout(() => {
    const offset = ctx.offsetMs();
    set.sample(offset);
    scheduleTick(Math.max(k + 1, Math.floor(offset / init.intervalMs) + 1));
  }, Math.max(0, due - absNow()));
}

/** This thread's OS id from /proc/thread-self (`PID/task/TID`); undefined off Linux. */
function ownOsThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

async function start(): Promise<void> {
  const probes: (Probe | undefined)[] = [];
  const outcomes: ProbeStartOutcome[] = await Promise.all(
    init.specs.map(async (spec, i): Promise<ProbeStartOutcome> => {
      try {
        const probe = createProbeFromSpec(spec);
        probes[i] = probe;
        await probe.start(ctx);
        return { ok: true };
      } catch (error) {
        probes[i] = undefined;
        return { ok: false, error: serializeError(error) };
      }
    }),
  );
  set = new ProbeSet(probes.filter((p): p is Probe => p !== undefined));
  const osThreadId = ownOsThreadId();
  post({ type: 'started', threadId, ...(osThreadId !== undefined ? { osThreadId } : {}), outcomes });
}

async function stop(budgetMs: number): Promise<void> {
  stopping = true;
  if (timer !== undefined) clearTimeout(timer);
  const evidence = await set.stop(budgetMs, ctx.offsetMs);
  try {
    post({ type: 'evidence', evidence });
  } catch {
    // Evidence that does not structured-clone (a probe put a function in `data`) still crosses as JSON.
    post({ type: 'evidence', evidence: JSON.parse(JSON.stringify(evidence)) as typeof evidence });
  }
}

port.on('message', (message: ToProbeWorker) => {
  switch (message.type) {
    case 'go':
      originAbsMs = message.originAbsMs;
      ctx.runStartedAt = message.runStartedAt;
      scheduleTick(1);
      break;
    case 'abort':
      abort.abort();
      break;
    case 'stop':
      stop(message.budgetMs).catch((error: unknown) => post({ type: 'error', error: serializeError(error) }));
      break;
  }
});

start().catch((error: unknown) => post({ type: 'error', error: serializeError(error) }));
