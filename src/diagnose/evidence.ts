/**
 * Access to the probe evidence inside a RunResult: find each probe's
 * evidence by name (typed), and put a probe column on the run's interval
 * grid so it can be compared, second by second, with the load.
 *
 * @module
 */
import type { IntervalSeries, ProbeEvidence, ProbeSeries, RunResult } from '../result/types.js';
import type { PostgresProbeData } from '../probes/postgres/types.js';
import type { PrometheusProbeData } from '../probes/prometheus/types.js';
import type { ProcessProbeData } from '../probes/process/types.js';

/** A probe's evidence with its `data` typed. */
export type TypedEvidence<D> = Omit<ProbeEvidence, 'data'> & { data: D };

/** The probes of a run, by kind (the first of each kind; absent when not run or never sampled). */
export interface ProbeSet {
  postgres?: TypedEvidence<PostgresProbeData>;
  prometheus?: TypedEvidence<PrometheusProbeData>;
  process?: TypedEvidence<ProcessProbeData>;
  /** The redis probe's evidence; its data is read defensively (see rules/cache.ts). */
  redis?: ProbeEvidence;
}

/** Collect the run's probe evidence by probe name; probes that never sampled are left out. */
export function probeSet(result: RunResult): ProbeSet {
  const out: ProbeSet = {};
  for (const ev of result.probes ?? []) {
    if (!ev.ok) continue;
    if (ev.probe === 'postgres' && !out.postgres) out.postgres = ev as unknown as TypedEvidence<PostgresProbeData>;
    else if (ev.probe === 'prometheus' && !out.prometheus) out.prometheus = ev as unknown as TypedEvidence<PrometheusProbeData>;
    else if (ev.probe === 'process' && !out.process) out.process = ev as unknown as TypedEvidence<ProcessProbeData>;
    else if (ev.probe === 'redis' && !out.redis) out.redis = ev;
  }
  return out;
}

/** Samples describing a period longer than this many intervals are too smeared to attribute and are left out. */
export const MAX_SAMPLE_SPAN_INTERVALS = 2.5;

/**
 * Put one probe column on the run's interval grid. A sample taken at `t[j]`
 * describes the period since the previous sample (`t[j-1]`, or one interval
 * before the first), so its value is spread over the grid intervals that
 * period overlaps, weighted by the overlap. A sample whose period is longer
 * than {@link MAX_SAMPLE_SPAN_INTERVALS} (a probe that stalled on a busy
 * host) is left out: its average mixes seconds with different load. Grid
 * intervals covered by less than half an interval of samples are null.
 *
 * @param grid - the run's interval series (its `t` and `intervalMs`)
 * @param series - the probe's series
 * @param values - the column (same length as `series.t`)
 */
export function alignToGrid(grid: Pick<IntervalSeries, 't' | 'intervalMs'>, series: Pick<ProbeSeries, 't'>, values: (number | null)[] | undefined): (number | null)[] {
  const n = grid.t.length;
  const weighted = new Array<number>(n).fill(0);
  const covered = new Array<number>(n).fill(0);
  if (!values || n === 0) return new Array<number | null>(n).fill(null);
  const start = grid.t[0]!;
  const w = grid.intervalMs;
  for (let j = 0; j < series.t.length; j++) {
    const v = values[j];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    const to = series.t[j]!;
    const from = j > 0 ? series.t[j - 1]! : to - w;
    if (to <= from || to - from > MAX_SAMPLE_SPAN_INTERVALS * w) continue;
    const first = Math.max(0, Math.floor((from - start) / w));
    const last = Math.min(n - 1, Math.floor((to - start - 1e-9) / w));
    for (let i = first; i <= last; i++) {
      const lo = Math.max(from, start + i * w);
      const hi = Math.min(to, start + (i + 1) * w);
      if (hi <= lo) continue;
      weighted[i]! += v * (hi - lo);
      covered[i]! += hi - lo;
    }
  }
  return weighted.map((s, i) => (covered[i]! >= w / 2 ? s / covered[i]! : null));
}

/** Non-null numbers of a column. */
export function numbers(values: (number | null)[] | undefined): number[] {
  return (values ?? []).filter((v): v is number => v !== null && Number.isFinite(v));
}

/** The mean of the finite values of `values` (nulls and gaps left out), undefined when there are none. */
export function meanOf(values: readonly (number | null)[] | undefined): number | undefined {
  const v = (values ?? []).filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
}

/** The `q` quantile (nearest rank) of `xs`, 0 for an empty list. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Ordinary least-squares slope and R² of y on x (slope 0, r2 0 when x is constant). */
export function linearTrend(x: number[], y: number[]): { slope: number; intercept: number; r2: number } {
  const n = Math.min(x.length, y.length);
  if (n < 2) return { slope: 0, intercept: y[0] ?? 0, r2: 0 };
  const mx = x.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = y.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  if (sxx === 0) return { slope: 0, intercept: my, r2: 0 };
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy > 0 ? (sxy * sxy) / (sxx * syy) : 0 };
}
