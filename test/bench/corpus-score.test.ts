import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthyFalsePositiveRate, isRight, isRightStrict, scoreByCategory, scoreCorpus, type CaseRun } from '../../bench/lib/corpus-score.js';

const run = (over: Partial<CaseRun>): CaseRun => ({
  service: 's',
  caseId: 'c',
  load: 'moderate',
  rep: 1,
  expect: { category: 'missing-index', endpoint: 'GET /a' },
  top: { category: 'missing-index', endpoint: 'GET /a', severity: 'high' },
  severeCount: 1,
  seconds: 1,
  ...over,
});

test('a run is right only with the expected category on the expected endpoint', () => {
  assert.equal(isRight(run({})), true);
  assert.equal(isRight(run({ top: { category: 'missing-index', endpoint: 'GET /b', severity: 'high' } })), false);
  assert.equal(isRight(run({ top: { category: 'missing-index', severity: 'high' } })), false);
  assert.equal(isRight(run({ top: null, severeCount: 0 })), false);
  assert.equal(isRight(run({ error: 'exit 1' })), false);
});

test('a healthy run is right only without any medium+ finding', () => {
  assert.equal(isRight(run({ expect: null, top: null, severeCount: 0 })), true);
  assert.equal(isRight(run({ expect: null, severeCount: 1 })), false);
});

test('per-category top-1, spread over cases, category-only and precision', () => {
  const runs = [
    run({ caseId: 'a', rep: 1 }),
    run({ caseId: 'a', rep: 2, top: { category: 'missing-index', endpoint: 'GET /b', severity: 'high' } }),
    run({ caseId: 'b', rep: 1, expect: { category: 'missing-index', endpoint: 'GET /x' }, top: { category: 'n-plus-one', endpoint: 'GET /x', severity: 'medium' } }),
    run({ caseId: 'h', expect: null, top: null, severeCount: 0 }),
    run({ caseId: 'h', rep: 2, expect: null, top: { category: 'cache-miss', endpoint: 'GET /c', severity: 'medium' }, severeCount: 1 }),
  ];
  const byCat = Object.fromEntries(scoreByCategory(runs).map((s) => [s.category, s]));
  const mi = byCat['missing-index']!;
  assert.equal(mi.runs, 3);
  assert.equal(mi.cases, 2);
  assert.equal(mi.top1, 1 / 3);
  assert.equal(mi.caseMin, 0);
  assert.equal(mi.caseMax, 0.5);
  assert.equal(mi.categoryOnly, 2 / 3);
  // missing-index was claimed twice (case a), right once.
  assert.equal(mi.precision, 0.5);
  assert.equal(byCat['healthy']!.top1, 0.5);
  assert.equal(healthyFalsePositiveRate(runs), 0.5);
  const text = scoreCorpus(runs, { mode: 'run', reps: 2, loads: ['moderate'], duration: '10s', wallSeconds: 60, node: 'v20' });
  assert.match(text, /MISS s\/b moderate #1: got n-plus-one @ GET \/x/);
  assert.match(text, /healthy false positives 50 %/);
});

test('at the overload load the fault is judged after the overload is set aside; the strict figure also needs overload first', () => {
  const overloadTop = { category: 'overload', severity: 'critical' };
  const fault = { category: 'missing-index', endpoint: 'GET /a', severity: 'high' };
  // Overload first, then the planted fault: right, also strictly.
  const both = run({ load: 'overload', top: overloadTop, topBesidesOverload: fault, severeCount: 2, severeBesidesOverload: 1, pastCapacity: true });
  assert.equal(isRight(both), true);
  assert.equal(isRightStrict(both), true);
  // The fault without "past capacity" (the service kept up with the case's overload rate): right, not strictly.
  const faultOnly = run({ load: 'overload', top: fault, topBesidesOverload: fault, severeBesidesOverload: 1, pastCapacity: false });
  assert.equal(isRight(faultOnly), true);
  assert.equal(isRightStrict(faultOnly), false);
  // A healthy service: nothing besides the overload at medium+.
  assert.equal(isRight(run({ load: 'overload', expect: null, top: overloadTop, topBesidesOverload: null, severeCount: 1, severeBesidesOverload: 0 })), true);
  assert.equal(isRight(run({ load: 'overload', expect: null, top: overloadTop, topBesidesOverload: fault, severeCount: 2, severeBesidesOverload: 1 })), false);
  // At a moderate load an overload finding on a healthy service is a false positive.
  assert.equal(isRight(run({ expect: null, top: overloadTop, severeCount: 1 })), false);
  // The report says how often overload was said on the runs the load measured past capacity, and on those that kept up.
  const report = scoreCorpus([both, faultOnly, run({ load: 'overload', top: fault, topBesidesOverload: fault, severeBesidesOverload: 1, pastCapacity: true })], {
    mode: 'run', reps: 1, loads: ['overload'], duration: '10s', wallSeconds: 1, node: 'v20',
  });
  assert.match(report, /measured past capacity 2 of 3 runs, overload said first in 50 % of them and in 0 % of the runs that kept up; strict top-1 \(overload first, then the fault\) 33 %/);
  assert.match(report, /#1 \[kept up\]: got missing-index/);
});

test('precision past capacity counts the finding judged after the overload, not the overload itself', () => {
  const overloadTop = { category: 'overload', severity: 'critical' };
  const fault = { category: 'missing-index', endpoint: 'GET /a', severity: 'high' };
  const wrongEndpoint = { category: 'missing-index', endpoint: 'GET /b', severity: 'high' };
  const runs = [
    run({ load: 'overload', top: overloadTop, topBesidesOverload: fault, severeCount: 2, severeBesidesOverload: 1 }),
    // The right category on the wrong endpoint.
    run({ caseId: 'x', load: 'overload', top: overloadTop, topBesidesOverload: wrongEndpoint, severeCount: 2, severeBesidesOverload: 1 }),
    // Another category's case whose judged finding claimed missing-index.
    run({ caseId: 'y', load: 'overload', expect: { category: 'lock', endpoint: 'GET /b' }, top: overloadTop, topBesidesOverload: wrongEndpoint, severeCount: 2, severeBesidesOverload: 1 }),
    // At a moderate load the judged finding is the top one.
    run({ caseId: 'z' }),
  ];
  const mi = scoreByCategory(runs).find((s) => s.category === 'missing-index');
  // Four runs' judged finding claimed missing-index; two were right.
  assert.equal(mi?.precision, 0.5);
});

test('runs on a host other work kept busy are counted and marked, with top-1 apart from the quiet ones', () => {
  const runs = [
    run({ othersCpuShare: 0.6, top: null }),
    run({ othersCpuShare: 0.05, top: { category: 'missing-index', endpoint: 'GET /a', severity: 'high' } }),
    run({ top: { category: 'missing-index', endpoint: 'GET /a', severity: 'high' } }),
  ];
  const text = scoreCorpus(runs, { mode: 'run', reps: 1, loads: ['moderate'], duration: '10s', wallSeconds: 30, node: 'v20' });
  assert.match(text, /1 of 3 runs on a contended host \(other processes used ≥ 25 % of its CPU\), top-1 0 % there and 100 % on the others/);
  assert.match(text, /\[contended: others 60 % of the host\]/);
});
