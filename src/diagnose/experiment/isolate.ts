/**
 * How to run one endpoint of a plan alone (confirm by isolation). Plans say
 * what to send per scenario, not per endpoint, so an endpoint can be isolated
 * when
 *
 * 1. a scenario sends only that endpoint (its own scenario, or a code
 *    function calling one route): run that scenario alone; or
 * 2. a YAML/JSON scenario picks one weighted request per iteration
 *    (`requests:`) and an entry of it is recorded under that endpoint: run a
 *    scenario with only those entries.
 *
 * A scenario whose iteration calls several endpoints (plan code, or a
 * `flow:`) cannot be split without changing what it does: the endpoint is
 * then not tested, and the reason says how to make it testable.
 *
 * Which scenario sent which endpoint is read from the mixed run's metrics
 * (`http_reqs` is tagged with both).
 *
 * @module
 */
import { requestEndpointName } from '../../plan/workload.js';
import type { PlanOptions, RequestInput, ScenarioInput } from '../../plan/types.js';
import type { RunResult } from '../../result/types.js';

/** Requests per endpoint, per scenario, in a run. */
export type ScenarioEndpoints = Map<string, Map<string, number>>;

/** Read which scenario sent which endpoints (and how many requests) from a run's `http_reqs` series. */
export function scenarioEndpoints(result: RunResult): ScenarioEndpoints {
  const out: ScenarioEndpoints = new Map();
  for (const m of result.metrics) {
    if (m.name !== 'http_reqs' || !m.tags.scenario || !m.tags.endpoint || !(m.count && m.count > 0)) continue;
    const per = out.get(m.tags.scenario) ?? new Map<string, number>();
    per.set(m.tags.endpoint, (per.get(m.tags.endpoint) ?? 0) + m.count);
    out.set(m.tags.scenario, per);
  }
  return out;
}

/** How to isolate one endpoint. */
export type IsolationTarget =
  | { kind: 'scenario'; scenario: string }
  /** Run `scenario` with only the `requests:` entries at `indexes` (of `requests`, the scenario's list or the plan's shared one). */
  | { kind: 'request'; scenario: string; indexes: number[]; requests: RequestInput[] }
  | { kind: 'none'; reason: string };

/**
 * Find how to run `endpoint` alone.
 * @param endpoint - the endpoint as recorded (e.g. `GET /orders/:id`)
 * @param sent - which scenario sent which endpoints in the mixed run
 * @param raw - the plan as written, for YAML/JSON plans (undefined for code plans)
 * @param baseUrl - the plan's base URL (names of static request paths include its path)
 */
export function findIsolation(endpoint: string, sent: ScenarioEndpoints, raw?: PlanOptions, baseUrl?: string): IsolationTarget {
  const senders = [...sent].filter(([, endpoints]) => (endpoints.get(endpoint) ?? 0) > 0);
  if (senders.length === 0) return { kind: 'none', reason: `no scenario sent ${endpoint} in the diagnosis run` };
  const alone = senders.find(([, endpoints]) => endpoints.size === 1);
  if (alone) return { kind: 'scenario', scenario: alone[0] };
  const data = new Map(Object.keys(raw?.data ?? {}).map((name) => [name, undefined] as const));
  for (const [scenario] of senders) {
    const input = raw ? scenarioInput(raw, scenario) : undefined;
    const requests = input?.flow ? undefined : (input?.requests ?? (input && !input.flow ? raw?.requests : undefined));
    if (!requests) continue;
    const indexes = requests.map((r, i) => [i, requestEndpointName(r, baseUrl, data)] as const).filter(([, name]) => name === endpoint).map(([i]) => i);
    if (indexes.length > 0) return { kind: 'request', scenario, indexes, requests };
  }
  const names = senders.map(([s, e]) => `"${s}" (${e.size} endpoints)`).join(', ');
  return {
    kind: 'none',
    reason: `${endpoint} is sent by ${names} whose iterations call several endpoints (plan code or a flow); give it its own scenario, or list it as one entry of a requests: workload, to confirm it by isolation`,
  };
}

/** The scenario as written: from `scenarios`, or the plan-level workload of a profile's single scenario. */
function scenarioInput(raw: PlanOptions, name: string): Partial<ScenarioInput> | undefined {
  const declared = raw.scenarios?.[name];
  if (declared) return declared;
  // A profile expands to one scenario named after it, running the plan-level workload.
  if (raw.profile?.name === name) return { requests: raw.requests, flow: raw.flow } as Partial<ScenarioInput>;
  return undefined;
}

/**
 * The raw plan that runs only `target`'s requests as one constant-arrival-rate scenario (YAML/JSON
 * plans): everything else of the plan (base URL, headers, data, timeout, probes) is kept; thresholds,
 * profile and other scenarios are dropped.
 */
export function isolationRawPlan(
  raw: PlanOptions,
  target: Extract<IsolationTarget, { kind: 'request' }>,
  load: { rate: number; duration: string; preAllocatedVUs: number; maxVUs: number; gracefulStop: string },
): PlanOptions {
  const original = raw.scenarios?.[target.scenario];
  const scenario = {
    executor: 'constant-arrival-rate' as const,
    ...load,
    ...(original?.tags ? { tags: original.tags } : {}),
    ...(original?.env ? { env: original.env } : {}),
    requests: target.indexes.map((i) => target.requests[i]!),
  };
  const { scenarios: _s, profile: _p, thresholds: _t, requests: _r, flow: _f, ...rest } = raw;
  return { ...rest, scenarios: { [target.scenario]: scenario } };
}
