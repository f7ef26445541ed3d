/**
 * The machinery every executor shares: VU slots (a VU running plan code, or
 * a fixed-request sender), starting and finishing iterations with their
 * accounting (iterations, failures, drops, late starts, interruptions), and
 * the graceful stop. Executors only decide *when* an iteration starts.
 *
 * Hot path: starting an iteration allocates nothing for fixed-request
 * scenarios; per-iteration state lives on the slot object and callbacks are
 * bound once per slot.
 *
 * @module
 */
import type { MetricsRecorder } from '../../metrics/recorder-types.js';
import type { ResolvedScenario } from '../../plan/types.js';
import { RequestShapeCache, createFixedSender, createVuHttp, type FixedSender, type HttpClientOptions, type VuHttpClient } from '../http/index.js';
import type { ExecutionSegment } from '../segments.js';
import type { Clock } from '../types.js';
import { Vu } from '../vu.js';

/** Default late-start tolerance (ms): an open-model iteration starting later than this after its intended time is a late start. 10 ms is the generator event-loop delay limit of research stats-and-stack A3. */
export const DEFAULT_LATE_START_TOLERANCE_MS = 10;

/** How many distinct iteration error messages a scenario keeps for the result warnings. */
export const MAX_KEPT_ERRORS = 5;

/** What a scenario runtime needs from the run. */
export interface ScenarioEnv {
  scenario: ResolvedScenario;
  baseUrl?: string;
  timeoutMs: number;
  headers: Record<string, string>;
  env: Record<string, string | undefined>;
  recorder: MetricsRecorder;
  clock: Clock;
  segment: ExecutionSegment;
  /** Returns a run-unique 1-based VU id. */
  nextVuId(): number;
  lateStartToleranceMs: number;
  /** Aborted on a graceful stop of the run (first Ctrl-C, threshold abort). */
  stopSignal: AbortSignal;
  /** Aborted on a hard stop (second Ctrl-C): interrupt everything now. */
  hardSignal: AbortSignal;
}

/** One VU: the unit of concurrency. */
export abstract class Slot {
  /** Run-unique VU id. */
  readonly id: number;
  /** True from the start of an iteration until the slot is released (including the gap before a closed-loop next iteration). */
  engaged = false;
  /** True while an iteration runs (false in the gap between two closed-loop iterations). */
  running = false;
  /** Incremented on interruption: late callbacks of an interrupted iteration are ignored. */
  gen = 0;
  /** ramping-vus: this VU is ramped down and must not start another iteration. */
  retired = false;
  /** per-vu-iterations: iterations left for this VU. */
  quota = 0;
  /** Clock time the current iteration actually started. */
  startedAt = 0;
  /** Start lag of the current iteration (ms). */
  lagMs = 0;
  /** True while `start` runs, to detect a synchronous finish. */
  starting = false;
  protected readonly rt: ScenarioRuntime;

  constructor(rt: ScenarioRuntime, id: number) {
    this.rt = rt;
    this.id = id;
  }
  /** Begin one iteration intended at `intendedMs`; must eventually call `rt.finish(this, gen, failed, error)`. */
  abstract run(intendedMs: number): void;
  /** Tell the VU it is stopping (plan code sees `vu.stopping`). */
  abstract markStopping(): void;
  /** Undo `markStopping` when a ramped-down VU is reused. */
  abstract resume(): void;
  /** Abort the running iteration (gracefulStop expired). */
  abstract interrupt(): void;
  /** Release connections. */
  abstract close(): Promise<void>;
}

/** A fixed-request slot: one FixedSender, no promises per request. */
class FixedSlot extends Slot {
  private sender: FixedSender;
  private readonly makeSender: () => FixedSender;
  private runGen = 0;
  private readonly onDone = (): void => this.rt.finish(this, this.runGen, false, undefined);

  constructor(rt: ScenarioRuntime, id: number, makeSender: () => FixedSender) {
    super(rt, id);
    this.makeSender = makeSender;
    this.sender = makeSender();
  }
  run(intendedMs: number): void {
    this.runGen = this.gen;
    this.sender.send(intendedMs, this.onDone);
  }
  markStopping(): void {}
  resume(): void {}
  interrupt(): void {
    // Closing the connection aborts the in-flight request; a fresh sender serves any later iteration.
    void Promise.resolve(this.sender.close()).catch(() => undefined);
    this.sender = this.makeSender();
  }
  close(): Promise<void> {
    return Promise.resolve(this.sender.close()).catch(() => undefined);
  }
}

/** A slot running the scenario function with a {@link Vu}. */
class FunctionSlot extends Slot {
  private vu: Vu;
  private http: VuHttpClient;
  private readonly lag: { lagMs: number };
  private readonly makeVu: (lag: { lagMs: number }) => { vu: Vu; http: VuHttpClient };
  private runGen = 0;
  private readonly onOk = (): void => this.rt.finish(this, this.runGen, false, undefined);
  private readonly onError = (error: unknown): void => this.rt.finish(this, this.runGen, true, error);

  constructor(rt: ScenarioRuntime, id: number, makeVu: (lag: { lagMs: number }) => { vu: Vu; http: VuHttpClient }) {
    super(rt, id);
    this.lag = { lagMs: 0 };
    this.makeVu = makeVu;
    ({ vu: this.vu, http: this.http } = makeVu(this.lag));
  }
  run(): void {
    this.runGen = this.gen;
    this.lag.lagMs = this.lagMs;
    this.vu.iteration++;
    let result: Promise<void> | void;
    try {
      result = this.rt.env.scenario.fn(this.vu);
    } catch (error) {
      // A synchronous throw still finishes asynchronously, like a rejected promise.
      queueMicrotask(() => this.onError(error));
      return;
    }
    Promise.resolve(result).then(this.onOk, this.onError);
  }
  markStopping(): void {
    this.vu.markStopping();
  }
  resume(): void {
    this.vu.resume();
  }
  interrupt(): void {
    this.vu.markStopping();
    const old = this.http;
    void Promise.resolve(old.close()).catch(() => undefined);
    // Keep the VU's identity and state but give it a fresh client for any later iteration.
    const iteration = this.vu.iteration;
    const state = this.vu.state;
    ({ vu: this.vu, http: this.http } = this.makeVu(this.lag));
    this.vu.iteration = iteration;
    Object.assign(this.vu.state, state);
    if (this.rt.stopping) this.vu.markStopping();
  }
  close(): Promise<void> {
    return Promise.resolve(this.http.close()).catch(() => undefined);
  }
}

/**
 * Per-scenario state: its slots and counters. An executor creates one,
 * allocates slots, starts iterations, and ends with {@link ScenarioRuntime.gracefulEnd}.
 */
export class ScenarioRuntime {
  readonly env: ScenarioEnv;
  readonly name: string;
  /** Clock time the scenario started (after its startTime). */
  startMs = 0;
  /** Clock time the schedule ended or a stop began. */
  activeEndMs = 0;
  iterations = 0;
  failedIterations = 0;
  droppedIterations = 0;
  lateStarts = 0;
  interruptedIterations = 0;
  /** Engaged slots now, and the peak. */
  busy = 0;
  maxBusy = 0;
  readonly slots: Slot[] = [];
  /** True once the graceful stop began: no new iteration starts. */
  stopping = false;
  /** First iteration error messages (distinct), for the result warnings. */
  readonly errors: string[] = [];
  errorCount = 0;
  /** Set by open executors: the current target rate (iterations/s) for the live series. */
  targetRateNow: (nowMs: number) => number = () => 0;
  /** Request-shape caches shared by this scenario's plan-code VUs (bounded per scenario, not per VU). */
  private shapes: RequestShapeCache | undefined;
  /**
   * Called after an iteration finished (and the run is not stopping): return
   * true to start the next iteration on this slot at once (closed loop).
   */
  continuePolicy: (slot: Slot) => boolean = () => false;
  /** Called when a slot is released (open model: back to the idle pool). */
  onRelease: (slot: Slot) => void = () => undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly open: boolean;

  constructor(env: ScenarioEnv) {
    this.env = env;
    this.name = env.scenario.name;
    this.open = env.scenario.model === 'open';
  }

  /** Number of VUs allocated so far. */
  get allocated(): number {
    return this.slots.length;
  }

  /** Create one more VU (connection or plan-code VU). */
  allocate(): Slot {
    const env = this.env;
    const s = env.scenario;
    const id = env.nextVuId();
    const base: Omit<HttpClientOptions, 'lag'> = {
      baseUrl: env.baseUrl,
      timeoutMs: env.timeoutMs,
      recorder: env.recorder,
      scenario: s.name,
      tags: s.tags,
      clock: env.clock,
      headers: env.headers,
    };
    let slot: Slot;
    if (s.fixed !== undefined) {
      const spec = s.fixed;
      slot = new FixedSlot(this, id, () => createFixedSender(spec, { ...base, lag: { lagMs: 0 } }));
    } else {
      const vuEnv = { ...env.env, ...s.env };
      const shapes = (this.shapes ??= new RequestShapeCache({ baseUrl: base.baseUrl, rejectUnauthorized: base.rejectUnauthorized ?? true, recorder: base.recorder, scenario: base.scenario }));
      slot = new FunctionSlot(this, id, (lag) => {
        const http = createVuHttp({ ...base, lag, shapes });
        const vu = new Vu({ id, scenario: s.name, tags: s.tags, env: vuEnv, http, recorder: env.recorder, clock: env.clock });
        return { vu, http };
      });
    }
    this.slots.push(slot);
    return slot;
  }

  /**
   * Start an iteration on an idle slot. `intendedMs` is the clock time it was
   * due (open model) or undefined (closed model: due now, lag 0).
   */
  start(slot: Slot, intendedMs?: number): void {
    const now = this.env.clock.now();
    if (!slot.engaged) {
      slot.engaged = true;
      if (++this.busy > this.maxBusy) this.maxBusy = this.busy;
    }
    slot.startedAt = now;
    if (this.open && intendedMs !== undefined) {
      const lag = now - intendedMs;
      slot.lagMs = lag > 0 ? lag : 0;
      if (lag > this.env.lateStartToleranceMs) this.lateStarts++;
    } else {
      slot.lagMs = 0;
    }
    slot.starting = true;
    slot.running = true;
    slot.run(intendedMs ?? now);
    slot.starting = false;
  }

  /** Record one iteration that could not start (no free VU, or no time left). */
  drop(count = 1): void {
    for (let i = 0; i < count; i++) this.env.recorder.recordDroppedIteration(this.name);
    this.droppedIterations += count;
  }

  /** Called by slots when an iteration ends. Ignores iterations interrupted meanwhile. */
  finish(slot: Slot, gen: number, failed: boolean, error: unknown): void {
    if (gen !== slot.gen || !slot.engaged) return;
    const now = this.env.clock.now();
    slot.running = false;
    this.iterations++;
    if (failed) {
      this.failedIterations++;
      this.keepError(error);
    }
    this.env.recorder.recordIteration(this.name, (now - slot.startedAt) * 1000, slot.lagMs * 1000, failed);
    if (!this.stopping && this.continuePolicy(slot)) {
      // Next closed-model iteration. Plan code and synchronous finishes go
      // through setImmediate so a VU that never awaits I/O cannot starve timers.
      if (slot.starting || slot instanceof FunctionSlot) setImmediate(this.restart, slot, slot.gen);
      else this.start(slot);
      return;
    }
    this.release(slot);
  }

  private readonly restart = (slot: Slot, gen: number): void => {
    if (gen !== slot.gen || !slot.engaged) return;
    if (this.stopping) {
      this.release(slot);
      return;
    }
    this.start(slot);
  };

  /** Mark a slot free. */
  release(slot: Slot): void {
    if (!slot.engaged) return;
    slot.engaged = false;
    this.busy--;
    this.onRelease(slot);
    if (this.busy === 0) this.notifyIdle();
  }

  /** Interrupt one engaged slot (gracefulStop or gracefulRampDown expired). */
  interruptSlot(slot: Slot): void {
    if (!slot.engaged) return;
    slot.gen++;
    if (slot.running) {
      slot.running = false;
      this.interruptedIterations++;
      slot.interrupt();
    }
    // A slot between two closed-loop iterations has nothing to interrupt: it is only released.
    this.release(slot);
  }

  /** Resolves when no slot is engaged. */
  whenIdle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Clock time `offsetMs` after the scenario start. */
  at(offsetMs: number): number {
    return this.startMs + offsetMs;
  }

  /** Sleep until `offsetMs` from the scenario start, or until the run stops. Returns false when stopped. */
  async sleepUntil(offsetMs: number): Promise<boolean> {
    const signal = this.env.stopSignal;
    await this.sleepUntilOr(offsetMs, signal);
    return !signal.aborted;
  }

  /**
   * Sleep until `offsetMs` from the scenario start unless `signal` aborts
   * first (the timer is then cleared, so nothing keeps the process alive).
   */
  async sleepUntilOr(offsetMs: number, signal: AbortSignal): Promise<void> {
    // Timers may fire a fraction of a millisecond early against performance.now(): sleep until really due.
    for (let wait = this.at(offsetMs) - this.env.clock.now(); wait > 0 && !signal.aborted; wait = this.at(offsetMs) - this.env.clock.now()) {
      await this.env.clock.sleep(Math.max(1, wait), signal);
    }
  }

  /**
   * Resolve when every engaged slot is released or at `offsetMs`, whichever
   * comes first, or when the run stops. True when all finished in time.
   */
  async idleOrDeadline(offsetMs: number): Promise<boolean> {
    const wake = new AbortController();
    const onStop = (): void => wake.abort();
    this.env.stopSignal.addEventListener('abort', onStop, { once: true });
    let idle = false;
    void this.whenIdle().then(() => {
      idle = true;
      wake.abort();
    });
    await this.sleepUntilOr(offsetMs, wake.signal);
    this.env.stopSignal.removeEventListener('abort', onStop);
    return idle;
  }

  /**
   * End the scenario: no new iteration starts, VUs see `stopping`, running
   * iterations get `gracefulStopMs` to finish, the rest are interrupted.
   * A hard stop interrupts at once.
   */
  async gracefulEnd(gracefulStopMs: number): Promise<void> {
    if (this.activeEndMs === 0) this.activeEndMs = this.env.clock.now();
    this.stopping = true;
    for (const slot of this.slots) slot.markStopping();
    if (this.busy > 0 && !this.env.hardSignal.aborted && gracefulStopMs > 0) {
      const wake = new AbortController();
      const onHard = (): void => wake.abort();
      this.env.hardSignal.addEventListener('abort', onHard, { once: true });
      void this.whenIdle().then(() => wake.abort());
      await this.env.clock.sleep(gracefulStopMs, wake.signal);
      this.env.hardSignal.removeEventListener('abort', onHard);
    }
    for (const slot of this.slots) if (slot.engaged) this.interruptSlot(slot);
  }

  /** Close every slot's connections. */
  async closeAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }

  private keepError(error: unknown): void {
    this.errorCount++;
    if (this.errors.length >= MAX_KEPT_ERRORS) return;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (!this.errors.includes(message)) this.errors.push(message);
  }
}
