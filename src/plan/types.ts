/**
 * Plan types: what a user writes (`PlanOptions`, the input of `defineTest`
 * and of YAML/JSON plans) and what the rest of tuneup reads
 * (`ResolvedPlan`: validated, durations in ms, every default applied,
 * profiles expanded, one scenario function per scenario).
 *
 * @module
 */
import type { RequestSpec, ScenarioFunction } from '../engine/types.js';
import type { LoadModel, RunResult, Tags } from '../result/types.js';
import type { ThresholdSpec } from '../thresholds/types.js';

// ---------------------------------------------------------------------------
// Input: what a user writes
// ---------------------------------------------------------------------------

/** A duration: `'500ms'`, `'30s'`, `'1m30s'`, `'2h'`, or a number of milliseconds. */
export type DurationInput = string | number;

/** The six k6 executors. */
export type ExecutorName =
  | 'constant-vus'
  | 'ramping-vus'
  | 'per-vu-iterations'
  | 'shared-iterations'
  | 'constant-arrival-rate'
  | 'ramping-arrival-rate';

/** Every executor name, in documentation order. */
export const EXECUTOR_NAMES: readonly ExecutorName[] = [
  'constant-vus',
  'ramping-vus',
  'per-vu-iterations',
  'shared-iterations',
  'constant-arrival-rate',
  'ramping-arrival-rate',
];

/** One stage of a ramping executor: reach `target` (VUs or iterations per timeUnit) linearly over `duration`. */
export interface StageInput {
  duration: DurationInput;
  target: number;
}

/** A value-extraction rule of a YAML request: `'json.path.to.field'`, `'header:x-request-id'` or `'regex:token=(\\w+)'`. */
export type CaptureRule = string;

/** One request of a YAML/JSON workload (also usable from code). */
export interface RequestInput {
  /** Relative weight when a scenario picks one request per iteration (default 1). */
  weight?: number;
  /** HTTP method (default GET, or POST when a body is given). */
  method?: string;
  /** Path joined to `baseUrl` (may contain `{{ templates }}`). Give `path` or `url`. */
  path?: string;
  /** Absolute URL (may contain templates). */
  url?: string;
  /** Endpoint name for metrics, e.g. `GET /api/orders/:id`; derived from the template when omitted. */
  name?: string;
  headers?: Record<string, string>;
  /** Raw body (string; templates allowed). */
  body?: string;
  /** JSON body (templates allowed in string values); sent with content-type application/json. */
  json?: unknown;
  /** Variables to extract from the response for later steps of a flow. */
  capture?: Record<string, CaptureRule>;
  /** Statuses counted as success (default 200–399). */
  expect?: { status?: number[] };
  /** Per-request timeout. */
  timeout?: DurationInput;
  tags?: Tags;
  /** The key the service caches this answer under when it is not the URL (templates allowed); see the load facts. */
  cacheKey?: string;
}

/** Options shared by every scenario (k6 base config). */
export interface ScenarioCommonInput {
  /** Delay from the run start before this scenario begins (default 0). */
  startTime?: DurationInput;
  /** Time iterations get to finish after the scenario ends (default 30s). */
  gracefulStop?: DurationInput;
  /** Name of the function (in `functions`) this scenario runs; default: the plan's `default`. */
  exec?: string;
  /** Tags added to every sample of this scenario. */
  tags?: Tags;
  /** Extra environment variables visible as `vu.env` in this scenario. */
  env?: Record<string, string>;
  /** YAML workload: one weighted request per iteration. */
  requests?: RequestInput[];
  /** YAML workload: an ordered list of requests run in one iteration. */
  flow?: RequestInput[];
}

/** `constant-vus`: a fixed number of VUs loop for a duration (closed model). */
export interface ConstantVusInput extends ScenarioCommonInput {
  executor: 'constant-vus';
  vus?: number;
  duration: DurationInput;
}
/** `ramping-vus`: VU count follows stages (closed model). */
export interface RampingVusInput extends ScenarioCommonInput {
  executor: 'ramping-vus';
  startVUs?: number;
  stages: StageInput[];
  gracefulRampDown?: DurationInput;
}
/** `per-vu-iterations`: each VU runs `iterations` iterations (closed model). */
export interface PerVuIterationsInput extends ScenarioCommonInput {
  executor: 'per-vu-iterations';
  vus?: number;
  iterations?: number;
  maxDuration?: DurationInput;
}
/** `shared-iterations`: VUs share a pool of `iterations` iterations (closed model). */
export interface SharedIterationsInput extends ScenarioCommonInput {
  executor: 'shared-iterations';
  vus?: number;
  iterations?: number;
  maxDuration?: DurationInput;
}
/** `constant-arrival-rate`: `rate` iterations per `timeUnit`, regardless of response time (open model). */
export interface ConstantArrivalRateInput extends ScenarioCommonInput {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnit?: DurationInput;
  duration: DurationInput;
  preAllocatedVUs: number;
  maxVUs?: number;
}
/** `ramping-arrival-rate`: the arrival rate follows stages (open model). */
export interface RampingArrivalRateInput extends ScenarioCommonInput {
  executor: 'ramping-arrival-rate';
  startRate?: number;
  timeUnit?: DurationInput;
  stages: StageInput[];
  preAllocatedVUs: number;
  maxVUs?: number;
}

/** A scenario as written. */
export type ScenarioInput =
  | ConstantVusInput
  | RampingVusInput
  | PerVuIterationsInput
  | SharedIterationsInput
  | ConstantArrivalRateInput
  | RampingArrivalRateInput;

/** Named load shapes derived from one expected-load figure. */
export type ProfileName = 'smoke' | 'load' | 'stress' | 'spike' | 'soak' | 'breakpoint';

/** Every profile name. */
export const PROFILE_NAMES: readonly ProfileName[] = ['smoke', 'load', 'stress', 'spike', 'soak', 'breakpoint'];

/** A profile: one expected load figure expanded to scenarios (see docs/plan.md). */
export interface ProfileInput {
  name: ProfileName;
  /** Expected load in iterations per second. Required except for `smoke`. */
  rate?: number;
  /** Main hold duration (each profile has its own default). */
  duration?: DurationInput;
  /** Ramp-up duration (default per profile). */
  rampUp?: DurationInput;
  /** `spike`: peak as a multiple of `rate` (default 5); `breakpoint`: final rate as a multiple of `rate` (default 10). */
  factor?: number;
  /** VUs allocated up front for arrival-rate scenarios (default: derived from rate). */
  preAllocatedVUs?: number;
  /** VU cap for arrival-rate scenarios (default: derived from rate). */
  maxVUs?: number;
}

/** A threshold: an expression string or the object form with abort options. */
export type ThresholdInput = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: DurationInput };

/** Where the probes point. */
export interface ProbesInput {
  postgres?: { url: string };
  redis?: { url: string };
  prometheus?: { url: string };
  process?: { pid?: number; command?: string };
}

/** A named data source for templates: a CSV or JSON file (relative to the plan) or inline rows. */
export type DataSourceInput = { csv: string } | { json: string } | unknown[];

/** Everything a plan file may set (the YAML/JSON top level, and `defineTest` minus the functions). */
export interface PlanOptions {
  name?: string;
  /** Joined to relative request URLs, e.g. `http://127.0.0.1:3000`. */
  baseUrl?: string;
  /** Per-request timeout (default 60s). */
  timeout?: DurationInput;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Scenarios by name (letters, digits, `_`, `-`). Optional when `profile` is set. */
  scenarios?: Record<string, ScenarioInput>;
  profile?: ProfileInput;
  /** Metric key → threshold expressions (k6 syntax). */
  thresholds?: Record<string, ThresholdInput[]>;
  probes?: ProbesInput;
  /** SLOs read by later stages (passed through). */
  slo?: Record<string, unknown>;
  /** Optimization goals read by later stages (passed through). */
  goals?: Record<string, unknown>;
  /** Named data for templates (`{{ users.email }}`). */
  data?: Record<string, DataSourceInput>;
  /** Plan-level YAML workload shared by scenarios that have none. */
  requests?: RequestInput[];
  /** Plan-level YAML flow shared by scenarios that have none. */
  flow?: RequestInput[];
}

// ---------------------------------------------------------------------------
// Output: what the engine and later stages read
// ---------------------------------------------------------------------------

/** A resolved stage (duration in ms). */
export interface ResolvedStage {
  durationMs: number;
  target: number;
}

/** Fields every resolved scenario has. */
export interface ResolvedScenarioBase {
  /** Scenario name (the key in `scenarios`). */
  name: string;
  executor: ExecutorName;
  /** `open` for arrival-rate executors, else `closed`. */
  model: LoadModel;
  startTimeMs: number;
  gracefulStopMs: number;
  /** Function name from `exec`, if any (for reports). */
  exec?: string;
  tags: Tags;
  env: Record<string, string>;
  /** One call is one iteration. Always set (for a fixed request it sends that request). */
  fn: ScenarioFunction;
  /**
   * Set when every iteration sends exactly this request and nothing else:
   * the engine may skip `fn` and use a zero-allocation fast path.
   * Its `url` is absolute.
   */
  fixed?: RequestSpec;
  /** The validated options as a JSON-serializable object (durations as given). For `RunResult.plan`. */
  options: Record<string, unknown>;
}

/** Resolved `constant-vus`. */
export interface ResolvedConstantVus extends ResolvedScenarioBase {
  executor: 'constant-vus';
  model: 'closed';
  vus: number;
  durationMs: number;
}
/** Resolved `ramping-vus`. */
export interface ResolvedRampingVus extends ResolvedScenarioBase {
  executor: 'ramping-vus';
  model: 'closed';
  startVUs: number;
  stages: ResolvedStage[];
  gracefulRampDownMs: number;
}
/** Resolved `per-vu-iterations`. */
export interface ResolvedPerVuIterations extends ResolvedScenarioBase {
  executor: 'per-vu-iterations';
  model: 'closed';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
/** Resolved `shared-iterations`. */
export interface ResolvedSharedIterations extends ResolvedScenarioBase {
  executor: 'shared-iterations';
  model: 'closed';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
/** Resolved `constant-arrival-rate`. */
export interface ResolvedConstantArrivalRate extends ResolvedScenarioBase {
  executor: 'constant-arrival-rate';
  model: 'open';
  /** Iterations per `timeUnitMs`. */
  rate: number;
  timeUnitMs: number;
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
}
/** Resolved `ramping-arrival-rate`. */
export interface ResolvedRampingArrivalRate extends ResolvedScenarioBase {
  executor: 'ramping-arrival-rate';
  model: 'open';
  startRate: number;
  timeUnitMs: number;
  /** `target` is iterations per `timeUnitMs`. */
  stages: ResolvedStage[];
  preAllocatedVUs: number;
  maxVUs: number;
}

/** A scenario ready for the engine (discriminated on `executor`). */
export type ResolvedScenario =
  | ResolvedConstantVus
  | ResolvedRampingVus
  | ResolvedPerVuIterations
  | ResolvedSharedIterations
  | ResolvedConstantArrivalRate
  | ResolvedRampingArrivalRate;

/** Probe targets after validation. */
export interface ResolvedProbes {
  postgres?: { url: string };
  redis?: { url: string };
  prometheus?: { url: string };
  process?: { pid?: number; command?: string };
}

/** The plan as the engine, probes and later stages read it. */
export interface ResolvedPlan {
  name?: string;
  /** Path of the plan file; undefined for quick mode. */
  source?: string;
  baseUrl?: string;
  /** Default per-request timeout (ms). */
  timeoutMs: number;
  /**
   * Headers sent with every request. Requests built from YAML workloads
   * (including `fixed`) already carry them; the engine adds them to requests
   * from plan code (a request's own header wins).
   */
  headers: Record<string, string>;
  /** Scenarios in declaration order. */
  scenarios: ResolvedScenario[];
  /** Every threshold expression, flattened, parsed and validated. */
  thresholds: ThresholdSpec[];
  probes: ResolvedProbes;
  slo?: Record<string, unknown>;
  goals?: Record<string, unknown>;
  /** The profile the scenarios came from, if any. */
  profile?: { name: ProfileName; rate?: number };
  /** Environment visible to plan code (`vu.env`, `{{ env.NAME }}`). */
  env: Record<string, string | undefined>;
  /** Non-fatal remarks (e.g. a threshold on an unknown metric name). */
  warnings: string[];
  /** JSON-serializable view for `RunResult.plan`. */
  json: RunResult['plan'];
}
