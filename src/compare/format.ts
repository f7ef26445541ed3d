/**
 * Number formatting shared by the comparison renderers, so the terminal,
 * Markdown and HTML outputs print the same digits.
 *
 * @module
 */
import type { ComparisonRow, MetricKind } from './types.js';

/** Three significant digits, no exponent: 0.123, 1.23, 12.3, 123, 1234. */
export function sig3(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** A metric value with its unit: `41.2ms`, `1234 req/s`, `0.52%`. */
export function formatValue(v: number, unit: ComparisonRow['unit']): string {
  if (unit === 'ms') return `${sig3(v)}ms`;
  if (unit === 'req/s') return `${sig3(v)} req/s`;
  return `${sig3(v * 100)}%`;
}

/** The unit of a metric kind (for geomean rows, which have no row). */
export function unitOf(metric: MetricKind): ComparisonRow['unit'] {
  if (metric === 'throughput') return 'req/s';
  if (metric === 'errors' || metric === 'errors_5xx') return 'rate';
  return 'ms';
}

/** Signed percentage with a real minus sign: `−40.0%`, `+3.1%`. */
export function signedPercent(p: number, digits = 1): string {
  if (!Number.isFinite(p)) return 'n/a';
  const text = Math.abs(p).toFixed(digits);
  if (Number(text) === 0) return `${text}%`;
  return `${p < 0 ? '−' : '+'}${text}%`;
}

/** Signed percentage points at the precision rates are shown with: `+0.52 pp`, `0.00 pp`. */
export function signedPoints(points: number): string {
  const text = Math.abs(points).toFixed(2);
  if (Number(text) === 0) return `${text} pp`;
  return `${points < 0 ? '−' : '+'}${text} pp`;
}

/** A row's change: percentage points for rates, a relative change otherwise. */
export function deltaText(row: ComparisonRow): string {
  return row.unit === 'rate' ? signedPoints((row.after.median - row.before.median) * 100) : signedPercent(row.deltaPercent);
}

/** `[−42.1%, −38.0%]` from a log-ratio interval. */
export function intervalText(ci: ComparisonRow['ci']): string {
  if (!ci) return '[n/a]';
  return `[${signedPercent((Math.exp(ci.lower) - 1) * 100)}, ${signedPercent((Math.exp(ci.upper) - 1) * 100)}]`;
}

/** benchstat's `p=0.008` (three decimals; `p<0.001` below). */
export function pText(p: number): string {
  if (Number.isNaN(p)) return 'p=n/a';
  return p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`;
}

/** `n=5+5` (runs per side) or `n=1+1 quick`. */
export function nText(row: ComparisonRow): string {
  return `n=${row.before.values.length}+${row.after.values.length}`;
}

/** A side's centre with its spread: `41.2ms ±3%`. */
export function sideText(row: ComparisonRow, which: 'before' | 'after'): string {
  const s = row[which];
  const base = formatValue(s.median, row.unit);
  return s.values.length > 1 ? `${base} ±${Math.round(s.spread * 100)}%` : base;
}

/** The "vs base" cell: `−40.0% [−42.1%, −38.0%] (p=0.008 n=5+5)` or `~ (p=0.421 n=5+5)`. */
export function changeText(row: ComparisonRow): string {
  const stats = `(${pText(row.p)} ${nText(row)})`;
  if (row.unit === 'rate') {
    // A relative change of two near-zero rates ("+9.5 %" between 0.00 % and 0.00 %) says nothing: rates change in points.
    return row.verdict === '~' ? `~ ${deltaText(row)} ${stats}` : `${deltaText(row)} ${stats}`;
  }
  if (row.verdict === '~') return `~ ${signedPercent(row.deltaPercent)} ${intervalText(row.ci)} ${stats}`;
  return `${signedPercent(row.deltaPercent)} ${intervalText(row.ci)} ${stats}`;
}

/** Row verdict word, `inconclusive` when the row has reasons. */
export function rowVerdictText(row: ComparisonRow): string {
  if (row.inconclusive.length > 0) return 'inconclusive';
  return row.verdict === '~' ? '' : row.verdict;
}
