import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticalU, mannWhitneyU, midRanks, normalQuantile, normalUpperTail, uCdf } from '../../src/compare/stats/mann-whitney.js';
import { hodgesLehmann, pairwiseDifferences } from '../../src/compare/stats/hodges-lehmann.js';
import { geometricMean, holmAdjust, median, modifiedZScores, outlierIndices } from '../../src/compare/stats/robust.js';
import { hashSeed, mulberry32 } from '../../src/compare/stats/prng.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('x = 10..14, y = 15..19: U = 0 and exact two-sided p = 2/252', () => {
  const r = mannWhitneyU([10, 11, 12, 13, 14], [15, 16, 17, 18, 19]);
  assert.equal(r.u, 0);
  assert.equal(r.uMin, 0);
  assert.equal(r.method, 'exact');
  close(r.p, 2 / 252);
  // Swapping the samples gives U = 25 for the first sample and the same p.
  const s = mannWhitneyU([15, 16, 17, 18, 19], [10, 11, 12, 13, 14]);
  assert.equal(s.u, 25);
  close(s.p, 2 / 252);
});

test('minimum exact p per k matches benchstat: 0.1, 0.0286, 0.0079', () => {
  const sep = (k: number) => mannWhitneyU(Array.from({ length: k }, (_, i) => i), Array.from({ length: k }, (_, i) => i + 100)).p;
  close(sep(3), 0.1);
  close(sep(4), 2 / 70);
  close(sep(5), 2 / 252);
});

test('identical samples give p = 1', () => {
  assert.equal(mannWhitneyU([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]).p, 1);
  assert.equal(mannWhitneyU([7, 7, 7], [7, 7, 7]).p, 1);
});

test('U null distribution: P(U ≤ 2) for 5+5 is 4/252', () => {
  close(uCdf(5, 5, 2), 4 / 252);
  close(uCdf(4, 4, 0), 1 / 70);
});

test('exact CI order-statistics table of the research (k=4,5,6,8)', () => {
  const table = [
    { k: 3, c: -1, lo: null, hi: null, conf: null },
    { k: 4, c: 0, lo: 1, hi: 16, conf: 0.971 },
    { k: 5, c: 2, lo: 3, hi: 23, conf: 0.968 },
    { k: 6, c: 5, lo: 6, hi: 31, conf: 0.959 },
    { k: 8, c: 13, lo: 14, hi: 51, conf: 0.95 },
  ];
  for (const row of table) {
    assert.equal(criticalU(row.k, row.k), row.c, `Ucrit k=${row.k}`);
    const x = Array.from({ length: row.k }, (_, i) => i * 1.1);
    const y = Array.from({ length: row.k }, (_, i) => i * 0.7 + 0.3);
    const hl = hodgesLehmann(x, y);
    assert.equal(hl.lowerRank, row.lo, `lower rank k=${row.k}`);
    assert.equal(hl.upperRank, row.hi, `upper rank k=${row.k}`);
    if (row.conf === null) assert.equal(hl.confidence, null);
    else close(hl.confidence as number, row.conf, 0.0006);
    if (row.lo !== null) {
      const d = pairwiseDifferences(x, y);
      assert.equal(hl.lower, d[row.lo - 1]);
      assert.equal(hl.upper, d[(row.hi as number) - 1]);
    }
  }
});

test('ties: exact permutation p of the mid-rank statistic matches brute-force enumeration', () => {
  // Oracle computed by enumerating all C(13,7) = 1716 splits: 317 are at least as extreme.
  const x = [1, 2, 2, 3, 3, 3, 7];
  const y = [2, 3, 4, 4, 5, 6];
  const r = mannWhitneyU(x, y);
  assert.equal(r.method, 'exact-ties');
  assert.equal(r.u, 11.5);
  close(r.p, 317 / 1716);
  // Small tie case also checked against scipy's exact test: p = 0.2.
  const s = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5]);
  assert.equal(s.u, 2.5);
  close(s.p, 0.2);
});

test('ties: brute force agrees on random tied samples', () => {
  const random = mulberry32(7);
  for (let trial = 0; trial < 20; trial++) {
    const x = Array.from({ length: 5 }, () => Math.floor(random() * 4));
    const y = Array.from({ length: 4 }, () => Math.floor(random() * 4));
    const pooled = [...x, ...y];
    const { ranks } = midRanks(pooled);
    const expected = (5 * (pooled.length + 1)) / 2;
    const observed = Math.abs(ranks.slice(0, 5).reduce((s, v) => s + v, 0) - expected);
    let extreme = 0;
    let total = 0;
    // Enumerate every 5-subset of 9 positions by bitmask.
    for (let mask = 0; mask < 1 << 9; mask++) {
      let bits = 0;
      let sum = 0;
      for (let i = 0; i < 9; i++) if (mask & (1 << i)) (bits++, (sum += ranks[i]));
      if (bits !== 5) continue;
      total++;
      if (Math.abs(sum - expected) >= observed - 1e-9) extreme++;
    }
    close(mannWhitneyU(x, y).p, extreme / total, 1e-12);
  }
});

test('normal approximation above 20 per side matches scipy (asymptotic, continuity)', () => {
  const x = Array.from({ length: 25 }, (_, i) => i);
  const y = x.map((v) => v + 10);
  const r = mannWhitneyU(x, y);
  assert.equal(r.method, 'normal');
  assert.equal(r.u, 112.5);
  close(r.p, 0.00010782933074802627, 1e-8);
  // With heavy ties (scipy: 2.6768725239302107e-05).
  const t = mannWhitneyU([1, 1, 2, 2, 3].flatMap((v) => Array(6).fill(v)), [2, 2, 3, 3, 4].flatMap((v) => Array(6).fill(v)));
  close(t.p, 2.6768725239302107e-5, 1e-8);
});

test('normal helpers', () => {
  close(normalUpperTail(1.959963984540054), 0.025, 1e-7);
  close(normalQuantile(0.975), 1.959963984540054, 1e-6);
});

test('Hodges–Lehmann estimate on known data', () => {
  // Differences y − x for x = 1,2,3 and y = 4,6,8: 3,5,7,2,4,6,1,3,5 → median 4.
  assert.equal(hodgesLehmann([1, 2, 3], [4, 6, 8]).estimate, 4);
  // Pure shift by 2.5: every difference set is centred on it.
  assert.equal(hodgesLehmann([1, 2, 3, 4, 5], [3.5, 4.5, 5.5, 6.5, 7.5]).estimate, 2.5);
  const hl = hodgesLehmann([10, 11, 12, 13, 14], [15, 16, 17, 18, 19]);
  assert.equal(hl.estimate, 5);
  assert.equal(hl.lower, 2); // #3 of the 25 sorted differences 1,2,2,3,3,3,…
  assert.equal(hl.upper, 8); // #23 of …,7,7,7,8,8,9
});

test('robust helpers: median, modified z, Holm, geomean', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  const z = modifiedZScores([10, 10.2, 9.9, 10.1, 14]);
  assert.ok(z[4] > 3.5, `z ${z[4]}`);
  assert.deepEqual(outlierIndices([10, 10.2, 9.9, 10.1, 14]), [4]);
  assert.deepEqual(outlierIndices([10, 10.2, 9.9, 10.1, 10.3]), []);
  // Holm: sorted 0.01, 0.02, 0.04 → 0.03, 0.04, 0.04 (monotone).
  const adj = holmAdjust([0.04, 0.01, 0.02]);
  close(adj[1], 0.03);
  close(adj[2], 0.04);
  close(adj[0], 0.04);
  close(geometricMean([1, 4, 16]), 4);
  assert.ok(Number.isNaN(geometricMean([1, 0])));
});

test('mulberry32 is deterministic per seed and roughly uniform', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05);
  assert.ok(xs.every((v) => v >= 0 && v < 1));
  assert.notEqual(mulberry32(43)(), mulberry32(42)());
});

test('hashSeed gives a fair coin per seed even for neighbouring seeds', () => {
  let ones = 0;
  for (let s = 0; s < 2000; s++) ones += hashSeed(s) >>> 31;
  assert.ok(ones > 900 && ones < 1100, `ones ${ones}`);
  assert.notEqual(hashSeed(1), hashSeed(2));
});
