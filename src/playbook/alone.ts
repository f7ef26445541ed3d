/**
 * One endpoint of a plan alone, closed model: a few users back to back. The
 * validation runs it before and after an applied change: at a fixed
 * concurrency throughput is 1/latency (Little's law), and a throughput row
 * keeps its interval in a one-run comparison, where per-endpoint percentile
 * rows have none. Which scenario (or `requests:` entry) sends the endpoint is
 * found the way `tuneup diagnose` isolates a suspect.
 *
 * @module
 */
import { findIsolation, isolationRawPlan, scenarioEndpoints } from '../diagnose/experiment/index.js';
import { formatDuration } from '../plan/index.js';
import type { PlanOptions, ResolvedConstantVus, ResolvedPlan, ResolvedScenario } from '../plan/types.js';
import type { RunResult } from '../result/types.js';

/** The plan to derive from, as `tuneup diagnose` gets it. */
export interface AloneSource {
  plan: ResolvedPlan;
  /** The plan as written (YAML/JSON plans): needed to run one entry of a `requests:` list alone. */
  raw?: PlanOptions;
  resolveRaw?: (raw: PlanOptions) => ResolvedPlan;
}

/** Graceful stop of the closed-model runs (ms): in-flight requests finish, then the load is gone. */
const GRACEFUL_STOP_MS = 1000;

/**
 * The plan that runs `endpoint` alone with `vus` users back to back for `durationMs`, or the reason it
 * cannot be run alone. `sentBy` is a run of the plan's mix (which scenario sent which endpoint).
 */
export function closedAlonePlan(source: AloneSource, endpoint: string, sentBy: RunResult, vus: number, durationMs: number): ResolvedPlan | string {
  const target = findIsolation(endpoint, scenarioEndpoints(sentBy), source.raw, source.plan.baseUrl);
  if (target.kind === 'none') return target.reason;
  let scenario: ResolvedScenario | undefined;
  if (target.kind === 'scenario') scenario = source.plan.scenarios.find((s) => s.name === target.scenario);
  else if (source.raw && source.resolveRaw) {
    // The arrival-rate fields are placeholders: only the scenario's requests, tags and env are kept.
    const raw = isolationRawPlan(source.raw, target, { rate: 1, duration: formatDuration(durationMs), preAllocatedVUs: 1, maxVUs: 1, gracefulStop: formatDuration(GRACEFUL_STOP_MS) });
    scenario = source.resolveRaw(raw).scenarios[0];
  } else return `${endpoint} is one request of scenario "${target.scenario}", and the plan file could not be re-read to run it alone`;
  if (!scenario) return `no scenario "${target.scenario}" in the plan`;
  const options = { executor: 'constant-vus', vus, duration: formatDuration(durationMs), isolates: endpoint };
  const alone: ResolvedConstantVus = {
    name: 'alone',
    executor: 'constant-vus',
    model: 'closed',
    startTimeMs: 0,
    gracefulStopMs: GRACEFUL_STOP_MS,
    ...(scenario.exec === undefined ? {} : { exec: scenario.exec }),
    tags: scenario.tags,
    env: scenario.env,
    fn: scenario.fn,
    ...(scenario.fixed === undefined ? {} : { fixed: scenario.fixed }),
    vus,
    durationMs,
    options,
  };
  return {
    ...source.plan,
    profile: undefined,
    scenarios: [alone],
    thresholds: [],
    json: { ...source.plan.json, name: `${source.plan.name ?? 'plan'} (${endpoint} alone)`, scenarios: { alone: options }, thresholds: {} },
  };
}
