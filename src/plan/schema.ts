/**
 * The zod schema of a plan's SHAPE (types, allowed keys). Semantic rules
 * (maxVUs ≥ preAllocatedVUs, durations, defaults) live in `resolve.ts`.
 * Every object is strict: an unknown key is an error with a did-you-mean.
 *
 * @module
 */
import { z } from 'zod';
import { describe, tryParseDuration } from './duration.js';
import { closest } from './suggest.js';
import type { PlanIssue, PlanPath } from './issues.js';
import { EXECUTOR_NAMES, PROFILE_NAMES, type ExecutorName } from './types.js';

/** A duration string or ms number, checked with the same rules as `parseDuration`. */
export const duration = z.unknown().superRefine((value, ctx) => {
  const parsed = tryParseDuration(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
});

const stringMap = z.record(z.string(), z.string());
const count = z.number().int().min(0);
const positiveCount = z.number().int().min(1);
const stages = z.array(z.strictObject({ duration, target: z.number().min(0) })).min(1);

/** Keys accepted on every request of a YAML workload. */
export const requestSchema = z
  .strictObject({
    weight: z.number().positive().optional(),
    method: z.string().regex(/^[A-Za-z]+$/, 'expected an HTTP method such as GET or POST').optional(),
    path: z.string().optional(),
    url: z.string().optional(),
    name: z.string().optional(),
    headers: stringMap.optional(),
    body: z.string().optional(),
    json: z.unknown().optional(),
    capture: z.record(z.string().regex(/^[A-Za-z_]\w*$/, 'capture names are identifiers (letters, digits, _)'), z.string()).optional(),
    expect: z.strictObject({ status: z.array(z.number().int().min(100).max(599)).min(1).optional() }).optional(),
    timeout: duration.optional(),
    tags: stringMap.optional(),
    /** The key the service caches this request's answer under, when not the URL (templates allowed). */
    cacheKey: z.string().optional(),
  })
  .superRefine((request, ctx) => {
    if ((request.path === undefined) === (request.url === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "path" (joined to baseUrl) or "url" (absolute)' });
    }
    if (request.body !== undefined && request.json !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give "body" (raw string) or "json" (an object), not both' });
    }
  });

const workload = {
  requests: z.array(requestSchema).min(1).optional(),
  flow: z.array(requestSchema).min(1).optional(),
};

const common = {
  startTime: duration.optional(),
  gracefulStop: duration.optional(),
  exec: z.string().optional(),
  tags: stringMap.optional(),
  env: stringMap.optional(),
  ...workload,
};

/** Strict schema per executor with k6's option names. */
export const executorSchemas: Record<ExecutorName, z.ZodType> = {
  'constant-vus': z.strictObject({ ...common, executor: z.literal('constant-vus'), vus: positiveCount.optional(), duration }),
  'ramping-vus': z.strictObject({ ...common, executor: z.literal('ramping-vus'), startVUs: count.optional(), stages, gracefulRampDown: duration.optional() }),
  'per-vu-iterations': z.strictObject({
    ...common,
    executor: z.literal('per-vu-iterations'),
    vus: positiveCount.optional(),
    iterations: positiveCount.optional(),
    maxDuration: duration.optional(),
  }),
  'shared-iterations': z.strictObject({
    ...common,
    executor: z.literal('shared-iterations'),
    vus: positiveCount.optional(),
    iterations: positiveCount.optional(),
    maxDuration: duration.optional(),
  }),
  'constant-arrival-rate': z.strictObject({
    ...common,
    executor: z.literal('constant-arrival-rate'),
    rate: z.number().positive(),
    timeUnit: duration.optional(),
    duration,
    preAllocatedVUs: count,
    maxVUs: count.optional(),
  }),
  'ramping-arrival-rate': z.strictObject({
    ...common,
    executor: z.literal('ramping-arrival-rate'),
    startRate: z.number().min(0).optional(),
    timeUnit: duration.optional(),
    stages,
    preAllocatedVUs: count,
    maxVUs: count.optional(),
  }),
};

const thresholdItem = z.union([
  z.string(),
  // Checked in detail by the threshold parser (unknown keys, delay syntax).
  z.record(z.string(), z.unknown()),
]);

/** The plan's top level (scenarios are checked one by one against {@link executorSchemas}). */
export const planSchema = z.strictObject({
  name: z.string().optional(),
  baseUrl: z.string().optional(),
  timeout: duration.optional(),
  headers: stringMap.optional(),
  scenarios: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  profile: z
    .strictObject({
      name: z.enum(PROFILE_NAMES as [string, ...string[]]),
      rate: z.number().positive().optional(),
      duration: duration.optional(),
      rampUp: duration.optional(),
      factor: z.number().gt(1).optional(),
      preAllocatedVUs: count.optional(),
      maxVUs: positiveCount.optional(),
    })
    .optional(),
  thresholds: z.record(z.string(), z.union([thresholdItem, z.array(thresholdItem)])).optional(),
  probes: z
    .strictObject({
      postgres: z.strictObject({ url: z.string() }).optional(),
      redis: z.strictObject({ url: z.string() }).optional(),
      prometheus: z.strictObject({ url: z.string() }).optional(),
      process: z.strictObject({ pid: positiveCount.optional(), command: z.string().optional() }).optional(),
    })
    .optional(),
  slo: z.record(z.string(), z.unknown()).optional(),
  goals: z.record(z.string(), z.unknown()).optional(),
  data: z
    .record(
      z.string().regex(/^[A-Za-z_]\w*$/, 'data names are identifiers (letters, digits, _)'),
      z.union([z.strictObject({ csv: z.string() }), z.strictObject({ json: z.string() }), z.array(z.unknown())]),
    )
    .optional(),
  ...workload,
});

/** k6's scenario-name rule. */
export const SCENARIO_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Validate the shape of a plain plan object, collecting every problem.
 * Returns issues with paths relative to the plan root.
 */
export function checkPlanShape(raw: unknown): PlanIssue[] {
  const issues: PlanIssue[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [{ path: [], message: `a plan is an object with "scenarios" (or "profile"), got ${describeValue(raw)}` }];
  }
  issues.push(...zodIssues(planSchema, raw, []));
  const scenarios = (raw as { scenarios?: unknown }).scenarios;
  if (typeof scenarios === 'object' && scenarios !== null && !Array.isArray(scenarios)) {
    for (const [name, scenario] of Object.entries(scenarios)) {
      const path = ['scenarios', name];
      if (!SCENARIO_NAME.test(name)) {
        issues.push({ path, message: `invalid scenario name "${name}"; use only letters, digits, "_" and "-"` });
      }
      if (typeof scenario !== 'object' || scenario === null || Array.isArray(scenario)) continue;
      const executor = (scenario as { executor?: unknown }).executor;
      if (executor === undefined) {
        issues.push({ path, message: `missing "executor"; expected one of ${EXECUTOR_NAMES.join(', ')}` });
        continue;
      }
      if (typeof executor !== 'string' || !(EXECUTOR_NAMES as readonly string[]).includes(executor)) {
        const guess = typeof executor === 'string' ? closest(executor, EXECUTOR_NAMES) : undefined;
        issues.push({
          path: [...path, 'executor'],
          message: `unknown executor ${JSON.stringify(executor)}; expected one of ${EXECUTOR_NAMES.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`,
        });
        continue;
      }
      issues.push(...zodIssues(executorSchemas[executor as ExecutorName], scenario, path));
    }
  }
  return issues;
}

/** Run a schema and turn its issues into readable plan issues. */
export function zodIssues(schema: z.ZodType, value: unknown, prefix: PlanPath): PlanIssue[] {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return [];
  const out: PlanIssue[] = [];
  for (const issue of result.error.issues) {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path as (string | number)[]);
      for (const key of issue.keys) {
        const guess = allowed ? closest(key, allowed) : undefined;
        out.push({
          path: [...path, key],
          message: `unknown option "${key}"${guess ? ` (did you mean "${guess}"?)` : allowed ? `; allowed: ${allowed.join(', ')}` : ''}`,
        });
      }
      continue;
    }
    out.push({ path, message: messageOf(issue) });
  }
  return out;
}

function messageOf(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `required option is missing (expected ${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, got ${describeValue(input)}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? '≥' : '>'} ${issue.minimum}, got ${describeValue(input)}`;
    case 'too_big':
      return `must be ${issue.inclusive ? '≤' : '<'} ${issue.maximum}, got ${describeValue(input)}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      const guess = typeof input === 'string' ? closest(input, values) : undefined;
      return `unknown value ${describeValue(input)}; expected one of ${values.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`;
    }
    case 'invalid_union':
      return `unexpected ${describeValue(input)}; see docs/plan.md for the accepted forms`;
    case 'invalid_format':
      return `${issue.message}${input === undefined ? '' : `, got ${describeValue(input)}`}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  if (expected === 'record' || expected === 'object') return 'an object';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** `"fast"`, `3.5`, `a list`, `an object`, `true`. */
export const describeValue = describe;

/** The keys an object schema at `path` accepts, for did-you-mean (walks zod's definitions). */
function allowedKeys(schema: z.ZodType, path: readonly (string | number)[]): string[] | undefined {
  let current: unknown = schema;
  const unwrap = () => {
    for (;;) {
      const def = (current as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
      if (def === undefined) return undefined;
      if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') current = def.innerType;
      else if (def.type === 'pipe') current = def.in;
      else return def;
    }
  };
  for (const segment of path) {
    const def = unwrap();
    if (def === undefined) return undefined;
    if (def.type === 'object') current = (def.shape as Record<string, unknown>)[segment as string];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
    if (current === undefined) return undefined;
  }
  const def = unwrap();
  return def?.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : undefined;
}
