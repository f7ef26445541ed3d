/**
 * The queue-growth signal of a capacity step is read per endpoint: a mixed step whose seconds hold
 * more or fewer requests of a slow endpoint has no growing queue, while a queue raises every second.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baselineOf, fittedRise, judgeStep, type JudgedStep, type StepMeasurement } from '../../src/capacity/knee.js';
import { loadErrors, measureStep, queueGrowth } from '../../src/capacity/step-result.js';
import type { IntervalSeries } from '../../src/result/types.js';
import { makeResult } from '../diagnose/helpers.js';

const queueGrowthMs = (s: IntervalSeries, w: number[], spread?: Record<string, number>) => queueGrowth(s, w, spread)?.riseMs ?? null;

/** A 4 s window of two endpoints: per-second request counts and per-second median service times. */
function series(fast: { n: number[]; p50: number[] }, slow: { n: number[]; p50: number[] }): IntervalSeries {
  const result = makeResult({ 'GET /fast': { requests: fast.n }, 'POST /slow': { requests: slow.n } });
  const s = result.series;
  s.endpoints['GET /fast']!.p50 = fast.p50.map((v, i) => (fast.n[i]! > 0 ? v : null));
  s.endpoints['POST /slow']!.p50 = slow.p50.map((v, i) => (slow.n[i]! > 0 ? v : null));
  // The mixed per-second median: the slow endpoint's time once it holds half the second's requests.
  s.response.p50 = fast.n.map((nf, i) => (slow.n[i]! >= nf ? slow.p50[i]! : fast.p50[i]!));
  return s;
}

const window = [0, 1, 2, 3];

test('a second with more slow-endpoint requests is not a growing queue', () => {
  // 3.75/s of a mix: 8 ms reads and a 200 ms upstream call, the call landing 0, 1, 2, 3 times a second.
  const s = series({ n: [3, 3, 2, 1], p50: [8, 8, 8, 8] }, { n: [0, 1, 2, 3], p50: [200, 190, 210, 200] });
  const mixed = fittedRise(s.response.p50);
  assert.ok(mixed !== null && mixed > 100, `the mixed median rises ${mixed} ms: the signal this replaces`);
  const growth = queueGrowthMs(s, window);
  assert.ok(growth !== null && Math.abs(growth) < 20, `per-endpoint growth ${growth} ms`);
});

test('a queue raises every endpoint second after second, whatever the mix', () => {
  const s = series({ n: [3, 3, 2, 1], p50: [10, 110, 210, 310] }, { n: [0, 1, 2, 3], p50: [200, 300, 400, 500] });
  const growth = queueGrowthMs(s, window);
  assert.ok(growth !== null && Math.abs(growth - 300) < 1, `growth ${growth} ms`);
});

test('one endpoint: the fit of its own per-second median', () => {
  const s = series({ n: [5, 5, 5, 5], p50: [20, 60, 100, 140] }, { n: [0, 0, 0, 0], p50: [0, 0, 0, 0] });
  assert.ok(Math.abs(queueGrowthMs(s, window)! - 120) < 1e-9);
});

test('without per-endpoint columns the mixed median is used', () => {
  const s = series({ n: [1, 1, 1, 1], p50: [1, 1, 1, 1] }, { n: [0, 0, 0, 0], p50: [0, 0, 0, 0] });
  s.endpoints = {};
  s.response.p50 = [10, 20, 30, 40];
  assert.ok(Math.abs(queueGrowthMs(s, window)! - 30) < 1e-9);
});

test('a capacity step is judged on the per-endpoint growth', () => {
  // A 5 s step: the first second is warm-up, the steady part is seconds 1-4.
  const result = makeResult({ 'GET /fast': { requests: [3, 3, 3, 2, 1] }, 'POST /slow': { requests: [0, 0, 1, 2, 3] } });
  const s = result.series;
  s.endpoints['GET /fast']!.p50 = [8, 8, 8, 8, 8];
  s.endpoints['POST /slow']!.p50 = [null, null, 190, 210, 200];
  s.response.p50 = [8, 8, 8, 210, 200];
  s.iterations = [4, 4, 4, 4, 4];
  const step = measureStep(result, 4, 5000);
  assert.ok(step.latencyGrowthMs !== null && Math.abs(step.latencyGrowthMs) < 20, `growth ${step.latencyGrowthMs} ms`);
});

test('one call a second of a 1.5-3 s upstream wanders at random; weighed by its spread it does not make a queue', () => {
  // Steady 5 ms reads (spread ~2 ms) and one unlock a second drawn from 1.5-3 s (spread ~470 ms), ending high by chance.
  const s = series({ n: [12, 12, 12, 12], p50: [5, 5.2, 4.9, 5.1] }, { n: [2, 2, 2, 2], p50: [1700, 2100, 2600, 2900] });
  const spread = { 'GET /fast': 2, 'POST /slow': 470 };
  const unweighted = queueGrowth(s, window)!;
  assert.ok(unweighted.riseMs > 100, `by request counts alone the chance rise is ${unweighted.riseMs} ms`);
  const weighted = queueGrowth(s, window, spread)!;
  assert.ok(Math.abs(weighted.riseMs) < 5, `weighed by precision ${weighted.riseMs} ms`);
  // A queue that every endpoint waits in still shows, far beyond its standard error.
  const queued = queueGrowth(series({ n: [12, 12, 12, 12], p50: [5, 105, 205, 305] }, { n: [2, 2, 2, 2], p50: [1700, 2100, 2600, 2900] }), window, spread)!;
  assert.ok(Math.abs(queued.riseMs - 300) < 5 && queued.seMs! < 5, JSON.stringify(queued));
});

test('a step is past the knee on growth only beyond two standard errors of the fit', () => {
  const step = (latencyGrowthMs: number, latencyGrowthSeMs: number | null): StepMeasurement => ({
    offeredRate: 15, achievedRate: 15, windowSeconds: 4, p50Ms: 6, p95Ms: 2000, errorRate: 0, droppedIterations: 0, offeredIterations: 75, latencyGrowthMs, latencyGrowthSeMs,
  });
  assert.equal(judgeStep(step(129, 80), undefined).sustained, true, 'within its noise');
  assert.equal(judgeStep(step(300, 80), undefined).sustained, false);
  assert.match(judgeStep(step(300, 80), undefined).reasons[0]!, /grew 300 ms \(± 80\)/);
  assert.equal(judgeStep(step(129, null), undefined).sustained, false, 'no standard error: the floors alone');
});

test('errors explode only with enough failures to measure a rate', () => {
  const step = (errorRate: number, failedRequests?: number): StepMeasurement => ({
    offeredRate: 1.88, achievedRate: 2, windowSeconds: 4, p50Ms: 22, p95Ms: 89, errorRate, ...(failedRequests === undefined ? {} : { failedRequests }), droppedIterations: 0, offeredIterations: 10, latencyGrowthMs: null,
  });
  // One failed request of ten (a healthy service's occasional 404) is 10 %, and measures nothing.
  assert.equal(judgeStep(step(0.1, 1), undefined).sustained, true);
  assert.equal(judgeStep(step(0.1, 5), undefined).sustained, false);
  // Steps measured before the count was recorded keep the rate alone.
  assert.equal(judgeStep(step(0.1), undefined).sustained, false);
});

test('latency degrades past the knee per endpoint, each against its own light-load p95, with enough requests for a p95', () => {
  const at = (offeredRate: number, p95Ms: number, endpointP95: StepMeasurement['endpointP95']): JudgedStep => ({
    offeredRate, achievedRate: offeredRate, windowSeconds: 4, p50Ms: 8, p95Ms, errorRate: 0, droppedIterations: 0, offeredIterations: offeredRate * 5,
    latencyGrowthMs: 0, latencyGrowthSeMs: 5, endpointP95, phase: 'ramp', sustained: true, reasons: [],
  });
  // The light step's few slow-upstream calls fell outside its top 5 %; the next step's did not. Mixed: 12 ms → 2 s.
  const light = at(10, 12, { 'GET /fast': { requests: 45, p95Ms: 10 }, 'POST /slow': { requests: 5, p95Ms: 1800 } });
  const next = at(20, 2000, { 'GET /fast': { requests: 90, p95Ms: 11 }, 'POST /slow': { requests: 25, p95Ms: 2100 } });
  assert.equal(judgeStep(next, baselineOf([light])).sustained, true, judgeStep(next, baselineOf([light])).reasons.join('; '));
  // A queue every request waits in raises the fast endpoint far past its own light-load p95.
  const queued = at(40, 2000, { 'GET /fast': { requests: 180, p95Ms: 400 }, 'POST /slow': { requests: 50, p95Ms: 2400 } });
  const verdict = judgeStep(queued, baselineOf([light, next]));
  assert.equal(verdict.sustained, false);
  assert.match(verdict.reasons[0]!, /GET \/fast p95 400 ms, 40× its lightly loaded 10 ms/);
  // The slow endpoint's baseline is its first step with 20 requests (5 is one outlier's p95), not the lowest step.
  assert.deepEqual(baselineOf([light, next])!.endpointP95!['POST /slow'], { requests: 25, p95Ms: 2100 });
  // Under 20 requests an endpoint's p95 is its largest request: not judged.
  const sparse = at(40, 2000, { 'GET /fast': { requests: 12, p95Ms: 400 }, 'POST /slow': { requests: 50, p95Ms: 2400 } });
  assert.equal(judgeStep(sparse, baselineOf([light, next])).sustained, true);
});

test('a step\'s errors count what a saturated service produces, not an endpoint\'s own bug or a 4xx', () => {
  const result = makeResult({ 'POST /reports': { requests: [10, 10, 10, 10] }, 'GET /bikes/:id': { requests: [25, 25, 25, 25] } });
  const [reports, bikes] = result.endpoints;
  // One report category crashes its handler (a 500 on 30 % of the reports, at any rate); bikes answer 404 for unknown ids.
  Object.assign(reports!, { failed: 12, statuses: { '201': 28, '500': 12 } });
  Object.assign(bikes!, { failed: 6, statuses: { '200': 94, '404': 6 } });
  result.totals.requests = 140;
  result.totals.failed = 18;
  result.totals.errorRate = 18 / 140;
  assert.deepEqual(loadErrors(result), { failed: 0, rate: 0 });
  result.series.iterations = [35, 35, 35, 35];
  const step = measureStep(result, 35, 4000);
  assert.equal(judgeStep(step, undefined).sustained, true, judgeStep(step, undefined).reasons.join('; '));
  // Timeouts and shed requests are the queue's, on any endpoint.
  Object.assign(bikes!, { failed: 16, statuses: { '200': 84, '404': 6, '0': 7, '503': 3 } });
  Object.assign(reports!, { failed: 14, statuses: { '201': 26, '500': 12, '504': 2 } });
  assert.deepEqual(loadErrors(result), { failed: 12, rate: 12 / 140 });
});
