/**
 * The load's own evidence of a service past its capacity, shared by the
 * overload and generator rules (a pure helper on the run's facts, not a
 * rule: rules never call each other).
 *
 * Conservation of requests: over a window, completions = arrivals +
 * in-flight at its start − in-flight at its end. In a service that sustains
 * the offered rate, in-flight stays bounded (Little's law: L = λW), so
 * completions match arrivals; past capacity the queue grows by (λ − μ) per
 * second and completions fall short of the offered arrivals (or arrivals are
 * dropped when no VU is free). The shortfall over the steady part of the
 * run — the second half of the seconds with an offered rate — is the deficit.
 *
 * @module
 */
import type { Evidence, RunResult } from '../../result/types.js';
import type { ProcessProbeData } from '../../probes/process/types.js';
import type { RuleConfig } from '../config.js';
import { numbers, quantile } from '../evidence.js';
import type { DiagnosisInput } from './types.js';

/** What the load says about capacity (open-model runs only). */
export interface OverloadFacts {
  /** 1 − completed / offered iterations over the judged window. */
  deficit: number;
  /** Offered and completed iterations per second over the window. */
  offeredRate: number;
  completedRate: number;
  /** Iterations dropped (no free VU) and cut at the end (gracefulStop) over the whole run; their share of the scheduled ones is judged over the window. */
  dropped: number;
  interrupted: number;
  droppedShare: number;
  /** Median response-time p50 (ms) of the last third of the window's seconds over the first third: > 1 when the queue grows. */
  responseGrowth: number;
  /** Mean in-flight requests (Little's law, load facts) in the first and last third of the window; undefined without load facts. */
  inFlight?: { first: number; last: number };
  /**
   * Requests in service in the first and last third of the window, for a typical request: requests completed per
   * second × the median of the per-second service-time p50 (s), Little's law with the median. The generator's
   * in-flight count is a mean, dominated from the first seconds by the requests that wait longest, and stops at the
   * VU limit; the typical request's time in service keeps growing with the queue inside the service. Undefined when
   * either third has no completions or no service time.
   */
  backlog?: { first: number; last: number };
  /** 10th percentile of the per-second service-time p50 (ms) in the first third: the least-queued latency seen. */
  baseServiceMs: number;
  /** VUs were exhausted: some scenario's busy VUs reached its allocation while iterations dropped. */
  vusExhausted: boolean;
  windowSeconds: number;
}

/** Per-second sums over a list of indices. */
const sumAt = (col: number[], idx: number[]) => idx.reduce((a, i) => a + (col[i] ?? 0), 0);
const median = (xs: number[]) => (xs.length > 0 ? quantile(xs, 0.5) : 0);

/** The overload facts of an open-model run; undefined for closed-model runs or runs too short to judge (< 4 offered seconds). */
export function overloadFacts(result: RunResult): OverloadFacts | undefined {
  const open = result.scenarios.filter((s) => s.model === 'open');
  if (open.length === 0) return undefined;
  const s = result.series;
  const intervalS = s.intervalMs / 1000;
  const offeredIdx = s.targetRate.map((r, i) => (r > 0 ? i : -1)).filter((i) => i >= 0);
  if (offeredIdx.length < 4) return undefined;
  const window = offeredIdx.slice(Math.floor(offeredIdx.length / 2));
  const offered = window.reduce((a, i) => a + s.targetRate[i]! * intervalS, 0);
  const completed = sumAt(s.iterations, window);
  const third = Math.max(1, Math.floor(offeredIdx.length / 3));
  const first = offeredIdx.slice(0, third);
  const last = offeredIdx.slice(-third);
  const p50s = (idx: number[], col: (number | null)[]) => idx.map((i) => col[i]).filter((v): v is number => v !== null && v !== undefined);
  const firstResp = median(p50s(first, s.response.p50));
  const lastResp = median(p50s(last, s.response.p50));
  const dropped = open.reduce((a, sc) => a + sc.droppedIterations, 0);
  const interrupted = open.reduce((a, sc) => a + sc.interruptedIterations, 0);
  // Drops are judged over the same window as the deficit: iterations dropped while a start-up stall drained
  // (the first half queued, the second kept up) are the transient's, not a lack of capacity. Cut iterations
  // happen at the end, inside the window. Results without the per-interval drop series use the run's totals.
  const windowDrops = s.droppedIterations?.length === s.t.length ? sumAt(s.droppedIterations, window) : undefined;
  const scheduled = windowDrops === undefined
    ? open.reduce((a, sc) => a + sc.iterations + sc.droppedIterations + sc.interruptedIterations, 0)
    : sumAt(s.iterations, window) + windowDrops + interrupted;
  const droppedInScope = windowDrops === undefined ? dropped : windowDrops;
  let inFlight: OverloadFacts['inFlight'];
  const facts = result.loadFacts;
  if (facts) {
    const total = facts.t.map((_, i) => Object.values(facts.endpoints).reduce((a, e) => a + (e.series.inFlight[i] ?? 0), 0));
    // The load facts share the run's 1 s grid unless one of them coarsened; align by start offset.
    const at = (i: number) => total[Math.round(s.t[i]! / facts.intervalMs)] ?? 0;
    const mean = (idx: number[]) => (idx.length > 0 ? idx.reduce((a, i) => a + at(i), 0) / idx.length : 0);
    inFlight = { first: mean(first), last: mean(last) };
  }
  const backlogOf = (idx: number[]) => {
    const served = p50s(idx, s.service.p50);
    const rate = sumAt(s.requests, idx) / (idx.length * intervalS);
    return served.length > 0 && rate > 0 ? rate * (median(served) / 1000) : undefined;
  };
  const [backlogFirst, backlogLast] = [backlogOf(first), backlogOf(last)];
  return {
    ...(backlogFirst !== undefined && backlogLast !== undefined ? { backlog: { first: backlogFirst, last: backlogLast } } : {}),
    deficit: offered > 0 ? Math.max(0, 1 - completed / offered) : 0,
    offeredRate: offered / (window.length * intervalS),
    completedRate: completed / (window.length * intervalS),
    dropped,
    interrupted,
    droppedShare: scheduled > 0 ? (droppedInScope + interrupted) / scheduled : 0,
    responseGrowth: firstResp > 0 ? lastResp / firstResp : 1,
    inFlight,
    baseServiceMs: (() => {
      const xs = p50s(first, s.service.p50);
      return xs.length > 0 ? quantile(xs, 0.1) : 0;
    })(),
    vusExhausted: dropped > 0 && open.some((sc) => sc.maxBusyVUs >= sc.allocatedVUs),
    windowSeconds: window.length * intervalS,
  };
}

/**
 * Does the in-flight count show the queue that a completion deficit implies? Conservation of requests: the
 * arrivals a service does not complete stay in flight, so at a shortfall of deficit × λ per second the mean
 * in-flight count of the last third of the offered seconds exceeds the first third's by about that times the
 * time between the thirds' middles (two thirds of the offered seconds, i.e. 4/3 of the judged half). A deficit
 * whose queue the in-flight count does not show — less than `overload.queueShownShare` of that growth — is
 * completions that fell just outside the judged window (a GC pause or a stall at its edge delays a few hundred
 * milliseconds of completions), not a lack of capacity. True when it cannot be judged: no load facts, or VUs
 * exhausted (the queue is then capped by the VUs and the excess arrivals are dropped, which the drop share counts).
 */
function queueShown(f: OverloadFacts, config: RuleConfig): boolean {
  if (!f.inFlight || f.vusExhausted) return true;
  const expected = f.deficit * f.offeredRate * ((4 / 3) * f.windowSeconds);
  return f.inFlight.last - f.inFlight.first >= config.get('overload.queueShownShare') * expected;
}

/** True when the load shows the service past its capacity (see {@link overloadFacts}). */
export function isOverloaded(f: OverloadFacts, config: RuleConfig): boolean {
  const limit = config.get('overload.deficitShare');
  if (f.droppedShare >= limit) return true;
  // A growing response time is the queue's own evidence; a bare completion deficit must show its queue.
  if (f.responseGrowth >= config.get('overload.queueGrowth') && f.deficit >= limit / 2) return true;
  return f.deficit >= limit && queueShown(f, config);
}

/** The resource that saturated, when the probes show one: its utilization, name and evidence. */
export interface SaturatedResource {
  name: string;
  /** Finding category whose rule reports this resource in detail (it is the cause, not a symptom). */
  category?: 'cpu-saturation' | 'pool-saturation' | 'host-contention';
  utilization: number;
  evidence: Evidence[];
}

/**
 * The most utilized resource among those the probes measure, if one is at
 * its saturation limit: the service's CPU (its main thread for Node.js, one
 * core: `cpu.saturatedPercent`), the database connection pool (busy share of
 * the service's connections: `pool.busyShare`), the host's CPU (all cores:
 * `cpu.saturatedPercent` of them, named by the process group that holds most).
 */
export function saturatedResource(input: DiagnosisInput, config: RuleConfig): SaturatedResource | undefined {
  const candidates: SaturatedResource[] = [];
  const limit = config.get('cpu.saturatedPercent') / 100;
  const proc = input.probes.process;
  const pdata = proc?.data as ProcessProbeData | undefined;
  if (pdata) {
    // Evidence from older versions may lack any of these summaries.
    const main = pdata.mainThreadCpuPercent && pdata.mainThreadCpuPercent.n > 0 ? pdata.mainThreadCpuPercent : undefined;
    const cpu = main ?? pdata.cpuPercent;
    if (cpu && cpu.n > 0) {
      candidates.push({
        name: main ? "the service's main thread (CPU)" : "the service's CPU",
        category: 'cpu-saturation',
        utilization: cpu.p90 / 100 / limit,
        evidence: [{ label: main ? 'service main-thread CPU p90' : 'service CPU p90', value: cpu.p90, unit: '% of one core', source: 'process probe' }],
      });
    }
    const host = pdata.host;
    if (host && host.cores > 0 && host.groups) {
      const groups = Object.entries(host.groups) as [keyof typeof host.groups, { cpuPercent: { mean: number } }][];
      const [holder, g] = groups.filter(([k]) => k !== 'generator').sort((a, b) => b[1].cpuPercent.mean - a[1].cpuPercent.mean)[0]!;
      const names: Record<string, string> = { target: "the service's processes", postgres: 'PostgreSQL', redis: 'Redis', other: 'other processes on the host' };
      candidates.push({
        name: `the host's CPU (${host.cores} cores), held most by ${names[holder] ?? holder}`,
        category: holder === 'target' ? 'cpu-saturation' : 'host-contention',
        utilization: host.cpuPercent.mean / (host.cores * 100) / limit,
        evidence: [
          { label: 'host CPU mean', value: host.cpuPercent.mean, unit: `% of one core (${host.cores} cores)`, source: 'process probe /proc/stat' },
          { label: `CPU of ${names[holder] ?? holder}`, value: g.cpuPercent.mean, unit: '% of one core', source: 'process probe' },
        ],
      });
    }
  }
  const pg = input.probes.postgres;
  if (pg) {
    const conns = numbers(pg.series.values['pg.connections']);
    const active = numbers(pg.series.values['pg.active']);
    const meanConns = conns.reduce((a, b) => a + b, 0) / Math.max(1, conns.length);
    const meanActive = active.reduce((a, b) => a + b, 0) / Math.max(1, active.length);
    if (meanConns > 0 && meanConns <= config.get('pool.maxConnections')) {
      candidates.push({
        name: `the database connections (${Math.round(meanConns)} open, ${Math.round((meanActive / meanConns) * 100)} % busy)`,
        category: 'pool-saturation',
        utilization: meanActive / meanConns / config.get('pool.busyShare'),
        evidence: [
          { label: 'service DB connections (mean)', value: meanConns, unit: 'connections', source: 'pg_stat_activity' },
          { label: 'busy (active) connections (mean)', value: meanActive, unit: 'connections', source: 'pg_stat_activity' },
        ],
      });
    }
  }
  const best = candidates.sort((a, b) => b.utilization - a.utilization)[0];
  return best && best.utilization >= 1 ? best : undefined;
}

/** HTTP statuses a queue produces rather than the handler: load shedding (503) and a gateway's timeout (504). */
export const QUEUE_STATUSES = new Set([503, 504]);

/**
 * Endpoints whose own handler fails: among the requests the service answered (status 0 is a timeout or a
 * connection error: no answer), the 5xx other than 503/504 reach `errorRate.ratio` with at least
 * `errorRate.minFailures` of them, and `errorRate.concentration` times the share of the rest of the service.
 * A queue's errors (timeouts, pool timeouts turned into 500s) fall on every endpoint that waits alike; a bug
 * on one endpoint's path fails that endpoint, at any load.
 */
export function applicationErrorEndpoints(result: RunResult, config: RuleConfig): { endpoint: string; serverErrors: number; answered: number; share: number }[] {
  const rows = result.endpoints.map((e) => {
    const answered = e.requests - (e.statuses['0'] ?? 0);
    const serverErrors = Object.entries(e.statuses)
      .filter(([s]) => Number(s) >= 500 && Number(s) <= 599 && !QUEUE_STATUSES.has(Number(s)))
      .reduce((a, [, n]) => a + (n ?? 0), 0);
    return { endpoint: e.endpoint, serverErrors, answered, share: answered > 0 ? serverErrors / answered : 0 };
  });
  return rows.filter((r) => {
    if (r.serverErrors < config.get('errorRate.minFailures') || r.share < config.get('errorRate.ratio')) return false;
    const rest = rows.filter((x) => x !== r);
    const restAnswered = rest.reduce((a, x) => a + x.answered, 0);
    const restShare = restAnswered > 0 ? rest.reduce((a, x) => a + x.serverErrors, 0) / restAnswered : 0;
    return r.share >= config.get('errorRate.concentration') * restShare;
  });
}
