/**
 * Parsers for the comparison flags shared by `compare`, `validate` and
 * `ab` (`--threshold p95=5%`, `--primary p95:GET /x`, `--goal p95=-20%`).
 * Pure functions so the CLI stays thin; each throws a TuneupError naming
 * the flag.
 *
 * @module
 */
import { ExitCode, TuneupError } from '../errors.js';
import { parseChange, type Goal } from './goals.js';
import type { MetricKind } from './types.js';

/** Metric names accepted on the command line. */
export const METRIC_NAMES: readonly MetricKind[] = ['p50', 'p95', 'p99', 'throughput', 'errors', 'errors_5xx'];

function invalid(flag: string, message: string, hint: string): TuneupError {
  return new TuneupError('TUNEUP_OPTION_INVALID', `${flag}: ${message}`, { location: flag, hint });
}

/** A metric name, or throws naming `flag`. */
export function parseMetric(text: string, flag: string): MetricKind {
  const m = text.trim();
  if ((METRIC_NAMES as readonly string[]).includes(m)) return m as MetricKind;
  throw invalid(flag, `unknown metric "${text}"`, `use one of ${METRIC_NAMES.join(', ')}`);
}

/** `5%`, `5`, `0.05`? — a bare number ≥ 1 is read as percent, below 1 as a fraction; returns a fraction in (0, 1). */
export function parseFraction(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw invalid(flag, `expected a percentage such as 5%, got "${text}"`, `for example ${flag} p95=5%`);
  const n = Number(m[1]);
  const value = m[2] === '%' || n >= 1 ? n / 100 : n;
  if (!(value > 0 && value < 1)) throw invalid(flag, `threshold must be between 0% and 100%, got "${text}"`, `for example ${flag} p95=5%`);
  return value;
}

/** Repeatable `--threshold p95=5%` into a per-metric map. */
export function parseThresholdFlags(values: readonly string[] | undefined): Partial<Record<MetricKind, number>> {
  const out: Partial<Record<MetricKind, number>> = {};
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw invalid('--threshold', `expected metric=percent, got "${raw}"`, 'for example --threshold p95=5%');
    out[parseMetric(raw.slice(0, eq), '--threshold')] = parseFraction(raw.slice(eq + 1), '--threshold');
  }
  return out;
}

/** `--primary p95` or `--primary "p95:GET /api/orders/:id"`. */
export function parsePrimaryFlag(value: string | undefined): { metric: MetricKind; endpoint: string | null } | undefined {
  if (value === undefined) return undefined;
  const colon = value.indexOf(':');
  if (colon < 0) return { metric: parseMetric(value, '--primary'), endpoint: null };
  return { metric: parseMetric(value.slice(0, colon), '--primary'), endpoint: value.slice(colon + 1).trim() || null };
}

/** Repeatable `--goal p95=-20%` or `--goal "p95:GET /x=-30%"`. */
export function parseGoalFlags(values: readonly string[] | undefined): Goal[] {
  return (values ?? []).map((raw) => {
    const eq = raw.lastIndexOf('=');
    if (eq <= 0) throw invalid('--goal', `expected metric=change, got "${raw}"`, 'for example --goal p95=-20% or --goal throughput=+30%');
    const left = raw.slice(0, eq);
    const change = raw.slice(eq + 1).trim();
    parseChange(change, '--goal');
    const colon = left.indexOf(':');
    const metric = parseMetric(colon < 0 ? left : left.slice(0, colon), '--goal');
    const endpoint = colon < 0 ? undefined : left.slice(colon + 1).trim();
    return { metric, change, ...(endpoint ? { endpoint } : {}) };
  });
}
