/**
 * A start-up transient (a backlog that built in the first seconds and drained) is left out of each
 * endpoint's mean service time, so its waiting is not read as a slow dependency; a queue that lasts is not a transient.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDemands, diagnose } from '../../src/diagnose/index.js';
import { startupTransient, serviceMeanFrom } from '../../src/diagnose/transient.js';
import type { RunResult } from '../../src/result/types.js';
import { makeResult, probe } from './helpers.js';

/** A 10 s mixed run at 100/s: in flight per second given; GET /a 70 %, GET /b 30 %; service mean over the whole run as measured. */
function run(totalInFlight: number[]): RunResult {
  const n = totalInFlight.length;
  const a = Array.from({ length: n }, () => 70);
  const b = Array.from({ length: n }, () => 30);
  // The whole-run mean service time that this in-flight profile implies (Little's law over all seconds).
  const meanMs = (totalInFlight.reduce((x, y) => x + y, 0) * 1000) / (100 * n);
  const result = makeResult({ 'GET /a': { requests: a, serviceMeanMs: meanMs }, 'GET /b': { requests: b, serviceMeanMs: meanMs } }, [
    probe('process', { cpuPercent: a.map(() => 20) }),
  ]);
  const facts = (share: number, requests: number[]) => ({
    requests: 0, repeats: 0, distinctKeys: 0, idealHitRatio: 0, untracked: 0, capped: false, keySource: 'url' as const, meanInFlight: 0,
    series: { requests, repeats: requests.map(() => 0), inFlight: totalInFlight.map((x) => x * share) },
  });
  result.loadFacts = { intervalMs: 1000, t: result.series.t, endpoints: { 'GET /a': facts(0.7, a), 'GET /b': facts(0.3, b) }, merge: { parts: 1, exact: true } };
  return result;
}

test('a backlog in the first seconds that drains is a start-up transient; the steady part is judged', () => {
  // 3 s queued (up to 40 in flight, i.e. ~400 ms per request at 100/s), then 0.3 in flight (3 ms).
  const result = run([30, 40, 20, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]);
  const t = startupTransient(result);
  assert.deepEqual(t, { intervals: 3, steadyFrom: 3, seconds: 3, peakInFlight: 40, steadyInFlight: 0.3 });
  assert.ok(Math.abs(serviceMeanFrom(result, 'GET /a', 3)! - 3) < 0.01);
  const model = computeDemands(result);
  assert.equal(model.transient?.seconds, 3);
  assert.ok(model.notes.some((n) => /first 3 s were a start-up transient/.test(n)), model.notes.join('\n'));
  const a = model.demands.find((d) => d.endpoint === 'GET /a')!;
  // The whole run's mean is ~93 ms; the steady part's is 3 ms.
  assert.ok(Math.abs(a.serviceMs! - 3) < 0.1, `serviceMs ${a.serviceMs}`);
  assert.ok(a.unexplainedMs! < 5, `unexplained ${a.unexplainedMs}`);
  // So no endpoint "waits on a dependency" because of the warm-up backlog.
  assert.deepEqual(diagnose(result, { rules: ['slow-dependency'] }).findings, []);
});

test('a backlog that builds during the first second and peaks after it is a transient from the start', () => {
  // Measured on the hiring corpus (a slow partner, 500/s): in flight 164 321 386 390 310, then ~76. The first
  // second stays under 3 × 76 while the backlog builds; it is part of the transient, not a steady second.
  const result = run([164, 321, 386, 390, 310, 142, 87, 80, 78, 74, 76, 75]);
  assert.deepEqual(startupTransient(result), { intervals: 5, steadyFrom: 5, seconds: 5, peakInFlight: 390, steadyInFlight: 78 });
  // A queue that starts later (the first two seconds steady) is not a start-up transient.
  assert.equal(startupTransient(run([76, 80, 321, 386, 390, 87, 80, 78, 74, 76, 75, 77])), undefined);
});

test('a backlog longer than half the run that drained at the same offered rate is a transient, judged on the seconds after it', () => {
  // Measured on voyage at 650/s on a fast host: a cold start's backlog of up to 495 requests for 7 of 11 s, then ~9.
  const result = run([187, 357, 464, 495, 456, 285, 88, 9, 9, 9, 1]);
  assert.deepEqual(startupTransient(result), { intervals: 7, steadyFrom: 7, seconds: 7, peakInFlight: 495, steadyInFlight: 9 });
  const flat = run([40, 40, 40, 40, 40, 40, 0.3, 0.3, 0.3, 0.3]);
  // The last second offers nothing while the run drains: the offered rate is compared by its median, so it still counts as the same.
  flat.series.targetRate = flat.series.t.map((_, i, t) => (i === t.length - 1 ? 0 : 100));
  assert.equal(startupTransient(flat)?.steadyFrom, 6);
});

test('steady runs and lasting queues are not transients', () => {
  assert.equal(startupTransient(run(Array.from({ length: 10 }, () => 0.3))), undefined, 'steady');
  // Queued from the start to the end: overload, not a transient.
  assert.equal(startupTransient(run([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])), undefined, 'growing queue');
  // A backlog that leaves fewer than TRANSIENT_MIN_STEADY steady seconds leaves nothing to judge: not a transient.
  assert.equal(startupTransient(run([40, 40, 40, 40, 40, 40, 40, 40, 0.3, 0.3])), undefined, 'too little steady part');
  // A backlog built while the plan offered more than it does after (a ramp down) is the load's shape, not a start.
  const rampDown = run([40, 40, 40, 40, 40, 40, 0.3, 0.3, 0.3, 0.3]);
  rampDown.series.targetRate = rampDown.series.t.map((_, i) => (i < 6 ? 300 : 100));
  assert.equal(startupTransient(rampDown), undefined, 'ramp down');
  // A few requests more than the steady level is noise, not a backlog (below TRANSIENT_MIN_EXCESS).
  assert.equal(startupTransient(run([3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])), undefined, 'small excess');
  // Without load facts nothing is assumed.
  const plain = run([30, 40, 20, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]);
  delete plain.loadFacts;
  assert.equal(startupTransient(plain), undefined);
});
