/**
 * The USL fitter on synthetic data with known parameters: exact points must
 * give the parameters back, noisy points must stay close, and too few points
 * must be refused with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitUsl, USL_MIN_POINTS, uslThroughput, type UslParams, type UslPoint } from '../../src/capacity/usl.js';

function synthetic(p: UslParams, ns: number[], noise = 0, seed = 1): UslPoint[] {
  // A small deterministic LCG so the noisy test is reproducible.
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return ns.map((n) => ({ n, x: uslThroughput(n, p) * (1 + noise * rand()) }));
}

const NS = [1, 2, 4, 8, 16, 32, 48, 64, 96, 128];

test('fitUsl recovers λ, σ, κ from exact USL points', () => {
  const truth = { lambda: 995.6, sigma: 0.02, kappa: 0.0001 };
  const r = fitUsl(synthetic(truth, NS));
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(Math.abs(r.fit.lambda - truth.lambda) / truth.lambda < 1e-3, `λ ${r.fit.lambda}`);
  assert.ok(Math.abs(r.fit.sigma - truth.sigma) < 1e-4, `σ ${r.fit.sigma}`);
  assert.ok(Math.abs(r.fit.kappa - truth.kappa) < 1e-6, `κ ${r.fit.kappa}`);
  assert.equal(r.fit.nMax, Math.floor(Math.sqrt((1 - truth.sigma) / truth.kappa)));
  assert.ok(r.fit.r2 > 0.9999);
  assert.ok(r.fit.mape < 1e-3);
});

test('fitUsl: contention only (κ = 0) gives no N_max and the λ/σ asymptote', () => {
  const truth = { lambda: 50, sigma: 0.1, kappa: 0 };
  const r = fitUsl(synthetic(truth, NS));
  assert.ok(r.ok);
  assert.ok(Math.abs(r.fit.sigma - 0.1) < 1e-3, `σ ${r.fit.sigma}`);
  assert.ok(r.fit.kappa < 1e-7, `κ ${r.fit.kappa}`);
  if (r.fit.nMax === null) assert.ok(Math.abs(r.fit.xMax! - 500) < 5);
  else assert.ok(r.fit.nMax > 1000, 'a κ of rounding size puts N_max far beyond the data');
});

test('fitUsl on noisy data (±5 %) stays near the truth and reports the error', () => {
  const truth = { lambda: 200, sigma: 0.05, kappa: 0.0005 };
  const r = fitUsl(synthetic(truth, NS, 0.05, 7));
  assert.ok(r.ok);
  assert.ok(Math.abs(r.fit.lambda - truth.lambda) / truth.lambda < 0.1, `λ ${r.fit.lambda}`);
  assert.ok(Math.abs(r.fit.sigma - truth.sigma) < 0.03, `σ ${r.fit.sigma}`);
  assert.ok(Math.abs(r.fit.kappa - truth.kappa) / truth.kappa < 0.5, `κ ${r.fit.kappa}`);
  assert.ok(r.fit.mape > 0.005 && r.fit.mape < 0.06, `mape ${r.fit.mape}`);
  assert.ok(r.fit.r2 > 0.9 && r.fit.r2 < 1);
  assert.ok(r.fit.sigma >= 0 && r.fit.kappa >= 0);
});

test(`fitUsl refuses fewer than ${USL_MIN_POINTS} distinct concurrencies, and ignores empty points`, () => {
  const pts = synthetic({ lambda: 10, sigma: 0.1, kappa: 0.01 }, [1, 2, 3, 4, 5]);
  const r = fitUsl([...pts, { n: 0, x: 0 }, { n: 2, x: pts[1]!.x }]);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.points, 5);
    assert.match(r.reason, /at least 6 points/);
  }
});
