/**
 * A dependency's wait is judged by the endpoint's latency objective when the plan states one: within it the
 * wait is what the dependency costs (low), broken or unstated the rule's own grading stands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import { checkObjectives, latencyObjectives } from '../../src/diagnose/objectives.js';
import type { Finding, RunResult } from '../../src/result/types.js';
import { build, healthyParts } from './scenarios.js';

/** The healthy service with GET /api/products/:id waiting ~250 ms a request on 10.1.2.3:8443 (p95 450 ms, p99 600 ms). */
function waitingService(plan: Partial<RunResult['plan']> = {}): RunResult {
  const p = healthyParts();
  p.endpoints['GET /api/products/:id']!.serviceMeanMs = 250;
  p.endpoints['GET /api/products/:id']!.p99Ms = 600;
  (p.processData.remotes as unknown[]).push({ address: '10.1.2.3', port: 8443, maxConnections: 40, samplesSeen: 10 });
  const result = build(p);
  result.plan = { ...result.plan, ...plan };
  return result;
}

function dependencyFinding(result: RunResult): Finding {
  const found = diagnose(result).findings.filter((f) => f.category === 'slow-dependency' && f.endpoint === 'GET /api/products/:id');
  assert.equal(found.length, 1, found.map((f) => f.title).join('\n'));
  return found[0]!;
}

test('without an objective the rule grades the wait itself', () => {
  const f = dependencyFinding(waitingService());
  assert.equal(f.severity, 'high');
  assert.ok(!f.evidence.some((e) => e.label.includes('objective')));
});

test('an endpoint within the objective the plan states: the wait is what the dependency costs (low)', () => {
  const f = dependencyFinding(waitingService({ thresholds: { http_req_duration: ['p(95)<500'] } }));
  assert.equal(f.severity, 'low');
  assert.match(f.summary, /meets its latency objective \(p95 450 ms, objective 95 % within 500 ms\)/);
  assert.ok(f.evidence.some((e) => e.label.endsWith(': met') && e.value === 450));
});

test('an endpoint that breaks its own objective keeps the grading, and says so', () => {
  const f = dependencyFinding(waitingService({ thresholds: { http_req_duration: ['p(95)<500'], 'http_req_duration{endpoint:GET /api/products/:id}': ['p(90)<300'] } }));
  assert.equal(f.severity, 'high');
  assert.match(f.summary, /breaks its latency objective \(p90 375 ms, objective 90 % within 300 ms\)/);
});

test("another endpoint's objective says nothing about this one; slo.objectives count like thresholds", () => {
  assert.equal(dependencyFinding(waitingService({ thresholds: { 'http_req_duration{endpoint:GET /api/orders}': ['p(95)<100'] } })).severity, 'high');
  const slo = { objectives: [{ endpoint: 'GET /api/products/:id', latency: { threshold: '1s', objective: 99 } }] };
  assert.equal(dependencyFinding(waitingService({ slo })).severity, 'low');
});

test('objectives: the percentile read is never looser than asked; a bad slo section states none', () => {
  const result = waitingService({ thresholds: { http_req_duration: ['p(97)<480'] } });
  const summary = result.endpoints.find((e) => e.endpoint === 'GET /api/products/:id')!;
  const [check] = checkObjectives(latencyObjectives(result), summary);
  assert.equal(check!.percentile, 99);
  assert.equal(check!.met, false);
  assert.deepEqual(latencyObjectives(waitingService({ slo: { objectives: 'nope' } as unknown as Record<string, unknown> })), []);
  assert.deepEqual(latencyObjectives(waitingService({ thresholds: { http_req_failed: ['rate<0.01'] } })), []);
});
