/**
 * Event-loop blocking judged by the delay a handler causes to the other requests (its share of the main
 * thread and the queueing at the loop's utilization), not by a fixed CPU per request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import { loopDelayCausedBy } from '../../src/diagnose/rules/loop-delay.js';
import type { Finding } from '../../src/result/types.js';
import { build, healthyParts } from './scenarios.js';
import { rng } from './helpers.js';

const atLeastMedium = (f: Finding) => ['medium', 'high', 'critical'].includes(f.severity);
const describe = (fs: Finding[]) => fs.map((f) => `${f.category}/${f.severity}/${f.endpoint ?? '-'}: ${f.title}`).join('\n');

/** `GET /api/orders` burns `syncMs` of main-thread CPU per request at ~`ordersRps`; the products endpoint runs ~`otherRps` at 1 ms. */
function parts(syncMs: number, ordersRps: number, otherRps: number) {
  const r = rng(7);
  const p = healthyParts();
  // Rates that vary independently second by second, so the mixed-run regression separates the endpoints.
  const list = p.endpoints['GET /api/orders']!.requests.map(() => Math.round(ordersRps * (0.7 + 0.6 * r())));
  const get = p.endpoints['GET /api/products/:id']!.requests.map(() => Math.round(otherRps * (0.7 + 0.6 * r())));
  p.endpoints['GET /api/orders']!.requests = list;
  p.endpoints['GET /api/orders']!.serviceMeanMs = syncMs * 1.6;
  p.endpoints['GET /api/products/:id']!.requests = get;
  p.endpoints['GET /api/products/:id']!.serviceMeanMs = 9;
  const mainMsPerS = list.map((x, i) => x * syncMs + get[i]! * 1);
  p.process.mainThreadCpuPercent = mainMsPerS.map((v) => v / 10);
  p.process.cpuPercent = mainMsPerS.map((v) => (v * 1.1) / 10);
  p.processData = { ...p.processData, comm: 'node', cmdline: 'node server.js' };
  // The loop-wide percentiles stay under Clinic Doctor's limits (p50 < 10 ms, p99 < 42 ms, max < 100 ms).
  p.prometheus.eventLoopLagP50Ms = list.map(() => 6);
  p.prometheus.eventLoopLagP99Ms = list.map(() => 30);
  p.prometheus.eventLoopLagMaxMs = list.map(() => 40);
  p.prometheus.gcMsPerS = list.map(() => 5);
  return p;
}

test('queueing model: the wait an endpoint causes grows with its share of the loop and like 1/(1−ρ) with the load', () => {
  const p = parts(12, 40, 260);
  const input = { result: build(p) } as Parameters<typeof loopDelayCausedBy>[0];
  const rps = input.result.endpoints.find((e) => e.endpoint === 'GET /api/orders')!.rps;
  const [light] = loopDelayCausedBy(input, [{ endpoint: 'GET /api/orders', blockMs: 12 }], 0.5);
  const [busy] = loopDelayCausedBy(input, [{ endpoint: 'GET /api/orders', blockMs: 12 }], 0.75);
  const rhoE = (rps * 12) / 1000;
  assert.ok(Math.abs(light!.meanWaitMs - (rhoE * 12) / (2 * 0.5)) < 1e-9);
  // From ρ = 0.5 to 0.75 the wait doubles: (1 − 0.5) / (1 − 0.75).
  assert.ok(Math.abs(busy!.meanWaitMs / light!.meanWaitMs - 2) < 1e-9);
  assert.ok(busy!.p99WaitMs > 12, `p99 ${busy!.p99WaitMs}`);
});

test('a 12 ms synchronous handler at a few hundred req/s overall is named, though every loop-wide percentile is under Clinic’s limits', () => {
  const d = diagnose(build(parts(12, 40, 260)));
  const f = d.findings.find((x) => x.category === 'event-loop-blocked');
  assert.ok(f && atLeastMedium(f), describe(d.findings));
  assert.equal(f.endpoint, 'GET /api/orders');
  const caused = f.evidence.find((e) => e.label.startsWith('mean loop delay it causes'));
  assert.ok(caused && Number(caused.value) >= 10, JSON.stringify(f.evidence));
  assert.equal(f.attribution, 'mixed-estimate');
});

test('the same 12 ms handler at 3 req/s on an idle loop causes little delay and is not a block', () => {
  const d = diagnose(build(parts(12, 3, 40)));
  assert.equal(d.findings.some((f) => f.category === 'event-loop-blocked' && atLeastMedium(f)), false, describe(d.findings));
});

test('rate and loop utilization are taken in the seconds the endpoint ran (a profile step), not over the whole run', () => {
  const p = parts(12, 40, 260);
  // Orders runs only in the first half (its profile step); the products step follows.
  const list = p.endpoints['GET /api/orders']!.requests.map((x, i) => (i < 30 ? x : 0));
  const get = p.endpoints['GET /api/products/:id']!.requests.map((x, i) => (i >= 30 ? x : 0));
  p.endpoints['GET /api/orders']!.requests = list;
  p.endpoints['GET /api/products/:id']!.requests = get;
  const input = { result: build(p) } as Parameters<typeof loopDelayCausedBy>[0];
  const inStep = list.slice(0, 30).reduce((a, b) => a + b, 0) / 30;
  const util = list.map((x, i) => (i < 30 ? 0.6 : 0.2));
  const [c] = loopDelayCausedBy(input, [{ endpoint: 'GET /api/orders', blockMs: 12 }], util);
  assert.ok(Math.abs(c!.rps - inStep) < 1e-9, `rps ${c!.rps} vs ${inStep}`);
  // ρ = 0.6 in its step (not the run's mean 0.4).
  assert.ok(Math.abs(c!.meanWaitMs - (c!.utilization * 12) / (2 * 0.4)) < 1e-9);
});
