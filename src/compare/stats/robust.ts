/**
 * Small robust statistics used around the rank tests: median, the
 * Iglewicz–Hoaglin modified Z-score outlier flag, Holm's step-down
 * adjustment and the geometric mean.
 *
 * @module
 */

/** Median of a non-empty list (mean of the two middle values for even n); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/** Iglewicz–Hoaglin cut-off: |M| > 3.5 is a potential outlier. */
export const MODIFIED_Z_LIMIT = 3.5;

/**
 * Modified Z-scores `0.6745 (x − median) / MAD` (Iglewicz & Hoaglin 1993).
 * When MAD is 0 (more than half the values equal) every value that differs
 * from the median gets ±Infinity and the equal ones 0: with most runs
 * identical, any different run is unusual by definition.
 */
export function modifiedZScores(values: readonly number[]): number[] {
  const m = median(values);
  const d = mad(values);
  return values.map((v) => {
    if (v === m) return 0;
    if (d === 0) return v > m ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    return (0.6745 * (v - m)) / d;
  });
}

/**
 * Indices of the values flagged as outliers (|modified Z| > `limit`).
 * Needs at least 3 values: with two, the median sits between them and
 * neither can be told to be the odd one out.
 */
export function outlierIndices(values: readonly number[], limit = MODIFIED_Z_LIMIT): number[] {
  if (values.length < 3) return [];
  return modifiedZScores(values)
    .map((z, i) => (Math.abs(z) > limit ? i : -1))
    .filter((i) => i >= 0);
}

/**
 * Holm's step-down adjusted p-values (controls the family-wise error rate
 * without assuming independence). NaN inputs stay NaN and are not counted.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const indexed = pValues
    .map((p, i) => ({ p, i }))
    .filter((e) => !Number.isNaN(e.p))
    .sort((a, b) => a.p - b.p);
  const m = indexed.length;
  const adjusted = pValues.map(() => Number.NaN);
  let running = 0;
  indexed.forEach((e, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * e.p));
    adjusted[e.i] = running;
  });
  return adjusted;
}

/** Geometric mean of positive values; NaN when empty or when any value is not positive. */
export function geometricMean(values: readonly number[]): number {
  if (values.length === 0 || values.some((v) => !(v > 0))) return Number.NaN;
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

/** Empirical quantile (type 7, linear interpolation) of a sorted list; `q` in [0, 1]. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
