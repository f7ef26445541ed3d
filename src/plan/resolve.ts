/**
 * Plain plan object (+ functions from a code plan) → {@link ResolvedPlan}:
 * shape check, k6's semantic rules, defaults, profile expansion, YAML
 * workloads, thresholds. Every problem is collected and reported at once.
 *
 * @module
 */
import { dirname } from 'node:path';
import type { ScenarioFunction } from '../engine/types.js';
import type { Tags } from '../result/types.js';
import { collectThresholds } from '../thresholds/parse.js';
import type { ThresholdSpec } from '../thresholds/types.js';
import { loadDataSources, RowCursor } from './data.js';
import { tryParseDuration } from './duration.js';
import { IssueList, type LineLocator, type PlanPath } from './issues.js';
import { checkOverrides, isHttpUrl, overridesFromEnv, resolveOptions, type PlanOverrides } from './options.js';
import { expandProfile } from './profiles.js';
import { checkPlanShape } from './schema.js';
import { closest } from './suggest.js';
import type {
  PlanOptions,
  ProfileInput,
  RequestInput,
  ResolvedPlan,
  ResolvedScenario,
  ResolvedScenarioBase,
  ResolvedStage,
  ScenarioInput,
  StageInput,
} from './types.js';
import { compileWorkload, type WorkloadEnvironment } from './workload.js';

/** Default per-request timeout (ms). */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** k6's default gracefulStop / gracefulRampDown (ms). */
export const DEFAULT_GRACEFUL_STOP_MS = 30_000;
/** k6's default maxDuration of the iteration executors (ms). */
export const DEFAULT_MAX_DURATION_MS = 600_000;
/** Default timeUnit of arrival-rate executors (ms). */
export const DEFAULT_TIME_UNIT_MS = 1000;

/** Guard added to a breakpoint run without thresholds, so it still stops. */
export const BREAKPOINT_DEFAULT_THRESHOLDS: Record<string, string[]> = { http_req_failed: ['rate<0.05'] };
/** Delay before a breakpoint threshold may abort (low-rate noise at the start). */
export const BREAKPOINT_DELAY_ABORT_MS = 10_000;

/** Everything {@link resolvePlan} needs besides the plan object. */
export interface ResolveInput {
  /** The plan object (parsed YAML/JSON, or the code plan without its functions). */
  raw: unknown;
  /** Path of the plan file (for messages and relative data paths). */
  source?: string;
  /** Maps a JSON path to a line (YAML/JSON plans). */
  locate?: LineLocator;
  /** Code plans: the default scenario function. */
  defaultFn?: ScenarioFunction;
  /** Code plans: named functions for `exec`. */
  functions?: Record<string, ScenarioFunction>;
  /** Environment for `vu.env`, `{{ env.X }}` and `TUNEUP_*` overrides (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Command-line overrides (highest layer). */
  overrides?: PlanOverrides;
  /** Directory for relative data paths (default: the plan's directory, else cwd). */
  baseDir?: string;
}


/**
 * Validate and normalize a plan.
 * @throws TuneupError `TUNEUP_PLAN_INVALID` listing every problem (file:line path: message),
 *   or `TUNEUP_OPTION_INVALID` for a bad override.
 */
export function resolvePlan(input: ResolveInput): ResolvedPlan {
  const env = input.env ?? process.env;
  const file = input.source;
  const issues = new IssueList();
  for (const issue of checkPlanShape(input.raw)) issues.add(issue.path, issue.message);
  const plan = (input.raw ?? {}) as PlanOptions;

  // Thresholds are checked with the shape so a bad one fails before any load.
  const thresholdRecord = normalizeThresholdRecord(plan.thresholds);
  const parsedThresholds = collectThresholds(thresholdRecord);
  for (const problem of parsedThresholds.problems) {
    issues.add(['thresholds', problem.metric], problem.expression === '' ? problem.message : `"${problem.expression}": ${problem.message}`);
  }
  issues.throwIfAny(file, input.locate);

  // Layers: plan file < TUNEUP_* < flags.
  const flags = checkOverrides(input.overrides ?? {}, (key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  const fromEnv = overridesFromEnv(env);
  const layered = resolveOptions<PlanOverrides>(
    {},
    { baseUrl: plan.baseUrl, timeout: plan.timeout, profile: plan.profile?.name, rate: plan.profile?.rate, duration: plan.profile?.duration },
    fromEnv,
    flags,
  );

  const baseUrl = layered.baseUrl;
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
    issues.add(['baseUrl'], `expected an http:// or https:// URL, got ${JSON.stringify(baseUrl)}`);
  }
  const timeoutMs = layered.timeout === undefined ? DEFAULT_TIMEOUT_MS : msOf(layered.timeout, ['timeout'], issues);
  if (timeoutMs !== undefined && timeoutMs <= 0) issues.add(['timeout'], 'must be greater than 0');

  // Profile: replaces the scenarios.
  let profile: ProfileInput | undefined;
  if (layered.profile !== undefined) {
    const fromFile = plan.profile?.name === layered.profile ? plan.profile : undefined;
    profile = { ...fromFile, name: layered.profile, rate: layered.rate, duration: layered.duration };
  } else if (flags.rate !== undefined || fromEnv.rate !== undefined) {
    issues.add(['profile'], '--rate / TUNEUP_RATE needs a profile: add --profile load (or set profile: in the plan)');
  }
  const warnings = [...parsedThresholds.warnings];
  if (profile === undefined && (flags.duration !== undefined || fromEnv.duration !== undefined)) {
    warnings.push('--duration / TUNEUP_DURATION only applies to profiles; the scenarios keep their own durations');
  }
  let scenarioInputs: [string, ScenarioInput, PlanPath][] = Object.entries(plan.scenarios ?? {}).map(([name, s]) => [name, s, ['scenarios', name]]);
  let breakpoint = false;
  if (profile !== undefined) {
    if (profile.rate === undefined && profile.name !== 'smoke') {
      issues.add(['profile', 'rate'], `profile "${profile.name}" needs rate (expected iterations per second), e.g. rate: 100 or --rate 100`);
    } else {
      const expansion = expandProfile(profile);
      breakpoint = expansion.abortOnFail;
      const workload = profileWorkload(plan, input, issues);
      scenarioInputs = [[expansion.name, { ...expansion.scenario, ...workload } as ScenarioInput, ['profile']]];
    }
  } else if (scenarioInputs.length === 0) {
    issues.add(['scenarios'], 'the plan has no scenarios; add scenarios: { name: { executor: ... } } or profile: { name: load, rate: N }');
  }

  const baseDir = input.baseDir ?? (file !== undefined ? dirname(file) : process.cwd());
  const data = loadDataSources(plan.data, baseDir, issues);
  const workloadEnv: WorkloadEnvironment = { baseUrl, headers: plan.headers ?? {}, data, cursor: new RowCursor(data), env };

  const scenarios: ResolvedScenario[] = [];
  for (const [name, scenario, path] of scenarioInputs) {
    const resolved = resolveScenario(name, scenario, path, plan, input, workloadEnv, issues);
    if (resolved !== undefined) scenarios.push(resolved);
  }

  // Thresholds (breakpoint: every threshold aborts the run).
  let thresholds: ThresholdSpec[] = parsedThresholds.specs;
  let jsonThresholds: Record<string, unknown[]> = thresholdRecord;
  if (breakpoint) {
    if (thresholds.length === 0) {
      jsonThresholds = BREAKPOINT_DEFAULT_THRESHOLDS;
      thresholds = collectThresholds(jsonThresholds).specs;
    }
    thresholds = thresholds.map((spec) => ({
      ...spec,
      abortOnFail: true,
      delayAbortEvalMs: Math.max(spec.delayAbortEvalMs, BREAKPOINT_DELAY_ABORT_MS),
    }));
  }

  if (plan.probes?.process && plan.probes.process.pid === undefined && plan.probes.process.command === undefined) {
    issues.add(['probes', 'process'], 'give "pid" (a running process) or "command" (to find it by command line)');
  }
  issues.throwIfAny(file, input.locate);

  return {
    name: plan.name,
    source: file,
    baseUrl,
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    headers: plan.headers ?? {},
    scenarios,
    thresholds,
    probes: { ...plan.probes },
    slo: plan.slo,
    goals: plan.goals,
    profile: profile === undefined ? undefined : { name: profile.name, ...(profile.rate === undefined ? {} : { rate: profile.rate }) },
    env,
    warnings,
    json: {
      ...(plan.name === undefined ? {} : { name: plan.name }),
      ...(file === undefined ? {} : { source: file }),
      ...(baseUrl === undefined ? {} : { baseUrl }),
      scenarios: Object.fromEntries(scenarios.map((s) => [s.name, s.options])),
      thresholds: jsonThresholds,
      ...(plan.slo === undefined ? {} : { slo: plan.slo }),
      ...(plan.goals === undefined ? {} : { goals: plan.goals }),
    },
  };
}

/** `{ key: 'p(95)<1' }` (a single item) is accepted as a list of one. */
function normalizeThresholdRecord(record: PlanOptions['thresholds']): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  if (typeof record !== 'object' || record === null) return out;
  for (const [key, value] of Object.entries(record)) out[key] = Array.isArray(value) ? value : [value];
  return out;
}

/** The workload a profile scenario runs (see docs/plan.md, Profiles). */
function profileWorkload(plan: PlanOptions, input: ResolveInput, issues: IssueList): Partial<ScenarioInput> {
  if (plan.requests !== undefined || plan.flow !== undefined || input.defaultFn !== undefined) return {};
  const scenarios = Object.values(plan.scenarios ?? {});
  if (scenarios.length === 1) {
    const only = scenarios[0];
    return { exec: only.exec, requests: only.requests, flow: only.flow, tags: only.tags, env: only.env };
  }
  issues.add(
    ['profile'],
    scenarios.length === 0
      ? 'a profile needs a workload: add requests:/flow: at the top level, or a default function in a code plan'
      : 'a profile runs one workload, but the plan has several scenarios; add top-level requests:/flow: or a default function',
  );
  return {};
}

function msOf(value: unknown, path: PlanPath, issues: IssueList): number | undefined {
  const parsed = tryParseDuration(value);
  if (parsed.ok) return parsed.ms;
  issues.add(path, parsed.reason);
  return undefined;
}

function stagesOf(stages: StageInput[], path: PlanPath, issues: IssueList): ResolvedStage[] {
  const out = stages.map((stage, i) => ({ durationMs: msOf(stage.duration, [...path, i, 'duration'], issues) ?? 0, target: stage.target }));
  if (out.reduce((sum, s) => sum + s.durationMs, 0) <= 0) issues.add(path, 'the stages add up to zero duration; give at least one stage a duration');
  return out;
}

function resolveScenario(
  name: string,
  scenario: ScenarioInput,
  path: PlanPath,
  plan: PlanOptions,
  input: ResolveInput,
  workloadEnv: WorkloadEnvironment,
  issues: IssueList,
): ResolvedScenario | undefined {
  const before = issues.issues.length;
  const positive = (key: string, ms: number | undefined) => {
    if (ms !== undefined && ms <= 0) issues.add([...path, key], 'must be greater than 0');
    return ms ?? 0;
  };
  const optionalMs = (key: string, value: unknown, fallback: number) =>
    value === undefined ? fallback : (msOf(value, [...path, key], issues) ?? fallback);

  // Workload: scenario requests/flow, else exec, else plan-level requests/flow, else default.
  // Templates see the scenario's env over the plan's ({{ env.NAME }}).
  const scenarioEnv = scenario.env === undefined ? workloadEnv : { ...workloadEnv, env: { ...workloadEnv.env, ...scenario.env } };
  const fn = scenarioFunction(name, scenario, path, plan, input, scenarioEnv, issues);

  const base: Omit<ResolvedScenarioBase, 'executor' | 'model'> = {
    name,
    startTimeMs: optionalMs('startTime', scenario.startTime, 0),
    gracefulStopMs: optionalMs('gracefulStop', scenario.gracefulStop, DEFAULT_GRACEFUL_STOP_MS),
    ...(scenario.exec === undefined ? {} : { exec: scenario.exec }),
    tags: { ...(scenario.tags as Tags | undefined) },
    env: { ...scenario.env },
    fn: fn?.fn ?? (() => undefined),
    ...(fn?.fixed === undefined ? {} : { fixed: fn.fixed }),
    options: jsonOptions(scenario),
  };
  let resolved: ResolvedScenario;
  switch (scenario.executor) {
    case 'constant-vus':
      resolved = {
        ...base,
        executor: 'constant-vus',
        model: 'closed',
        vus: scenario.vus ?? 1,
        durationMs: positive('duration', msOf(scenario.duration, [...path, 'duration'], issues)),
      };
      break;
    case 'ramping-vus': {
      const stages = stagesOf(scenario.stages, [...path, 'stages'], issues);
      const startVUs = scenario.startVUs ?? 1;
      if (startVUs === 0 && stages.every((s) => s.target === 0)) {
        issues.add([...path, 'stages'], 'either startVUs or one of the stage targets must be greater than 0');
      }
      resolved = {
        ...base,
        executor: 'ramping-vus',
        model: 'closed',
        startVUs,
        stages,
        gracefulRampDownMs: optionalMs('gracefulRampDown', scenario.gracefulRampDown, DEFAULT_GRACEFUL_STOP_MS),
      };
      break;
    }
    case 'per-vu-iterations':
    case 'shared-iterations': {
      const vus = scenario.vus ?? 1;
      const iterations = scenario.iterations ?? 1;
      if (scenario.executor === 'shared-iterations' && iterations < vus) {
        issues.add([...path, 'iterations'], `the number of iterations (${iterations}) can't be less than the number of VUs (${vus})`);
      }
      const maxDurationMs = positive('maxDuration', optionalMs('maxDuration', scenario.maxDuration, DEFAULT_MAX_DURATION_MS));
      resolved =
        scenario.executor === 'shared-iterations'
          ? { ...base, executor: 'shared-iterations', model: 'closed', vus, iterations, maxDurationMs }
          : { ...base, executor: 'per-vu-iterations', model: 'closed', vus, iterations, maxDurationMs };
      break;
    }
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const timeUnitMs = positive('timeUnit', optionalMs('timeUnit', scenario.timeUnit, DEFAULT_TIME_UNIT_MS));
      const preAllocatedVUs = scenario.preAllocatedVUs;
      const maxVUs = scenario.maxVUs ?? preAllocatedVUs;
      if (maxVUs < preAllocatedVUs) {
        issues.add([...path, 'maxVUs'], `maxVUs (${maxVUs}) can't be less than preAllocatedVUs (${preAllocatedVUs})`);
      } else if (maxVUs === 0) {
        issues.add([...path, 'preAllocatedVUs'], 'needs at least 1 VU: set preAllocatedVUs (or maxVUs) to 1 or more');
      }
      if (scenario.executor === 'constant-arrival-rate') {
        resolved = {
          ...base,
          executor: 'constant-arrival-rate',
          model: 'open',
          rate: scenario.rate,
          timeUnitMs,
          durationMs: positive('duration', msOf(scenario.duration, [...path, 'duration'], issues)),
          preAllocatedVUs,
          maxVUs,
        };
      } else {
        resolved = {
          ...base,
          executor: 'ramping-arrival-rate',
          model: 'open',
          startRate: scenario.startRate ?? 0,
          timeUnitMs,
          stages: stagesOf(scenario.stages, [...path, 'stages'], issues),
          preAllocatedVUs,
          maxVUs,
        };
      }
      break;
    }
  }
  return issues.issues.length > before ? undefined : resolved;
}

/** Pick and compile what a scenario runs. */
function scenarioFunction(
  name: string,
  scenario: ScenarioInput,
  path: PlanPath,
  plan: PlanOptions,
  input: ResolveInput,
  workloadEnv: WorkloadEnvironment,
  issues: IssueList,
): { fn: ScenarioFunction; fixed?: import('../engine/types.js').RequestSpec } | undefined {
  if (scenario.requests !== undefined && scenario.flow !== undefined) {
    issues.add(path, 'give "requests" (one weighted request per iteration) or "flow" (ordered steps), not both');
    return undefined;
  }
  const hasWorkload = scenario.requests !== undefined || scenario.flow !== undefined;
  if (scenario.exec !== undefined) {
    if (hasWorkload) {
      issues.add([...path, 'exec'], 'give "exec" (a function of a code plan) or requests/flow, not both');
      return undefined;
    }
    const fn = input.functions?.[scenario.exec];
    if (fn === undefined) {
      const names = Object.keys(input.functions ?? {});
      const guess = closest(scenario.exec, names);
      issues.add(
        [...path, 'exec'],
        input.functions === undefined && input.defaultFn === undefined
          ? `exec needs a code plan (.ts/.js) exporting the function; this plan has no functions`
          : `no function "${scenario.exec}" in functions${guess ? ` (did you mean "${guess}"?)` : names.length ? `; available: ${names.join(', ')}` : ''}`,
      );
      return undefined;
    }
    return { fn };
  }
  if (hasWorkload) return compileWorkload(scenario, path, workloadEnv, issues);
  if (plan.requests !== undefined && plan.flow !== undefined) {
    issues.add([], 'give top-level "requests" or "flow", not both');
    return undefined;
  }
  if (plan.requests !== undefined || plan.flow !== undefined) {
    // Compiled per scenario (cheap) so each gets its own fixed-request detection.
    return compileWorkload({ requests: plan.requests, flow: plan.flow }, [], workloadEnv, issues);
  }
  if (input.defaultFn !== undefined) return { fn: input.defaultFn };
  issues.add(
    path,
    `scenario "${name}" has nothing to run: add requests: or flow: (YAML), or a default function / exec (code plan)`,
  );
  return undefined;
}

/** JSON view of a scenario's options for RunResult.plan, with secrets in headers masked. */
function jsonOptions(scenario: ScenarioInput): Record<string, unknown> {
  const { requests, flow, ...rest } = scenario;
  const out: Record<string, unknown> = { ...rest };
  const mask = (list: RequestInput[] | undefined) =>
    list?.map((request) =>
      request.headers === undefined
        ? request
        : {
            ...request,
            headers: Object.fromEntries(
              Object.entries(request.headers).map(([k, v]) => [k, /^(authorization|cookie|x-api-key|proxy-authorization)$/i.test(k) ? '***' : v]),
            ),
          },
    );
  if (requests !== undefined) out.requests = mask(requests);
  if (flow !== undefined) out.flow = mask(flow);
  return out;
}
