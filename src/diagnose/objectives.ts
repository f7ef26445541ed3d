/**
 * The latency objectives the plan states, judged per endpoint against the
 * run: what "slow" means for this service when the user said it.
 *
 * The objectives are the ones `tuneup slo` exports (`slo/spec.ts`): the
 * `slo.objectives` of the plan and every threshold that states one
 * (`http_req_duration: ['p(95)<300']`, optionally for one endpoint). A
 * diagnosis uses them where a rule cannot tell a fault from a design on its
 * own: a dependency that takes 200 ms a call is a fault when the endpoint's
 * objective is 100 ms and what the call costs when it is 500 ms.
 *
 * @module
 */
import type { EndpointSummary, RunResult, TrendStats } from '../result/types.js';
import { slosFromPlan, type SloEndpoint } from '../slo/spec.js';
import { collectThresholds } from '../thresholds/parse.js';

/** One latency objective: `objective` of the requests (of `endpoint`, or all) within `thresholdMs`. */
export interface LatencyObjective {
  /** Share of requests that must be within the threshold, e.g. 0.95. */
  objective: number;
  thresholdMs: number;
  /** The route it is about; absent = every endpoint. */
  endpoint?: SloEndpoint;
  /** Where it comes from in the plan, e.g. `threshold http_req_duration: p(95)<300`. */
  source: string;
}

/** An endpoint against one objective. */
export interface ObjectiveCheck {
  objective: LatencyObjective;
  /** The endpoint's service time at the objective's percentile (the nearest measured percentile at or above it), ms. */
  measuredMs: number;
  /** Which percentile was read, e.g. 95. */
  percentile: number;
  met: boolean;
}

/** The latency objectives of the run's plan; empty when it states none or its `slo` section does not parse (guard reports that). */
export function latencyObjectives(result: Pick<RunResult, 'plan'>): LatencyObjective[] {
  const plan = result.plan;
  if (!plan) return [];
  const { specs } = collectThresholds(plan.thresholds ?? {});
  try {
    const set = slosFromPlan({ name: plan.name, source: plan.source, slo: plan.slo, thresholds: specs });
    return set.slos.flatMap((s) =>
      s.kind === 'latency' && s.latency ? [{ objective: s.objective, thresholdMs: s.latency.thresholdSeconds * 1000, ...(s.endpoint ? { endpoint: s.endpoint } : {}), source: s.source }] : [],
    );
  } catch {
    // No objective stated (TUNEUP_SLO_MISSING) or an slo section `tuneup slo` would reject: nothing to judge by.
    return [];
  }
}

/** True when `objective` is about `endpoint` (tuneup's `METHOD /route` name): its route and, when given, its method. */
export function appliesTo(objective: LatencyObjective, endpoint: string): boolean {
  if (!objective.endpoint) return true;
  const space = endpoint.indexOf(' ');
  const method = space > 0 ? endpoint.slice(0, space) : undefined;
  const route = space > 0 ? endpoint.slice(space + 1) : endpoint;
  return objective.endpoint.route === route && (objective.endpoint.method === undefined || objective.endpoint.method === method);
}

const PERCENTILES: readonly [number, keyof TrendStats][] = [
  [50, 'p50'],
  [90, 'p90'],
  [95, 'p95'],
  [99, 'p99'],
  [99.9, 'p999'],
];

/**
 * `summary` against every objective that applies to it. The percentile read is the nearest measured one at
 * or above the objective's (p95 for 95 %, p99 for 97 %), so the check is never looser than asked.
 * Service time, as `http_req_duration` is.
 */
export function checkObjectives(objectives: readonly LatencyObjective[], summary: EndpointSummary): ObjectiveCheck[] {
  if (summary.serviceTime.count === 0) return [];
  return objectives
    .filter((o) => appliesTo(o, summary.endpoint))
    .map((objective) => {
      const wanted = objective.objective * 100;
      const [percentile, key] = PERCENTILES.find(([p]) => p >= wanted - 1e-9) ?? PERCENTILES[PERCENTILES.length - 1]!;
      const measuredMs = summary.serviceTime[key];
      return { objective, measuredMs, percentile, met: measuredMs <= objective.thresholdMs };
    });
}
