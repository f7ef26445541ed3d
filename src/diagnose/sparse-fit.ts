/**
 * Sparse non-negative regression by forward selection with the extended
 * Bayesian information criterion (EBIC, Chen & Chen 2008, Biometrika 95(3),
 * γ = 1): the columns are added one at a time, the one that lowers the residual
 * most first, while EBIC improves. Plain BIC (Schwarz 1978) ignores how many
 * candidate columns there were to choose from, and with ten endpoints and a
 * dozen seconds it adopts a spurious second endpoint about half the time; EBIC's
 * extra 2·ln C(n, k) is the price of that choice.
 *
 * Why: one SQL statement is issued by one endpoint, or a few — never by all of
 * them a little. A full non-negative least-squares fit over every endpoint,
 * on a mixed run of a few dozen seconds, spreads a statement's calls thinly
 * over endpoints whose request counts happened to wiggle the same way. The
 * sparse fit asks the question the data can answer: which few endpoints'
 * requests explain this statement's calls, second by second?
 *
 * @module
 */
import { nnls } from './nnls.js';

/** Result of {@link sparseNnls}. */
export interface SparseFit {
  /** Coefficients, one per column; zero for columns not selected. */
  x: number[];
  /** Indices of the selected columns, in the order they were added. */
  selected: number[];
  /** Residual sum of squares of the final fit. */
  rss: number;
}

/**
 * Minimise ‖A·x − b‖² with x ≥ 0 over the few columns BIC supports.
 *
 * @param a - rows × columns design matrix (row-major)
 * @param b - observations, one per row
 * @param minShare - a column must explain at least this share of the fitted total (default 0.2)
 * @param maxColumns - stop after this many columns (default: all)
 */
export function sparseNnls(a: number[][], b: number[], minShare = 0.2, maxColumns = Number.POSITIVE_INFINITY): SparseFit {
  const m = b.length;
  const n = m > 0 ? a[0]!.length : 0;
  const x = new Array<number>(n).fill(0);
  const tss = b.reduce((s, v) => s + v * v, 0);
  if (m === 0 || n === 0 || tss === 0) return { x, selected: [], rss: tss };
  // A perfect fit would send log(RSS) to −∞; floor it at a part per billion of the signal.
  const floor = 1e-9 * tss;
  const bic = (rss: number, k: number) => m * Math.log(Math.max(rss, floor) / m) + k * Math.log(m) + 2 * logChoose(n, k);
  const columnSums = Array.from({ length: n }, (_, c) => a.reduce((sum, row) => sum + row[c]!, 0));
  const selected: number[] = [];
  let best = { rss: tss, coef: [] as number[], score: bic(tss, 0) };
  while (selected.length < Math.min(n, maxColumns, m - 1)) {
    let step: { k: number; rss: number; coef: number[] } | undefined;
    for (let k = 0; k < n; k++) {
      if (selected.includes(k)) continue;
      const cols = [...selected, k];
      const fit = nnls(
        a.map((row) => cols.map((c) => row[c]!)),
        b,
      );
      // A column the non-negative fit sets to zero adds nothing; one that explains only a sliver of the
      // fitted total is fitting noise (counts of a few per second are coarse: EBIC alone adopts them).
      const added = fit.x[fit.x.length - 1]!;
      if (added <= 0) continue;
      const fitted = cols.reduce((sum, c, j) => sum + fit.x[j]! * columnSums[c]!, 0);
      if (fitted > 0 && (added * columnSums[k]!) / fitted < minShare) continue;
      if (!step || fit.rss < step.rss) step = { k, rss: fit.rss, coef: fit.x };
    }
    if (!step) break;
    const score = bic(step.rss, selected.length + 1);
    if (score >= best.score) break;
    selected.push(step.k);
    best = { rss: step.rss, coef: step.coef, score };
  }
  selected.forEach((c, i) => (x[c] = best.coef[i]!));
  return { x, selected, rss: best.rss };
}

/** ln C(n, k). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}
