import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import { build, healthyParts } from './scenarios.js';
import { rng } from './helpers.js';

/**
 * The healthy service with its order list called a fifth as often and costing `gcMsPerOrder` of GC per request
 * (plus 5–15 ms/s of background GC), so the service's GC stays under Clinic's 100 ms/s; each order request runs
 * `mainMsPerOrder` of main-thread CPU, GC included.
 */
function withAllocatingOrders(gcMsPerOrder: number, mainMsPerOrder = 20) {
  const p = healthyParts();
  const r = rng(7);
  const list = p.endpoints['GET /api/orders']!.requests.map((x) => Math.round(x / 5));
  const get = p.endpoints['GET /api/products/:id']!.requests;
  p.endpoints['GET /api/orders']!.requests = list;
  // A request lasts at least its main-thread CPU (the cost model holds the estimate to that ceiling).
  p.endpoints['GET /api/orders']!.serviceMeanMs = Math.max(40, 1.5 * mainMsPerOrder);
  const gc = list.map((x) => x * gcMsPerOrder + 5 + 10 * r());
  p.prometheus.gcMsPerS = gc;
  p.process.cpuPercent = list.map((x, i) => (x * mainMsPerOrder + get[i]! * 0.8 + 10 * r()) / 10);
  p.process.mainThreadCpuPercent = p.process.cpuPercent;
  return diagnose(build(p)).findings;
}

test('gc-pressure per endpoint: a handler costing material GC per request is named below the service-wide limit (medium)', () => {
  const findings = withAllocatingOrders(6);
  const f = findings.find((x) => x.rule === 'gc-per-request');
  assert.ok(f, `a per-endpoint GC finding: ${findings.map((x) => `${x.severity} ${x.category} ${x.title}`).join(' | ')}`);
  assert.equal(f.category, 'gc-pressure');
  assert.equal(f.severity, 'medium');
  assert.equal(f.endpoint, 'GET /api/orders');
  assert.ok(Math.abs((f.evidence[0]!.value as number) - 6) < 1, `GC per request ≈ 6 ms: ${JSON.stringify(f.evidence[0])}`);
  assert.match(f.summary, /did not hold 100 ms\/s/);
  assert.deepEqual(f.explains, [{ category: 'event-loop-blocked', endpoints: ['GET /api/orders'], as: 'contributes' }]);
  assert.equal(findings.filter((x) => x.rule === 'gc-pressure').length, 0, 'the service-wide reading stays silent under its limit');
});

test('gc-pressure per endpoint: a cost under gc.msPerRequest, a small part of a heavy handler, or more GC than CPU is no finding', () => {
  assert.equal(withAllocatingOrders(2).find((x) => x.rule === 'gc-per-request'), undefined, '2 ms of GC per request');
  // 6 ms of GC in 90 ms of main-thread CPU: 7 %, under gc.cpuShare.
  assert.equal(withAllocatingOrders(6, 90).find((x) => x.rule === 'gc-per-request'), undefined, 'GC a small share of its CPU');
  // 6 ms of GC against 3 ms of main-thread CPU cannot be the handler's (GC runs on the main thread): the fit's.
  assert.equal(withAllocatingOrders(6, 3).find((x) => x.rule === 'gc-per-request'), undefined, 'GC beyond the main thread');
});
