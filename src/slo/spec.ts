/**
 * From a plan to its SLOs: the explicit `slo.objectives` and the thresholds
 * that state one (a latency percentile of `http_req_duration`, the error rate
 * of `http_req_failed`), each bound to a route of the service's duration
 * histogram and, for latency, to one of its buckets.
 *
 * @module
 */
import { z } from 'zod';
import { TuneupError } from '../errors.js';
import { tryParseDuration } from '../plan/duration.js';
import type { ResolvedPlan } from '../plan/types.js';
import type { ThresholdSpec } from '../thresholds/types.js';
import { resolveConventions, type ConventionOverrides, type MetricConventions } from './conventions.js';
import { CACHE_SECTION_SCHEMA, POSTGRES_SECTION_SCHEMA, dependenciesFor, type DependencySpec, type RunMeasurements } from './dependencies.js';
import { DEFAULT_PERIOD_MS, parsePromDuration } from './windows.js';

/** The route (and method) an SLO is about; absent = every route of the service. */
export interface SloEndpoint {
  /** Route template as the service labels it, e.g. `/api/orders/:id`. */
  route: string;
  /** HTTP method, e.g. `GET`; absent = every method. */
  method?: string;
}

/** Where a latency SLO draws the line between good and slow requests. */
export interface LatencyTarget {
  /** The threshold the plan asked for (seconds). */
  thresholdSeconds: number;
  /** The histogram bucket (`le`, seconds) the rules count as good: the threshold itself or the largest bucket below it. */
  le: number;
  /** True when the threshold is a bucket boundary; false means the rules are stricter than asked. */
  exact: boolean;
}

/** One service-level objective, ready to turn into PromQL. */
export interface SloSpec {
  /** `<service>-<name>`: the `sloth_id` label of every rule. */
  id: string;
  /** Short name, unique in the plan, e.g. `get-api-orders-id-latency-p95`. */
  name: string;
  service: string;
  kind: 'latency' | 'availability';
  /** Share of good requests the objective demands, 0 < objective < 1 (0.95 for p95). */
  objective: number;
  endpoint?: SloEndpoint;
  /** Set for `kind: 'latency'`. */
  latency?: LatencyTarget;
  /** What in the plan this SLO comes from, for messages and rule annotations. */
  source: string;
  /** One line for people: `95 % of GET /api/orders/:id requests faster than 200 ms`. */
  description: string;
}

/** Every SLO of a plan and the context the rules need. */
export interface SloSet {
  service: string;
  /** The SLO period (ms); 30 days unless `slo.window` says otherwise. */
  periodMs: number;
  conventions: MetricConventions;
  slos: SloSpec[];
  /** Cache and PostgreSQL rules, when the plan or the run probed them (empty otherwise). */
  dependencies: DependencySpec;
  /** Thresholds that could not become an SLO, bucket choices and the dependency rules' thresholds, in words. */
  notes: string[];
}

const percent = z.number().gt(0).lt(100);
const objectiveSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, 'letters, digits and dashes').optional(),
    endpoint: z.string().min(1).optional(),
    latency: z.object({ threshold: z.union([z.string(), z.number().positive()]), objective: percent }).strict().optional(),
    availability: percent.optional(),
  })
  .strict()
  .refine((o) => (o.latency === undefined) !== (o.availability === undefined), 'give exactly one of latency or availability');

/** The plan's `slo` section (all optional). */
export const SLO_SECTION_SCHEMA = z
  .object({
    service: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, 'letters, digits, _ and -').optional(),
    window: z.union([z.string(), z.number().positive()]).optional(),
    fromThresholds: z.boolean().optional(),
    metrics: z
      .object({
        preset: z.string().optional(),
        histogram: z.string().optional(),
        labels: z.object({ route: z.string(), method: z.string(), status: z.string() }).partial().strict().optional(),
        errorStatus: z.string().optional(),
        selector: z.record(z.string(), z.string()).optional(),
        buckets: z.array(z.number()).optional(),
      })
      .strict()
      .optional(),
    objectives: z.array(objectiveSchema).optional(),
    cache: CACHE_SECTION_SCHEMA.optional(),
    postgres: POSTGRES_SECTION_SCHEMA.optional(),
  })
  .strict();

/** The plan's `slo` section as written. */
export type SloSection = z.infer<typeof SLO_SECTION_SCHEMA>;

/** What the command line may change. */
export interface SloOverrides {
  /** Convention preset (`--preset`). */
  preset?: string;
  /** Histogram base name (`--metric`). */
  histogram?: string;
  /** Service name (`--service`). */
  service?: string;
  /** SLO period (`--window`), e.g. `30d`. */
  window?: string;
  /** Cache hit ratio objective in percent (`--cache-objective`). */
  cacheObjective?: string;
  /** What a stored run measured (`--run`): its probes turn the dependency rules on and set the cache objective. */
  measured?: RunMeasurements;
}

/**
 * The SLOs of a plan.
 * @throws TuneupError `TUNEUP_SLO_INVALID` (bad `slo` section), `TUNEUP_SLO_PRESET_UNKNOWN`,
 *   `TUNEUP_SLO_MISSING` (nothing to export).
 */
export function slosFromPlan(
  plan: Pick<ResolvedPlan, 'name' | 'slo' | 'thresholds' | 'source'> & Partial<Pick<ResolvedPlan, 'probes'>>,
  overrides: SloOverrides = {},
): SloSet {
  const parsed = SLO_SECTION_SCHEMA.safeParse(plan.slo ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `slo.${i.path.join('.')}: ${i.message}`);
    throw new TuneupError('TUNEUP_SLO_INVALID', issues.join('; '), {
      location: plan.source,
      hint: 'see docs/slo.md for the slo section (service, window, metrics, objectives, cache, postgres)',
    });
  }
  const section = parsed.data;
  const conventions = resolveConventions({
    ...(section.metrics as ConventionOverrides | undefined),
    ...(overrides.preset === undefined ? {} : { preset: overrides.preset }),
    ...(overrides.histogram === undefined ? {} : { histogram: overrides.histogram }),
  });
  const service = overrides.service ?? section.service ?? slug(plan.name ?? 'service');
  const window = overrides.window ?? section.window;
  const periodMs = window === undefined ? DEFAULT_PERIOD_MS : parsePromDuration(window, overrides.window ? '--window' : 'slo.window');
  const notes: string[] = [];
  const drafts: Draft[] = [];
  section.objectives?.forEach((o, i) => drafts.push(draftFromObjective(o, `slo.objectives[${i}]`)));
  if (section.fromThresholds !== false) {
    for (const threshold of plan.thresholds) {
      const draft = draftFromThreshold(threshold);
      if (typeof draft === 'string') notes.push(draft);
      else drafts.push(draft);
    }
  }
  const slos = uniqueNames(dedupe(drafts)).map((d) => finish(d, service, conventions, notes));
  if (slos.length === 0) {
    throw new TuneupError('TUNEUP_SLO_MISSING', `${plan.source ?? 'the plan'} states no SLO`, {
      location: plan.source,
      hint: "add a threshold such as http_req_duration: ['p(95)<300'] or http_req_failed: ['rate<0.01'], or slo.objectives (see docs/slo.md)",
    });
  }
  const dependencies = dependenciesFor(
    { cache: section.cache, postgres: section.postgres, probes: plan.probes, measured: overrides.measured, cacheObjective: overrides.cacheObjective },
    notes,
  );
  return { service, periodMs, conventions, slos, dependencies, notes };
}

interface Draft {
  name?: string;
  kind: 'latency' | 'availability';
  objective: number;
  endpoint?: SloEndpoint;
  thresholdSeconds?: number;
  source: string;
}

function draftFromObjective(o: z.infer<typeof objectiveSchema>, source: string): Draft {
  const endpoint = o.endpoint === undefined ? undefined : parseEndpoint(o.endpoint);
  if (o.availability !== undefined) return { name: o.name, kind: 'availability', objective: o.availability / 100, endpoint, source };
  const latency = o.latency!;
  const parsed = tryParseDuration(latency.threshold);
  if (!parsed.ok || !(parsed.ms > 0)) {
    throw new TuneupError('TUNEUP_SLO_INVALID', `${source}.latency.threshold: ${parsed.ok ? 'must be positive' : parsed.reason}`, {
      location: `${source}.latency.threshold`,
      hint: "write it as '300ms' or '1.5s' (a bare number is milliseconds)",
    });
  }
  return { name: o.name, kind: 'latency', objective: latency.objective / 100, endpoint, thresholdSeconds: parsed.ms / 1000, source };
}

/** An SLO draft, or the reason the threshold does not state one. */
function draftFromThreshold(t: ThresholdSpec): Draft | string {
  const source = `threshold ${t.metric.key}: ${t.expression.source}`;
  const { method, operator, value, percentile } = t.expression;
  const below = operator === '<' || operator === '<=';
  const tags = Object.keys(t.metric.filter).filter((k) => k !== 'endpoint' && k !== 'method');
  if (t.metric.name !== 'http_req_duration' && t.metric.name !== 'http_req_failed') return `${source}: not an SLO metric (only http_req_duration and http_req_failed map to the service's histogram)`;
  if (tags.length > 0) return `${source}: tag ${tags.join(', ')} has no label on the service's histogram (only endpoint and method do)`;
  let endpoint = t.metric.filter.endpoint === undefined ? undefined : parseEndpoint(t.metric.filter.endpoint);
  const methodTag = t.metric.filter.method;
  if (methodTag !== undefined) {
    if (!endpoint) return `${source}: a method without an endpoint has no route to select`;
    endpoint = { ...endpoint, method: methodTag.toUpperCase() };
  }
  if (t.metric.name === 'http_req_failed') {
    if (method !== 'rate' || !below || !(value > 0 && value < 1)) return `${source}: only rate<X with 0 < X < 1 states an availability objective`;
    return { kind: 'availability', objective: 1 - value, endpoint, source };
  }
  const pct = method === 'med' ? 50 : method === 'p' ? percentile : undefined;
  if (pct === undefined || !below) return `${source}: only p(N)<X or med<X states a latency objective (avg, min and max do not)`;
  if (!(pct > 0 && pct < 100) || !(value > 0)) return `${source}: a percentile of 0 or 100, or a non-positive bound, leaves no error budget`;
  return { kind: 'latency', objective: pct / 100, endpoint, thresholdSeconds: value / 1000, source };
}

/** `GET /api/orders/:id` → method and route; `/api/orders/:id` → route only. */
export function parseEndpoint(text: string): SloEndpoint {
  const match = /^([A-Za-z]+)\s+(\S.*)$/.exec(text.trim());
  if (match && !match[1]!.startsWith('/')) return { method: match[1]!.toUpperCase(), route: match[2]!.trim() };
  return { route: text.trim() };
}

function dedupe(drafts: Draft[]): Draft[] {
  const seen = new Set<string>();
  return drafts.filter((d) => {
    const key = JSON.stringify([d.kind, d.objective, d.endpoint?.method, d.endpoint?.route, d.thresholdSeconds]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function uniqueNames(drafts: Draft[]): Array<Draft & { name: string }> {
  const used = new Map<string, number>();
  return drafts.map((d) => {
    const base = d.name ?? defaultName(d);
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return { ...d, name: n === 1 ? base : `${base}-${n}` };
  });
}

function defaultName(d: Draft): string {
  const where = d.endpoint ? slug(`${d.endpoint.method ?? ''} ${d.endpoint.route}`) : 'all-routes';
  return d.kind === 'availability' ? `${where}-availability` : `${where}-latency-p${slug(String(+(d.objective * 100).toFixed(4)))}`;
}

function finish(d: Draft & { name: string }, service: string, conventions: MetricConventions, notes: string[]): SloSpec {
  const where = d.endpoint ? `${d.endpoint.method ? `${d.endpoint.method} ` : ''}${d.endpoint.route}` : 'all';
  const pct = `${+(d.objective * 100).toFixed(4)} %`;
  const base = { id: `${service}-${d.name}`, name: d.name, service, kind: d.kind, objective: d.objective, endpoint: d.endpoint, source: d.source };
  if (d.kind === 'availability') return { ...base, description: `${pct} of ${where} requests answered without a ${conventions.errorStatus} status` };
  const latency = pickBucket(d.thresholdSeconds!, conventions.buckets, d.source);
  if (!latency.exact) {
    notes.push(`${d.source}: ${fmtSeconds(latency.thresholdSeconds)} is not a bucket of ${conventions.histogram}; the rules count requests within le=${latency.le} s as good (stricter). Add the bucket to the service's histogram and to slo.metrics.buckets to be exact.`);
  }
  return { ...base, latency, description: `${pct} of ${where} requests within ${fmtSeconds(latency.le)}${latency.exact ? '' : ` (asked: ${fmtSeconds(latency.thresholdSeconds)})`}` };
}

/**
 * The bucket a latency threshold uses: the threshold itself when it is a
 * boundary, else the largest boundary below it (a request in a bucket above
 * it may have been slower than the threshold, so only the lower one is safe).
 */
export function pickBucket(thresholdSeconds: number, buckets: readonly number[], source: string): LatencyTarget {
  const exact = buckets.find((b) => Math.abs(b - thresholdSeconds) <= 1e-9 * Math.max(1, thresholdSeconds));
  if (exact !== undefined) return { thresholdSeconds, le: exact, exact: true };
  const below = buckets.filter((b) => b < thresholdSeconds);
  if (below.length === 0) {
    throw new TuneupError('TUNEUP_SLO_INVALID', `${source}: ${fmtSeconds(thresholdSeconds)} is below every histogram bucket (smallest le=${buckets[0]} s)`, {
      location: 'slo.metrics.buckets',
      hint: 'list the buckets your histogram really has under slo.metrics.buckets (seconds), including one at the threshold',
    });
  }
  return { thresholdSeconds, le: below[below.length - 1]!, exact: false };
}

function fmtSeconds(s: number): string {
  return s < 1 ? `${+(s * 1000).toFixed(3)} ms` : `${+s.toFixed(3)} s`;
}

/** Lower-case letters, digits and single dashes. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'root';
}
