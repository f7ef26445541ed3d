/**
 * The cost model's utilization-law bound uses the database's cores, and its regression reads in-flight
 * requests when the run records them (completions lag the work under queueing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDemands } from '../../src/diagnose/demand.js';
import { makeResult, pgData, probe, rng } from './helpers.js';

/** One endpoint, 10 connections, 20 ms of database time per request. */
function dbBoundRun(labels: Record<string, string> = {}, withLocalPostgres = false) {
  const n = 20;
  const reqs = Array.from({ length: n }, () => 50);
  const data = pgData({ activity: { ...pgData().activity!, max: { connections: 10, active: 10, idleInTransaction: 0, waitingLock: 0, blocked: 0 } } });
  return makeResult(
    { 'GET /list': { requests: reqs, serviceMeanMs: 25 } },
    [
      probe('postgres', { 'pg.exec_ms_per_s': reqs.map((r) => r * 20), 'pg.calls_per_s': reqs }, data as unknown as Record<string, unknown>),
      probe('process', { cpuPercent: reqs.map((r) => (r * 1) / 10) }, withLocalPostgres ? { postgres: { selection: 'postmaster', maxProcesses: 12 } } : {}),
    ],
    { labels },
  );
}

test('the database bound divides by its cores, not by the connections the service opened', () => {
  // environment.cpus is 2 in the helper's result.
  const local = computeDemands(dbBoundRun({}, true));
  assert.deepEqual(local.dbCores, { cores: 2, source: 'local host' });
  assert.equal(local.dbServers, 2);
  assert.equal(local.demands[0]!.bottleneck, 'db');
  // 20 ms per request on 2 cores: 100 req/s, not 10 connections' 500 req/s.
  assert.equal(local.demands[0]!.maxThroughput, 100);

  const option = computeDemands(dbBoundRun({}, true), undefined, { dbCores: 4 });
  assert.equal(option.dbServers, 4);
  const label = computeDemands(dbBoundRun({ 'db.cores': '8' }));
  assert.deepEqual(label.dbCores, { cores: 8, source: 'label' });
  assert.equal(label.dbServers, 8);

  // Unknown cores: the connections, with a note that the bound may be optimistic.
  const unknown = computeDemands(dbBoundRun());
  assert.equal(unknown.dbServers, 10);
  assert.equal(unknown.dbCores, undefined);
  assert.ok(unknown.notes.some((n) => /cores are unknown/.test(n)), unknown.notes.join('\n'));
});

test('under queueing, in-flight requests attribute the work to the seconds it was done; completions lag it', () => {
  const r = rng(11);
  const n = 40;
  const lag = 2;
  // Work started (and done) per second; B's completions arrive `lag` seconds later (it queues).
  const aWork = Array.from({ length: n }, () => Math.round(20 + 30 * r()));
  const bWork = Array.from({ length: n }, () => Math.round(5 + 25 * r()));
  const bDone = bWork.map((_, i) => (i >= lag ? bWork[i - lag]! : 0));
  const cpuMsPerS = aWork.map((a, i) => 2 * a + 10 * bWork[i]!);
  const build = (inFlight: boolean) => {
    const result = makeResult({ 'GET /a': { requests: aWork, serviceMeanMs: 5 }, 'GET /b': { requests: bDone, serviceMeanMs: 2000 } }, [probe('process', { cpuPercent: cpuMsPerS.map((v) => v / 10) })]);
    if (inFlight) {
      // Mean in flight per second: a's requests last 5 ms; b's 2 s (queued), so in flight ∝ its work in that second.
      const facts = (requests: number[], inFlightSeries: number[]) => ({
        requests: 0, repeats: 0, distinctKeys: 0, idealHitRatio: 0, untracked: 0, capped: false, keySource: 'url' as const, meanInFlight: 0,
        series: { requests, repeats: requests.map(() => 0), inFlight: inFlightSeries },
      });
      // A queued run: responses last seconds (the regime where completions lag the work).
      result.totals.responseTime = { ...result.totals.responseTime, p95: 2000 };
      result.loadFacts = {
        intervalMs: 1000,
        t: result.series.t,
        endpoints: { 'GET /a': facts(aWork, aWork.map((x) => x * 0.005)), 'GET /b': facts(bDone, bWork.map((x) => x * 2)) },
        merge: { parts: 1, exact: true },
      };
    }
    return computeDemands(result);
  };
  const withInFlight = build(true);
  const withCompletions = build(false);
  assert.equal(withInFlight.regressors, 'in-flight');
  assert.equal(withCompletions.regressors, 'completions');
  const cpu = (m: ReturnType<typeof computeDemands>, e: string) => m.demands.find((d) => d.endpoint === e)!.cpuMs!;
  // B's total requests differ from its work by the lag's tail; the in-flight estimate is within a few percent.
  assert.ok(Math.abs(cpu(withInFlight, 'GET /b') - 10) < 1, `in-flight b ${cpu(withInFlight, 'GET /b')}`);
  assert.ok(Math.abs(cpu(withInFlight, 'GET /a') - 2) < 0.3, `in-flight a ${cpu(withInFlight, 'GET /a')}`);
  // Completions lag the work, so that regression misattributes it.
  assert.ok(Math.abs(cpu(withCompletions, 'GET /b') - 10) > 2 * Math.abs(cpu(withInFlight, 'GET /b') - 10), `completions b ${cpu(withCompletions, 'GET /b')}`);
});

test('under queueing, a statement belongs to the seconds its requests were served, not the seconds they waited', () => {
  const r = rng(7);
  const n = 40;
  const wait = 3;
  // B's requests wait 3 s for a pooled connection, then run statement 900 once and complete; a fifth time out
  // in the queue and run nothing. A's requests are fast and run no statement.
  const aDone = Array.from({ length: n }, () => Math.round(20 + 30 * r()));
  const bArrive = Array.from({ length: n }, () => Math.round(5 + 25 * r()));
  const bDone = bArrive.map((_, i) => (i >= wait ? bArrive[i - wait]! : 0));
  const bFailed = bDone.map((d) => Math.round(d * 0.2 * (0.5 + r())));
  const served = bDone.map((d, i) => d - bFailed[i]!);
  const data = pgData({ statementSeries: [{ queryid: '900', toplevel: true, callsPerS: served, execMsPerS: served.map((s) => s * 40) }] } as never);
  const result = makeResult(
    { 'GET /a': { requests: aDone, serviceMeanMs: 5 }, 'GET /b': { requests: bDone, serviceMeanMs: 3040 } },
    [probe('postgres', { 'pg.calls_per_s': served, 'pg.exec_ms_per_s': served.map((s) => s * 40) }, data as unknown as Record<string, unknown>)],
  );
  result.series.endpoints['GET /b']!.failed = bFailed;
  result.totals.responseTime = { ...result.totals.responseTime, p95: 3000 };
  // In flight: B's requests are in flight for the 3 s they wait (each second holds the last 3 seconds' arrivals).
  const facts = (requests: number[], inFlight: number[]) => ({
    requests: 0, repeats: 0, distinctKeys: 0, idealHitRatio: 0, untracked: 0, capped: false, keySource: 'url' as const, meanInFlight: 0,
    series: { requests, repeats: requests.map(() => 0), inFlight },
  });
  const bInFlight = bArrive.map((_, i) => bArrive.slice(Math.max(0, i - wait + 1), i + 1).reduce((a, b) => a + b, 0));
  result.loadFacts = { intervalMs: 1000, t: result.series.t, endpoints: { 'GET /a': facts(aDone, aDone.map((x) => x * 0.005)), 'GET /b': facts(bDone, bInFlight) }, merge: { parts: 1, exact: true } };
  const m = computeDemands(result);
  const rows = m.statements.filter((s) => s.queryid === '900');
  assert.deepEqual(rows.map((s) => s.endpoint), ['GET /b'], JSON.stringify(rows));
  assert.ok(Math.abs(rows[0]!.callsPerRequest - 1) < 0.1, `calls per served request ${rows[0]!.callsPerRequest}`);
});
