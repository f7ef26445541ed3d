/**
 * Non-negative least squares (Lawson & Hanson, 1974, "Solving Least Squares
 * Problems", ch. 23): minimise ‖A·x − b‖ subject to x ≥ 0. Used by the cost
 * model because a demand (CPU ms per request) cannot be negative, and plain
 * least squares happily returns negative demands when two endpoints' request
 * rates move together.
 *
 * Sizes here are small (columns = endpoints, rows = seconds of a run), so the
 * unconstrained sub-problems are solved through the normal equations with
 * Gaussian elimination; a tiny ridge keeps them solvable when columns are
 * collinear.
 *
 * @module
 */

/** Solution of {@link nnls}. */
export interface NnlsResult {
  x: number[];
  /** Residual sum of squares ‖A·x − b‖². */
  rss: number;
  /** Coefficient of determination against the mean of b (1 − rss / tss); NaN when b is constant. */
  r2: number;
  iterations: number;
}

/**
 * Solve min ‖A·x − b‖² subject to x ≥ 0.
 *
 * @param a - rows × columns design matrix (row-major arrays)
 * @param b - the observations, one per row
 * @returns the non-negative coefficients and the fit quality
 */
export function nnls(a: number[][], b: number[], maxIterations = 300): NnlsResult {
  const m = a.length;
  const n = m > 0 ? a[0]!.length : 0;
  const x = new Array<number>(n).fill(0);
  if (m === 0 || n === 0) return { x, rss: 0, r2: NaN, iterations: 0 };
  const passive = new Array<boolean>(n).fill(false);
  const tol = 1e-10 * Math.max(1, norm(b)) * Math.max(1, ...a.map((r) => Math.max(...r.map(Math.abs))));
  let iterations = 0;

  const gradient = (): number[] => {
    // w = Aᵀ (b − A x)
    const r = b.map((bi, i) => bi - dot(a[i]!, x));
    const w = new Array<number>(n).fill(0);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j]! += a[i]![j]! * r[i]!;
    return w;
  };

  for (;;) {
    const w = gradient();
    let jMax = -1;
    let wMax = tol;
    for (let j = 0; j < n; j++) {
      if (!passive[j] && w[j]! > wMax) {
        wMax = w[j]!;
        jMax = j;
      }
    }
    if (jMax < 0 || iterations >= maxIterations) break;
    passive[jMax] = true;
    // Inner loop: keep the passive set's unconstrained solution feasible.
    for (;;) {
      iterations++;
      const z = solvePassive(a, b, passive);
      let feasible = true;
      for (let j = 0; j < n; j++) if (passive[j] && z[j]! <= 0) feasible = false;
      if (feasible) {
        for (let j = 0; j < n; j++) x[j] = passive[j] ? z[j]! : 0;
        break;
      }
      // Step from x towards z as far as feasibility allows, then drop the zeroed variables.
      let alpha = Infinity;
      for (let j = 0; j < n; j++) {
        if (passive[j] && z[j]! <= 0) {
          const denom = x[j]! - z[j]!;
          if (denom > 0) alpha = Math.min(alpha, x[j]! / denom);
        }
      }
      if (!Number.isFinite(alpha)) alpha = 0;
      for (let j = 0; j < n; j++) {
        x[j] = x[j]! + alpha * ((passive[j] ? z[j]! : 0) - x[j]!);
        if (passive[j] && x[j]! <= 1e-14) {
          passive[j] = false;
          x[j] = 0;
        }
      }
      if (iterations >= maxIterations) break;
    }
  }
  const residuals = b.map((bi, i) => bi - dot(a[i]!, x));
  const rss = residuals.reduce((s, r) => s + r * r, 0);
  return { x, rss, r2: rSquared(b, rss), iterations };
}

/** Coefficient of determination of a fit with residual sum of squares `rss` against the mean of `b`; NaN when b is constant. */
export function rSquared(b: readonly number[], rss: number): number {
  const mean = b.reduce((s, v) => s + v, 0) / Math.max(1, b.length);
  const tss = b.reduce((s, v) => s + (v - mean) ** 2, 0);
  return tss > 0 ? 1 - rss / tss : Number.NaN;
}

function dot(u: number[], v: number[]): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i]! * v[i]!;
  return s;
}

function norm(v: number[]): number {
  return Math.sqrt(dot(v, v));
}

/** Unconstrained least squares on the passive columns (others fixed at 0). */
function solvePassive(a: number[][], b: number[], passive: boolean[]): number[] {
  const idx = passive.map((p, j) => (p ? j : -1)).filter((j) => j >= 0);
  const k = idx.length;
  const ata: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const atb = new Array<number>(k).fill(0);
  for (let i = 0; i < a.length; i++) {
    const row = a[i]!;
    for (let p = 0; p < k; p++) {
      const ap = row[idx[p]!]!;
      atb[p]! += ap * b[i]!;
      for (let q = 0; q < k; q++) ata[p]![q]! += ap * row[idx[q]!]!;
    }
  }
  // Ridge relative to the diagonal: negligible for well-posed data, rescues singular systems.
  for (let p = 0; p < k; p++) ata[p]![p]! += 1e-12 * Math.max(1, ata[p]![p]!);
  const sol = solveLinear(ata, atb);
  const z = new Array<number>(passive.length).fill(0);
  idx.forEach((j, p) => (z[j] = sol[p]!));
  return z;
}

/**
 * Standard errors of a non-negative fit's coefficients, as ordinary least
 * squares on the columns the fit kept (x > 0): σ² (AᵀA)⁻¹ with σ² = RSS / (m − p).
 * Columns at zero, and fits with fewer than two spare rows, get `Infinity`:
 * nothing can be said of their precision. With `columns: 'all'` the Gram
 * matrix holds every column, zeros included: a kept coefficient then carries
 * the uncertainty of a collinear column the fit set to zero (which could have
 * taken its share), instead of the smaller error of the kept columns alone.
 */
export function coefficientStdErrors(a: number[][], b: number[], x: number[], columns: 'kept' | 'all' = 'kept'): number[] {
  const m = a.length;
  const kept = x.map((v, j) => (v > 0 || columns === 'all' ? j : -1)).filter((j) => j >= 0);
  const se = x.map(() => Number.POSITIVE_INFINITY);
  const p = kept.length;
  if (p === 0 || m - p < 2) return se;
  let rss = 0;
  for (let i = 0; i < m; i++) {
    let fitted = 0;
    for (const j of kept) fitted += a[i]![j]! * x[j]!;
    rss += (b[i]! - fitted) ** 2;
  }
  const sigma2 = rss / (m - p);
  const gram = kept.map((j) => kept.map((k) => a.reduce((sum, row) => sum + row[j]! * row[k]!, 0)));
  kept.forEach((j, q) => {
    // Column q of the inverse Gram matrix: its diagonal entry is the variance factor of coefficient j.
    const unit = kept.map((_, r) => (r === q ? 1 : 0));
    const inv = solveLinear(gram, unit)[q]!;
    se[j] = inv > 0 ? Math.sqrt(sigma2 * inv) : Number.POSITIVE_INFINITY;
  });
  return se;
}

/** Gaussian elimination with partial pivoting; singular pivots give 0. */
export function solveLinear(matrix: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const m = matrix.map((r, i) => [...r, rhs[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const pv = m[c]![c]!;
    if (Math.abs(pv) < 1e-300) continue;
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / pv;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const pv = m[r]![r]!;
    if (Math.abs(pv) < 1e-300) continue;
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / pv;
  }
  return x;
}

/** Correlation of two regressors above which their coefficients are not separable in one fit. */
export const COLLINEAR_CORRELATION = 0.95;

/** The normal quantile of a two-sided test at α = 0.05 (`tuneup compare`'s default level, compare/verdict.ts). */
export const Z_95 = 1.959963984540054;

/** Pearson correlation of two equally long vectors (0 when either is constant). */
export function correlation(u: number[], v: number[]): number {
  const n = u.length;
  if (n === 0) return 0;
  const mu = u.reduce((s, x) => s + x, 0) / n;
  const mv = v.reduce((s, x) => s + x, 0) / n;
  let suv = 0;
  let suu = 0;
  let svv = 0;
  for (let i = 0; i < n; i++) {
    suv += (u[i]! - mu) * (v[i]! - mv);
    suu += (u[i]! - mu) ** 2;
    svv += (v[i]! - mv) ** 2;
  }
  return suu > 0 && svv > 0 ? suv / Math.sqrt(suu * svv) : 0;
}

/**
 * Solve min ‖A·x − b‖² subject to 0 ≤ x ≤ upper, by fixing at its bound every coefficient the non-negative fit
 * puts above it and refitting the others on what is left (the first steps of a bounded-variable active-set
 * method, Stark & Parker 1995; a coefficient once fixed is not released, which suffices when few hit their
 * bound). `upper[k]` = Infinity leaves column k unbounded.
 */
export function boundedNnls(a: number[][], b: number[], upper: readonly number[]): NnlsResult {
  const n = a.length > 0 ? a[0]!.length : 0;
  const fixed = new Map<number, number>();
  let fit = nnls(a, b);
  for (let round = 0; round < n; round++) {
    const over = fit.x.flatMap((v, k) => (!fixed.has(k) && v > upper[k]! ? [k] : []));
    if (over.length === 0) break;
    for (const k of over) fixed.set(k, upper[k]!);
    const free = Array.from({ length: n }, (_, k) => k).filter((k) => !fixed.has(k));
    const rest = b.map((v, i) => v - [...fixed].reduce((s, [k, x]) => s + a[i]![k]! * x, 0));
    const sub = free.length > 0 ? nnls(a.map((row) => free.map((k) => row[k]!)), rest) : undefined;
    const x = Array.from({ length: n }, (_, k) => fixed.get(k) ?? sub!.x[free.indexOf(k)]!);
    const rss = a.reduce((s, row, i) => s + (b[i]! - dot(row, x)) ** 2, 0);
    fit = { x, rss, r2: rSquared(b, rss), iterations: fit.iterations + (sub?.iterations ?? 0) };
  }
  return fit;
}
