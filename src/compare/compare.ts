/**
 * compareRuns: the statistical comparison of two sets of runs.
 *
 * k runs per side → per row an exact two-sided Mann–Whitney U test and a
 * Hodges–Lehmann confidence interval of ln(after/before); one run per side
 * → quick mode, a moving-block bootstrap over the 1 s interval histograms
 * ("within-run uncertainty only"). Guardrails turn the overall verdict into
 * `inconclusive` with the reasons. Method: docs/compare.md.
 *
 * @module
 */
import type { RunResult } from '../result/types.js';
import { TuneupError } from '../errors.js';
import {
  QUANTILE,
  isPercentile,
  latencyBasis,
  findEndpoint,
  metricLogValue,
  metricValue,
  sampleCount,
} from './extract.js';
import {
  errorRatesDiffer,
  generatorLimited,
  loadModelsDiffer,
  offeredLoadDiffers,
  rateShortfall,
  tooFewTailSamples,
} from './guardrails.js';
import { quickModeInterval, quickPercentileIntervals, type QuickInterval } from './quick.js';
import { hodgesLehmann } from './stats/hodges-lehmann.js';
import { mannWhitneyU } from './stats/mann-whitney.js';
import { geometricMean, holmAdjust, median, modifiedZScores, MODIFIED_Z_LIMIT } from './stats/robust.js';
import type {
  Comparison,
  ComparisonRow,
  GeomeanRow,
  InconclusiveReason,
  LatencyBasis,
  MetricKind,
  OutlierFlag,
  RowSide,
} from './types.js';
import { DEFAULT_ALPHA, DEFAULT_THRESHOLDS, decideVerdict } from './verdict.js';

/** Options of {@link compareRuns}; every field has a documented default. */
export interface CompareOptions {
  /** Metrics to compare (default p50, p95, p99, throughput, errors). The primary metric is always added. */
  metrics?: MetricKind[];
  /** Metric (and optional endpoint) that decides the overall verdict; default p95 overall. */
  primary?: { metric: MetricKind; endpoint?: string | null };
  /** Noise thresholds θ per metric, fractions (default {@link DEFAULT_THRESHOLDS}). */
  thresholds?: Partial<Record<MetricKind, number>>;
  /** Significance level (default 0.05). */
  alpha?: number;
  /** Also report `equivalent` when the interval lies inside ±θ (default false). */
  equivalence?: boolean;
  /**
   * `none` (default): secondary rows use their raw p, benchstat-style, and
   * `pAdjusted` is shown for reference. `holm`: secondary verdicts use the
   * Holm-adjusted p. (With 5 runs the smallest exact p is 0.0079, so Holm
   * over more than six secondary rows can never reject: hence not default.)
   */
  multipleComparisons?: 'none' | 'holm';
  /** `flag` (default): outlier runs are listed as warnings. `inconclusive`: an outlier on the primary row withholds the verdict. */
  outlierPolicy?: 'flag' | 'inconclusive';
  /** How the runs were ordered; default inferred from their start times. */
  design?: Comparison['design'];
  /** Include per-endpoint rows (default true). */
  endpoints?: boolean;
  /** Side labels (default `before` / `after`). */
  labels?: { before?: string; after?: string };
  /** Quick-mode bootstrap settings (defaults: 2000 resamples, 5-interval blocks, seed derived from the run ids). */
  bootstrap?: { resamples?: number; blockLength?: number; seed?: number };
}

/** Shown beside every quick-mode (one run per side) result. */
export const QUICK_MODE_NOTE = 'quick mode: within-run uncertainty only — not evidence of reproducibility';

const DEFAULT_METRICS: MetricKind[] = ['p50', 'p95', 'p99', 'throughput', 'errors'];

/** Human label of a metric for a basis. */
export function metricLabel(metric: MetricKind, basis: LatencyBasis): string {
  if (isPercentile(metric)) return `${metric} ${basis} time`;
  if (metric === 'throughput') return 'throughput';
  return metric === 'errors' ? 'error rate' : '5xx rate';
}

/**
 * Ordering of the runs from their start times: `interleaved` when the sides
 * alternate (one irregularity allowed), `sequential` when all of one side
 * ran before the other, `unknown` otherwise.
 */
export function inferDesign(before: readonly RunResult[], after: readonly RunResult[]): Comparison['design'] {
  const timeline = [
    ...before.map((r) => ({ t: r.startedAt, side: 0 })),
    ...after.map((r) => ({ t: r.startedAt, side: 1 })),
  ].sort((a, b) => a.t - b.t);
  let switches = 0;
  for (let i = 1; i < timeline.length; i++) if (timeline[i].side !== timeline[i - 1].side) switches++;
  if (switches <= 1) return 'sequential';
  const full = 2 * Math.min(before.length, after.length) - 1;
  return switches >= full - 1 ? 'interleaved' : 'unknown';
}

/** A stable 32-bit seed from the run ids, so the same comparison always gives the same bootstrap. */
function seedFromIds(ids: readonly string[]): number {
  let h = 0x811c9dc5;
  for (const ch of ids.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function side(runs: readonly RunResult[], values: number[], samples: number[] | null): RowSide {
  const m = median(values);
  const spread = values.length > 1 && m > 0 ? (Math.max(...values) - Math.min(...values)) / 2 / m : 0;
  return { runs: runs.map((r) => r.id), values, median: m, spread, samples };
}

function outliersOf(which: 'before' | 'after', runs: readonly RunResult[], logValues: number[]): OutlierFlag[] {
  if (logValues.length < 3) return [];
  const z = modifiedZScores(logValues);
  return z.flatMap((score, i) => (Math.abs(score) > MODIFIED_Z_LIMIT ? [{ side: which, run: runs[i].id, z: score }] : []));
}

/**
 * Endpoints present in every run of both sides, in the order of the first
 * run. A run with a single endpoint gets none: its rows would repeat the
 * overall ones.
 */
function commonEndpoints(runs: readonly RunResult[]): string[] {
  const [first, ...rest] = runs;
  if (runs.every((r) => r.endpoints.length <= 1)) return [];
  return first.endpoints.map((e) => e.endpoint).filter((ep) => rest.every((r) => findEndpoint(r, ep) !== undefined));
}

interface RowContext {
  before: readonly RunResult[];
  after: readonly RunResult[];
  basis: LatencyBasis;
  alpha: number;
  thresholds: Record<MetricKind, number>;
  quick: boolean;
  bootstrap: { resamples: number; blockLength: number; seed: number };
  /** Quick mode: overall percentile intervals, bootstrapped together once. */
  quickPercentiles?: Map<MetricKind, QuickInterval>;
}

function buildRow(metric: MetricKind, endpoint: string | null, ctx: RowContext): ComparisonRow | undefined {
  const read = (runs: readonly RunResult[]) => runs.map((r) => metricValue(r, metric, endpoint, ctx.basis));
  const readLog = (runs: readonly RunResult[]) => runs.map((r) => metricLogValue(r, metric, endpoint, ctx.basis));
  const rawBefore = read(ctx.before);
  const rawAfter = read(ctx.after);
  const logBefore = readLog(ctx.before);
  const logAfter = readLog(ctx.after);
  // An absent endpoint or an empty percentile keeps the row out: there is nothing to test.
  const values = [...rawBefore, ...rawAfter, ...logBefore, ...logAfter];
  if (values.some((v) => v === undefined || !Number.isFinite(v))) return undefined;
  const x = rawBefore as number[];
  const y = rawAfter as number[];
  const lx = logBefore as number[];
  const ly = logAfter as number[];
  const percentile = isPercentile(metric);
  const samplesOf = (runs: readonly RunResult[]) => (percentile ? runs.map((r) => sampleCount(r, endpoint, ctx.basis)) : null);
  const label = metricLabel(metric, ctx.basis);
  const where = endpoint ?? 'overall';
  const inconclusive: InconclusiveReason[] = [];
  const direction = metric === 'throughput' ? 'higher-is-better' : 'lower-is-better';
  const threshold = ctx.thresholds[metric];

  let logRatio: number;
  let ci: ComparisonRow['ci'] = null;
  let p = Number.NaN;
  let method: ComparisonRow['method'] = 'descriptive';
  if (ctx.quick) {
    logRatio = ly[0] - lx[0];
    const shared = endpoint === null ? ctx.quickPercentiles?.get(metric) : undefined;
    const interval = shared ?? quickModeInterval(ctx.before[0], ctx.after[0], metric, endpoint, ctx.basis, ctx.bootstrap, ctx.alpha);
    if (interval.reason) inconclusive.push({ code: 'no-interval-histograms', message: `${label} (${where}): ${interval.reason}`, runs: [] });
    if (interval.result && interval.result.lower !== null && interval.result.upper !== null) {
      ci = { lower: interval.result.lower, upper: interval.result.upper, confidence: 1 - ctx.alpha };
      p = interval.result.p;
      method = 'block-bootstrap';
    }
  } else {
    const test = mannWhitneyU(ly, lx);
    const shift = hodgesLehmann(lx, ly, ctx.alpha);
    logRatio = shift.estimate;
    p = test.p;
    method = `mann-whitney-${test.method}`;
    if (shift.lower !== null && shift.upper !== null && shift.confidence !== null) {
      ci = { lower: shift.lower, upper: shift.upper, confidence: shift.confidence };
    }
  }
  const samplesBefore = samplesOf(ctx.before);
  const samplesAfter = samplesOf(ctx.after);
  if (percentile && samplesBefore && samplesAfter) {
    inconclusive.push(
      ...tooFewTailSamples(
        [...ctx.before, ...ctx.after].map((r) => r.id),
        [...samplesBefore, ...samplesAfter],
        QUANTILE[metric] as number,
        `${label} (${where})`,
      ),
    );
  }
  return {
    metric,
    endpoint,
    label,
    unit: percentile ? 'ms' : metric === 'throughput' ? 'req/s' : 'rate',
    basis: percentile ? ctx.basis : null,
    direction,
    before: side(ctx.before, x, samplesBefore),
    after: side(ctx.after, y, samplesAfter),
    logRatio,
    deltaPercent: (Math.exp(logRatio) - 1) * 100,
    ci,
    p,
    pAdjusted: p,
    method,
    threshold,
    verdict: '~',
    inconclusive,
    outliers: ctx.quick ? [] : [...outliersOf('before', ctx.before, lx), ...outliersOf('after', ctx.after, ly)],
    primary: false,
  };
}

function geomeanRows(rows: readonly ComparisonRow[], metrics: readonly MetricKind[], basis: LatencyBasis): GeomeanRow[] {
  const out: GeomeanRow[] = [];
  for (const metric of metrics) {
    const perEndpoint = rows.filter((r) => r.metric === metric && r.endpoint !== null);
    // Geometric means need positive values (a clean error rate of 0 has none).
    if (perEndpoint.length < 2 || perEndpoint.some((r) => !(r.before.median > 0 && r.after.median > 0))) continue;
    const meanLog = perEndpoint.reduce((s, r) => s + r.logRatio, 0) / perEndpoint.length;
    out.push({
      metric,
      label: metricLabel(metric, basis),
      before: geometricMean(perEndpoint.map((r) => r.before.median)),
      after: geometricMean(perEndpoint.map((r) => r.after.median)),
      deltaPercent: (Math.exp(meanLog) - 1) * 100,
      endpoints: perEndpoint.length,
    });
  }
  return out;
}

/**
 * Compare two sets of runs of the same plan.
 *
 * @param before - baseline runs (≥ 1).
 * @param after - candidate runs (≥ 1). One run on both sides selects quick mode.
 * @throws TuneupError `TUNEUP_COMPARE_EMPTY` when a side has no run.
 */
export function compareRuns(before: readonly RunResult[], after: readonly RunResult[], options: CompareOptions = {}): Comparison {
  if (before.length === 0 || after.length === 0) {
    throw new TuneupError('TUNEUP_COMPARE_EMPTY', `compare needs at least one run on each side (got ${before.length} before, ${after.length} after)`, {
      hint: 'pass runs for both sides, e.g. `tuneup compare A1,A2,A3,A4,A5 B1,B2,B3,B4,B5`',
    });
  }
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const primary = { metric: options.primary?.metric ?? 'p95', endpoint: options.primary?.endpoint ?? null } as const;
  const metrics = [...new Set<MetricKind>([...(options.metrics ?? DEFAULT_METRICS), primary.metric])];
  const quick = before.length === 1 && after.length === 1;
  const all = [...before, ...after];
  const basis = latencyBasis(before[0]);
  const bootstrap = {
    resamples: options.bootstrap?.resamples ?? 2000,
    blockLength: options.bootstrap?.blockLength ?? 5,
    seed: options.bootstrap?.seed ?? seedFromIds(all.map((r) => r.id)),
  };
  const ctx: RowContext = { before, after, basis, alpha, thresholds, quick, bootstrap };
  if (quick && metrics.some(isPercentile)) ctx.quickPercentiles = quickPercentileIntervals(before[0], after[0], basis, bootstrap, alpha);

  const endpoints = options.endpoints === false ? [] : commonEndpoints(all);
  const rows: ComparisonRow[] = [];
  for (const metric of metrics) {
    for (const endpoint of [null, ...endpoints]) {
      const row = buildRow(metric, endpoint, ctx);
      if (row) rows.push(row);
    }
  }

  const primaryRow = rows.find((r) => r.metric === primary.metric && r.endpoint === primary.endpoint);
  if (primaryRow) primaryRow.primary = true;

  // Holm over the secondary rows only: the primary row is the pre-registered hypothesis.
  const secondary = rows.filter((r) => !r.primary);
  const adjusted = holmAdjust(secondary.map((r) => r.p));
  secondary.forEach((r, i) => (r.pAdjusted = adjusted[i]));
  const useHolm = options.multipleComparisons === 'holm';
  const equivalence = options.equivalence ?? false;
  for (const row of rows) {
    row.verdict = decideVerdict({
      lower: row.ci?.lower ?? null,
      upper: row.ci?.upper ?? null,
      p: useHolm && !row.primary ? row.pAdjusted : row.p,
      alpha,
      threshold: row.threshold,
      direction: row.direction,
      equivalence,
    });
  }

  const warnings: string[] = [];
  const design = options.design ?? (quick ? 'sequential' : inferDesign(before, after));
  if (design === 'sequential' && !quick) warnings.push('sequential design: all runs of one side ran before the other, so drift is not controlled');
  if (!quick && Math.min(before.length, after.length) < 4) {
    warnings.push(`only ${Math.min(before.length, after.length)} run(s) on a side: the exact test cannot reach p < 0.05 below 4 runs per side`);
  }
  for (const run of all) if (run.status !== 'completed') warnings.push(`run ${run.id} ended ${run.status}${run.statusReason ? ` (${run.statusReason})` : ''}`);
  for (const row of rows) {
    for (const o of row.outliers) {
      warnings.push(`outlier run ${o.run} (${o.side}) on ${row.label} ${row.endpoint ?? 'overall'}: modified z = ${Number.isFinite(o.z) ? o.z.toFixed(1) : o.z > 0 ? '+∞' : '−∞'} (kept)`);
    }
  }
  if (quick) {
    warnings.push(QUICK_MODE_NOTE);
    const shortest = Math.min(before[0].series.t.length, after[0].series.t.length);
    if (shortest < 2 * bootstrap.blockLength * 3) {
      // Fewer than ~6 blocks: the bootstrap cannot see the run's slow variation (A/A coverage was 0.88 at 30 blocks of 1 s).
      warnings.push(`short runs (${shortest} intervals) for a ${bootstrap.blockLength}-interval block bootstrap: the interval is likely too narrow`);
    }
  }

  const reasons: InconclusiveReason[] = [
    ...loadModelsDiffer(before, after),
    ...offeredLoadDiffers(before, after),
    ...rateShortfall(all),
    ...(primary.metric === 'errors' || primary.metric === 'errors_5xx' ? [] : errorRatesDiffer(before, after, QUANTILE[primary.metric])),
  ];
  // The generator's delays withhold the verdict only when they could explain or hide the change (guardrails.ts).
  const generator = generatorLimited(all, primaryRow, QUANTILE[primary.metric]);
  reasons.push(...generator.reasons);
  warnings.push(...generator.notes);
  if (!primaryRow) {
    reasons.push({
      code: 'primary-missing',
      message: `primary metric ${primary.metric}${primary.endpoint ? ` for ${primary.endpoint}` : ''} is not present in every run`,
      runs: [],
    });
  } else {
    reasons.push(...primaryRow.inconclusive);
    if (options.outlierPolicy === 'inconclusive' && primaryRow.outliers.length > 0) {
      const reason: InconclusiveReason = {
        code: 'outlier-runs',
        message: `outlier runs on the primary metric: ${primaryRow.outliers.map((o) => o.run).join(', ')}`,
        runs: primaryRow.outliers.map((o) => o.run),
      };
      primaryRow.inconclusive.push(reason);
      reasons.push(reason);
    }
  }

  return {
    version: 1,
    mode: quick ? 'quick' : 'runs',
    modeNote: quick ? QUICK_MODE_NOTE : null,
    design,
    before: { runs: before.map((r) => r.id), label: options.labels?.before ?? 'before' },
    after: { runs: after.map((r) => r.id), label: options.labels?.after ?? 'after' },
    alpha,
    thresholds,
    equivalence,
    primary,
    verdict: reasons.length > 0 || !primaryRow ? 'inconclusive' : primaryRow.verdict,
    reasons,
    warnings,
    rows,
    geomean: geomeanRows(rows, metrics, basis),
    bootstrap: quick ? bootstrap : null,
  };
}
