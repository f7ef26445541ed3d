/**
 * A mixed run with fewer seconds than endpoints + 1 cannot regress a demand per endpoint. For the main
 * thread's CPU and GC time the cost model then fits a cost common to every request plus the few endpoints
 * that cost more (sparse selection), so a handler that blocks the loop is still told apart from the
 * framework's cost that every request pays — and nothing is made up for the process CPU, database or cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDemands } from '../../src/diagnose/index.js';
import { makeResult, pgData, probe } from './helpers.js';

/** Deterministic request counts around `mean` per second (a small LCG, no Math.random in tests). */
function counts(mean: number, seconds: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: seconds }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return Math.max(0, Math.round(mean + (s / 2 ** 31 - 0.5) * 2 * Math.sqrt(mean) * 1.7));
  });
}

/**
 * 10 seconds, 12 endpoints: every request costs 2 ms of main-thread CPU and 0.1 ms of GC; one handler
 * (`GET /keys/:id`) also derives a key for 15 ms, and one (`GET /calendar`) allocates 4 ms of GC a request.
 */
function shortMixedRun(responseP95Ms?: number, blockMs = 15) {
  const names = Array.from({ length: 10 }, (_, i) => `GET /e${i}`);
  const endpoints: Record<string, { requests: number[]; serviceMeanMs: number }> = {};
  names.forEach((n, i) => (endpoints[n] = { requests: counts(6, 10, 7 + i), serviceMeanMs: 4 }));
  endpoints['GET /keys/:id'] = { requests: counts(8, 10, 101), serviceMeanMs: 19 };
  endpoints['GET /calendar'] = { requests: counts(6, 10, 202), serviceMeanMs: 9 };
  const all = Object.values(endpoints);
  const total = (i: number) => all.reduce((a, e) => a + e.requests[i]!, 0);
  const mainMs = Array.from({ length: 10 }, (_, i) => 2 * total(i) + blockMs * endpoints['GET /keys/:id']!.requests[i]! + ((i * 7) % 5) - 2);
  const gcMs = Array.from({ length: 10 }, (_, i) => 0.1 * total(i) + 4 * endpoints['GET /calendar']!.requests[i]!);
  const result = makeResult(endpoints, [
    probe('process', { cpuPercent: mainMs.map((v) => v / 10 + 5), mainThreadCpuPercent: mainMs.map((v) => v / 10) }),
    probe('prometheus', { gcMsPerS: gcMs }),
  ]);
  if (responseP95Ms !== undefined) result.totals.responseTime.p95 = responseP95Ms;
  return result;
}

test('too few seconds: main-thread CPU and GC as a common cost plus the few endpoints that cost more', () => {
  const model = computeDemands(shortMixedRun());
  const of = (e: string) => model.demands.find((d) => d.endpoint === e)!;
  const keys = of('GET /keys/:id');
  assert.ok(Math.abs(keys.mainThreadCpuMs! - 17) < 1.5, `keys ${keys.mainThreadCpuMs}`);
  assert.ok(keys.stdError?.mainThreadCpuMs !== undefined && keys.stdError.mainThreadCpuMs < 3, JSON.stringify(keys.stdError));
  assert.ok(Math.abs(of('GET /e3').mainThreadCpuMs! - 2) < 0.5, `e3 ${of('GET /e3').mainThreadCpuMs}`);
  assert.ok(Math.abs(of('GET /calendar').gcMs! - 4.1) < 1, `calendar gc ${of('GET /calendar').gcMs}`);
  assert.ok(of('GET /e3').gcMs! < 0.5, `e3 gc ${of('GET /e3').gcMs}`);
  assert.ok(model.notes.some((n) => /cost common to every request plus the few endpoints/.test(n)), model.notes.join('\n'));
  // The process CPU is not estimated this way: the waits stay bounds from the whole run.
  assert.equal(keys.cpuMs, undefined);
  assert.ok(keys.unexplainedBound, 'the wait is still a bound');
});

test('too few seconds behind a queue: no common-plus-few estimate (a second\'s work belongs to later completions)', () => {
  const model = computeDemands(shortMixedRun(900));
  assert.ok(model.demands.every((d) => d.mainThreadCpuMs === undefined && d.gcMs === undefined), JSON.stringify(model.demands[0]));
});

test('too few seconds: a statement is still attributed by its calls to the few endpoints the sparse fit selects', () => {
  // 12 endpoints in 10 s: the berth list runs a lookup per berth, about 22 a request (an N+1).
  const result = shortMixedRun();
  const list = result.series.endpoints['GET /e4']!.requests;
  const calls = list.map((n, i) => 22 * n + (i % 3) - 1);
  const pg = pgData({ statementSeries: [{ queryid: '31', toplevel: true, callsPerS: calls, execMsPerS: calls.map((c) => c * 0.2) }] });
  result.probes!.push(probe('postgres', { 'pg.calls_per_s': calls, 'pg.exec_ms_per_s': calls.map((c) => c * 0.2) }, pg as unknown as Record<string, unknown>));
  const owners = computeDemands(result).statements.filter((s) => s.queryid === '31');
  assert.deepEqual(owners.map((s) => s.endpoint), ['GET /e4'], JSON.stringify(owners));
  assert.ok(Math.abs(owners[0]!.callsPerRequest - 22) < 1, `calls per request ${owners[0]!.callsPerRequest}`);
});

test('too few seconds, no handler costs more: every endpoint gets the common cost, none is singled out', () => {
  const model = computeDemands(shortMixedRun(undefined, 0));
  const main = model.demands.map((d) => d.mainThreadCpuMs!);
  assert.ok(main.every((v) => Math.abs(v - 2) < 0.3), main.join(', '));
});

test('too few seconds: the common cost is held to a fast endpoint\'s service time (it cannot hold the loop longer)', () => {
  const result = shortMixedRun();
  result.endpoints.find((e) => e.endpoint === 'GET /e0')!.serviceTime.mean = 0.3;
  const e0 = computeDemands(result).demands.find((d) => d.endpoint === 'GET /e0')!;
  assert.ok(e0.mainThreadCpuMs! <= 0.375 + 1e-9, `e0 ${e0.mainThreadCpuMs}`);
});
