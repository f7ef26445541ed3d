/**
 * The Probe contract (design.md, Probes): one small required interface.
 * A probe samples one part of the system under test during a run and
 * returns aligned time series plus snapshots. Probes must add negligible
 * load and must survive the probed system failing (record the error, keep
 * going, never throw from `sample`).
 *
 * @module
 */
import type { ProbeEvidence } from '../result/types.js';

/** What the runner gives a probe at start. */
export interface ProbeContext {
  /** Epoch ms of the run start: `t = 0` of every series. */
  runStartedAt: number;
  /** Current offset from the run start in ms (monotonic). */
  offsetMs(): number;
  /**
   * A monotonic clock in ms that the load start does not move. `offsetMs()` jumps back when t = 0 is set to
   * the load start, after the probes primed their counters at start; a rate over the span between two readings
   * is measured on this clock (see {@link readingTime}), or the first sample's span is short by the time between
   * priming and the load start (its rate inflated by as much). Absent in a context that never re-bases: the
   * offsets serve.
   */
  monotonicMs?(): number;
  /** Aborted when the run stops early. */
  signal: AbortSignal;
  /** Pid of the service under test when known (`--pid` or `--target-cmd`). */
  targetPid?: number;
}

/** A sampler of one system under test. */
export interface Probe {
  /** `postgres`, `redis`, `prometheus`, `process`, `otlp`. */
  readonly name: string;
  /** Connect and take the "before" snapshot. May throw a TuneupError when the target is unreachable at start. */
  start(ctx: ProbeContext): Promise<void>;
  /** Take one sample at `offsetMs`. Never throws: failures are recorded in the evidence. */
  sample(offsetMs: number): Promise<void>;
  /** Take the "after" snapshot, disconnect, and return the evidence. Never throws. */
  stop(): Promise<ProbeEvidence>;
}

/**
 * When a reading at `offsetMs` happens on the clock spans between readings are measured on:
 * {@link ProbeContext.monotonicMs} when the context has it, else the offset itself.
 */
export function readingTime(ctx: ProbeContext | null | undefined, offsetMs: number): number {
  return ctx?.monotonicMs ? ctx.monotonicMs() : offsetMs;
}
