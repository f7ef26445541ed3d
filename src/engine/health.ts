/**
 * Generator health: the load generator watching itself, so a run limited by
 * the generator rather than the target is labelled `generator-saturated`.
 *
 * Measured per interval (1 s): event-loop delay p99 of this thread
 * (`perf_hooks.monitorEventLoopDelay`, 5 ms resolution, minus that resolution), process CPU
 * (`process.cpuUsage()`: user + system of the whole process, load worker threads
 * included, the probe worker's thread left out, as % of one core) and RSS. Worker threads report only their
 * event-loop delay; CPU is taken once, in the main thread, so it is never
 * counted twice.
 *
 * "The load generator limited this run" must mean that (issue 11 §2), so it
 * is judged by its effect and its cause, not by fixed limits a busy host
 * always exceeds:
 * - **effect** — the generator's own delays as a share of the latencies it
 *   measured: the start lag (response time − service time, known per
 *   request) against the response time, and its event-loop delay (which
 *   delays reading every response, inflating service times) against the
 *   service time, each at p50 and p99. Below {@link DISTORTION_SHARE_LIMIT}
 *   the delays cannot be told from run-to-run noise, whatever they are in ms.
 * - **cause** — the generator's own CPU: above 90 % of its usable cores in
 *   more than half of the intervals it is the generator that is slow
 *   (`limitedBy: 'generator-cpu'`, `saturated`); with its CPU lower, its
 *   lateness is the host's contention — other processes hold the CPU
 *   (`limitedBy: 'host-contention'`, not `saturated`: diagnosis names who
 *   holds it from the process probe's host CPU per process).
 * Dropped iterations mark `saturated` only with the generator's CPU
 * exhausted; otherwise every VU was waiting for the service (Little's law:
 * VUs needed = rate × latency), which diagnosis reports as overload.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { GeneratorEvidence, GeneratorHealth, MetricSeries, RunResult, ScenarioResult } from '../result/types.js';
import { queryMetric } from '../metrics/query.js';

/** Event-loop delay p99 (ms) past which the delay is reported as evidence (research stats-and-stack A3); it no longer decides `saturated` alone. */
export const EVENT_LOOP_DELAY_P99_LIMIT_MS = 10;
/** CPU limit per usable core (%): Clinic.js Doctor's 90 % CPU boundary, applied to the generator's own process. */
export const CPU_LIMIT_PERCENT = 90;
/** Share of intervals above the CPU limit that counts as "most of the run". */
export const CPU_BUSY_SHARE_LIMIT = 0.5;
/** Late starts over open-model iterations (reported as evidence; no longer decides `saturated` alone). */
export const LATE_START_SHARE_LIMIT = 0.01;
/** Dropped over scheduled open-model iterations. */
export const DROPPED_SHARE_LIMIT = 0.01;
/**
 * The generator's delays as a share of the measured latency past which they
 * distort the result: compare's noise threshold for p99 (design.md:
 * p50 3 %, p95 5 %, p99 10 %) — a smaller distortion is within what two
 * runs of the same service differ by, so it cannot change a conclusion.
 */
export const DISTORTION_SHARE_LIMIT = 0.1;
/**
 * Fewest late or dropped iterations that can indicate saturation. A handful in a short
 * run (start-up JIT, one GC pause) is noise, not a generator that limited the run.
 */
export const MIN_LATE_OR_DROPPED = 10;

/** Latency figures the distortion is judged against (ms; from the run's metrics). */
export interface LatencyInputs {
  /** Iteration start lag over all open-model iterations (actual − intended start), null without any. */
  lag: { mean: number; p50: number; p99: number } | null;
  service: { mean: number; p50: number; p99: number };
  response: { mean: number; p50: number; p99: number };
}

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

/** Clock ticks per second of /proc's utime/stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** OS thread ids of this process's threads that generate no load (the probe worker), with their CPU (µs) at the last reading. */
const nonLoadThreads = new Map<number, number>();

/** A thread's user + system CPU (µs) from /proc/self/task/TID/stat; undefined when unreadable (not Linux, thread gone). */
function threadCpuUs(tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at state: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Leave a thread of this process out of the generator's CPU (the probe worker: its queries and parsing
 * are not the generator's work, and counting them would call a busy prober a saturated generator).
 * Returns the function that ends the exclusion.
 */
export function excludeThreadFromGeneratorCpu(osThreadId: number): () => void {
  const now = threadCpuUs(osThreadId);
  if (now === undefined) return () => undefined;
  nonLoadThreads.set(osThreadId, now);
  return () => {
    nonLoadThreads.delete(osThreadId);
  };
}

/** CPU (µs) the excluded threads used since the last call, and their new readings. */
function excludedCpuSinceLast(): number {
  let us = 0;
  for (const [tid, last] of nonLoadThreads) {
    const now = threadCpuUs(tid);
    if (now === undefined) continue;
    us += Math.max(0, now - last);
    nonLoadThreads.set(tid, now);
  }
  return us;
}

/**
 * Process CPU (% of one core) per interval, and peak RSS: every thread that generates load, without the
 * threads excluded by {@link excludeThreadFromGeneratorCpu} (the probe worker).
 */
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
    const ownUs = Math.max(0, usage.user + usage.system - excludedCpuSinceLast());
    const cpu = wallUs > 0 ? (ownUs / wallUs) * 100 : 0;
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
  /** The run's latencies and start lag; without them (older callers) the distortion cannot be judged and lateness counts as before. */
  latency?: LatencyInputs;
}

/**
 * The latency inputs of {@link summarizeHealth} from a run's metrics: start
 * lag over the open-model scenarios (closed-model iterations have none),
 * service and response time over all requests.
 */
export function latencyInputs(metrics: readonly MetricSeries[], totals: RunResult['totals'], scenarios: readonly ScenarioResult[]): LatencyInputs {
  const pick = (t: { mean: number; p50: number; p99: number }) => ({ mean: t.mean, p50: t.p50, p99: t.p99 });
  let lag: LatencyInputs['lag'] = null;
  const open = scenarios.filter((sc) => sc.model === 'open');
  if (open.length > 0) {
    const agg = queryMetric(metrics.filter((m) => m.name === 'iteration_start_lag' && open.some((sc) => sc.name === m.tags.scenario)), 'iteration_start_lag');
    if (agg?.stats && agg.stats.count > 0) lag = pick(agg.stats);
  }
  return { lag, service: pick(totals.serviceTime), response: pick(totals.responseTime) };
}

/**
 * The generator's delays as a share of what it measured (see the module
 * comment): the larger of lag / response time and loop delay / service time,
 * at p50 and at p99. 0 when nothing was measured.
 */
export function generatorDistortionShare(latency: LatencyInputs, loop: LoopDelaySummary): { share: number; basis: string } {
  const candidates: { share: number; basis: string }[] = [];
  const add = (num: number, den: number, basis: string) => {
    if (den > 0 && num > 0) candidates.push({ share: Math.min(1, num / den), basis });
  };
  if (latency.lag) {
    add(latency.lag.p50, latency.response.p50, 'start lag p50 / response time p50');
    add(latency.lag.p99, latency.response.p99, 'start lag p99 / response time p99');
  }
  add(loop.p50, latency.service.p50, 'event-loop delay p50 / service time p50');
  add(loop.p99, latency.service.p99, 'event-loop delay p99 / service time p99');
  return candidates.reduce((a, b) => (b.share > a.share ? b : a), { share: 0, basis: 'no delay measured' });
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
  // Facts that describe lateness; with latency inputs they are reported but decide nothing alone.
  const lateness: GeneratorEvidence[] = [];

  if (eld.p99 > EVENT_LOOP_DELAY_P99_LIMIT_MS) {
    lateness.push({ kind: 'event-loop-delay', label: 'generator event-loop delay p99', value: round(eld.p99), unit: 'ms', limit: EVENT_LOOP_DELAY_P99_LIMIT_MS });
  }
  const usableCores = Math.max(1, Math.min(inputs.loadThreads, availableParallelism()));
  const cpuLimit = CPU_LIMIT_PERCENT * usableCores;
  // The first interval includes start-up work; judge only when there are enough intervals to speak of "most of the run".
  let cpuBusy = false;
  if (cpu.length >= 3) {
    const busyShare = cpu.filter((c) => c > cpuLimit).length / cpu.length;
    if (busyShare > CPU_BUSY_SHARE_LIMIT) {
      cpuBusy = true;
      evidence.push({ kind: 'cpu', label: `share of seconds with generator CPU > ${cpuLimit}%`, value: round(busyShare * 100), unit: '%', limit: CPU_BUSY_SHARE_LIMIT * 100 });
    }
  }
  const scheduled = inputs.openIterations + inputs.droppedIterations;
  if (inputs.lateStarts >= MIN_LATE_OR_DROPPED && inputs.lateStarts / inputs.openIterations > LATE_START_SHARE_LIMIT) {
    lateness.push({
      kind: 'late-starts',
      label: `iterations started > ${inputs.lateStartToleranceMs} ms late`,
      value: round((inputs.lateStarts / inputs.openIterations) * 100),
      unit: '%',
      limit: LATE_START_SHARE_LIMIT * 100,
    });
  }
  const droppedEvidence: GeneratorEvidence[] = [];
  if (inputs.droppedIterations >= MIN_LATE_OR_DROPPED && inputs.droppedIterations / scheduled > DROPPED_SHARE_LIMIT) {
    droppedEvidence.push({
      kind: 'dropped-iterations',
      label: 'iterations dropped (no free VU: raise preAllocatedVUs/maxVUs)',
      value: round((inputs.droppedIterations / scheduled) * 100),
      unit: '%',
      limit: DROPPED_SHARE_LIMIT * 100,
    });
  }
  let limitedBy: GeneratorHealth['limitedBy'];
  let distortion: GeneratorHealth['distortion'];
  if (inputs.latency) {
    const d = generatorDistortionShare(inputs.latency, eld);
    distortion = { share: round(d.share), basis: d.basis, limit: DISTORTION_SHARE_LIMIT };
    const distorted = d.share >= DISTORTION_SHARE_LIMIT;
    if (cpuBusy) {
      // The generator's own CPU is exhausted: its lateness, drops and loop delay are its own.
      limitedBy = 'generator-cpu';
      evidence.push(...lateness, ...droppedEvidence);
      if (distorted) evidence.push({ kind: 'distortion', label: `generator delays / measured latency (${d.basis})`, value: round(d.share * 100), unit: '%', limit: DISTORTION_SHARE_LIMIT * 100 });
    } else if (distorted) {
      // Late with its own CPU available: something else holds the CPU. Not the generator's limit.
      limitedBy = 'host-contention';
    } else limitedBy = 'none';
  } else {
    // No latency figures (an older caller): the fixed limits decide, as before.
    evidence.push(...lateness, ...droppedEvidence);
  }
  return {
    saturated: evidence.length > 0,
    evidence,
    ...(limitedBy !== undefined ? { limitedBy } : {}),
    ...(distortion !== undefined ? { distortion } : {}),
    ...(inputs.latency?.lag ? { startLag: { mean: round(inputs.latency.lag.mean), p50: round(inputs.latency.lag.p50), p99: round(inputs.latency.lag.p99) } } : {}),
    ...(inputs.latency && (lateness.length > 0 || droppedEvidence.length > 0) ? { lateness: [...lateness, ...droppedEvidence] } : {}),
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
