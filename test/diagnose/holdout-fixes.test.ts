/**
 * Rule behaviour the holdout service (test/fixtures/holdout) exposed, each on
 * synthetic evidence shaped like what its runs recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import type { Finding } from '../../src/result/types.js';
import { statement, table } from './helpers.js';
import { build, healthyParts, N } from './scenarios.js';

const describe = (fs: Finding[]) => fs.map((f) => `${f.category}/${f.severity}/${f.endpoint ?? '-'}: ${f.title}`).join('\n');

test('missing-index: parallel sequential scans (one scan counted per worker, each reading a third) are full scans', () => {
  const p = healthyParts();
  const calls = p.pg.statements[0]!.calls;
  // Each call scans 200k rows with the leader and 2 workers: 3 scans of ~66.7k rows each.
  p.pg.tables[0] = table('orders', { seqScan: 3 * calls, seqTupRead: calls * 200_000, idxScan: 5, nLiveTup: { before: 200_000, after: 200_000 } });
  p.pg.statements[0] = statement('101', p.pg.statements[0]!.query, calls, 140, { shareOfExecTime: 0.97 });
  p.pg.statementSeries[0]!.execMsPerS = p.pg.statementSeries[0]!.callsPerS.map((c) => c! * 140);
  p.endpoints['GET /api/orders']!.serviceMeanMs = 150;
  const d = diagnose(build(p));
  const f = d.findings.find((x) => x.category === 'missing-index');
  assert.ok(f, describe(d.findings));
  assert.equal(f.endpoint, 'GET /api/orders');
  // Scans that stop early (a LIMIT without ORDER BY reads a few rows each) stay quiet.
  p.pg.tables[0] = table('orders', { seqScan: 3 * calls, seqTupRead: calls * 50, idxScan: 5, nLiveTup: { before: 200_000, after: 200_000 } });
  assert.equal(diagnose(build(p)).findings.some((x) => x.category === 'missing-index'), false);
});

test('pool-saturation from a gauge that names its state in a label, naming the endpoint that holds the pool', () => {
  const p = healthyParts();
  p.prometheusData = {
    pools: [
      { metric: 'db_pool_connections', labels: { pool: 'reports', state: 'total' }, column: 'pool:a', min: 3, max: 3, mean: 3, last: 3 },
      { metric: 'db_pool_connections', labels: { pool: 'reports', state: 'waiting' }, column: 'pool:b', min: 0, max: 47, mean: 33.5, last: 47 },
    ],
    http: [],
  };
  // The orders endpoint holds its client across a remote call: 440 ms per request, almost all waiting.
  p.endpoints['GET /api/orders']!.serviceMeanMs = 440;
  const d = diagnose(build(p));
  const f = d.findings.find((x) => x.category === 'pool-saturation');
  assert.ok(f, describe(d.findings));
  assert.equal(f.endpoint, 'GET /api/orders');
  assert.ok(f.evidence.some((e) => e.label.startsWith('db_pool_connections{pool="reports",state="waiting"}')), JSON.stringify(f.evidence));
  assert.equal(d.findings[0]?.category, 'pool-saturation', describe(d.findings));
  // The total-connections gauge alone says nothing about waiting.
  p.prometheusData.pools = [(p.prometheusData.pools as { labels: Record<string, string> }[])[0]!];
  assert.equal(diagnose(build(p)).findings.some((x) => x.category === 'pool-saturation'), false);
});

test('dropped iterations from a slow service (healthy generator) are a low note, not "the generator limited this run"', () => {
  const p = healthyParts();
  p.patch = {
    generator: {
      saturated: true,
      evidence: [{ label: 'iterations dropped (no free VU: raise preAllocatedVUs/maxVUs)', value: 12.5, unit: '%', limit: 1 }],
      eventLoopDelay: { p50: 0.2, p99: 6, max: 15 },
      cpuPercent: { mean: 14, max: 22 },
      lateStarts: 3,
      lateStartToleranceMs: 10,
      droppedIterations: 400,
      workers: 1,
      maxRssBytes: 2e8,
    },
  };
  const f = diagnose(build(p)).findings.find((x) => x.category === 'generator-saturated');
  assert.ok(f);
  assert.equal(f.severity, 'low');
  assert.match(f.title, /Not enough VUs/);
  assert.match(f.recommendation.text, /maxVUs to at least \d+/);
});

test('a low buffer hit ratio from a cold cache warming up, or from reads that cost little time, is low', () => {
  const cacheFinding = (p: ReturnType<typeof healthyParts>) => diagnose(build(p)).findings.find((x) => x.id === 'db-cache-hit:shared_buffers');
  const p = healthyParts();
  p.pg.cacheHit.window = 0.965;
  p.pg.databaseStats!.blksRead = 40_000;
  // Reads spread over the whole run: the working set does not fit.
  p.pgSeries['pg.blks_read_per_s'] = p.pgSeries['pg.calls_per_s']!.map(() => 40_000 / p.pgSeries['pg.calls_per_s']!.length);
  assert.equal(cacheFinding(p)?.severity, 'medium');
  // The same reads, all in the first seconds: warm-up.
  p.pgSeries['pg.blks_read_per_s'] = p.pgSeries['pg.calls_per_s']!.map((_, i) => (i < 5 ? 8000 : 0));
  const warm = cacheFinding(p);
  assert.equal(warm?.severity, 'low');
  assert.match(warm!.title, /warming up/);
  // Spread reads again, but track_io_timing says they took 2 % of the statements' time.
  p.pgSeries['pg.blks_read_per_s'] = p.pgSeries['pg.calls_per_s']!.map(() => 700);
  p.pg.databaseStats!.blkReadMs = 0.02 * p.pg.statementTotals!.totalExecMs;
  assert.equal(cacheFinding(p)?.severity, 'low');
});

test('misses of keys never written back, on an endpoint without database work, are low (optional keys absent by design)', () => {
  const p = healthyParts();
  const get = p.endpoints['GET /api/products/:id']!.requests;
  const lookups = get.reduce((a, b) => a + b, 0);
  p.redis!.data = { ...p.redis!.data, info: { ...(p.redis!.data.info as object), keyspaceHits: lookups * 0.55, keyspaceMisses: lookups * 0.45 }, commandStats: [{ command: 'get', calls: lookups, usec: lookups * 4 }] };
  // The products endpoint reads an optional override key and never touches the database.
  p.pg.statementSeries[1]!.callsPerS = get.map(() => 0);
  p.pg.statementSeries[1]!.execMsPerS = get.map(() => 0);
  p.pgSeries['pg.calls_per_s'] = p.endpoints['GET /api/orders']!.requests.map((x) => x);
  p.pgSeries['pg.exec_ms_per_s'] = p.endpoints['GET /api/orders']!.requests.map((x) => x * 0.6);
  const f = diagnose(build(p)).findings.find((x) => x.category === 'cache-miss');
  assert.ok(f);
  assert.equal(f.severity, 'low', f.title);
  // The same misses where each one is written back (a key that never repeats) stay loud.
  p.redis!.data = { ...p.redis!.data, commandStats: [{ command: 'get', calls: lookups, usec: lookups * 4 }, { command: 'set', calls: lookups * 0.45, usec: lookups * 2 }] };
  assert.notEqual(diagnose(build(p)).findings.find((x) => x.category === 'cache-miss')?.severity, 'low');
});

test('cpu-saturation is judged on the main thread when it was measured: GC helper threads beside it are not a full core', () => {
  // The holdout's gc-pressure case: the process at 121 % of a core (p90), its main thread at 62 %.
  const p = healthyParts();
  p.process.cpuPercent = p.process.cpuPercent!.map((_, i) => 110 + (i % 3) * 5);
  p.process.mainThreadCpuPercent = p.process.cpuPercent.map((_, i) => 55 + (i % 3) * 3);
  p.processData = { ...p.processData, host: { cores: 2 } };
  const cpuFinding = () => diagnose(build(p)).findings.find((x) => x.category === 'cpu-saturation');
  assert.equal(cpuFinding(), undefined, 'a main thread at 60 % has room');
  // The main thread at its limit is saturation, whatever the process total.
  p.process.mainThreadCpuPercent = p.process.cpuPercent.map((_, i) => 93 + (i % 3));
  const f = cpuFinding();
  assert.ok(f, 'a main thread at 93 % is saturated');
  assert.ok(f.evidence.some((e) => e.label === 'service main-thread CPU p90'), JSON.stringify(f.evidence));
  // The process total above a core with the main thread below the limit is the other threads' (GC helpers, libuv's pool).
  p.process.cpuPercent = p.process.cpuPercent.map(() => 110);
  p.process.mainThreadCpuPercent = p.process.cpuPercent.map(() => 42);
  assert.equal(cpuFinding(), undefined);
  // Without a main-thread series the process total against one core decides, as before.
  delete p.process.mainThreadCpuPercent;
  p.process.cpuPercent = p.process.cpuPercent.map(() => 95);
  assert.ok(cpuFinding());
});

test("a host whose cores the service's other threads fill is CPU saturation, judged sample by sample", () => {
  // The academy case: PBKDF2 on libuv's pool, the process at 110 %, its main thread at 42 %, the host at 191 % of 200.
  const p = healthyParts();
  p.process.cpuPercent = p.process.cpuPercent!.map(() => 110);
  p.process.mainThreadCpuPercent = p.process.cpuPercent.map(() => 42);
  p.process.targetTreeCpuPercent = p.process.cpuPercent.map(() => 110);
  p.process.hostCpuPercent = p.process.cpuPercent.map(() => 191);
  p.processData = { ...p.processData, host: { cores: 2 } };
  const cpuFinding = () => diagnose(build(p)).findings.find((x) => x.category === 'cpu-saturation');
  const f = cpuFinding();
  assert.ok(f, 'a host full of the service is saturated');
  assert.ok(f.evidence.some((e) => /held mostly by the service/.test(e.label)), JSON.stringify(f.evidence));
  // The same host load, but another process holds most of it: contention, not the service's saturation.
  p.process.targetTreeCpuPercent = p.process.cpuPercent.map(() => 60);
  assert.equal(cpuFinding(), undefined);
  // The service holding the full host in only some samples (another process in the others) is not enough.
  p.process.targetTreeCpuPercent = p.process.cpuPercent.map((_, i) => (i % 3 === 0 ? 110 : 60));
  assert.equal(cpuFinding(), undefined);
});

test('pool-saturation from a gauge needs a queue that lasts: a cold-start burst in one sample is not saturation', () => {
  const p = healthyParts();
  const waiting = (series: number[]) => {
    p.prometheus['pool:w'] = series;
    const mean = series.reduce((a, b) => a + b, 0) / series.length;
    p.prometheusData = { pools: [{ metric: 'db_pool_connections', labels: { state: 'waiting' }, column: 'pool:w', min: Math.min(...series), max: Math.max(...series), mean, last: series.at(-1)! }], http: [] };
    return diagnose(build(p)).findings.find((x) => x.category === 'pool-saturation' && x.rule === 'pool-saturation');
  };
  // voyage's lock-contention build at its moderate rate: 38 clients queued in the first second while the
  // pool opened its connections, none after (mean 3.5 over the run).
  const burst = new Array<number>(N).fill(0);
  burst[1] = 38 * 6;
  assert.equal(waiting(burst), undefined);
  // The same mean, queued all along: saturation.
  assert.ok(waiting(new Array<number>(N).fill(3.8)));
});

test('cache-slow-command from the time Redis spends per request: a whole-collection read on every request, none over the slow log threshold', () => {
  const p = healthyParts();
  const list = p.endpoints['GET /api/orders']!.requests.reduce((a, b) => a + b, 0);
  const redisWith = (usecPerCall: number) => {
    const stats = (p.redis!.data.commandStats as { command: string; calls: number; usec: number }[]).filter((c) => c.command !== 'zrange');
    p.redis!.data.commandStats = [...stats, { command: 'zrange', calls: list, usec: list * usecPerCall }];
    return diagnose(build(p)).findings.find((x) => x.category === 'cache-slow-command');
  };
  // voyage's deals board: ZRANGE deals:all 0 -1 (28 600 members) once per GET /deals, ~5 ms each on Redis's
  // thread alone, never 10 ms; here 2 ms of a 6 ms request.
  const f = redisWith(2000);
  assert.ok(f, 'a cache-slow-command finding');
  assert.equal(f.severity, 'medium');
  assert.equal(f.endpoint, 'GET /api/orders');
  assert.ok(f.evidence.some((e) => e.label.startsWith('ZRANGE time in Redis per GET /api/orders request') && Math.abs((e.value as number) - 1 / 3) < 0.01), JSON.stringify(f.evidence));
  // A 50 µs range read is under 1 % of the request: nothing to say.
  assert.equal(redisWith(50), undefined);
});

test("pool-saturation from pg-pool's signature: no idle connection in most samples while clients wait in some", () => {
  const p = healthyParts();
  // The holdout's reports pool: 3 connections, none idle in most samples, 0–4 clients waiting at the scrapes
  // (median 0: the waiting count alone says nothing lasted).
  const waiting = Array.from({ length: N }, (_, i) => [0, 0, 1, 4, 0, 0, 0, 2][i % 8]!);
  const run = (idle: number[]) => {
    p.prometheus['pool:i'] = idle;
    p.prometheus['pool:w'] = waiting;
    p.prometheusData = {
      pools: [
        { metric: 'db_pool_connections', labels: { pool: 'reports', state: 'idle' }, column: 'pool:i', min: Math.min(...idle), max: Math.max(...idle), mean: idle.reduce((a, b) => a + b, 0) / N, last: idle.at(-1)! },
        { metric: 'db_pool_connections', labels: { pool: 'reports', state: 'waiting' }, column: 'pool:w', min: 0, max: 4, mean: 0.875, last: 2 },
        { metric: 'db_pool_connections', labels: { pool: 'main', state: 'idle' }, column: 'pool:m', min: 8, max: 8, mean: 8, last: 8 },
      ],
      http: [],
    };
    return diagnose(build(p)).findings.find((x) => x.rule === 'pool-saturation');
  };
  assert.ok(run(Array.from({ length: N }, (_, i) => (i % 8 === 4 ? 1 : 0))), 'exhausted: saturated');
  // Connections idle in most samples: the waits were moments, not saturation.
  assert.equal(run(Array.from({ length: N }, (_, i) => (i % 8 === 4 ? 0 : 2))), undefined);
});

test('pool-saturation without a waiter caught: a pool at its maximum with no idle connection in most samples queues most arrivals (PASTA), when its endpoints wait', () => {
  const p = healthyParts();
  // The holdout's reports pool on a fast host: 3 connections, none idle in 6 of 7 samples, and no scrape
  // caught a waiter, while the occupancy report waited 40 of its 42 ms.
  const idle = Array.from({ length: N }, (_, i): number => (i % 7 === 3 ? 1 : 0));
  const run = (opts: { total: number[]; serviceMs: number }) => {
    p.endpoints['GET /api/orders']!.serviceMeanMs = opts.serviceMs;
    p.prometheus['pool:i'] = idle;
    p.prometheus['pool:t'] = opts.total;
    p.prometheus['pool:w'] = idle.map(() => 0);
    p.prometheusData = {
      pools: [
        { metric: 'db_pool_connections', labels: { pool: 'reports', state: 'total' }, column: 'pool:t', min: Math.min(...opts.total), max: Math.max(...opts.total), mean: opts.total.reduce((a, b) => a + b, 0) / N, last: opts.total.at(-1)! },
        { metric: 'db_pool_connections', labels: { pool: 'reports', state: 'idle' }, column: 'pool:i', min: 0, max: 1, mean: idle.reduce((a, b) => a + b, 0) / N, last: idle.at(-1)! },
        { metric: 'db_pool_connections', labels: { pool: 'reports', state: 'waiting' }, column: 'pool:w', min: 0, max: 0, mean: 0, last: 0 },
      ],
      http: [],
    };
    return diagnose(build(p)).findings.find((x) => x.rule === 'pool-saturation');
  };
  const pinned = idle.map(() => 3);
  const f = run({ total: pinned, serviceMs: 42 });
  assert.ok(f, 'a pool-saturation finding');
  assert.ok(['medium', 'high'].includes(f.severity), `${f.severity}: ${f.summary}`);
  assert.match(f.title, /no idle connection in 8\d(\.\d)? % of the samples, at its maximum size/);
  assert.ok(f.evidence.some((e) => e.label.includes('its total at its maximum')), JSON.stringify(f.evidence));
  // Nothing waited on the endpoints' side: an exactly sized pool, fully used, is not a queue.
  assert.equal(run({ total: pinned, serviceMs: 3 })?.severity ?? 'none', 'none');
  // Still opening connections (total growing): an arrival that finds none idle gets a new one.
  assert.equal(run({ total: idle.map((_, i) => 1 + Math.floor((3 * i) / N)), serviceMs: 42 })?.severity ?? 'none', 'none');
});
