/**
 * The SLI expressions, in one place: the recording rules, the dashboard and
 * `tuneup monitor validate` all evaluate these strings, so what is exported
 * is what is validated.
 *
 * @module
 */
import type { MetricConventions } from './conventions.js';
import type { SloSpec } from './spec.js';
import { formatPromDuration } from './windows.js';

/** A PromQL string literal (double-quoted, escaped). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** Escape a value for a PromQL `=~` regex so it matches literally. */
function regexLiteral(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The `le` matcher of a bucket. prom-client and Go clients write `le="1"`,
 * Prometheus 3 normalizes classic-histogram `le` to `"1.0"`: an integer
 * bound matches both spellings.
 */
export function leMatcher(le: number): string {
  const text = String(le);
  return Number.isInteger(le) ? `le=~${quote(`${regexLiteral(text)}(\\.0)?`)}` : `le=${quote(text)}`;
}

/** The label matchers of one SLO's series (route, method, the configured selector), without braces. */
export function sloMatchers(slo: SloSpec, c: MetricConventions): string[] {
  const matchers = Object.entries(c.selector).map(([name, value]) => `${name}=${quote(value)}`);
  if (slo.endpoint) {
    matchers.push(`${c.labels.route}=${quote(slo.endpoint.route)}`);
    if (slo.endpoint.method) matchers.push(`${c.labels.method}=${quote(slo.endpoint.method)}`);
  }
  return matchers;
}

function series(name: string, matchers: string[]): string {
  return `${name}{${matchers.join(',')}}`;
}

/** Requests per second over `windowMs`. */
export function totalRate(slo: SloSpec, c: MetricConventions, windowMs: number): string {
  return `sum(rate(${series(`${c.histogram}_count`, sloMatchers(slo, c))}[${formatPromDuration(windowMs)}]))`;
}

/**
 * Bad requests per second over `windowMs`: error statuses for availability
 * (`or vector(0)`: a service that never failed has no error series at all),
 * requests above the bucket for latency.
 */
export function errorRate(slo: SloSpec, c: MetricConventions, windowMs: number): string {
  const w = formatPromDuration(windowMs);
  const matchers = sloMatchers(slo, c);
  if (slo.kind === 'availability') {
    const errors = series(`${c.histogram}_count`, [...matchers, `${c.labels.status}=~${quote(c.errorStatus)}`]);
    return `(sum(rate(${errors}[${w}])) or vector(0))`;
  }
  const good = series(`${c.histogram}_bucket`, [...matchers, leMatcher(slo.latency!.le)]);
  return `(${totalRate(slo, c, windowMs)} - sum(rate(${good}[${w}])))`;
}

/** The SLI: the share of bad requests over `windowMs` (empty when there was no traffic). */
export function errorRatio(slo: SloSpec, c: MetricConventions, windowMs: number): string {
  return `${errorRate(slo, c, windowMs)}\n/\n${totalRate(slo, c, windowMs)}`;
}

/** The error budget as a ratio: 1 − objective, rounded so that 0.999 gives 0.001 and not 0.0009999999999998899. */
export function errorBudget(slo: SloSpec): number {
  return +(1 - slo.objective).toPrecision(12);
}
