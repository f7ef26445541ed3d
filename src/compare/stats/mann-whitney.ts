/**
 * Two-sided Mann–Whitney U (Wilcoxon rank-sum) test, exact for the small
 * samples tuneup compares (runs, not requests), with a normal approximation
 * for large samples.
 *
 * Exactness with ties: we do not fall back to an approximation when values
 * tie. The exact permutation distribution of the rank sum computed with
 * mid-ranks is counted directly (ranks are doubled so mid-ranks stay
 * integers), which is the textbook exact conditional test. Without ties it
 * reduces to the classical U distribution.
 *
 * @module
 */

/** Both samples at most this size → exact test; otherwise normal approximation. */
export const EXACT_LIMIT = 20;

/** Outcome of {@link mannWhitneyU}. */
export interface MannWhitneyResult {
  /** U of the first sample: #(x > y) + ½ #(x = y) over all pairs. */
  u: number;
  /** min(U_x, U_y), the value tables quote. */
  uMin: number;
  /** Two-sided p-value. */
  p: number;
  /** How p was obtained. */
  method: 'exact' | 'exact-ties' | 'normal';
  n: number;
  m: number;
}

/**
 * Mid-ranks (1-based) of the pooled values, and the tie group sizes.
 * Values must be finite.
 */
export function midRanks(pooled: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = pooled.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(pooled.length);
  const tieSizes: number[] = [];
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].v === order[start].v) end++;
    const rank = (start + 1 + end + 1) / 2;
    for (let k = start; k <= end; k++) ranks[order[k].i] = rank;
    tieSizes.push(end - start + 1);
    start = end + 1;
  }
  return { ranks, tieSizes };
}

/**
 * Counts of size-`n` subsets of `scores` (non-negative integers) by their
 * sum: `counts[s]` is the number of subsets whose scores add to `s`.
 * Dynamic programming over items, like a 0/1 knapsack that also counts
 * subset size. Counts are doubles: C(40, 20) ≈ 1.4e11 is far below 2^53.
 */
export function subsetSumCounts(scores: readonly number[], n: number): Float64Array {
  const total = scores.reduce((s, v) => s + v, 0);
  // table[j] = counts of sums over subsets of size j among the items seen so far.
  const table: Float64Array[] = [];
  for (let j = 0; j <= n; j++) table.push(new Float64Array(total + 1));
  table[0][0] = 1;
  let seen = 0;
  for (const score of scores) {
    seen++;
    for (let j = Math.min(n, seen); j >= 1; j--) {
      const from = table[j - 1];
      const to = table[j];
      for (let s = total - score; s >= 0; s--) {
        if (from[s] !== 0) to[s + score] += from[s];
      }
    }
  }
  return table[n];
}

/**
 * Null distribution of U for sample sizes `n` and `m` without ties:
 * `counts[u]` for u = 0..n·m, out of C(n+m, n) equally likely arrangements.
 */
export function uNullCounts(n: number, m: number): Float64Array {
  const ranks = Array.from({ length: n + m }, (_, i) => i + 1);
  const bySum = subsetSumCounts(ranks, n);
  const offset = (n * (n + 1)) / 2;
  const counts = new Float64Array(n * m + 1);
  for (let u = 0; u <= n * m; u++) counts[u] = bySum[u + offset];
  return counts;
}

/** Lower-tail probability P(U ≤ u) of the no-ties null distribution. */
export function uCdf(n: number, m: number, u: number): number {
  const counts = uNullCounts(n, m);
  let below = 0;
  let all = 0;
  for (let k = 0; k < counts.length; k++) {
    all += counts[k];
    if (k <= u) below += counts[k];
  }
  return below / all;
}

/**
 * The largest `c` with P(U ≤ c) ≤ α/2 (no ties), or -1 when even U = 0 is
 * too likely (n = m = 3 at α = 0.05). Used for the exact confidence interval
 * of the Hodges–Lehmann shift.
 */
export function criticalU(n: number, m: number, alpha = 0.05): number {
  if (n > EXACT_LIMIT || m > EXACT_LIMIT) {
    const mean = (n * m) / 2;
    const sd = Math.sqrt((n * m * (n + m + 1)) / 12);
    return Math.max(-1, Math.floor(mean - normalQuantile(1 - alpha / 2) * sd - 0.5));
  }
  const counts = uNullCounts(n, m);
  const all = counts.reduce((s, v) => s + v, 0);
  let cumulative = 0;
  let c = -1;
  for (let u = 0; u < counts.length; u++) {
    cumulative += counts[u];
    if (cumulative / all <= alpha / 2 + 1e-12) c = u;
    else break;
  }
  return c;
}

/**
 * Two-sided Mann–Whitney U test of `x` against `y`.
 *
 * The exact p is P(|W − E W| ≥ |w − E W|) under the permutation
 * distribution of the (mid-rank) rank sum W of `x`; for tie-free symmetric
 * distributions this equals 2·min(lower, upper tail). Above
 * {@link EXACT_LIMIT} per side, a normal approximation with tie-corrected
 * variance and a continuity correction of ½.
 *
 * @throws RangeError when a sample is empty or holds a non-finite value.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) throw new RangeError('mannWhitneyU needs at least one value per sample');
  if ([...x, ...y].some((v) => !Number.isFinite(v))) throw new RangeError('mannWhitneyU needs finite values');
  const { ranks, tieSizes } = midRanks([...x, ...y]);
  const rankSumX = ranks.slice(0, n).reduce((s, r) => s + r, 0);
  const u = rankSumX - (n * (n + 1)) / 2;
  const uMin = Math.min(u, n * m - u);
  const hasTies = tieSizes.some((t) => t > 1);
  if (n > EXACT_LIMIT || m > EXACT_LIMIT) {
    const N = n + m;
    const tieTerm = tieSizes.reduce((s, t) => s + (t * t * t - t), 0) / (N * (N - 1));
    const variance = ((n * m) / 12) * (N + 1 - tieTerm);
    if (variance === 0) return { u, uMin, p: 1, method: 'normal', n, m };
    const z = Math.max(0, Math.abs(u - (n * m) / 2) - 0.5) / Math.sqrt(variance);
    return { u, uMin, p: Math.min(1, 2 * normalUpperTail(z)), method: 'normal', n, m };
  }
  // Doubled mid-ranks are integers, so the subset-sum DP applies even with ties.
  const doubled = ranks.map((r) => Math.round(2 * r));
  const counts = subsetSumCounts(doubled, n);
  const expected = n * (n + m + 1); // E[2W]
  const observed = Math.round(2 * rankSumX);
  const distance = Math.abs(observed - expected);
  let extreme = 0;
  let all = 0;
  for (let s = 0; s < counts.length; s++) {
    if (counts[s] === 0) continue;
    all += counts[s];
    if (Math.abs(s - expected) >= distance) extreme += counts[s];
  }
  return { u, uMin, p: Math.min(1, extreme / all), method: hasTies ? 'exact-ties' : 'exact', n, m };
}

/** Upper tail 1 − Φ(z) of the standard normal (erfc, W. J. Cody's rational fit via Numerical Recipes' erfcc; |error| < 1.2e-7). */
export function normalUpperTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const tau =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  const erfc = x >= 0 ? tau : 2 - tau;
  return erfc / 2;
}

/** Standard normal quantile Φ⁻¹(p) by bisection on {@link normalUpperTail} (rarely called; accuracy 1e-9). */
export function normalQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (1 - normalUpperTail(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
