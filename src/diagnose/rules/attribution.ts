/**
 * Time-based attribution: which endpoints were running at given moments of
 * the run. Used when evidence carries a time but no endpoint (a slow-log
 * entry, a blocked pair seen by a sample).
 *
 * @module
 */
import type { DiagnosisInput } from './types.js';

/**
 * Endpoints active at the given offsets from the run start (ms), most likely
 * first: each offset votes for the endpoints with requests in its interval,
 * in proportion to their share of that interval's requests. Endpoints with
 * under 20 % of the votes are left out.
 */
export function endpointsAtOffsets(input: DiagnosisInput, offsets: number[]): string[] {
  const { series } = input.result;
  const votes = new Map<string, number>();
  for (const offset of offsets) {
    const i = Math.floor((offset - (series.t[0] ?? 0)) / series.intervalMs);
    if (i < 0 || i >= series.t.length) continue;
    const counts = Object.entries(series.endpoints).map(([e, s]) => [e, s.requests[i] ?? 0] as const);
    const total = counts.reduce((a, [, n]) => a + n, 0);
    if (total === 0) continue;
    for (const [e, n] of counts) if (n > 0) votes.set(e, (votes.get(e) ?? 0) + n / total);
  }
  const all = [...votes.values()].reduce((a, b) => a + b, 0);
  return [...votes.entries()].filter(([, v]) => v >= 0.2 * all).sort((a, b) => b[1] - a[1]).map(([e]) => e);
}
