/**
 * The service's event-loop delay as prom-client reports it (monitorEventLoopDelay percentiles per scrape),
 * summarised over the run the one way every rule reads it: medians over scrapes of p50 and p99, the p90 over
 * scrapes of the maximum, all less the monitor's own resolution.
 *
 * @module
 */
import type { Evidence } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { alignToGrid, numbers, quantile } from '../evidence.js';
import type { DiagnosisInput } from './types.js';

/** Event-loop delay read from prom-client's metrics, less the monitor's own resolution. */
export interface LoopDelay {
  /** Medians over scrapes of the reported p50 and p99, and the p90 over scrapes of the maximum (ms, excess over the floor). */
  p50: number;
  p99: number;
  maxP90: number;
  /** Monitor resolution subtracted (ms). */
  floor: number;
  evidence: Evidence[];
}

/** The loop delay, or undefined when the service exposes none. */
export function readLoopDelay(input: DiagnosisInput): LoopDelay | undefined {
  const v = input.probes.prometheus?.series.values;
  if (!v) return undefined;
  const p50 = numbers(v.eventLoopLagP50Ms);
  const p99 = numbers(v.eventLoopLagP99Ms);
  const max = numbers(v.eventLoopLagMaxMs);
  const legacy = numbers(v.eventLoopLagMs);
  if (p50.length + p99.length + max.length + legacy.length === 0) return undefined;
  // prom-client (like perf_hooks.monitorEventLoopDelay underneath) samples the loop on a timer of
  // `eventLoopMonitoringPrecision` (10 ms by default) and reports that resolution as delay: an idle
  // loop shows p50 ≈ min ≈ 10 ms. The reported minimum is that floor; only the excess is blocking.
  const mins = numbers(v.eventLoopLagMinMs);
  const floor = mins.length > 0 ? quantile(mins, 0.5) : 0;
  const excess = (x: number) => Math.max(0, x - floor);
  const delay: LoopDelay = {
    p50: excess(p50.length > 0 ? quantile(p50, 0.5) : legacy.length > 0 ? quantile(legacy, 0.5) : 0),
    p99: excess(p99.length > 0 ? quantile(p99, 0.5) : 0),
    maxP90: max.length >= 3 ? excess(quantile(max, 0.9)) : 0,
    floor,
    evidence: [],
  };
  if (p50.length > 0 || legacy.length > 0) delay.evidence.push({ label: 'event-loop delay p50 (median over scrapes)', value: delay.p50, unit: 'ms', source: p50.length > 0 ? 'nodejs_eventloop_lag_p50_seconds' : 'nodejs_eventloop_lag_seconds' });
  if (p99.length > 0) delay.evidence.push({ label: 'event-loop delay p99 (median over scrapes)', value: delay.p99, unit: 'ms', source: 'nodejs_eventloop_lag_p99_seconds' });
  if (max.length > 0) delay.evidence.push({ label: 'event-loop delay max (p90 over scrapes)', value: delay.maxP90, unit: 'ms', source: 'nodejs_eventloop_lag_max_seconds' });
  if (floor > 0) delay.evidence.push({ label: 'monitor resolution subtracted (median reported minimum)', value: floor, unit: 'ms', source: 'nodejs_eventloop_lag_min_seconds' });
  return delay;
}

/** Does the delay breach Clinic Doctor's limits (median ≥ 10 ms, max ≥ 100 ms) or overload-protection's 42 ms p99? */
export function loopDelayOver(delay: LoopDelay, config: RuleConfig): boolean {
  return delay.p50 >= config.get('eventLoop.p50LagMs') || delay.p99 >= config.get('eventLoop.p99LagMs') || delay.maxP90 >= config.get('eventLoop.maxLagMs');
}

/**
 * Utilization at and above which the main thread's queue has no steady state (ρ/(1−ρ) diverges): the
 * queueing model is evaluated here, and the saturation itself is the cpu-saturation rule's to report.
 */
const MODEL_MAX_UTILIZATION = 0.95;

/** The loop delay one endpoint's synchronous work causes to every other request (see {@link loopDelayCausedBy}). */
export interface CausedDelay {
  endpoint: string;
  /** Synchronous CPU per request on the main thread (ms), as judged: a mixed-run estimate counts by its lower bound. */
  blockMs: number;
  /** Requests per second of the endpoint. */
  rps: number;
  /** Its share of the main thread's time: rps × blockMs / 1000. */
  utilization: number;
  /** Mean wait its blocks add to a request arriving at the loop (ms), queueing included. */
  meanWaitMs: number;
  /** The wait that 1 % of arriving requests exceed because of its blocks (ms); 0 when < 1 % of arrivals meet one. */
  p99WaitMs: number;
}

/**
 * The wait one endpoint's synchronous blocks impose on the other requests, from queueing theory (M/G/1,
 * deterministic blocks). The main thread is one server at utilization ρ (measured main-thread CPU, else the
 * sum of every endpoint's rate × block). A request arriving during one of the endpoint's blocks (probability
 * ρₑ = λₑ·mₑ, by PASTA) waits the block's remainder, uniform on (0, mₑ); queueing behind the rest of the
 * work stretches the wait by 1/(1−ρ). Pollaczek–Khinchine: the endpoint's share of the mean wait is
 * λₑ·mₑ² / (2(1−ρ)) = ρₑ·mₑ / (2(1−ρ)) — it grows with its share of the loop and like ρ/(1−ρ) with the load.
 * The p99 wait it causes is mₑ·(1 − 0.01/ρₑ) / (1−ρ) when ρₑ > 1 %.
 *
 * Rate and utilization are taken in the seconds the endpoint ran (its own step in a profile run).
 *
 * @param blocks - per endpoint, its synchronous main-thread CPU per request (ms)
 * @param utilization - measured main-thread utilization (0..1) per grid interval (or one value), if any
 */
export function loopDelayCausedBy(input: DiagnosisInput, blocks: { endpoint: string; blockMs: number }[], utilization: (number | null)[] | number | undefined): CausedDelay[] {
  const grid = input.result.series;
  const intervalS = grid.intervalMs / 1000;
  const reqs = (e: string) => grid.endpoints[e]?.requests ?? [];
  return blocks.map((b) => {
    // Judged in the seconds the endpoint ran: in a profile run its own step, in a mixed run (nearly) all of them.
    const mine = reqs(b.endpoint);
    const seconds = mine.map((_, i) => i).filter((i) => (mine[i] ?? 0) > 0);
    const count = seconds.reduce((a, i) => a + mine[i]!, 0);
    const rps = seconds.length > 0 ? count / (seconds.length * intervalS) : (input.result.endpoints.find((e) => e.endpoint === b.endpoint)?.rps ?? 0);
    const own = (rps * Math.max(0, b.blockMs)) / 1000;
    // The loop's utilization in those seconds: measured (main-thread CPU), else every endpoint's rate × block.
    let rho: number;
    if (Array.isArray(utilization)) {
      const xs = seconds.map((i) => utilization[i]).filter((v): v is number => v !== null && v !== undefined);
      rho = xs.length > 0 ? xs.reduce((a, v) => a + v, 0) / xs.length : own;
    } else if (typeof utilization === 'number') {
      rho = utilization;
    } else {
      const work = seconds.map((i) => blocks.reduce((a, o) => a + ((reqs(o.endpoint)[i] ?? 0) / intervalS) * Math.max(0, o.blockMs), 0) / 1000);
      rho = work.length > 0 ? work.reduce((a, v) => a + v, 0) / work.length : own;
    }
    rho = Math.min(MODEL_MAX_UTILIZATION, Math.max(rho, own));
    return {
      ...b,
      rps,
      utilization: own,
      meanWaitMs: (own * b.blockMs) / (2 * (1 - rho)),
      p99WaitMs: own > 0.01 ? (b.blockMs * (1 - 0.01 / own)) / (1 - rho) : 0,
    };
  });
}

/** The service's main-thread utilization (0..1) per interval of the run's grid (null where not sampled); undefined when not measured. */
export function mainThreadUtilizationSeries(input: DiagnosisInput): (number | null)[] | undefined {
  const ev = input.probes.process;
  const v = ev?.series.values.mainThreadCpuPercent;
  if (!ev || !v || numbers(v).length === 0) return undefined;
  return alignToGrid(input.result.series, ev.series, v).map((x) => (x === null ? null : x / 100));
}

/** Mean utilization (0..1) of the service's main thread over the run, from the process probe; undefined when not measured. */
export function mainThreadUtilization(input: DiagnosisInput): number | undefined {
  const main = numbers(input.probes.process?.series.values.mainThreadCpuPercent);
  return main.length > 0 ? main.reduce((a, b) => a + b, 0) / main.length / 100 : undefined;
}

/**
 * Does the delay an endpoint causes block its neighbours? Either its mean (the typical delay every other
 * request sees; Clinic Doctor's median-delay limit `eventLoop.p50LagMs`) or its p99 (a neighbour arriving
 * during one block; `eventLoop.blockingMs`) reaches the limit.
 */
export function causesBlocking(d: Pick<CausedDelay, 'meanWaitMs' | 'p99WaitMs'>, config: RuleConfig): boolean {
  return d.meanWaitMs >= config.get('eventLoop.p50LagMs') || d.p99WaitMs >= config.get('eventLoop.blockingMs');
}
