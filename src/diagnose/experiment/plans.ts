/**
 * The plans `tuneup diagnose` runs, derived from the user's plan: the plan's
 * mix at a given total arrival rate (capacity steps and the diagnosis run),
 * and one scenario alone (isolation). Pure rewrites of a ResolvedPlan; the
 * scenario functions are kept, so code plans work as they are.
 *
 * @module
 */
import { formatDuration, sizeVUs } from '../../plan/index.js';
import type { ResolvedConstantArrivalRate, ResolvedPlan, ResolvedScenario } from '../../plan/types.js';

/** The plan's mix: each scenario's share of the total arrival rate, and the plan's own peak rate. */
export interface PlanMix {
  shares: { scenario: string; share: number }[];
  /** Sum of the open-model scenarios' peak arrival rates (iterations/s); undefined when every scenario is closed. */
  requestedRate?: number;
  /** Closed-model scenarios (their load is a number of VUs): they run at the mean open share, or equal shares. */
  closed: string[];
}

/** A scenario's peak arrival rate in iterations per second; undefined for the closed model. */
export function peakRate(scenario: ResolvedScenario): number | undefined {
  if (scenario.executor === 'constant-arrival-rate') return (scenario.rate * 1000) / scenario.timeUnitMs;
  if (scenario.executor === 'ramping-arrival-rate') {
    return (Math.max(scenario.startRate, ...scenario.stages.map((s) => s.target)) * 1000) / scenario.timeUnitMs;
  }
  return undefined;
}

/**
 * The mix of `plan`: open-model scenarios weighted by their peak rates (the load the user asks for);
 * closed-model scenarios, which have no rate, get the mean open share (equal shares when all are closed).
 */
export function planMix(plan: ResolvedPlan): PlanMix {
  const rates = plan.scenarios.map((s) => [s.name, peakRate(s)] as const);
  const open = rates.filter((r): r is readonly [string, number] => r[1] !== undefined && r[1] > 0);
  const closed = rates.filter((r) => r[1] === undefined).map((r) => r[0]);
  const requested = open.reduce((a, r) => a + r[1], 0);
  const closedWeight = open.length > 0 ? requested / open.length : 1;
  const weights = rates.map(([name, rate]) => [name, rate === undefined ? closedWeight : rate] as const).filter((w) => w[1] > 0);
  const total = weights.reduce((a, w) => a + w[1], 0);
  return {
    shares: weights.map(([scenario, w]) => ({ scenario, share: w / total })),
    ...(open.length > 0 ? { requestedRate: requested } : {}),
    closed,
  };
}

/** Shape of a derived run. */
export interface DerivedRunOptions {
  durationMs: number;
  /** Time running iterations get after the end; short, so an overloaded step stops promptly. */
  gracefulStopMs: number;
  /** Name shown in the stored result. */
  label: string;
}

/** One scenario as a constant-arrival-rate scenario at `rate` iterations/s, starting at 0. */
function asArrivalRate(scenario: ResolvedScenario, rate: number, options: DerivedRunOptions): ResolvedConstantArrivalRate {
  // VUs allocated mid-step arrive late and drop iterations at a step's start: allocate half a second's worth up front.
  const { maxVUs } = sizeVUs(rate, {});
  const preAllocatedVUs = Math.min(maxVUs, Math.max(10, Math.ceil(rate / 2)));
  return {
    name: scenario.name,
    executor: 'constant-arrival-rate',
    model: 'open',
    startTimeMs: 0,
    gracefulStopMs: options.gracefulStopMs,
    ...(scenario.exec === undefined ? {} : { exec: scenario.exec }),
    tags: scenario.tags,
    env: scenario.env,
    fn: scenario.fn,
    ...(scenario.fixed === undefined ? {} : { fixed: scenario.fixed }),
    rate,
    timeUnitMs: 1000,
    durationMs: options.durationMs,
    preAllocatedVUs,
    maxVUs,
    options: {
      executor: 'constant-arrival-rate',
      rate: Math.round(rate * 1000) / 1000,
      timeUnit: '1s',
      duration: formatDuration(options.durationMs),
      preAllocatedVUs,
      maxVUs,
      diagnosedFrom: scenario.executor,
    },
  };
}

/** A plan with `scenarios` only, thresholds dropped (the experiment measures; the user's run judges). */
export function withScenarios(plan: ResolvedPlan, scenarios: ResolvedScenario[], label: string): ResolvedPlan {
  return {
    ...plan,
    profile: undefined,
    scenarios,
    thresholds: [],
    json: {
      ...plan.json,
      name: `${plan.name ?? 'plan'} (${label})`,
      scenarios: Object.fromEntries(scenarios.map((s) => [s.name, s.options])),
      thresholds: {},
    },
  };
}

/**
 * The plan's mix at a total of `rate` iterations/s: every scenario runs at the same time as a
 * constant-arrival-rate scenario at its share of `rate` (open model, so a service past capacity shows it).
 */
export function mixPlan(plan: ResolvedPlan, mix: PlanMix, rate: number, options: DerivedRunOptions): ResolvedPlan {
  const byName = new Map(plan.scenarios.map((s) => [s.name, s]));
  const scenarios = mix.shares.map(({ scenario, share }) => asArrivalRate(byName.get(scenario)!, rate * share, options));
  return withScenarios(plan, scenarios, options.label);
}

/** One scenario of `plan` alone at `rate` iterations/s (an isolation run). */
export function scenarioAlonePlan(plan: ResolvedPlan, scenario: string, rate: number, options: DerivedRunOptions): ResolvedPlan {
  const found = plan.scenarios.find((s) => s.name === scenario);
  if (!found) throw new Error(`no scenario "${scenario}" in the plan`);
  return withScenarios(plan, [asArrivalRate(found, rate, options)], options.label);
}
