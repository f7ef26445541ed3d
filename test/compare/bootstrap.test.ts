import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IntervalHistograms,
  blockBootstrapLogRatio,
  blockResampleIndices,
  sparseFromEncoded,
  type IntervalStatistic,
  type SparseHistogram,
} from '../../src/compare/stats/bootstrap.js';
import { mulberry32, normal, type Random } from '../../src/compare/stats/prng.js';
import { encodeInterval } from './fixtures/runs.js';

/**
 * Synthetic run: `intervals` seconds of `perInterval` log-normal latencies
 * (µs, rounded to 100 µs) whose level drifts as an AR(1) process — the
 * within-run autocorrelation the block bootstrap must respect.
 */
function syntheticRun(random: Random, intervals: number, perInterval: number, scale = 1): SparseHistogram[] {
  let level = 0.115 * normal(random); // stationary start: sd 0.1 / sqrt(1 − 0.5²)
  const out: SparseHistogram[] = [];
  for (let i = 0; i < intervals; i++) {
    level = 0.5 * level + 0.1 * normal(random);
    const counts = new Map<number, number>();
    for (let k = 0; k < perInterval; k++) {
      const v = Math.round((20_000 * scale * Math.exp(level + 0.4 * normal(random))) / 100) * 100;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const values = [...counts.keys()].sort((a, b) => a - b);
    out.push({ values, counts: values.map((v) => counts.get(v) as number) });
  }
  return out;
}

function p95Statistic(h: IntervalHistograms): IntervalStatistic {
  return { length: h.length, compute: (idx) => h.quantile(idx, 0.95) };
}

test('block resample indices: right length, whole blocks, within range', () => {
  const random = mulberry32(3);
  const idx = blockResampleIndices(12, 5, random);
  assert.equal(idx.length, 12);
  assert.ok(idx.every((i) => i >= 0 && i < 12));
  // The first block is 5 consecutive intervals, wrapping around the end (circular).
  for (let k = 1; k < 5; k++) assert.equal(idx[k], (idx[0] + k) % 12);
  // Blocks longer than the run shrink to the run: a rotation of the run itself.
  const whole = blockResampleIndices(3, 10, random);
  assert.deepEqual([...whole].sort(), [0, 1, 2]);
  assert.equal(whole[1], (whole[0] + 1) % 3);
});

test('interval histograms: quantile of merged selection equals the HDR percentile of the merge', () => {
  const intervals = [
    Array.from({ length: 100 }, (_, i) => 1 + i * 0.1), // 1.0 … 10.9 ms
    Array.from({ length: 100 }, (_, i) => 20 + i), // 20 … 119 ms
  ];
  const encoded = intervals.map(encodeInterval);
  const h = IntervalHistograms.fromEncoded(encoded);
  assert.equal(h.length, 2);
  const p50 = h.quantile([0, 1], 0.5) / 1000;
  assert.ok(Math.abs(p50 - 10.9) / 10.9 < 0.002, `p50 ${p50}`);
  const p95 = h.quantile([0, 1], 0.95) / 1000;
  assert.ok(Math.abs(p95 - 109) / 109 < 0.002, `p95 ${p95}`);
  // Selecting interval 0 twice is the same distribution as interval 0 alone.
  assert.equal(h.quantile([0, 0], 0.95), h.quantile([0], 0.95));
  assert.ok(Number.isNaN(new IntervalHistograms([sparseFromEncoded('')]).quantile([0], 0.5)));
});

test('interval histograms: binary search over cumulative counts equals merging', () => {
  const random = mulberry32(21);
  const intervals = syntheticRun(random, 25, 60);
  const searched = new IntervalHistograms(intervals);
  const merged = new IntervalHistograms(intervals, 0);
  for (let trial = 0; trial < 50; trial++) {
    const idx = blockResampleIndices(25, 5, random);
    assert.deepEqual(searched.quantiles(idx, [0.5, 0.95, 0.99]), merged.quantiles(idx, [0.5, 0.95, 0.99]));
  }
  assert.deepEqual(searched.quantiles([3], [0, 1]), merged.quantiles([3], [0, 1]));
});

test('bootstrap is deterministic for a seed and changes with it', () => {
  const random = mulberry32(11);
  const a = new IntervalHistograms(syntheticRun(random, 20, 100));
  const b = new IntervalHistograms(syntheticRun(random, 20, 100, 1.3));
  const one = blockBootstrapLogRatio(p95Statistic(a), p95Statistic(b), { resamples: 300, seed: 5 });
  const two = blockBootstrapLogRatio(p95Statistic(a), p95Statistic(b), { resamples: 300, seed: 5 });
  const other = blockBootstrapLogRatio(p95Statistic(a), p95Statistic(b), { resamples: 300, seed: 6 });
  assert.deepEqual(one, two);
  assert.notEqual(one.lower, other.lower);
  assert.equal(one.seed, 5);
  assert.equal(one.blockLength, 5);
  // A 30 % slower run is detected: the interval lies above 0 and contains the estimate.
  assert.ok((one.lower as number) > 0, `lower ${one.lower}`);
  assert.ok((one.lower as number) <= one.estimate && one.estimate <= (one.upper as number));
  assert.ok(one.p < 0.05);
});

test('bootstrap coverage on A/A synthetic interval histograms is near 95 %', (t) => {
  const random = mulberry32(2026);
  const trials = 60;
  let covered = 0;
  for (let trial = 0; trial < trials; trial++) {
    const a = new IntervalHistograms(syntheticRun(random, 30, 150));
    const b = new IntervalHistograms(syntheticRun(random, 30, 150));
    const r = blockBootstrapLogRatio(p95Statistic(a), p95Statistic(b), { resamples: 300, seed: trial + 1 });
    if ((r.lower as number) <= 0 && 0 <= (r.upper as number)) covered++;
  }
  const coverage = covered / trials;
  t.diagnostic(`A/A coverage of the 95 % block-bootstrap interval: ${coverage.toFixed(3)} (${trials} trials)`);
  // Measured 0.88 here (0.80 before blocks wrapped around): block bootstraps
  // of short runs are liberal, as docs/compare.md says. Far below would mean
  // broken blocks.
  assert.ok(coverage >= 0.83, `coverage ${coverage}`);
});
