/**
 * A reference for judging a dependency's wait: what each endpoint waited on
 * things outside the process in earlier runs of the same service
 * (`--reference RUN` or `baseline:NAME`).
 *
 * One run cannot tell a partner that answers in 500 ms by design from one
 * that degraded to 500 ms: a wait has no absolute scale. An objective gives
 * one (`objectives.ts`); an earlier run gives the other — a wait that is what
 * it was is what the dependency costs, and a wait that grew beyond the runs'
 * noise is a change worth a finding. The test is the one `tuneup compare`
 * makes of a latency: significant at its level (two-sided α = 0.05) and
 * larger than its noise threshold.
 *
 * @module
 */
import { Z_95 as Z } from './nnls.js';
import type { EndpointDemand, RunResult } from '../result/types.js';
import { resolveConfig, type RuleConfig } from './config.js';
import { computeDemands } from './demand.js';
import { isOverloaded, overloadFacts } from './rules/overload.js';
import { probeSet } from './evidence.js';

/**
 * An endpoint's wait per request as one run measured it: an estimate (`leastMs` = `mostMs`), or, when the run
 * was too short for the cost model, the interval the utilization law leaves — at least the bound (all of the
 * process's CPU and the database's time charged to it), at most the endpoint's whole service time.
 */
export interface MeasuredWait {
  leastMs: number;
  mostMs: number;
  /** Standard error of the run's mean (ms). */
  stdErrorMs: number;
}

/** One endpoint's wait in the reference runs (means over the runs). */
export interface ReferenceWait extends MeasuredWait {
  /** Reference runs that measured this endpoint. */
  runIds: string[];
}

/** What the reference runs say, per endpoint, and which runs could not serve as a reference. */
export interface Reference {
  waits: Map<string, ReferenceWait>;
  /** Runs given as reference, by id. */
  runIds: string[];
  /** Runs left out, with why (e.g. past capacity: its waits were its queue's). */
  excluded: { runId: string; reason: string }[];
}


/**
 * The reference of a set of earlier runs. Each run's demands are recomputed with this version's cost model
 * (pure, from its stored evidence), so the two sides are measured the same way. A run the overload rule finds
 * past its capacity (from its load alone) is left out: its waits were its own queue's, not its dependency's;
 * so is the run being judged (`judgedRunId`).
 */
export function buildReference(runs: readonly RunResult[], config: RuleConfig = resolveConfig(), judgedRunId?: string): Reference {
  const perEndpoint = new Map<string, (MeasuredWait & { runId: string })[]>();
  const excluded: Reference['excluded'] = [];
  for (const run of runs) {
    // A run is no reference for itself (`analyze --run latest --reference latest`): it would always be "the same".
    if (run.id === judgedRunId) {
      excluded.push({ runId: run.id, reason: 'it is the run being judged' });
      continue;
    }
    const load = overloadFacts(run);
    if (load && isOverloaded(load, config)) {
      excluded.push({ runId: run.id, reason: 'it ran past its capacity, so its waits were its queue' });
      continue;
    }
    const demands = computeDemands(run, probeSet(run)).demands;
    for (const d of demands) {
      const wait = waitOf(run, d);
      if (!wait) continue;
      const list = perEndpoint.get(d.endpoint) ?? [];
      list.push({ ...wait, runId: run.id });
      perEndpoint.set(d.endpoint, list);
    }
  }
  const waits = new Map<string, ReferenceWait>();
  for (const [endpoint, list] of perEndpoint) {
    const k = list.length;
    const mean = (pick: (w: MeasuredWait) => number) => list.reduce((a, w) => a + pick(w), 0) / k;
    const mostMs = mean((w) => w.mostMs);
    const within = Math.sqrt(list.reduce((a, w) => a + w.stdErrorMs ** 2, 0)) / k;
    const between = k >= 2 ? Math.sqrt(list.reduce((a, w) => a + (w.mostMs - mostMs) ** 2, 0) / (k - 1)) / Math.sqrt(k) : 0;
    waits.set(endpoint, { leastMs: mean((w) => w.leastMs), mostMs, stdErrorMs: Math.max(within, between), runIds: list.map((w) => w.runId) });
  }
  return { waits, runIds: runs.map((r) => r.id), excluded };
}

/**
 * An endpoint's unexplained wait per request in `run` (see {@link MeasuredWait}) and the standard error of
 * its mean: the mean service time's (σ/√n of the run's requests) and the cost model's CPU estimate's, in
 * quadrature. Undefined when the cost model has no wait for the endpoint or the run has too few requests.
 */
export function waitOf(run: RunResult, d: EndpointDemand): MeasuredWait | undefined {
  if (d.unexplainedMs === undefined) return undefined;
  const service = run.endpoints.find((e) => e.endpoint === d.endpoint)?.serviceTime;
  if (!service || service.count < 2) return undefined;
  const serviceSe = service.stddev / Math.sqrt(service.count);
  const cpuSe = d.stdError?.cpuMs ?? 0;
  const stdErrorMs = Math.sqrt(serviceSe ** 2 + cpuSe ** 2);
  // A bound says only that the wait lies between it and the whole request.
  const mostMs = d.unexplainedBound ? Math.max(d.unexplainedMs, d.serviceMs ?? service.mean) : d.unexplainedMs;
  return { leastMs: d.unexplainedMs, mostMs, stdErrorMs };
}

/** The verdict on one endpoint's wait against its reference. */
export interface WaitChange {
  reference: ReferenceWait;
  /**
   * The least the wait can have grown (ms): this run's least wait minus the most the reference's can have
   * been. Both are the estimates when the runs were long enough for the cost model.
   */
  deltaMs: number;
  /** Standard error of the difference (ms). */
  stdErrorMs: number;
  /** True when either side is only an interval (a run too short for the cost model). */
  bounded: boolean;
  /** True when the wait grew beyond chance (z ≥ 1.96) and by more than `minGrowth` of the reference's wait. */
  grew: boolean;
}

/**
 * Did the wait grow since the reference? Both conditions of `tuneup compare`'s regression verdict: the
 * difference is significant (one side of a two-sided test at α = 0.05) and larger than the noise threshold
 * `minGrowth` (a fraction of the reference's wait). With intervals, the least the wait can be now is compared
 * with the most it can have been then, so a growth is only said when it is certain. Undefined when the
 * reference has no wait for the endpoint.
 */
export function waitChange(reference: Reference | undefined, endpoint: string, current: MeasuredWait, minGrowth: number): WaitChange | undefined {
  const ref = reference?.waits.get(endpoint);
  if (!ref) return undefined;
  const deltaMs = current.leastMs - ref.mostMs;
  const stdErrorMs = Math.sqrt(current.stdErrorMs ** 2 + ref.stdErrorMs ** 2);
  const grew = deltaMs > Z * stdErrorMs && deltaMs > minGrowth * ref.mostMs;
  return { reference: ref, deltaMs, stdErrorMs, bounded: current.leastMs !== current.mostMs || ref.leastMs !== ref.mostMs, grew };
}
