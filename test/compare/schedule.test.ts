import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAgainstBaseline, runInterleaved, needsMoreRuns, type Side } from '../../src/compare/schedule.js';
import { mulberry32, normal } from '../../src/compare/stats/prng.js';
import type { RunResult } from '../../src/result/types.js';
import { makeRun, runsWithP95 } from './fixtures/runs.js';

/** A fake runner: p95 per side from a seeded log-normal, a fake clock advancing 1 min per run. */
function fakeRunner(scale: Record<Side, number>, cv: number, seed: number) {
  const random = mulberry32(seed);
  let clock = 0;
  const calls: Side[] = [];
  const runOnce = async (side: Side, index: number): Promise<RunResult> => {
    calls.push(side);
    clock += 60_000;
    return makeRun({ id: `${side}${index + 1}`, latency: { p95: 100 * scale[side] * Math.exp(cv * normal(random)) }, startedAt: clock });
  };
  return { runOnce, calls, now: () => clock };
}

test('interleaves strictly, first side from the seed, stops at 5 pairs when resolved', async () => {
  const sides = new Set<Side>();
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const f = fakeRunner({ A: 1, B: 0.6 }, 0.02, seed);
    const out = await runInterleaved({ runOnce: f.runOnce, now: f.now, seed });
    assert.equal(f.calls.length, 10);
    for (let i = 1; i < f.calls.length; i++) assert.notEqual(f.calls[i], f.calls[i - 1], `order ${f.calls.join('')}`);
    sides.add(f.calls[0]);
    assert.equal(out.comparison.verdict, 'improved');
    assert.deepEqual(out.comparison.sampling, { pairs: 5, extended: false, firstSide: f.calls[0], stoppedBy: 'resolved' });
    assert.equal(out.comparison.design, 'interleaved');
    assert.equal(out.a.length, 5);
  }
  assert.equal(sides.size, 2, 'both first sides occur across seeds');
});

test('extends one pair at a time while unresolved, up to maxPairs', async () => {
  // 5 % true change with 5 % run noise: usually unresolved at 5 pairs.
  const f = fakeRunner({ A: 1, B: 1.05 }, 0.05, 3);
  const out = await runInterleaved({ runOnce: f.runOnce, now: f.now, seed: 3, maxPairs: 8 });
  const s = out.comparison.sampling!;
  assert.ok(s.pairs >= 5 && s.pairs <= 8);
  assert.equal(f.calls.length, 2 * s.pairs);
  if (s.stoppedBy === 'max-pairs') assert.equal(s.pairs, 8);
  assert.equal(s.extended, s.pairs > 5);
  assert.ok(s.stoppedBy === 'resolved' || s.stoppedBy === 'max-pairs');
});

test('time budget stops extension before the next pair would overrun', async () => {
  const f = fakeRunner({ A: 1, B: 1 }, 0.3, 9); // very noisy: unresolved
  // Each pair takes 2 fake minutes; budget 13 min allows 6 pairs (12 min) but not 7.
  const out = await runInterleaved({ runOnce: f.runOnce, now: f.now, seed: 9, maxPairs: 10, budgetMs: 13 * 60_000 });
  const s = out.comparison.sampling!;
  if (s.stoppedBy !== 'resolved') {
    assert.equal(s.stoppedBy, 'time-budget');
    assert.equal(s.pairs, 6);
  }
});

test('a guardrail stops sampling at once: more runs cannot fix a saturated generator', async () => {
  let n = 0;
  const out = await runInterleaved({
    runOnce: async (side, index) => makeRun({ id: `${side}${index}`, latency: { p95: 100 + (n++ % 3) }, saturated: side === 'B', startedAt: n }),
    seed: 1,
  });
  assert.equal(out.comparison.verdict, 'inconclusive');
  assert.equal(out.comparison.sampling!.stoppedBy, 'guardrail');
  assert.equal(out.comparison.sampling!.pairs, 5);
  assert.equal(needsMoreRuns(out.comparison), false);
});

test('validate: candidate runs against a fixed baseline, sequential design', async () => {
  const baseline = runsWithP95('base', [100, 102, 98, 101, 99], 0);
  const f = fakeRunner({ A: 1, B: 0.5 }, 0.02, 4);
  const out = await runAgainstBaseline(baseline, { runOnce: f.runOnce, now: f.now });
  assert.deepEqual(f.calls, ['B', 'B', 'B', 'B', 'B']);
  assert.equal(out.comparison.design, 'sequential');
  assert.equal(out.comparison.verdict, 'improved');
  assert.equal(out.comparison.before.label, 'baseline');
});

test('A/A with auto-extension (5→10 pairs): false verdicts stay rare', async (t) => {
  const trials = 200;
  let false_ = 0;
  let extended = 0;
  for (let trial = 0; trial < trials; trial++) {
    const f = fakeRunner({ A: 1, B: 1 }, 0.05, 1000 + trial);
    const out = await runInterleaved({ runOnce: f.runOnce, now: f.now, seed: trial, compare: { metrics: ['p95'], endpoints: false } });
    if (out.comparison.verdict === 'improved' || out.comparison.verdict === 'regressed') false_++;
    if (out.comparison.sampling!.extended) extended++;
  }
  t.diagnostic(`A/A with auto-extension, k=5..10, CV 5%: false verdicts ${(false_ / trials).toFixed(3)}, extended ${(extended / trials).toFixed(2)}`);
  assert.ok(false_ / trials <= 0.05, `false verdict rate ${false_ / trials}`);
});
