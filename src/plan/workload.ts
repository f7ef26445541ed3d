/**
 * YAML workloads without code: `requests:` (one weighted request per
 * iteration) or `flow:` (ordered steps in one iteration, later steps using
 * earlier captures), compiled once into a {@link ScenarioFunction}.
 *
 * Endpoint naming rule for a request without `name`: when its path has
 * templates, the name is `METHOD <path>` with each `{{ expr }}` replaced by
 * `:label` (label = the function name, e.g. `:randomInt`, or the last part of
 * a name, e.g. `{{ users.id }}` → `:id`) and the query string dropped:
 * `/api/orders/{{ randomInt(1,1000) }}` → `GET /api/orders/:randomInt`.
 * A static path gets no name here; the metrics layer templates it.
 *
 * @module
 */
import type { HttpResponse, RequestSpec, ScenarioFunction, VirtualUser } from '../engine/types.js';
import type { Tags } from '../result/types.js';
import { tryParseDuration } from './duration.js';
import type { DataTable } from './data.js';
import { RowCursor } from './data.js';
import type { IssueList, PlanPath } from './issues.js';
import { compileTemplate, TemplateError, type CompiledTemplate, type TemplateContext, type TemplateScope } from './template.js';
import type { RequestInput } from './types.js';
import { templateEndpoint } from '../metrics/endpoint.js';

/** What compiling a workload needs from the plan. */
export interface WorkloadEnvironment {
  baseUrl?: string;
  /** Plan-level headers, merged under each request's headers. */
  headers: Record<string, string>;
  data: ReadonlyMap<string, DataTable>;
  /** Shared row cursor (one per loaded plan, so rows rotate across scenarios). */
  cursor: RowCursor;
  env: Record<string, string | undefined>;
}

/** A compiled workload: always a function, plus the fixed request when there is exactly one static request. */
export interface CompiledWorkload {
  fn: ScenarioFunction;
  fixed?: RequestSpec;
}

type Capture = { name: string; rule: string; read: (response: HttpResponse) => string | undefined };

interface CompiledStep {
  weight: number;
  build(scope: TemplateScope): RequestSpec;
  /** Set when the request is the same every time. */
  staticSpec?: RequestSpec;
  captures: Capture[];
  label: string;
}

/**
 * Compile `requests` or `flow` (exactly one is given). Problems go to
 * `issues` with their JSON paths; returns undefined when any step failed.
 */
export function compileWorkload(
  input: { requests?: RequestInput[]; flow?: RequestInput[] },
  path: PlanPath,
  environment: WorkloadEnvironment,
  issues: IssueList,
): CompiledWorkload | undefined {
  const isFlow = input.flow !== undefined;
  const list = input.flow ?? input.requests ?? [];
  const key = isFlow ? 'flow' : 'requests';
  const before = issues.issues.length;
  const captured = new Set<string>();
  const steps: CompiledStep[] = [];
  list.forEach((request, index) => {
    const step = compileStep(request, [...path, key, index], environment, isFlow ? captured : new Set(), issues);
    if (step !== undefined) steps.push(step);
    if (isFlow) for (const name of Object.keys(request.capture ?? {})) captured.add(name);
  });
  if (issues.issues.length > before || steps.length === 0) return undefined;

  const { cursor, env } = environment;
  const newScope = (vu: VirtualUser): TemplateScope => {
    const rows = new Map<string, Record<string, unknown>>();
    return {
      vu,
      vars: {},
      env,
      row(name) {
        let row = rows.get(name);
        if (row === undefined) {
          row = cursor.take(name);
          rows.set(name, row);
        }
        return row;
      },
    };
  };

  if (steps.length === 1 && steps[0].staticSpec !== undefined && steps[0].captures.length === 0) {
    const fixed = steps[0].staticSpec;
    return { fn: async (vu) => void (await vu.http.request(fixed)), fixed };
  }
  if (isFlow) {
    return {
      fn: async (vu) => {
        const scope = newScope(vu);
        for (const step of steps) await runStep(step, vu, scope);
      },
    };
  }
  const cumulative: number[] = [];
  let total = 0;
  for (const step of steps) cumulative.push((total += step.weight));
  return {
    fn: async (vu) => {
      const target = Math.random() * total;
      let i = 0;
      while (i < cumulative.length - 1 && cumulative[i] <= target) i++;
      await runStep(steps[i], vu, newScope(vu));
    },
  };
}

async function runStep(step: CompiledStep, vu: VirtualUser, scope: TemplateScope): Promise<void> {
  const spec = step.staticSpec ?? step.build(scope);
  const response = await vu.http.request(spec);
  for (const capture of step.captures) {
    const value = capture.read(response);
    if (value === undefined) {
      // Failing the iteration is honest: later steps would send garbage.
      throw new Error(
        `capture "${capture.name}" (${capture.rule}) found nothing in the response of ${step.label} (status ${response.status})`,
      );
    }
    scope.vars[capture.name] = value;
  }
}

function compileStep(
  request: RequestInput,
  path: PlanPath,
  environment: WorkloadEnvironment,
  captures: ReadonlySet<string>,
  issues: IssueList,
): CompiledStep | undefined {
  const context: TemplateContext = {
    data: new Map([...environment.data].map(([name, table]) => [name, table.columns])),
    captures,
  };
  let failed = false;
  const compile = (text: string, at: PlanPath): CompiledTemplate | undefined => {
    try {
      return compileTemplate(text, context);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      issues.add(at, `${error.message} (column ${error.column})`);
      failed = true;
      return undefined;
    }
  };

  const hasBody = request.body !== undefined || request.json !== undefined;
  const method = (request.method ?? (hasBody ? 'POST' : 'GET')).toUpperCase();
  const urlKey = request.url !== undefined ? 'url' : 'path';
  const urlTemplate = compile(request.url ?? request.path ?? '', [...path, urlKey]);
  let prefix = '';
  if (urlKey === 'path') {
    if (environment.baseUrl === undefined) {
      issues.add([...path, 'path'], 'a "path" needs a baseUrl; set baseUrl at the top of the plan (or --base-url), or give an absolute "url"');
      failed = true;
    } else {
      prefix = environment.baseUrl.replace(/\/+$/, '');
      if (!(request.path ?? '').startsWith('/')) prefix += '/';
    }
  } else if (!/^https?:\/\//.test(request.url ?? '')) {
    issues.add([...path, 'url'], `"url" must be absolute (http://...), got ${JSON.stringify(request.url)}; use "path" for a path joined to baseUrl`);
    failed = true;
  }

  const headerTemplates: [string, CompiledTemplate | undefined][] = Object.entries({ ...environment.headers, ...request.headers }).map(
    ([name, value]) => [name, compile(value, request.headers && name in request.headers ? [...path, 'headers', name] : ['headers', name])],
  );
  const bodyTemplate = request.body !== undefined ? compile(request.body, [...path, 'body']) : undefined;
  const cacheKeyTemplate = request.cacheKey !== undefined ? compile(request.cacheKey, [...path, 'cacheKey']) : undefined;
  const jsonBuilder = request.json !== undefined ? compileJson(request.json, [...path, 'json'], compile) : undefined;

  const captureList: Capture[] = [];
  for (const [name, rule] of Object.entries(request.capture ?? {})) {
    const reader = compileCapture(rule);
    if (typeof reader === 'string') {
      issues.add([...path, 'capture', name], reader);
      failed = true;
    } else {
      captureList.push({ name, rule, read: reader });
    }
  }

  let timeout: number | undefined;
  if (request.timeout !== undefined) {
    const parsed = tryParseDuration(request.timeout);
    if (parsed.ok) timeout = parsed.ms;
  }
  if (failed || urlTemplate === undefined) return undefined;

  const name = request.name ?? (urlTemplate.isStatic ? undefined : `${method} ${routePath(urlTemplate.route, urlKey === 'url')}`);
  const label = name ?? `${method} ${request.url ?? request.path}`;
  const expectedStatuses = request.expect?.status;
  const tags: Tags | undefined = request.tags;
  const needsBody = captureList.some((c) => !c.rule.startsWith('header:'));
  const headerPairs = headerTemplates as [string, CompiledTemplate][];
  const jsonHeader = jsonBuilder !== undefined && !headerPairs.some(([h]) => h.toLowerCase() === 'content-type');

  const build = (scope: TemplateScope): RequestSpec => {
    const spec: RequestSpec = { method, url: prefix + urlTemplate.render(scope) };
    if (headerPairs.length > 0 || jsonHeader) {
      const headers: Record<string, string> = {};
      for (const [header, template] of headerPairs) headers[header] = template.render(scope);
      if (jsonHeader) headers['content-type'] = 'application/json';
      spec.headers = headers;
    }
    if (bodyTemplate !== undefined) spec.body = bodyTemplate.render(scope);
    else if (jsonBuilder !== undefined) spec.body = JSON.stringify(jsonBuilder(scope));
    if (name !== undefined) spec.name = name;
    if (tags !== undefined) spec.tags = tags;
    if (timeout !== undefined) spec.timeout = timeout;
    if (expectedStatuses !== undefined) spec.expectedStatuses = expectedStatuses;
    if (!needsBody) spec.discardBody = true;
    if (cacheKeyTemplate !== undefined) spec.cacheKey = cacheKeyTemplate.render(scope);
    return spec;
  };

  const isStatic =
    urlTemplate.isStatic &&
    headerPairs.every(([, t]) => t.isStatic) &&
    (bodyTemplate?.isStatic ?? true) &&
    (cacheKeyTemplate?.isStatic ?? true) &&
    (jsonBuilder?.isStatic ?? true);
  return {
    weight: request.weight ?? 1,
    build,
    // Static requests are built once; the engine must treat specs as read-only.
    staticSpec: isStatic ? build(undefined as unknown as TemplateScope) : undefined,
    captures: captureList,
    label,
  };
}

/** The path part of a route template, without query string (and without scheme/host for absolute URLs). */
function routePath(route: string, absolute: boolean): string {
  let path = route;
  if (absolute) {
    const match = /^https?:\/\/[^/]*(\/.*)?$/.exec(path);
    path = match?.[1] ?? '/';
  }
  const query = path.indexOf('?');
  if (query !== -1) path = path.slice(0, query);
  return path.startsWith('/') ? path : `/${path}`;
}

type JsonBuilder = ((scope: TemplateScope) => unknown) & { isStatic: boolean };

/** Compile template strings inside a JSON body (keys stay literal). */
function compileJson(
  value: unknown,
  path: PlanPath,
  compile: (text: string, at: PlanPath) => CompiledTemplate | undefined,
): JsonBuilder {
  if (typeof value === 'string') {
    const template = compile(value, path);
    const fn = ((scope: TemplateScope) => template?.value(scope)) as JsonBuilder;
    fn.isStatic = template?.isStatic ?? true;
    return template?.isStatic ? constant(value) : fn;
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileJson(item, [...path, i], compile));
    if (items.every((i) => i.isStatic)) return constant(value);
    const fn = ((scope: TemplateScope) => items.map((item) => item(scope))) as JsonBuilder;
    fn.isStatic = false;
    return fn;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, compileJson(v, [...path, k], compile)] as const);
    if (entries.every(([, b]) => b.isStatic)) return constant(value);
    const fn = ((scope: TemplateScope) => {
      const out: Record<string, unknown> = {};
      for (const [k, builder] of entries) out[k] = builder(scope);
      return out;
    }) as JsonBuilder;
    fn.isStatic = false;
    return fn;
  }
  return constant(value);
}

function constant(value: unknown): JsonBuilder {
  return Object.assign(() => value, { isStatic: true });
}

/**
 * Compile a capture rule into a reader, or return an error message.
 * Rules: `json.a.b[0].c` (or `json` for the whole body), `header:name`, `regex:pattern`
 * (first group, or the whole match when the pattern has no group).
 */
export function compileCapture(rule: string): ((response: HttpResponse) => string | undefined) | string {
  if (rule.startsWith('header:')) {
    const header = rule.slice('header:'.length).trim().toLowerCase();
    if (header === '') return 'capture "header:" needs a header name, e.g. header:x-request-id';
    return (response) => response.headers[header];
  }
  if (rule.startsWith('regex:')) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(rule.slice('regex:'.length));
    } catch (error) {
      return `invalid regular expression in capture: ${(error as Error).message}`;
    }
    return (response) => {
      const match = pattern.exec(response.body);
      return match === null ? undefined : (match[1] ?? match[0]);
    };
  }
  if (rule === 'json' || rule.startsWith('json.') || rule.startsWith('json[')) {
    const segments: (string | number)[] = [];
    const text = rule.slice(4);
    const part = /\.([^.[\]]+)|\[(\d+)\]/y;
    let index = 0;
    while (index < text.length) {
      part.lastIndex = index;
      const match = part.exec(text);
      if (match === null) return `cannot read JSON path "${rule}" at "${text.slice(index)}"; write json.items[0].id`;
      segments.push(match[1] !== undefined ? (/^\d+$/.test(match[1]) ? Number(match[1]) : match[1]) : Number(match[2]));
      index = part.lastIndex;
    }
    return (response) => {
      let value: unknown;
      try {
        value = JSON.parse(response.body);
      } catch {
        return undefined;
      }
      for (const segment of segments) {
        if (typeof value !== 'object' || value === null) return undefined;
        value = (value as Record<string | number, unknown>)[segment];
      }
      if (value === undefined || value === null) return undefined;
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    };
  }
  return `capture rule ${JSON.stringify(rule)} must start with "json." (a JSON path), "header:" or "regex:"`;
}

/**
 * The endpoint name a request of a YAML workload is recorded under, without running it: its `name`; for a
 * templated URL `METHOD <route>` (the naming rule above); for a static URL the metrics layer's route
 * template of it. Undefined when the URL does not compile. `tuneup diagnose` uses it to run one request
 * of a `requests:` mix alone.
 */
export function requestEndpointName(request: RequestInput, baseUrl?: string, data: ReadonlyMap<string, readonly string[] | undefined> = new Map()): string | undefined {
  if (request.name !== undefined) return request.name;
  const hasBody = request.body !== undefined || request.json !== undefined;
  const method = (request.method ?? (hasBody ? 'POST' : 'GET')).toUpperCase();
  const absolute = request.url !== undefined;
  let template: CompiledTemplate;
  try {
    template = compileTemplate(request.url ?? request.path ?? '', { data, captures: new Set() });
  } catch {
    return undefined;
  }
  if (!template.isStatic) return `${method} ${routePath(template.route, absolute)}`;
  // Static URLs are named by the metrics layer from the full URL, base path included.
  const prefix = absolute || baseUrl === undefined ? '' : baseUrl.replace(/\/+$/, '') + (template.source.startsWith('/') ? '' : '/');
  return templateEndpoint(method, prefix + template.source);
}
