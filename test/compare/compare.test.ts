import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, inferDesign, QUICK_MODE_NOTE } from '../../src/compare/compare.js';
import { minTailSamples } from '../../src/compare/guardrails.js';
import { isUnresolved } from '../../src/compare/verdict.js';
import { mulberry32, normal } from '../../src/compare/stats/prng.js';
import { makeRun, runsWithP95 } from './fixtures/runs.js';
import { simulate } from './fixtures/simulate.js';

const BEFORE = [100, 102, 98, 101, 99];
const FASTER = [60, 61, 59, 62, 58];

test('A/A simulation: false-positive rate ≤ 5 % (k=5, CV 5 %, 1000 comparisons)', (t) => {
  const r = simulate({ k: 5, cv: 0.05, effect: 0, trials: 1000, seed: 99 });
  t.diagnostic(`A/A k=5 CV 5%: P(p<.05) = ${r.significant.toFixed(3)}, P(verdict ≠ ~) = ${(r.improved + r.regressed).toFixed(3)}`);
  assert.ok(r.significant <= 0.05, `P(p<.05) ${r.significant}`);
  assert.ok(r.improved + r.regressed <= 0.05, `false verdicts ${r.improved + r.regressed}`);
});

test('A/B simulation: a true 20 % improvement is detected ≥ 80 % (k=5, CV 5 %)', (t) => {
  const r = simulate({ k: 5, cv: 0.05, effect: -0.2, trials: 1000, seed: 7 });
  t.diagnostic(`A/B −20% k=5 CV 5%: P(p<.05) = ${r.significant.toFixed(3)}, P(improved) = ${r.improved.toFixed(3)}`);
  assert.ok(r.improved >= 0.8, `power ${r.improved}`);
  assert.equal(r.regressed, 0);
  // Research table: θ = half the effect (10 %) gives about 0.80.
  const strict = simulate({ k: 5, cv: 0.05, effect: -0.2, trials: 1000, seed: 7, threshold: 0.1 });
  assert.ok(strict.improved > 0.7 && strict.improved < 0.9, `θ=10% power ${strict.improved}`);
});

test('clear improvement: row values, medians, delta, CI, p and verdict', () => {
  const c = compareRuns(runsWithP95('a', BEFORE, 0), runsWithP95('b', FASTER, 1));
  assert.equal(c.mode, 'runs');
  assert.equal(c.design, 'interleaved');
  assert.equal(c.verdict, 'improved');
  const row = c.rows.find((r) => r.primary)!;
  assert.equal(row.metric, 'p95');
  assert.equal(row.endpoint, null);
  assert.equal(row.label, 'p95 response time');
  assert.equal(row.basis, 'response');
  assert.deepEqual(row.before.values, BEFORE);
  assert.equal(row.before.median, 100);
  assert.equal(row.after.median, 60);
  assert.ok(Math.abs(row.p - 2 / 252) < 1e-12);
  assert.equal(row.method, 'mann-whitney-exact');
  assert.ok(row.deltaPercent < -35 && row.deltaPercent > -45, `delta ${row.deltaPercent}`);
  assert.ok(row.ci && row.ci.upper < Math.log(0.95));
  assert.ok(Math.abs(row.ci!.confidence - 0.968) < 0.001);
  assert.equal(row.threshold, 0.05);
  assert.deepEqual(c.reasons, []);
  // Throughput did not change (same rps everywhere): ties → p = 1, '~'.
  const tp = c.rows.find((r) => r.metric === 'throughput' && r.endpoint === null)!;
  assert.equal(tp.verdict, '~');
  assert.equal(tp.p, 1);
});

test('regression on the primary metric, mirrored', () => {
  const c = compareRuns(runsWithP95('a', FASTER, 0), runsWithP95('b', BEFORE, 1));
  assert.equal(c.verdict, 'regressed');
});

test('significant but inside the noise threshold stays ~; equivalence when asked', () => {
  const before = [100, 100.5, 99.5, 100.2, 99.8];
  const after = before.map((v) => v * 1.02); // 2 % slower, p = 0.008, but θ(p95) = 5 %
  const c = compareRuns(runsWithP95('a', before, 0), runsWithP95('b', after, 1));
  const row = c.rows.find((r) => r.primary)!;
  assert.ok(row.p < 0.05);
  assert.equal(row.verdict, '~');
  assert.equal(isUnresolved(row.verdict, row.ci!.lower, row.ci!.upper, row.threshold), false);
  const eq = compareRuns(runsWithP95('a', before, 0), runsWithP95('b', after, 1), { equivalence: true });
  assert.equal(eq.verdict, 'equivalent');
  // A stricter threshold turns it into a regression.
  const strict = compareRuns(runsWithP95('a', before, 0), runsWithP95('b', after, 1), { thresholds: { p95: 0.01 } });
  assert.equal(strict.verdict, 'regressed');
});

test('three runs per side cannot reach a verdict and say so', () => {
  const c = compareRuns(runsWithP95('a', [100, 101, 99], 0), runsWithP95('b', [50, 51, 49], 1));
  const row = c.rows.find((r) => r.primary)!;
  assert.equal(row.ci, null);
  assert.equal(c.verdict, '~');
  assert.ok(c.warnings.some((w) => w.includes('cannot reach p < 0.05')));
  assert.ok(isUnresolved(row.verdict, null, null, row.threshold));
});

test('guardrail: generator saturated → inconclusive with the run named', () => {
  const after = runsWithP95('b', FASTER, 1);
  after[2] = makeRun({ id: 'b3', latency: { p95: 59 }, startedAt: 5 * 60_000, saturated: true });
  const c = compareRuns(runsWithP95('a', BEFORE, 0), after);
  assert.equal(c.verdict, 'inconclusive');
  const reason = c.reasons.find((r) => r.code === 'generator-saturated')!;
  assert.deepEqual(reason.runs, ['b3']);
  assert.match(reason.message, /event-loop delay p99 42ms > 10ms/);
  // The statistics are still there for the reader.
  assert.equal(c.rows.find((r) => r.primary)!.verdict, 'improved');
});

test('guardrail: achieved rate below 99 % of target', () => {
  const before = runsWithP95('a', BEFORE, 0);
  before[0] = makeRun({ id: 'a1', latency: { p95: 100 }, startedAt: 0, targetRate: 1000, achievedRate: 950 });
  const c = compareRuns(before, runsWithP95('b', FASTER, 1));
  assert.equal(c.verdict, 'inconclusive');
  assert.deepEqual(c.reasons.map((r) => r.code), ['rate-shortfall']);
  assert.deepEqual(c.reasons[0].runs, ['a1']);
  // 99.5 % is within tolerance.
  before[0] = makeRun({ id: 'a1', latency: { p95: 100 }, startedAt: 0, targetRate: 1000, achievedRate: 995 });
  assert.equal(compareRuns(before, runsWithP95('b', FASTER, 1)).verdict, 'improved');
});

test('guardrail: different offered load, different load models', () => {
  const after = runsWithP95('b', FASTER, 1, { targetRate: 1500, achievedRate: 1500 });
  assert.ok(compareRuns(runsWithP95('a', BEFORE, 0), after).reasons.some((r) => r.code === 'offered-load-differs'));
  const closed = runsWithP95('b', FASTER, 1, { model: 'closed' });
  const c = compareRuns(runsWithP95('a', BEFORE, 0), closed);
  assert.ok(c.reasons.some((r) => r.code === 'load-models-differ'));
});

test('guardrail: error rates differing by more than 0.1·(1−q) of the primary percentile', () => {
  const withErrors = runsWithP95('b', FASTER, 1, { failed: 300 }); // 1 % vs 0 %: limit for p95 is 0.5 pp
  const c = compareRuns(runsWithP95('a', BEFORE, 0), withErrors);
  const reason = c.reasons.find((r) => r.code === 'error-rates-differ');
  assert.ok(reason, JSON.stringify(c.reasons));
  assert.match(reason!.message, /0\.00% before, 1\.00% after; limit ±0\.50%/);
  // 0.3 % is below the p95 limit.
  const few = runsWithP95('b', FASTER, 1, { failed: 90 });
  assert.equal(compareRuns(runsWithP95('a', BEFORE, 0), few).verdict, 'improved');
  // With p99 primary the limit is 0.1 pp, so 0.3 % trips it.
  assert.equal(compareRuns(runsWithP95('a', BEFORE, 0), few, { primary: { metric: 'p99' } }).verdict, 'inconclusive');
});

test('guardrail: too few tail samples, n ≥ 50/(1−q)', () => {
  assert.equal(minTailSamples(0.95), 1000);
  assert.equal(minTailSamples(0.99), 5000);
  assert.equal(minTailSamples(0.5), 100);
  const small = runsWithP95('b', FASTER, 1, { requests: 2000 });
  const c = compareRuns(runsWithP95('a', BEFORE, 0), small);
  // p95 needs 1,000: fine. p99 needs 5,000: its row is flagged, the verdict (p95) stands.
  assert.equal(c.verdict, 'improved');
  const p99 = c.rows.find((r) => r.metric === 'p99' && r.endpoint === null)!;
  assert.equal(p99.inconclusive[0].code, 'too-few-tail-samples');
  assert.deepEqual(p99.inconclusive[0].runs, ['b1', 'b2', 'b3', 'b4', 'b5']);
  const tiny = runsWithP95('b', FASTER, 1, { requests: 900 });
  const d = compareRuns(runsWithP95('a', BEFORE, 0), tiny);
  assert.equal(d.verdict, 'inconclusive');
  assert.equal(d.reasons[0].code, 'too-few-tail-samples');
});

test('outlier runs are flagged and kept; policy can make them inconclusive', () => {
  const before = [100, 101, 99, 100.5, 140];
  const c = compareRuns(runsWithP95('a', before, 0), runsWithP95('b', FASTER, 1));
  const row = c.rows.find((r) => r.primary)!;
  assert.deepEqual(row.outliers.map((o) => o.run), ['a5']);
  assert.deepEqual(row.before.values, before); // never dropped
  assert.equal(c.verdict, 'improved');
  assert.ok(c.warnings.some((w) => w.startsWith('outlier run a5')));
  const strict = compareRuns(runsWithP95('a', before, 0), runsWithP95('b', FASTER, 1), { outlierPolicy: 'inconclusive' });
  assert.equal(strict.verdict, 'inconclusive');
  assert.equal(strict.reasons[0].code, 'outlier-runs');
});

test('per-endpoint rows, primary on an endpoint, geomean across endpoints', () => {
  const eps = (scale: number, jitter: number) => ({
    'GET /a': { p95: 100 * scale * jitter },
    'GET /b': { p95: 20 * jitter },
  });
  const random = mulberry32(1);
  const j = () => Math.exp(0.01 * normal(random));
  const before = [0, 1, 2, 3, 4].map((i) => makeRun({ id: `a${i}`, latency: { p95: 50 }, endpoints: eps(1, j()), startedAt: 2 * i }));
  const after = [0, 1, 2, 3, 4].map((i) => makeRun({ id: `b${i}`, latency: { p95: 50 * j() }, endpoints: eps(0.5, j()), startedAt: 2 * i + 1 }));
  const c = compareRuns(before, after, { primary: { metric: 'p95', endpoint: 'GET /a' } });
  const a = c.rows.find((r) => r.metric === 'p95' && r.endpoint === 'GET /a')!;
  const b = c.rows.find((r) => r.metric === 'p95' && r.endpoint === 'GET /b')!;
  assert.ok(a.primary);
  assert.equal(a.verdict, 'improved');
  assert.equal(b.verdict, '~');
  assert.equal(c.verdict, 'improved');
  const g = c.geomean.find((x) => x.metric === 'p95')!;
  assert.equal(g.endpoints, 2);
  // geomean of ratios ≈ sqrt(0.5 · 1) − 1 ≈ −29 %.
  assert.ok(Math.abs(g.deltaPercent - (Math.SQRT1_2 - 1) * 100) < 2, `geomean ${g.deltaPercent}`);
  // Secondary rows carry Holm-adjusted p-values ≥ raw p.
  assert.ok(b.pAdjusted >= b.p);
  const missing = compareRuns(before, after, { primary: { metric: 'p95', endpoint: 'GET /nope' } });
  assert.equal(missing.verdict, 'inconclusive');
  assert.equal(missing.reasons[0].code, 'primary-missing');
});

test('Holm option can only make secondary verdicts rarer', () => {
  const c = compareRuns(runsWithP95('a', BEFORE, 0), runsWithP95('b', FASTER, 1), { multipleComparisons: 'holm' });
  const p50 = c.rows.find((r) => r.metric === 'p50' && r.endpoint === null)!;
  // 4 secondary rows: 4 × 0.0079 = 0.032 < 0.05 still improved for p50/p99; error rows are ties.
  assert.equal(p50.verdict, 'improved');
  assert.ok(Math.abs(p50.pAdjusted - 4 * (2 / 252)) < 1e-9, `${p50.pAdjusted}`);
});

test('error-rate log ratio handles zeros with the ½-count correction', () => {
  const before = runsWithP95('a', BEFORE, 0, { failed: 0 });
  const after = runsWithP95('b', BEFORE, 1, { failed: 0 });
  const c = compareRuns(before, after, { metrics: ['errors'], primary: { metric: 'errors' } });
  const row = c.rows[0];
  // Shown as plain 0 %, tested on the corrected rate: finite log-ratio, no change.
  assert.deepEqual(row.before.values, [0, 0, 0, 0, 0]);
  assert.equal(row.logRatio, 0);
  assert.equal(row.verdict, '~');
  assert.equal(c.geomean.length, 0);
  const ep = { endpoints: { 'GET /x': { p95: 100 } } };
  const worse = compareRuns(runsWithP95('a', BEFORE, 0, ep), runsWithP95('b', BEFORE, 1, { failed: 60, ...ep }), {
    metrics: ['errors_5xx'],
    primary: { metric: 'errors_5xx' },
  });
  assert.equal(worse.verdict, 'regressed');
});

test('quick mode: one run per side uses the block bootstrap and is labelled', () => {
  const random = mulberry32(5);
  const intervals = (scale: number) =>
    Array.from({ length: 20 }, () => Array.from({ length: 80 }, () => scale * 10 * Math.exp(0.5 * normal(random))));
  const a = makeRun({ id: 'a', latency: { p95: 22 }, requests: 1600, intervals: intervals(1) });
  const b = makeRun({ id: 'b', latency: { p95: 13 }, requests: 1600, intervals: intervals(0.6), startedAt: 60_000 });
  const c = compareRuns([a], [b], { bootstrap: { resamples: 300 } });
  assert.equal(c.mode, 'quick');
  assert.equal(c.modeNote, QUICK_MODE_NOTE);
  assert.ok(c.warnings.includes(QUICK_MODE_NOTE));
  assert.equal(c.bootstrap!.resamples, 300);
  const row = c.rows.find((r) => r.primary)!;
  assert.equal(row.method, 'block-bootstrap');
  assert.ok(row.ci && row.ci.upper < 0, JSON.stringify(row.ci));
  assert.equal(c.verdict, 'improved');
  assert.ok(c.warnings.some((w) => w.startsWith('short runs (20 intervals)')), c.warnings.join('\n'));
  // Same inputs, same seed derived from the ids → identical result.
  assert.deepEqual(compareRuns([a], [b], { bootstrap: { resamples: 300 } }).rows[1].ci, c.rows[1].ci);
  // Without interval histograms the row cannot have an interval and the comparison says why.
  const bare = compareRuns([makeRun({ id: 'x', latency: { p95: 22 } })], [makeRun({ id: 'y', latency: { p95: 13 } })]);
  assert.equal(bare.verdict, 'inconclusive');
  assert.equal(bare.reasons[0].code, 'no-interval-histograms');
});

test('design inference from start times', () => {
  const a = runsWithP95('a', BEFORE, 0); // minutes 0,2,4,6,8
  const b = runsWithP95('b', FASTER, 1); // minutes 1,3,5,7,9
  assert.equal(inferDesign(a, b), 'interleaved');
  assert.equal(inferDesign(a, runsWithP95('b', FASTER, 100)), 'sequential');
  // A A B B A B A B B A: neither alternating nor blocked.
  const mixedA = runsWithP95('a', BEFORE).map((r, i) => ({ ...r, startedAt: [0, 1, 4, 6, 9][i] }));
  const mixedB = runsWithP95('b', FASTER).map((r, i) => ({ ...r, startedAt: [2, 3, 5, 7, 8][i] }));
  assert.equal(inferDesign(mixedA, mixedB), 'unknown');
  const c = compareRuns(a, runsWithP95('b', FASTER, 100));
  assert.ok(c.warnings.some((w) => w.startsWith('sequential design')));
});

test('empty side is a usage error', () => {
  assert.throws(() => compareRuns([], runsWithP95('b', FASTER)), { code: 'TUNEUP_COMPARE_EMPTY' });
});
