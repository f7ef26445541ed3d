/**
 * The playbook's before/after numbers: p50, p95 and throughput of the mixed
 * load, then the changed endpoint alone, each with its interval and verdict,
 * read from the comparisons' rows.
 *
 * @module
 */
import type { Comparison, ComparisonRow } from '../compare/types.js';

/** One before/after number with its interval. */
export interface PlaybookDelta {
  label: string;
  endpoint: string | null;
  unit: string;
  before: number;
  after: number;
  deltaPercent: number;
  /** Confidence interval of the change, percent; null when not computable. */
  ci: { lowerPercent: number; upperPercent: number; confidence: number } | null;
  verdict: string;
}

/** One row of `from` as a delta; `endpoint` names the endpoint a whole-run row of an alone run is about. */
function deltaOf(from: Comparison, metric: ComparisonRow['metric'], label?: string, endpoint?: string): PlaybookDelta | undefined {
  const row = from.rows.find((r) => r.metric === metric && r.endpoint === null);
  if (!row) return undefined;
  const pct = (x: number): number => (Math.exp(x) - 1) * 100;
  return {
    label: label ?? row.label,
    endpoint: endpoint ?? null,
    unit: row.unit,
    before: row.before.median,
    after: row.after.median,
    deltaPercent: row.deltaPercent,
    ci: row.ci ? { lowerPercent: pct(row.ci.lower), upperPercent: pct(row.ci.upper), confidence: row.ci.confidence } : null,
    verdict: row.inconclusive.length > 0 ? 'inconclusive' : row.verdict,
  };
}

/** p50, p95 and throughput of the mixed load; then throughput and p50 of the endpoint alone, when it ran. */
export function playbookDeltas(mixed: Comparison, alone?: { endpoint: string; comparison: Comparison; vus: number }): PlaybookDelta[] {
  const rows = [deltaOf(mixed, 'p50'), deltaOf(mixed, 'p95'), deltaOf(mixed, 'throughput')];
  if (alone) {
    rows.push(
      deltaOf(alone.comparison, 'throughput', `alone: throughput at ${alone.vus} users`, alone.endpoint),
      deltaOf(alone.comparison, 'p50', 'alone: p50 service time', alone.endpoint),
    );
  }
  return rows.filter((d): d is PlaybookDelta => d !== undefined);
}
