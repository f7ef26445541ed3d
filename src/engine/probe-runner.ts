/**
 * Drives the run's probes: start all before the load, sample every second,
 * stop all at the end. A probe failing to stop yields evidence marked not
 * ok, never a throw, and stop's wait is bounded.
 *
 * Probes built from a spec (`probeFromSpec`, the CLI's probes) are rebuilt
 * and run in a probe worker thread with its own sampling timer: their
 * queries, /proc reads and parsing never run on the generator's event loop.
 * Other probes (a library user's own `Probe` objects) run on this thread,
 * sampled when the run calls {@link ProbeRunner.sample}. The worker keeps
 * real time: with a virtual clock (tests), hosted probes' offsets are wall
 * milliseconds since the load start.
 *
 * @module
 */
import { DEFAULT_PROBE_STOP_TIMEOUT_MS, ProbeSet } from '../probes/host/probe-set.js';
import { probeSpecOf, type ProbeSpec } from '../probes/host/spec.js';
import type { Probe, ProbeContext } from '../probes/types.js';
import type { ProbeEvidence } from '../result/types.js';
import { absoluteNowMs, startProbeWorker, type ProbeWorkerHandle } from './probe-worker-host.js';

/** Where probes built from a spec run. */
export type ProbeHostMode = 'worker' | 'main';

/** Options of {@link ProbeRunner}. */
export interface ProbeRunnerOptions {
  /**
   * `worker` (default): probes built from a spec run in a probe worker thread.
   * `main`: every probe runs on this thread, as before the worker existed
   * (kept to measure what the worker saves: bench/probe-overhead.ts).
   */
  host?: ProbeHostMode;
  /** Longest wait for the probes' evidence at stop (ms, default 20 s); late probes get evidence marked not ok. */
  stopTimeoutMs?: number;
  /** Sampling interval of the worker's timer (ms, default 1000). */
  intervalMs?: number;
}

/** Runs a set of probes for one run. */
export class ProbeRunner {
  private readonly probes: readonly Probe[];
  private readonly specs: (ProbeSpec | undefined)[];
  private readonly options: Required<ProbeRunnerOptions>;
  private ctx: ProbeContext | undefined;
  private local = new ProbeSet([]);
  private localSlots: number[] = [];
  private hosted: ProbeWorkerHandle | undefined;
  private hostedSlots: number[] = [];
  private went = false;
  private hostThreadId: number | undefined;
  private readonly onAbort = (): void => this.hosted?.abort();

  constructor(probes: readonly Probe[], options: ProbeRunnerOptions = {}) {
    this.probes = probes;
    this.options = { host: options.host ?? 'worker', stopTimeoutMs: options.stopTimeoutMs ?? DEFAULT_PROBE_STOP_TIMEOUT_MS, intervalMs: options.intervalMs ?? 1000 };
    this.specs = probes.map((p) => (this.options.host === 'worker' ? probeSpecOf(p) : undefined));
  }

  /** `threadId` of the probe worker, when probes ran in one (set by `start`, kept after `stop`). */
  get workerThreadId(): number | undefined {
    return this.hostThreadId;
  }

  /** Start every probe (in parallel). If one throws, the others are stopped and the first error (in probe order) is rethrown. */
  async start(ctx: ProbeContext): Promise<void> {
    this.ctx = ctx;
    const localIdx = this.specs.flatMap((s, i) => (s === undefined ? [i] : []));
    const hostedIdx = this.specs.flatMap((s, i) => (s === undefined ? [] : [i]));
    const [localResults, hostedResult] = await Promise.all([
      Promise.allSettled(localIdx.map((i) => this.probes[i]!.start(ctx))),
      hostedIdx.length === 0
        ? Promise.resolve(undefined)
        : startProbeWorker(hostedIdx.map((i) => this.specs[i]!), ctx, { intervalMs: this.options.intervalMs }).then(
            (handle) => ({ handle }),
            (error: unknown) => ({ error }),
          ),
    ]);

    // Errors by probe position, so the one reported is the same whichever thread ran it.
    const errors = new Map<number, unknown>();
    localResults.forEach((r, k) => r.status === 'rejected' && errors.set(localIdx[k]!, r.reason));
    const handle = hostedResult && 'handle' in hostedResult ? hostedResult.handle : undefined;
    if (hostedResult && 'error' in hostedResult) errors.set(hostedIdx[0]!, hostedResult.error);
    handle?.outcomes.forEach((o, k) => !o.ok && errors.set(hostedIdx[k]!, o.error));

    this.localSlots = localIdx.filter((_, k) => localResults[k]!.status === 'fulfilled');
    this.local = new ProbeSet(this.localSlots.map((i) => this.probes[i]!));
    this.hosted = handle;
    this.hostThreadId = handle?.threadId;
    this.hostedSlots = handle ? hostedIdx.filter((_, k) => handle.outcomes[k]!.ok) : [];
    if (errors.size > 0) {
      await this.stop();
      throw errors.get(Math.min(...errors.keys()));
    }
    ctx.signal.addEventListener('abort', this.onAbort, { once: true });
    if (ctx.signal.aborted) this.onAbort();
  }

  /**
   * The load started: the context's offset 0 and `runStartedAt` now name the
   * load start. Hosted probes sample from here on, on the worker's timer.
   */
  loadStarted(): void {
    if (this.went || this.ctx === undefined) return;
    this.went = true;
    this.hosted?.go(absoluteNowMs() - this.ctx.offsetMs(), this.ctx.runStartedAt);
  }

  /** Sample the probes that run on this thread (those whose previous sample finished). Never awaits. */
  sample(offsetMs: number): void {
    // A caller that never said when the load started still gets hosted samples.
    this.loadStarted();
    this.local.sample(offsetMs);
  }

  /** Stop every probe and collect its evidence (probe order). Bounded by `stopTimeoutMs`; never throws. */
  async stop(): Promise<ProbeEvidence[]> {
    this.ctx?.signal.removeEventListener('abort', this.onAbort);
    const offsetMs = (): number => this.ctx?.offsetMs() ?? 0;
    const [local, hosted] = await Promise.all([
      this.local.stop(this.options.stopTimeoutMs, offsetMs),
      this.hosted ? this.hosted.stop(this.options.stopTimeoutMs) : Promise.resolve([]),
    ]);
    const bySlot = new Map<number, ProbeEvidence>();
    local.forEach((e, k) => bySlot.set(this.localSlots[k]!, e));
    hosted.forEach((e, k) => bySlot.set(this.hostedSlots[k]!, e));
    this.local = new ProbeSet([]);
    this.localSlots = [];
    this.hosted = undefined;
    this.hostedSlots = [];
    return [...bySlot.keys()].sort((a, b) => a - b).map((i) => bySlot.get(i)!);
  }
}
