/**
 * The knee search on synthetic step results: the step verdict for each knee
 * criterion, the abort guard, and whole searches against a modelled service
 * (a queue with a fixed capacity), which must bracket the capacity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  abortReason,
  baselineOf,
  fittedRise,
  judgeStep,
  KNEE_SEARCH_DEFAULTS,
  kneeOf,
  nextStep,
  rampRates,
  type JudgedStep,
  type KneeSearchOptions,
  type StepMeasurement,
} from '../../src/capacity/knee.js';

function step(offeredRate: number, over: Partial<StepMeasurement> = {}): StepMeasurement {
  return {
    offeredRate,
    achievedRate: offeredRate,
    windowSeconds: 4,
    p50Ms: 5,
    p95Ms: 12,
    errorRate: 0,
    droppedIterations: 0,
    offeredIterations: offeredRate * 5,
    latencyGrowthMs: 1,
    ...over,
  };
}

test('rampRates: geometric from the start rate, capped by maxRate (the cap itself is the last step) and maxSteps', () => {
  assert.deepEqual(rampRates({ startRate: 10, factor: 2, maxSteps: 8 }), [10, 20, 40, 80, 160, 320, 640, 1280]);
  assert.deepEqual(rampRates({ startRate: 10, factor: 2, maxSteps: 8, maxRate: 100 }), [10, 20, 40, 80, 100]);
  assert.deepEqual(rampRates({ startRate: 10, factor: 2, maxSteps: 8, maxRate: 80 }), [10, 20, 40, 80]);
  assert.deepEqual(rampRates({ startRate: 3.3333, factor: 2, maxSteps: 3 }), [3.33, 6.67, 13.3]);
});

test('judgeStep: a step that keeps up is sustained', () => {
  const base = step(10);
  assert.deepEqual(judgeStep(step(40, { achievedRate: 39, p95Ms: 20 }), base), { sustained: true, reasons: [] });
});

test('judgeStep: each knee criterion on its own fails a step', () => {
  const base = step(10, { p50Ms: 5, p95Ms: 12 });
  const cases: [string, Partial<StepMeasurement>, RegExp][] = [
    ['throughput', { achievedRate: 70 }, /throughput 70\/s < 95 % of the offered 80\/s/],
    ['dropped', { droppedIterations: 20, offeredIterations: 400 }, /20 iterations dropped/],
    ['growth', { latencyGrowthMs: 400 }, /grew 400 ms/],
    ['p95', { p95Ms: 300 }, /p95 300 ms, 25× the lightly loaded 12 ms/],
    ['errors', { errorRate: 0.2 }, /error rate 20 %/],
  ];
  for (const [name, over, reason] of cases) {
    const verdict = judgeStep(step(80, over), base);
    assert.equal(verdict.sustained, false, name);
    assert.equal(verdict.reasons.length, 1, `${name}: ${verdict.reasons.join('; ')}`);
    assert.match(verdict.reasons[0]!, reason, name);
  }
});

test('judgeStep: a shortfall of a couple of iterations at the window edges is not a knee', () => {
  // 25/s counted over one second: 23 finished is two iterations short, within the slack.
  assert.equal(judgeStep(step(25, { achievedRate: 23, windowSeconds: 1 }), undefined).sustained, true);
  assert.equal(judgeStep(step(25, { achievedRate: 21, windowSeconds: 1 }), undefined).sustained, false);
  // At 200/s over 4 s the slack is negligible: 5 % short fails.
  assert.equal(judgeStep(step(200, { achievedRate: 188, windowSeconds: 4 }), undefined).sustained, false);
});

test('judgeStep: small noise is not a knee (growth below the floor, p95 ×10 but only +50 ms, errors as at baseline)', () => {
  const base = step(10, { p50Ms: 2, p95Ms: 5, errorRate: 0.1 });
  assert.equal(judgeStep(step(80, { latencyGrowthMs: 60 }), base).sustained, true);
  assert.equal(judgeStep(step(80, { p95Ms: 55 }), base).sustained, true);
  assert.equal(judgeStep(step(80, { errorRate: 0.12 }), base).sustained, true);
  // A slow service: growth of 150 ms is less than twice its 100 ms median.
  assert.equal(judgeStep(step(80, { latencyGrowthMs: 150 }), step(10, { p50Ms: 100, p95Ms: 200 })).sustained, true);
  // ... but 250 ms is more.
  assert.equal(judgeStep(step(80, { latencyGrowthMs: 250 }), step(10, { p50Ms: 100, p95Ms: 200 })).sustained, false);
});

test('judgeStep: a step stopped early with no other reason still fails, with the stop as its reason', () => {
  const verdict = judgeStep(step(80, { stoppedEarly: 'stopped early: p95 response time 6000 ms' }), step(10));
  assert.deepEqual(verdict, { sustained: false, reasons: ['stopped early: p95 response time 6000 ms'] });
});

test('abortReason: only a step failing badly stops, and only after the start-up', () => {
  const live = { elapsedMs: 2000, requests: 100, failed: 0, iterations: 100, droppedIterations: 0, p95ResponseMs: 20 };
  assert.equal(abortReason(live), undefined);
  assert.equal(abortReason({ ...live, failed: 60, elapsedMs: 1000 }), undefined);
  assert.match(abortReason({ ...live, failed: 60 }) ?? '', /60 % of requests failed/);
  assert.match(abortReason({ ...live, droppedIterations: 40 }) ?? '', /40 of 140 iterations dropped/);
  assert.match(abortReason({ ...live, p95ResponseMs: 7000 }) ?? '', /p95 response time 7000 ms/);
  assert.equal(abortReason({ ...live, requests: 10, failed: 9 }), undefined, 'too few requests to judge');
});

test('fittedRise: the least-squares rise over the points, null without two', () => {
  assert.equal(fittedRise([10, 20, 30, 40]), 30);
  assert.equal(fittedRise([10, null, 30]), 20);
  assert.equal(fittedRise([null, 5]), null);
  assert.ok(Math.abs(fittedRise([10, 12, 9, 11])!) < 2);
});

/** A modelled service with a fixed capacity: past it, throughput caps and the queue grows. */
function service(capacity: number, baseP50 = 5): (rate: number) => StepMeasurement {
  return (rate) => {
    if (rate <= capacity) return step(rate, { p50Ms: baseP50, p95Ms: baseP50 * 2.5 });
    const excess = rate - capacity;
    return step(rate, { achievedRate: capacity, p50Ms: 400, p95Ms: 900, latencyGrowthMs: (excess / capacity) * 1000 * 4 });
  };
}

function search(measure: (rate: number) => StepMeasurement, options: KneeSearchOptions): { steps: JudgedStep[]; knee: ReturnType<typeof kneeOf> } {
  const steps: JudgedStep[] = [];
  for (let guard = 0; guard < 30; guard++) {
    const next = nextStep(steps, options);
    if (next.done) return { steps, knee: next.knee };
    const m = measure(next.rate);
    const verdict = judgeStep(m, baselineOf(steps));
    steps.push({ ...m, ...verdict, phase: next.phase });
  }
  throw new Error('search did not end');
}

test('nextStep: ramps ×2, then bisects twice; the knee brackets the capacity', () => {
  const { steps, knee } = search(service(130), { ...KNEE_SEARCH_DEFAULTS, startRate: 10 });
  assert.deepEqual(steps.map((s) => [s.phase, s.offeredRate, s.sustained]), [
    ['ramp', 10, true],
    ['ramp', 20, true],
    ['ramp', 40, true],
    ['ramp', 80, true],
    ['ramp', 160, false],
    ['bisect', 113, true],
    ['bisect', 134, false],
  ]);
  assert.equal(knee.status, 'found');
  assert.equal(knee.sustainedRate, 113);
  assert.equal(knee.failedRate, 134);
  assert.ok(knee.sustainedRate! <= 130 && knee.failedRate! > 130);
  // 134/s is 3 % past capacity: throughput still within 95 %, but the queue grows.
  assert.match(knee.reasons.join(' '), /growing queue/);
});

test('nextStep: no knee below the cap → not-reached at the cap', () => {
  const { steps, knee } = search(service(10_000), { ...KNEE_SEARCH_DEFAULTS, startRate: 25, maxRate: 400 });
  assert.deepEqual(steps.map((s) => s.offeredRate), [25, 50, 100, 200, 400]);
  assert.deepEqual(knee, { status: 'not-reached', sustainedRate: 400, reasons: [] });
});

test('nextStep: a failing first step steps down, then bisects up; below-start when nothing is sustained', () => {
  const down = search(service(7), { ...KNEE_SEARCH_DEFAULTS, startRate: 20 });
  assert.deepEqual(down.steps.slice(0, 2).map((s) => [s.offeredRate, s.sustained]), [[20, false], [10, false]]);
  assert.equal(down.steps[2]!.offeredRate, 5);
  assert.equal(down.knee.status, 'found');
  assert.ok(down.knee.sustainedRate! <= 7 && down.knee.failedRate! > 7);

  const none = search(service(1), { ...KNEE_SEARCH_DEFAULTS, startRate: 20 });
  assert.deepEqual(none.steps.map((s) => s.offeredRate), [20, 10, 5]);
  assert.equal(none.knee.status, 'below-start');
  assert.equal(none.knee.failedRate, 5);
});

test('nextStep: stops bisecting once the bracket is within the resolution', () => {
  const { steps } = search(service(100), { ...KNEE_SEARCH_DEFAULTS, startRate: 50, factor: 1.15, bisections: 5, resolution: 1.2 });
  assert.equal(steps.filter((s) => s.phase === 'bisect').length, 0, steps.map((s) => s.offeredRate).join(' '));
});
