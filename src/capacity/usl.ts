/**
 * Universal Scalability Law (Gunther): throughput against concurrency,
 *
 *     X(N) = λN / (1 + σ(N − 1) + κN(N − 1))
 *
 * λ is the throughput of one request in flight, σ ≥ 0 the contention (the
 * serial share: queueing on a shared resource), κ ≥ 0 the coherency cost
 * (crosstalk: work that grows with every pair of requests). With κ > 0
 * throughput peaks at N_max = ⌊√((1 − σ)/κ)⌋ and falls beyond it. The
 * references are usl4j and R's `usl` package (Schwarz), which fit the same
 * three parameters by non-linear least squares.
 *
 * The fit: Levenberg–Marquardt (the `ml-levenberg-marquardt` package) with
 * the analytic Jacobian and bounds σ, κ ≥ 0, from several starting points,
 * keeping the least squared error. The parameters are scaled to order one
 * before fitting (λ by the steepest measured X/N, κ by the squared largest
 * N), because the library damps every parameter alike.
 *
 * @module
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type { UslFit, UslResult } from './types.js';
import { uslThroughput, type UslParams } from './usl-model.js';

/** Fewest distinct points a fit needs: three parameters, and enough left over to judge the fit. */
export const USL_MIN_POINTS = 6;

export { uslThroughput, type UslParams } from './usl-model.js';

/** One measured point: concurrency (mean requests in flight) and throughput. */
export interface UslPoint {
  n: number;
  x: number;
}

/**
 * Fit the USL to `points` (concurrency, throughput). Points with a non-positive or non-finite value are
 * left out; fewer than {@link USL_MIN_POINTS} distinct concurrencies give `{ ok: false }` with the reason.
 */
export function fitUsl(points: readonly UslPoint[]): UslResult {
  const usable = points.filter((p) => Number.isFinite(p.n) && Number.isFinite(p.x) && p.n > 0 && p.x > 0);
  const distinct = new Set(usable.map((p) => p.n.toPrecision(3))).size;
  if (distinct < USL_MIN_POINTS) {
    return { ok: false, reason: `a USL fit needs at least ${USL_MIN_POINTS} points of distinct concurrency; the search measured ${distinct}`, points: distinct };
  }
  const nScale = Math.max(...usable.map((p) => p.n));
  // λ is at least the best X/N measured (at low N contention is small); scaling by it keeps λ' near 1.
  const lScale = Math.max(...usable.map((p) => p.x / p.n));
  const kScale = 1 / (nScale * nScale);
  const toParams = (v: number[]): UslParams => ({ lambda: v[0]! * lScale, sigma: v[1]!, kappa: v[2]! * kScale });
  const model = (v: number[]) => (n: number) => uslThroughput(n, toParams(v));
  const jacobian = (v: number[]) => (n: number) => {
    const p = toParams(v);
    const d = 1 + p.sigma * (n - 1) + p.kappa * n * (n - 1);
    const dLambda = n / d;
    const dDen = (-p.lambda * n) / (d * d);
    return [dLambda * lScale, dDen * (n - 1), dDen * n * (n - 1) * kScale];
  };
  const data = { x: usable.map((p) => p.n), y: usable.map((p) => p.x) };
  let best: { params: UslParams; sse: number } | undefined;
  for (const sigma of [0, 0.05, 0.3]) {
    for (const kappa of [0, 0.1, 1]) {
      const fitted = levenbergMarquardt(data, model, {
        initialValues: [1, sigma, kappa],
        minValues: [1e-9, 0, 0],
        maxValues: [1e6, 1, 1e6],
        jacobianFunction: jacobian,
        maxIterations: 300,
        errorTolerance: 1e-12,
        damping: 1e-2,
      });
      const params = toParams(fitted.parameterValues);
      const sse = data.x.reduce((a, n, i) => a + (uslThroughput(n, params) - data.y[i]!) ** 2, 0);
      if (Number.isFinite(sse) && (!best || sse < best.sse)) best = { params, sse };
    }
  }
  if (!best) return { ok: false, reason: 'the USL fit did not converge', points: distinct };
  return { ok: true, fit: describeFit(best.params, usable) };
}

/** Quality and derived figures of a fit on its points. */
export function describeFit(p: UslParams, points: readonly UslPoint[]): UslFit {
  const predicted = points.map((q) => uslThroughput(q.n, p));
  const mean = points.reduce((a, q) => a + q.x, 0) / points.length;
  const sse = points.reduce((a, q, i) => a + (q.x - predicted[i]!) ** 2, 0);
  const sst = points.reduce((a, q) => a + (q.x - mean) ** 2, 0);
  const nMax = p.kappa > 0 ? Math.max(1, Math.floor(Math.sqrt(Math.max(0, 1 - p.sigma) / p.kappa))) : null;
  const xMax = nMax !== null ? uslThroughput(nMax, p) : p.sigma > 0 ? p.lambda / p.sigma : null;
  return {
    lambda: p.lambda,
    sigma: p.sigma,
    kappa: p.kappa,
    nMax,
    xMax,
    r2: sst > 0 ? 1 - sse / sst : sse === 0 ? 1 : 0,
    rmse: Math.sqrt(sse / points.length),
    mape: points.reduce((a, q, i) => a + Math.abs(q.x - predicted[i]!) / q.x, 0) / points.length,
    points: points.map((q, i) => ({ n: q.n, x: q.x, predicted: predicted[i]! })).sort((a, b) => a.n - b.n),
  };
}
