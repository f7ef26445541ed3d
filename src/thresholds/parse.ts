/**
 * Parser for k6's threshold grammar (grafana/k6 metrics/thresholds_parser.go):
 *
 *     assertion          -> aggregation_method whitespace* operator whitespace* float
 *     aggregation_method -> trend | rate | gauge | counter
 *     counter            -> "count" | "rate"
 *     gauge              -> "value"
 *     rate               -> "rate"
 *     trend              -> "avg" | "min" | "max" | "med" | percentile
 *     percentile         -> "p(" float ")"
 *     operator           -> ">" | ">=" | "<=" | "<" | "==" | "===" | "!="
 *
 * and for metric keys with tag filters: `name{tag:value,tag2:value2}`.
 *
 * @module
 */
import { TuneupError } from '../errors.js';
import type { MetricType, Tags } from '../result/types.js';
import { closest } from '../plan/suggest.js';
import { tryParseDuration } from '../plan/duration.js';
import type { AggregationMethod, MetricKey, ThresholdExpression, ThresholdOperator, ThresholdSpec } from './types.js';

/** Aggregations valid per metric type (k6 rules). */
export const AGGREGATIONS_BY_TYPE: Readonly<Record<MetricType, readonly AggregationMethod[]>> = {
  trend: ['avg', 'min', 'max', 'med', 'p'],
  rate: ['rate'],
  counter: ['count', 'rate'],
  gauge: ['value'],
};

/**
 * Types of the built-in metrics, so a wrong aggregation (`http_req_failed:
 * ['p(95)<1']`) fails at plan load. Names follow k6 (metrics/builtin.go);
 * custom metrics are validated when evaluated.
 */
export const BUILTIN_METRIC_TYPES: Readonly<Record<string, MetricType>> = {
  vus: 'gauge',
  vus_max: 'gauge',
  iterations: 'counter',
  iteration_duration: 'trend',
  dropped_iterations: 'counter',
  checks: 'rate',
  data_sent: 'counter',
  data_received: 'counter',
  http_reqs: 'counter',
  http_req_failed: 'rate',
  http_req_duration: 'trend',
  http_req_blocked: 'trend',
  http_req_connecting: 'trend',
  http_req_tls_handshaking: 'trend',
  http_req_sending: 'trend',
  http_req_waiting: 'trend',
  http_req_receiving: 'trend',
  // tuneup additions: the open-model latency view and the iteration start lag.
  http_req_response_time: 'trend',
  iteration_start_lag: 'trend',
};

const METHOD_NAMES = ['avg', 'min', 'max', 'med', 'count', 'rate', 'value'] as const;
const OPERATORS: readonly ThresholdOperator[] = ['===', '==', '>=', '<=', '!=', '>', '<'];
const FLOAT = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/;

/** A problem found while parsing; `parseThreshold` turns the first into a TuneupError, plan validation collects all. */
export interface ThresholdProblem {
  /** The metric key as written. */
  metric: string;
  /** The expression as written ('' for a problem in the key). */
  expression: string;
  /** What is wrong and what was expected. */
  message: string;
}

function fail(metric: string, expression: string, message: string): never {
  throw new ThresholdSyntaxError({ metric, expression, message });
}

/** Internal carrier for a problem while parsing. */
class ThresholdSyntaxError extends Error {
  constructor(readonly problem: ThresholdProblem) {
    super(problem.message);
  }
}

/** Where in `text` position `index` is, for messages: `at position 6 ('<>200')`. */
function at(text: string, index: number): string {
  const rest = text.slice(index);
  return `at position ${index + 1} (${rest === '' ? 'end of expression' : `'${rest}'`})`;
}

/**
 * Parse one expression such as `p(95) < 200`.
 * @throws TuneupError `TUNEUP_THRESHOLD_INVALID` naming the metric, the expression, the position and what was expected.
 */
export function parseExpression(expression: string, metric = ''): ThresholdExpression {
  try {
    return parseExpressionInner(expression, metric);
  } catch (error) {
    throw toTuneupError(error);
  }
}

function parseExpressionInner(source: string, metric: string): ThresholdExpression {
  if (typeof source !== 'string') fail(metric, String(source), `expected a string such as "p(95)<200", got ${typeof source}`);
  let i = 0;
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i])) i++;
  };
  skipSpace();
  const identStart = i;
  while (i < source.length && /[a-z]/i.test(source[i])) i++;
  const ident = source.slice(identStart, i);
  let method: AggregationMethod;
  let percentile: number | undefined;
  if (ident === 'p' && source[i] === '(') {
    i++;
    skipSpace();
    FLOAT.lastIndex = i;
    const number = FLOAT.exec(source);
    if (number === null) fail(metric, source, `expected a percentile number inside p( ) ${at(source, i)}`);
    percentile = Number(number[0]);
    i = FLOAT.lastIndex;
    skipSpace();
    if (source[i] !== ')') fail(metric, source, `expected ')' to close p( ${at(source, i)}`);
    i++;
    if (!(percentile >= 0 && percentile <= 100)) {
      fail(metric, source, `percentile p(${number[0]}) is outside 0–100`);
    }
    method = 'p';
  } else if ((METHOD_NAMES as readonly string[]).includes(ident)) {
    method = ident as AggregationMethod;
  } else {
    const guess = ident === '' ? undefined : closest(ident, [...METHOD_NAMES, 'p']);
    const suggestion = ident === 'p' ? ' (percentiles are written p(95))' : guess ? ` (did you mean "${guess === 'p' ? 'p(N)' : guess}"?)` : '';
    fail(
      metric,
      source,
      `expected an aggregation (avg, min, max, med, p(N), count, rate, value) ${at(source, identStart)}${ident ? `, got "${ident}"` : ''}${suggestion}`,
    );
  }
  skipSpace();
  const operator = OPERATORS.find((op) => source.startsWith(op, i));
  if (operator === undefined) fail(metric, source, `expected an operator (>, >=, <=, <, ==, ===, !=) ${at(source, i)}`);
  i += operator.length;
  skipSpace();
  FLOAT.lastIndex = i;
  const value = FLOAT.exec(source);
  if (value === null) fail(metric, source, `expected a number after '${operator}' ${at(source, i)}`);
  i = FLOAT.lastIndex;
  skipSpace();
  if (i < source.length) fail(metric, source, `unexpected text after the number ${at(source, i)}`);
  return { source, method, ...(percentile === undefined ? {} : { percentile }), operator, value: Number(value[0]) };
}

/**
 * Split a metric key into name and tag filter. Tag pairs are separated by
 * commas and split on their FIRST colon, so values may contain spaces,
 * colons and slashes (`{endpoint:GET /api/orders/:id}`). A value that
 * contains a comma must be quoted: `{endpoint:"GET /a,b"}`. Whitespace
 * around names and values is trimmed.
 * @throws TuneupError `TUNEUP_THRESHOLD_INVALID`.
 */
export function parseMetricKey(key: string): MetricKey {
  try {
    return parseMetricKeyInner(key);
  } catch (error) {
    throw toTuneupError(error);
  }
}

function parseMetricKeyInner(key: string): MetricKey {
  const brace = key.indexOf('{');
  const name = (brace === -1 ? key : key.slice(0, brace)).trim();
  if (!METRIC_NAME.test(name)) {
    fail(key, '', `invalid metric name "${name}"; expected letters, digits and _ (e.g. http_req_duration), optionally followed by {tag:value}`);
  }
  const filter: Tags = {};
  if (brace === -1) return { key, name, filter };
  const trimmed = key.trimEnd();
  if (!trimmed.endsWith('}')) fail(key, '', `tag filter is missing its closing '}' (write ${name}{tag:value})`);
  const body = trimmed.slice(brace + 1, -1);
  if (body.trim() === '') fail(key, '', `empty tag filter {}; remove the braces or write {tag:value}`);
  for (const pair of splitPairs(body, key)) {
    const colon = pair.indexOf(':');
    if (colon === -1) fail(key, '', `tag filter "${pair.trim()}" has no ':'; write tag:value`);
    const tag = pair.slice(0, colon).trim();
    const value = unquote(pair.slice(colon + 1).trim());
    if (tag === '') fail(key, '', `tag filter "${pair.trim()}" has an empty tag name`);
    if (tag in filter) fail(key, '', `tag "${tag}" appears twice in the filter`);
    filter[tag] = value;
  }
  return { key, name, filter };
}

/** Split on commas outside quotes; a quote counts only when it opens a value (right after `tag:`). */
function splitPairs(body: string, key: string): string[] {
  const pairs: string[] = [];
  let quote: string | null = null;
  let seenColon = false;
  let valueStarted = false;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote !== null) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === ',') {
      pairs.push(body.slice(start, i));
      start = i + 1;
      seenColon = false;
      valueStarted = false;
    } else if (!seenColon) {
      if (c === ':') seenColon = true;
    } else if (!valueStarted && !/\s/.test(c)) {
      valueStarted = true;
      if (c === '"' || c === "'") quote = c;
    }
  }
  if (quote !== null) fail(key, '', `unterminated ${quote} in tag filter`);
  pairs.push(body.slice(start));
  return pairs;
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0]) {
    return value.slice(1, -1);
  }
  return value;
}

/** A threshold as written: the string form or the object form. */
export type ThresholdDefinition = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string | number };

/**
 * Parse one threshold (string or object form) for a metric key, checking
 * the aggregation against the metric's type when the metric is built in.
 * @throws TuneupError `TUNEUP_THRESHOLD_INVALID`.
 */
export function parseThreshold(metricKey: string, definition: ThresholdDefinition): ThresholdSpec {
  const result = collectThresholds({ [metricKey]: [definition] });
  if (result.problems.length > 0) throw toTuneupError(new ThresholdSyntaxError(result.problems[0]));
  return result.specs[0];
}

/**
 * Parse a whole `thresholds` record, collecting every problem instead of
 * stopping at the first (plan validation reports them all at once).
 * Warnings name metric keys that are not built-in metrics (possible typos).
 */
export function collectThresholds(record: Record<string, unknown>): {
  specs: ThresholdSpec[];
  problems: ThresholdProblem[];
  warnings: string[];
} {
  const specs: ThresholdSpec[] = [];
  const problems: ThresholdProblem[] = [];
  const warnings: string[] = [];
  for (const [key, list] of Object.entries(record)) {
    let metric: MetricKey;
    try {
      metric = parseMetricKeyInner(key);
    } catch (error) {
      problems.push(problemOf(error));
      continue;
    }
    const type = BUILTIN_METRIC_TYPES[metric.name];
    if (type === undefined) {
      const guess = closest(metric.name, Object.keys(BUILTIN_METRIC_TYPES));
      warnings.push(
        `threshold on "${metric.name}", which is not a built-in metric${guess ? ` (did you mean "${guess}"?)` : ''}; it passes unless a custom metric of that name is recorded`,
      );
    }
    const items = Array.isArray(list) ? list : [list];
    for (const item of items) {
      try {
        specs.push(parseOne(metric, item, type));
      } catch (error) {
        problems.push(problemOf(error));
      }
    }
  }
  return { specs, problems, warnings };
}

function parseOne(metric: MetricKey, item: unknown, type: MetricType | undefined): ThresholdSpec {
  let source: unknown = item;
  let abortOnFail = false;
  let delayAbortEvalMs = 0;
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const object = item as Record<string, unknown>;
    for (const k of Object.keys(object)) {
      if (!['threshold', 'abortOnFail', 'delayAbortEval'].includes(k)) {
        const guess = closest(k, ['threshold', 'abortOnFail', 'delayAbortEval']);
        fail(metric.key, String(object.threshold ?? ''), `unknown key "${k}" in threshold object${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: threshold, abortOnFail, delayAbortEval`);
      }
    }
    source = object.threshold;
    if (typeof source !== 'string') fail(metric.key, '', `threshold object needs "threshold": "<expression>", e.g. { threshold: "p(95)<200", abortOnFail: true }`);
    if (object.abortOnFail !== undefined && typeof object.abortOnFail !== 'boolean') {
      fail(metric.key, source, `abortOnFail: expected true or false, got ${JSON.stringify(object.abortOnFail)}`);
    }
    abortOnFail = object.abortOnFail === true;
    if (object.delayAbortEval !== undefined) {
      const delay = tryParseDuration(object.delayAbortEval);
      if (!delay.ok) fail(metric.key, source, `delayAbortEval: ${delay.reason}`);
      delayAbortEvalMs = delay.ms;
    }
  }
  if (typeof source !== 'string') {
    fail(metric.key, String(source), `expected an expression string such as "p(95)<200" or an object { threshold, abortOnFail, delayAbortEval }`);
  }
  const expression = parseExpressionInner(source, metric.key);
  if (type !== undefined && !AGGREGATIONS_BY_TYPE[type].includes(expression.method)) {
    fail(
      metric.key,
      source,
      `"${expression.method === 'p' ? `p(${expression.percentile})` : expression.method}" is not valid for ${metric.name}, a ${type} metric; use ${formatAggregations(type)}`,
    );
  }
  return { metric, expression, abortOnFail, delayAbortEvalMs };
}

/** `avg, min, max, med or p(N)` for a type. */
export function formatAggregations(type: MetricType): string {
  const names = AGGREGATIONS_BY_TYPE[type].map((m) => (m === 'p' ? 'p(N)' : m));
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function problemOf(error: unknown): ThresholdProblem {
  if (error instanceof ThresholdSyntaxError) return error.problem;
  throw error;
}

/** One line per problem: `http_req_duration: "p(95)<>200": expected a number ...`. */
export function formatThresholdProblem(problem: ThresholdProblem): string {
  return problem.expression === ''
    ? `thresholds["${problem.metric}"]: ${problem.message}`
    : `thresholds["${problem.metric}"] "${problem.expression}": ${problem.message}`;
}

function toTuneupError(error: unknown): unknown {
  if (!(error instanceof ThresholdSyntaxError)) return error;
  return new TuneupError('TUNEUP_THRESHOLD_INVALID', formatThresholdProblem(error.problem), {
    location: `thresholds["${error.problem.metric}"]`,
    hint: 'Write thresholds as "<aggregation><operator><number>", e.g. "p(95)<200", "rate<0.01", "count>100" (see docs/thresholds.md).',
  });
}
