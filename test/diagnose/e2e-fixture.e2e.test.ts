/**
 * End to end against the shared fixture service (test/fixtures/service) with
 * planted faults, real PostgreSQL and Redis, and all four probes (postgres,
 * redis, process, prometheus). Each endpoint is loaded alone for a short step
 * (as `tuneup profile` does) with a bounded number of fetches to 127.0.0.1;
 * the RunResult parts diagnosis needs are built from the measured requests.
 *
 * Only categories that do not depend on how fast this (shared, busy) machine
 * is are asserted: event-loop, CPU and wait findings are timing-dependent.
 *
 * @test-one-node — CI runs this file on the machine's Node only: it judges the
 * database and cache rules (counts from pg_stat_statements and Redis, which do
 * not depend on the Node version); the same probes and CLI run on every Node
 * version in e2e-runtime.e2e.test.ts, whose runtime faults do depend on it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { startRedis, type TestRedis } from '../harness/redis.js';
import { startAll, stopAll } from '../harness/resources.js';
import { seedFixtureDatabase, startFixtureService, type FixtureService } from '../fixtures/service/start.js';
import { createPostgresProbe } from '../../src/probes/postgres/index.js';
import { createRedisProbe } from '../../src/probes/redis/index.js';
import { createProcessProbe } from '../../src/probes/process/index.js';
import { createPrometheusProbe } from '../../src/probes/prometheus/index.js';
import type { Probe } from '../../src/probes/types.js';
import type { Finding, ProbeEvidence } from '../../src/result/types.js';
import { diagnose } from '../../src/diagnose/index.js';
import { enrichWithExplain } from '../../src/diagnose/explain.js';
import { makeResult } from './helpers.js';

/** Each step lasts STEP_MS and until MIN_STEP_REQUESTS completed (a busy machine is slow), but never past MAX_STEP_MS. */
const STEP_MS = 2000;
const MIN_STEP_REQUESTS = 20;
const MAX_STEP_MS = 10_000;
const WORKERS = 3;
const MAX_REQUESTS = 5000;

/** Endpoint name → a function giving the i-th concrete path. */
const STEPS: [string, (i: number) => string][] = [
  ['GET /orders/:id', (i) => `/orders/${1 + ((i * 37) % 190_000)}`],
  ['GET /customers/:id/orders', (i) => `/customers/${1 + (i % 1900)}/orders`],
  // A hot set of 40 products, as real traffic has: a working cache warms up within the step.
  ['GET /products/:id', (i) => `/products/${1 + (i % 40)}`],
  ['GET /catalog', () => '/catalog'],
  ['GET /export', () => '/export'],
  ['GET /quote', () => '/quote'],
  ['GET /audit/:account/recent', (i) => `/audit/${1 + (i % 50)}/recent`],
];

let pg: TestPostgres;
let redis: TestRedis;

before(async () => {
  ({ pg, redis } = await startAll({ pg: () => startPostgres(), redis: () => startRedis() }));
  await seedFixtureDatabase(pg.url);
});

after(() => stopAll([redis, pg]));

/** Run every step against a service with `faults`, sampling all probes, and diagnose. */
async function profileRun(faults: string[], steps = STEPS, workers = WORKERS): Promise<{ findings: Finding[]; evidence: ProbeEvidence[]; describe: string; upstreamUrl: string }> {
  const service: FixtureService = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults });
  try {
    const probes: Probe[] = [
      createPostgresProbe({ url: pg.url }),
      createRedisProbe({ url: redis.url, slowlogEvery: 1 }),
      createProcessProbe({ pid: service.pid, postgres: false }),
      createPrometheusProbe({ url: `${service.url}/metrics` }),
    ];
    const t0 = performance.now();
    const offset = () => performance.now() - t0;
    const ctx = { runStartedAt: Date.now(), offsetMs: offset, signal: new AbortController().signal, targetPid: service.pid };
    for (const p of probes) await p.start(ctx);
    let sampling = true;
    const sampler = Promise.all(
      probes.map(async (p) => {
        let next = 1000;
        while (sampling) {
          await new Promise((r) => setTimeout(r, Math.max(0, next - offset())));
          if (!sampling) break;
          await p.sample(offset());
          next = Math.max(next + 1000, Math.ceil(offset() / 1000) * 1000);
        }
      }),
    );
    const slots = Math.ceil((steps.length * MAX_STEP_MS) / 1000) + 2;
    const requests = Object.fromEntries(steps.map(([name]) => [name, new Array<number>(slots).fill(0)]));
    const durations = Object.fromEntries(steps.map(([name]) => [name, [] as number[]]));
    const failed = Object.fromEntries(steps.map(([name]) => [name, 0]));
    const bytes = Object.fromEntries(steps.map(([name]) => [name, 0]));
    let sent = 0;
    for (const [name, path] of steps) {
      const stepStart = offset();
      let i = 0;
      const more = () =>
        // The request bound is per step: a global one let a fast host spend it all on the first steps and send
        // nothing to the last endpoints (GET /quote), which then could not be diagnosed.
        durations[name]!.length < MAX_REQUESTS / steps.length &&
        offset() < stepStart + MAX_STEP_MS &&
        (offset() < stepStart + STEP_MS || durations[name]!.length < MIN_STEP_REQUESTS);
      await Promise.all(
        Array.from({ length: workers }, async () => {
          while (more()) {
            sent++;
            const started = performance.now();
            const res = await fetch(`${service.url}${path(i++)}`, { method: name.startsWith('POST') ? 'POST' : 'GET' });
            const body = await res.arrayBuffer();
            if (!res.ok) failed[name]!++;
            bytes[name]! += body.byteLength;
            durations[name]!.push(performance.now() - started);
            const slot = Math.floor(offset() / 1000);
            if (slot < slots) requests[name]![slot]!++;
          }
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1100));
    sampling = false;
    await sampler;
    const evidence = await Promise.all(probes.map((p) => p.stop()));
    const spec = Object.fromEntries(
      steps.map(([name]) => {
        const n = durations[name]!.length;
        return [name, { requests: requests[name]!, serviceMeanMs: durations[name]!.reduce((a, b) => a + b, 0) / Math.max(1, n), failed: failed[name]!, meanResponseBytes: bytes[name]! / Math.max(1, n) }];
      }),
    );
    const result = await enrichWithExplain(makeResult(spec, evidence, { startedAt: ctx.runStartedAt }), pg.url);
    const d = diagnose(result);
    if (process.env.TUNEUP_E2E_DUMP) (await import('node:fs')).writeFileSync(`${process.env.TUNEUP_E2E_DUMP}-${faults.length}.json`, JSON.stringify(result));
    const describe = d.findings.map((f) => `${f.category}/${f.severity}/${f.endpoint ?? '-'}: ${f.title}`).join('\n');
    if (process.env.TUNEUP_E2E_VERBOSE) console.log(`sent ${sent}\n${describe}\n${JSON.stringify(d.demands)}\n${d.model.method} ${d.model.notes.join(' ')}`);
    return { findings: d.findings, evidence, describe, upstreamUrl: service.upstreamUrl };
  } finally {
    await service.stop();
  }
}

const DB_AND_CACHE = new Set(['missing-index', 'n-plus-one', 'cache-miss', 'cache-slow-command', 'large-payload', 'inefficient-query', 'pool-saturation', 'lock-contention', 'error-rate', 'stale-statistics', 'table-bloat']);

test('the healthy fixture service gets no database/cache finding; planted faults are found on their endpoints', async () => {
  // The healthy service first: the faulty one plants bloat in the shared database.
  const healthy = await profileRun([]);
  const loud = healthy.findings.filter((f) => DB_AND_CACHE.has(f.category) && ['medium', 'high', 'critical'].includes(f.severity));
  assert.deepEqual(loud, [], healthy.describe);

  const faulty = await profileRun(['missing-index', 'n-plus-one', 'cache-miss', 'cache-slow-command', 'large-payload', 'slow-dependency', 'stale-statistics', 'table-bloat']);
  const find = (category: string) => faulty.findings.find((f) => f.category === category && ['medium', 'high', 'critical'].includes(f.severity));
  assert.equal(faulty.evidence.every((e) => e.ok), true, JSON.stringify(faulty.evidence.map((e) => [e.probe, e.errors])));

  const mi = find('missing-index');
  assert.ok(mi, faulty.describe);
  assert.equal(mi.endpoint, 'GET /orders/:id', faulty.describe);
  assert.match(mi.recommendation.sql ?? '', /CREATE INDEX CONCURRENTLY ON public\.orders \(reference\)/);

  const n1 = find('n-plus-one');
  assert.ok(n1, faulty.describe);
  assert.equal(n1.endpoint, 'GET /customers/:id/orders');

  const cm = find('cache-miss');
  assert.ok(cm, faulty.describe);
  assert.equal(cm.endpoint, 'GET /products/:id');

  const slow = find('cache-slow-command');
  assert.ok(slow, faulty.describe);
  // Named from the slow log timestamps (one-second resolution, so a neighbouring step may share the blame).
  assert.ok(slow.endpoints?.includes('GET /catalog'), faulty.describe);
  assert.match(slow.title, /KEYS/);

  const big = faulty.findings.find((f) => f.category === 'large-payload');
  assert.ok(big, faulty.describe);
  assert.equal(big.endpoint, 'GET /export');

  // The upstream's address is read from the service's sockets (/proc/<pid>/net/tcp).
  const dep = find('slow-dependency');
  assert.ok(dep, faulty.describe);
  assert.equal(dep.endpoint, 'GET /quote');
  assert.ok(dep.title.includes(`:${new URL(faulty.upstreamUrl).port}`), `${dep.title} should name ${faulty.upstreamUrl}`);

  // audit_log was reloaded with autovacuum off: stale statistics and dead tuples, with the SQL to fix them.
  const stale = faulty.findings.find((f) => f.category === 'stale-statistics');
  assert.ok(stale, faulty.describe);
  assert.match(stale.recommendation.sql ?? '', /ANALYZE public\.audit_log/);
  const bloat = faulty.findings.find((f) => f.category === 'table-bloat');
  assert.ok(bloat, faulty.describe);
  assert.match(bloat.recommendation.sql ?? '', /VACUUM \(ANALYZE\) public\.audit_log/);
  assert.equal(bloat.endpoint, 'GET /audit/:account/recent');
});

test('contention faults: pool saturation, lock contention and a blocked event loop are told apart', async () => {
  // More concurrent requests than the planted pool (2 connections) and than one hot row can serve.
  const steps: [string, (i: number) => string][] = [
    ['GET /customers/:id/summary', (i) => `/customers/${1 + (i % 1900)}/summary`],
    ['POST /counters/:id/hit', () => '/counters/3/hit'],
    ['GET /compute', () => '/compute'],
  ];
  const run = await profileRun(['pool-saturation', 'lock-contention', 'event-loop-blocked'], steps, 8);
  const find = (category: string) => run.findings.find((f) => f.category === category && ['medium', 'high', 'critical'].includes(f.severity));
  assert.equal(find('pool-saturation')?.endpoint, 'GET /customers/:id/summary', run.describe);
  assert.equal(find('lock-contention')?.endpoint, 'POST /counters/:id/hit', run.describe);
  assert.equal(find('event-loop-blocked')?.endpoint, 'GET /compute', run.describe);
});
