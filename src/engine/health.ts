/**
 * Generator health: the load generator watching itself, so a run limited by
 * the generator rather than the target is labelled `generator-saturated`.
 *
 * Measured per interval (1 s): event-loop delay p99 of this thread
 * (`perf_hooks.monitorEventLoopDelay`, 5 ms resolution, minus that resolution), process CPU
 * (`process.cpuUsage()`: user + system of the whole process, worker threads
 * included, as % of one core) and RSS. Worker threads report only their
 * event-loop delay; CPU is taken once, in the main thread, so it is never
 * counted twice.
 *
 * Saturation rules (any one is enough; each becomes an evidence entry):
 * - event-loop delay p99 over the run > 10 ms (research stats-and-stack A3:
 *   past that the generator, not the server, inflates latency);
 * - CPU above 90 % of the generator's usable cores in more than half of the
 *   intervals (usable cores = threads running load, capped by the machine);
 * - late starts > 1 % of open-model iterations (tolerance 10 ms, see
 *   {@link DEFAULT_LATE_START_TOLERANCE_MS}) and at least 10 of them;
 * - dropped iterations > 1 % of scheduled open-model iterations (and at
 *   least 10): maxVUs was exhausted, so the offered load was not delivered.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { GeneratorEvidence, GeneratorHealth } from '../result/types.js';

/** Event-loop delay p99 limit (ms) over the run. */
export const EVENT_LOOP_DELAY_P99_LIMIT_MS = 10;
/** CPU limit per usable core (%). */
export const CPU_LIMIT_PERCENT = 90;
/** Share of intervals above the CPU limit that counts as "most of the run". */
export const CPU_BUSY_SHARE_LIMIT = 0.5;
/** Late starts over open-model iterations. */
export const LATE_START_SHARE_LIMIT = 0.01;
/** Dropped over scheduled open-model iterations. */
export const DROPPED_SHARE_LIMIT = 0.01;
/**
 * Fewest late or dropped iterations that can indicate saturation. A handful in a short
 * run (start-up JIT, one GC pause) is noise, not a generator that limited the run.
 */
export const MIN_LATE_OR_DROPPED = 10;

/** Event-loop delay of one thread, summarised (ms). */
export interface LoopDelaySummary {
  p50: number;
  p99: number;
  max: number;
}

/** Samples one thread's event-loop delay per interval and over the run. */
export class LoopDelayMonitor {
  // Two monitors: an interval histogram cannot be merged into another
  // (RecordableHistogram.add rejects it), so the run total keeps its own.
  private readonly interval: IntervalHistogram;
  private readonly total: IntervalHistogram;
  // Node reports the time between two samples, which includes the sampling
  // resolution itself (an idle loop at resolution 5 reads ≈ 5 ms): subtract it.
  private readonly resolutionNs: number;

  constructor(resolutionMs = 5) {
    this.resolutionNs = resolutionMs * 1e6;
    this.interval = monitorEventLoopDelay({ resolution: resolutionMs });
    this.total = monitorEventLoopDelay({ resolution: resolutionMs });
    this.interval.enable();
    this.total.enable();
  }

  /** p99 (ms) of the interval since the last call; folds it into the run total. */
  takeInterval(): number {
    const h = this.interval;
    const p99 = h.count > 0 ? this.delayMs(h.percentile(99)) : 0;
    h.reset();
    return p99;
  }

  /** Run-level summary (ms). */
  summary(): LoopDelaySummary {
    const t = this.total;
    if (t.count === 0) return { p50: 0, p99: 0, max: 0 };
    return { p50: this.delayMs(t.percentile(50)), p99: this.delayMs(t.percentile(99)), max: this.delayMs(t.max) };
  }

  private delayMs(ns: number): number {
    return Math.max(0, ns - this.resolutionNs) / 1e6;
  }

  /** Stop sampling. */
  stop(): void {
    this.interval.disable();
    this.total.disable();
  }
}

/** Process CPU (% of one core) per interval, and peak RSS. Main thread only. */
export class ProcessUsageMonitor {
  private last = process.cpuUsage();
  private lastAt = performance.now();
  readonly cpuSamples: number[] = [];
  maxRssBytes = process.memoryUsage.rss();

  /** CPU % of one core since the last call (can exceed 100 with worker threads). */
  takeInterval(): number {
    const now = performance.now();
    const usage = process.cpuUsage(this.last);
    this.last = process.cpuUsage();
    const wallUs = (now - this.lastAt) * 1000;
    this.lastAt = now;
    const cpu = wallUs > 0 ? ((usage.user + usage.system) / wallUs) * 100 : 0;
    this.cpuSamples.push(cpu);
    const rss = process.memoryUsage.rss();
    if (rss > this.maxRssBytes) this.maxRssBytes = rss;
    return cpu;
  }
}

/** Inputs of the end-of-run saturation decision. */
export interface HealthInputs {
  /** Event-loop delay of every thread that generated load (max is taken). */
  loopDelays: LoopDelaySummary[];
  cpuSamples: number[];
  maxRssBytes: number;
  /** Threads that generated load (1 without workers). */
  loadThreads: number;
  workers: number;
  openIterations: number;
  lateStarts: number;
  droppedIterations: number;
  lateStartToleranceMs: number;
}

/** Decide `saturated` and build {@link GeneratorHealth} with its evidence. */
export function summarizeHealth(inputs: HealthInputs): GeneratorHealth {
  const eld = inputs.loopDelays.reduce<LoopDelaySummary>(
    (a, b) => ({ p50: Math.max(a.p50, b.p50), p99: Math.max(a.p99, b.p99), max: Math.max(a.max, b.max) }),
    { p50: 0, p99: 0, max: 0 },
  );
  const cpu = inputs.cpuSamples;
  const cpuMean = cpu.length > 0 ? cpu.reduce((a, b) => a + b, 0) / cpu.length : 0;
  const cpuMax = cpu.length > 0 ? Math.max(...cpu) : 0;
  const evidence: GeneratorEvidence[] = [];

  if (eld.p99 > EVENT_LOOP_DELAY_P99_LIMIT_MS) {
    evidence.push({ label: 'generator event-loop delay p99', value: round(eld.p99), unit: 'ms', limit: EVENT_LOOP_DELAY_P99_LIMIT_MS });
  }
  const usableCores = Math.max(1, Math.min(inputs.loadThreads, availableParallelism()));
  const cpuLimit = CPU_LIMIT_PERCENT * usableCores;
  // The first interval includes start-up work; judge only when there are enough intervals to speak of "most of the run".
  if (cpu.length >= 3) {
    const busyShare = cpu.filter((c) => c > cpuLimit).length / cpu.length;
    if (busyShare > CPU_BUSY_SHARE_LIMIT) {
      evidence.push({ label: `share of seconds with generator CPU > ${cpuLimit}%`, value: round(busyShare * 100), unit: '%', limit: CPU_BUSY_SHARE_LIMIT * 100 });
    }
  }
  const scheduled = inputs.openIterations + inputs.droppedIterations;
  if (inputs.lateStarts >= MIN_LATE_OR_DROPPED && inputs.lateStarts / inputs.openIterations > LATE_START_SHARE_LIMIT) {
    evidence.push({
      label: `iterations started > ${inputs.lateStartToleranceMs} ms late`,
      value: round((inputs.lateStarts / inputs.openIterations) * 100),
      unit: '%',
      limit: LATE_START_SHARE_LIMIT * 100,
    });
  }
  if (inputs.droppedIterations >= MIN_LATE_OR_DROPPED && inputs.droppedIterations / scheduled > DROPPED_SHARE_LIMIT) {
    evidence.push({
      label: 'iterations dropped (no free VU: raise preAllocatedVUs/maxVUs)',
      value: round((inputs.droppedIterations / scheduled) * 100),
      unit: '%',
      limit: DROPPED_SHARE_LIMIT * 100,
    });
  }
  return {
    saturated: evidence.length > 0,
    evidence,
    eventLoopDelay: { p50: round(eld.p50), p99: round(eld.p99), max: round(eld.max) },
    cpuPercent: { mean: round(cpuMean), max: round(cpuMax) },
    lateStarts: inputs.lateStarts,
    lateStartToleranceMs: inputs.lateStartToleranceMs,
    droppedIterations: inputs.droppedIterations,
    workers: inputs.workers,
    maxRssBytes: inputs.maxRssBytes,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
