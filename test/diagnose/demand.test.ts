import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDemands } from '../../src/diagnose/demand.js';
import { nnls } from '../../src/diagnose/nnls.js';
import { makeResult, pgData, probe, rng, trend } from './helpers.js';

const close = (actual: number | undefined, expected: number, tol: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tol, `${what}: ${actual} not within ${tol} of ${expected}`);

test('nnls solves a well-posed system and clamps a negative coefficient to zero', () => {
  const a = [
    [1, 0],
    [0, 1],
    [1, 1],
  ];
  const exact = nnls(a, [2, 3, 5]);
  close(exact.x[0], 2, 1e-9, 'x0');
  close(exact.x[1], 3, 1e-9, 'x1');
  assert.ok(exact.rss < 1e-12);
  // Unconstrained LS gives x1 < 0 here; NNLS must give x1 = 0 and the best x0.
  const clamped = nnls(
    [
      [1, 1],
      [2, 1],
      [3, 1],
    ],
    [1, 3.5, 6],
  );
  assert.equal(clamped.x[1], 0);
  close(clamped.x[0], 26 / 14, 1e-9, "x0 = Σxy/Σx²");
});

test('regression recovers known per-endpoint demands from a synthetic mixed run', () => {
  const r = rng(7);
  const n = 90;
  // Three endpoints with independently varying per-second counts.
  const a = Array.from({ length: n }, () => Math.round(20 + 30 * r()));
  const b = Array.from({ length: n }, () => Math.round(5 + 15 * r()));
  const c = Array.from({ length: n }, () => Math.round(40 * r()));
  const truth = { cpu: [2, 8, 0.5], db: [0, 12, 1], calls: [1, 25, 1] };
  const noise = () => (r() - 0.5) * 10;
  const cpuMsPerS = a.map((_, i) => truth.cpu[0]! * a[i]! + truth.cpu[1]! * b[i]! + truth.cpu[2]! * c[i]! + noise());
  const dbMsPerS = a.map((_, i) => truth.db[0]! * a[i]! + truth.db[1]! * b[i]! + truth.db[2]! * c[i]! + noise());
  const callsPerS = a.map((_, i) => truth.calls[0]! * a[i]! + truth.calls[1]! * b[i]! + truth.calls[2]! * c[i]!);
  const result = makeResult(
    {
      'GET /a': { requests: a, serviceMeanMs: 4 },
      'GET /b': { requests: b, serviceMeanMs: 300 },
      'GET /c': { requests: c, serviceMeanMs: 3 },
    },
    [
      probe('process', { cpuPercent: cpuMsPerS.map((v) => v / 10) }),
      probe('postgres', { 'pg.exec_ms_per_s': dbMsPerS, 'pg.calls_per_s': callsPerS }, pgData() as unknown as Record<string, unknown>),
    ],
  );
  const model = computeDemands(result);
  assert.equal(model.method, 'regression');
  const by = Object.fromEntries(model.demands.map((d) => [d.endpoint, d]));
  close(by['GET /a']!.cpuMs, 2, 0.2, 'cpu a');
  close(by['GET /b']!.cpuMs, 8, 0.4, 'cpu b');
  close(by['GET /c']!.cpuMs, 0.5, 0.2, 'cpu c');
  close(by['GET /b']!.dbMs, 12, 0.5, 'db b');
  close(by['GET /a']!.dbMs, 0, 0.2, 'db a');
  close(by['GET /b']!.dbCalls, 25, 0.01, 'calls b');
  // Unexplained = 300 − 8 − 12 ≈ 280 → a "wait" bottleneck.
  close(by['GET /b']!.unexplainedMs, 280, 1, 'unexplained b');
  assert.equal(by['GET /b']!.bottleneck, 'wait');
  assert.equal(by['GET /a']!.bottleneck, 'cpu');
  close(by['GET /a']!.maxThroughput, 500, 60, 'max throughput a (1000 ms / 2 ms)');
  assert.ok(model.fits.every((f) => f.r2 > 0.95), JSON.stringify(model.fits));
  assert.deepEqual(model.notes, []);
});

test('profile mode (one endpoint at a time) divides resource use by request counts exactly', () => {
  const n = 20;
  const a = Array.from({ length: n }, (_, i) => (i < 10 ? 100 : 0));
  const b = Array.from({ length: n }, (_, i) => (i >= 10 ? 50 : 0));
  const cpuPercent = a.map((_, i) => (i < 10 ? (100 * 3) / 10 : (50 * 6) / 10));
  const result = makeResult({ 'GET /a': { requests: a, serviceMeanMs: 3.5 }, 'GET /b': { requests: b, serviceMeanMs: 7 } }, [probe('process', { cpuPercent })]);
  const model = computeDemands(result);
  assert.equal(model.method, 'profile');
  const by = Object.fromEntries(model.demands.map((d) => [d.endpoint, d]));
  close(by['GET /a']!.cpuMs, 3, 1e-9, 'cpu a');
  close(by['GET /b']!.cpuMs, 6, 1e-9, 'cpu b');
  assert.equal(by['GET /a']!.method, 'profile');
  close(by['GET /b']!.unexplainedMs, 1, 1e-9, 'unexplained b');
  assert.equal(by['GET /b']!.bottleneck, 'cpu');
});

test('collinear endpoints are flagged in notes', () => {
  const r = rng(3);
  const a = Array.from({ length: 30 }, () => Math.round(20 + 20 * r()));
  const result = makeResult({ 'GET /a': { requests: a }, 'GET /b': { requests: a.map((x) => 2 * x) } }, [probe('process', { cpuPercent: a.map((x) => x * 0.3) })]);
  const model = computeDemands(result);
  assert.equal(model.method, 'regression');
  assert.equal(model.notes.length, 1);
  assert.match(model.notes[0]!, /move together/);
});

test('behind a queue, a statement is attributed without the run edges, where statements and completions part', () => {
  // Seen on the holdout's pool-saturation case (a 5:1 mix, a pool queue of ~34, 400 ms responses): in the
  // first second the statements of requests that completed later had run (139 calls, 91 completions), and
  // that one second made the 1-in-6 endpoint the better fit for the 100/s endpoint's statement.
  const events = [17, 21, 16, 20, 17, 20, 21, 0];
  const occupancy = [74, 93, 96, 95, 98, 99, 97, 44];
  const calls = [139, 89, 96, 98, 92, 100, 96];
  const pg = pgData({
    statementSeries: [{ queryid: '7', toplevel: true, callsPerS: calls, execMsPerS: calls.map((c) => c * 1.1) }],
  });
  const r = makeResult(
    { 'GET /events/:id': { requests: events, serviceMeanMs: 3 }, 'GET /reports/occupancy': { requests: occupancy, serviceMeanMs: 410 } },
    [probe('postgres', { 'pg.calls_per_s': calls, 'pg.exec_ms_per_s': calls.map((c) => c * 1.1) }, pg as unknown as Record<string, unknown>)],
  );
  r.totals.responseTime = trend(300, 600); // p95 540 ms: the queued regime
  const owners = computeDemands(r).statements.filter((s) => s.queryid === '7');
  assert.deepEqual(owners.map((s) => s.endpoint), ['GET /reports/occupancy'], JSON.stringify(owners));
  close(owners[0]!.callsPerRequest, 1, 0.1, 'calls per request');
  // Without a queue (responses far inside the interval) every second counts, edges included.
  r.totals.responseTime = trend(3, 10);
  assert.ok(computeDemands(r).statements.some((s) => s.queryid === '7'));
});

test('main-thread demand is bounded by the service time: a request holds the loop only while it lasts', () => {
  // Two endpoints whose rates moved together second by second: the regression alone cannot split their
  // 31 ms of main-thread CPU per pair and gives the 1.6 ms endpoint half of it. Synchronous CPU runs inside its
  // own request, so the fast endpoint holds at most its service time and the export handler the rest.
  const together = [8, 6, 9, 7, 8, 5, 9];
  const other = [4, 7, 5, 8, 6, 7, 5];
  const main = together.map((n, i) => n * 31 + other[i]! * 1);
  const r = makeResult(
    {
      'GET /events/:id': { requests: together, serviceMeanMs: 1.6 },
      'GET /events/:id/export': { requests: together, serviceMeanMs: 33 },
      'GET /bookings/:id': { requests: other, serviceMeanMs: 2 },
    },
    [probe('process', { cpuPercent: main.map((v) => v / 10), mainThreadCpuPercent: main.map((v) => v / 10) })],
  );
  const of = (e: string) => computeDemands(r).demands.find((d) => d.endpoint === e)!;
  assert.ok(of('GET /events/:id').mainThreadCpuMs! <= 1.25 * 1.6 + 1e-9, `events ${of('GET /events/:id').mainThreadCpuMs}`);
  close(of('GET /events/:id/export').mainThreadCpuMs!, 29, 0.5, 'export main-thread CPU');
  // The process CPU (thread pool included) has no such bound.
  assert.ok(of('GET /events/:id').cpuMs! > 10, `events process CPU ${of('GET /events/:id').cpuMs}`);
});
