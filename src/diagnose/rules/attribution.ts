/**
 * Time-based attribution: which endpoints were running at given moments of
 * the run. Used when evidence carries a time but no endpoint (a slow-log
 * entry, a blocked pair seen by a sample).
 *
 * @module
 */
import type { TrendStats } from '../../result/types.js';
import type { DiagnosisInput } from './types.js';

/**
 * Share of an endpoint's requests that took at least `ms`, read off its
 * summary percentiles (linear between neighbouring percentiles). Exact
 * enough to tell an endpoint whose typical request lasts `ms` from one that
 * reached it only in its tail.
 */
export function shareAtLeast(t: TrendStats, ms: number): number {
  if (t.count <= 0 || ms > t.max) return 0;
  if (ms <= t.min) return 1;
  const points: [number, number][] = [
    [t.min, 1],
    [t.p50, 0.5],
    [t.p90, 0.1],
    [t.p95, 0.05],
    [t.p99, 0.01],
    [t.p999, 0.001],
    [t.max, Math.min(0.001, 1 / t.count)],
  ];
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    if (ms > x1) continue;
    return x1 > x0 ? y0 + ((ms - x0) / (x1 - x0)) * (y1 - y0) : y1;
  }
  return 0;
}

/**
 * Endpoints active at the given offsets from the run start (ms), most likely
 * first: each offset votes for the endpoints with requests in its interval,
 * in proportion to their share of that interval's requests. Endpoints with
 * under 20 % of the votes are left out.
 *
 * `minServiceMs`: the evidence lasted this long inside one request (a slow
 * command's duration, a lock wait), so only requests that took at least that
 * long can have issued it; each endpoint's requests count in proportion to
 * the share of them that did ({@link shareAtLeast}). In a mixed run every
 * endpoint is active in every second, so time alone cannot tell them apart;
 * the duration can, whatever the service or the fault. (Other endpoints'
 * tails reach it too when they queue behind the slow call, hence a weight
 * rather than a cut.)
 */
export function endpointsAtOffsets(input: DiagnosisInput, offsets: number[], minServiceMs = 0): string[] {
  const { series } = input.result;
  const weight = new Map<string, number>();
  for (const e of Object.keys(series.endpoints)) {
    const s = input.result.endpoints.find((x) => x.endpoint === e);
    // Without a summary there is nothing to weigh the endpoint down with.
    weight.set(e, minServiceMs > 0 && s ? shareAtLeast(s.serviceTime, minServiceMs) : 1);
  }
  const votes = new Map<string, number>();
  for (const offset of offsets) {
    const i = Math.floor((offset - (series.t[0] ?? 0)) / series.intervalMs);
    if (i < 0 || i >= series.t.length) continue;
    const counts = Object.entries(series.endpoints).map(([e, s]) => [e, (s.requests[i] ?? 0) * (weight.get(e) ?? 1)] as const);
    const total = counts.reduce((a, [, n]) => a + n, 0);
    if (total === 0) continue;
    for (const [e, n] of counts) if (n > 0) votes.set(e, (votes.get(e) ?? 0) + n / total);
  }
  const all = [...votes.values()].reduce((a, b) => a + b, 0);
  return [...votes.entries()].filter(([, v]) => v >= 0.2 * all).sort((a, b) => b[1] - a[1]).map(([e]) => e);
}

/**
 * How a finding's endpoints rest on the cost model: `direct` when every named endpoint's demand (or
 * statement attribution) was measured alone — a profile step, a one-endpoint run — and `mixed-estimate`
 * when any came from the mixed-run regression (so `tuneup diagnose` should confirm it by isolation).
 * Undefined when no endpoint is named.
 */
export function attributionOf(methods: readonly ('profile' | 'regression' | 'direct')[]): 'direct' | 'mixed-estimate' | undefined {
  if (methods.length === 0) return undefined;
  return methods.every((m) => m !== 'regression') ? 'direct' : 'mixed-estimate';
}

/** {@link attributionOf} the demands of the named endpoints. */
export function demandAttribution(input: DiagnosisInput, endpoints: readonly (string | undefined)[]): 'direct' | 'mixed-estimate' | undefined {
  const named = endpoints.filter((e): e is string => !!e);
  return attributionOf(named.map((e) => input.demand.demands.find((d) => d.endpoint === e)?.method ?? 'regression'));
}
