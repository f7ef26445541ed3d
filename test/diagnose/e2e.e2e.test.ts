/**
 * End to end: a real service (child process) on a real PostgreSQL with two
 * planted faults (an unindexed filter on a large table, an N+1 loop), real
 * probes (postgres, process) sampling every second, bounded load to
 * 127.0.0.1 with fetch — each endpoint alone for a short step, as
 * `tuneup profile` does — then diagnose. The engine's runPlan is not used
 * (it did not exist when this was written); the RunResult parts diagnosis
 * needs are built from the measured requests.
 *
 * @test-shared — both faults are judged from counts (sequential scans of a large table, statement calls
 * per request of each endpoint run alone), which no neighbour's CPU use can move, so this file runs
 * alongside others.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { createPostgresProbe } from '../../src/probes/postgres/index.js';
import { createProcessProbe } from '../../src/probes/process/index.js';
import type { ProcessProbeData } from '../../src/probes/process/types.js';
import type { Probe } from '../../src/probes/types.js';
import { diagnose } from '../../src/diagnose/index.js';
import { enrichWithExplain } from '../../src/diagnose/explain.js';
import { makeResult } from './helpers.js';

const STEP_MS = 3000; // per endpoint
const WORKERS = 3; // concurrent request loops
const MAX_REQUESTS = 6000; // hard bound on the whole test's load

let db: TestPostgres;
let service: ChildProcess;
let base: string;

before(async () => {
  db = await startPostgres();
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(`CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL, total numeric NOT NULL)`);
  await c.query(`INSERT INTO orders (customer_id, total) SELECT g % 3000, g % 97 FROM generate_series(1, 40000) g`);
  await c.query(`CREATE TABLE order_items (id serial PRIMARY KEY, order_id int NOT NULL, sku text NOT NULL)`);
  await c.query(`INSERT INTO order_items (order_id, sku) SELECT 1 + g % 1100, 'sku-' || g FROM generate_series(1, 16000) g`);
  await c.query(`CREATE INDEX order_items_order_id ON order_items (order_id)`);
  await c.end();
  // ANALYZE from a fresh session, after the loading session flushed its counters (PostgreSQL 15 flushes them on exit).
  await new Promise((r) => setTimeout(r, 200));
  await db.query('ANALYZE');
  service = spawn(process.execPath, [new URL('./fixtures/service.mjs', import.meta.url).pathname], {
    env: { ...process.env, DATABASE_URL: db.url, POOL_MAX: '4', MAX_LIFETIME_MS: '90000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    service.once('exit', (code) => reject(new Error(`service exited ${code}`)));
    service.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
  });
  base = `http://127.0.0.1:${port}`;
});

after(async () => {
  service?.kill('SIGKILL');
  await db?.stop();
});

function postmasterPid(dir: string): number | undefined {
  for (const f of [join(dir, 'postmaster.pid'), join(dir, 'data', 'postmaster.pid')]) {
    if (existsSync(f)) return Number(readFileSync(f, 'utf8').split('\n')[0]);
  }
  return undefined;
}

test('profile run against a service with planted faults: missing index and N+1 are found on the right endpoints', async () => {
  const endpoints: [string, string][] = [
    ['GET /healthy', '/healthy'],
    ['GET /orders', '/orders'],
    ['GET /items', '/items'],
  ];
  const pm = postmasterPid(db.dataDir);
  const probes: Probe[] = [createPostgresProbe({ url: db.url }), createProcessProbe({ pid: service.pid!, postgres: pm ? { postmasterPid: pm } : false })];
  const t0 = performance.now();
  const offset = () => performance.now() - t0;
  const ctx = { runStartedAt: Date.now(), offsetMs: offset, signal: new AbortController().signal };
  for (const p of probes) await p.start(ctx);
  // Idle gap between steps (as `tuneup profile` does), so no 1 s interval mixes two endpoints' completions.
  const GAP_MS = 1500;
  const steps = Math.ceil((endpoints.length * (STEP_MS + GAP_MS)) / 1000) + 2;
  const requests = Object.fromEntries(endpoints.map(([name]) => [name, new Array<number>(steps).fill(0)]));
  const durations = Object.fromEntries(endpoints.map(([name]) => [name, [] as number[]]));
  let sent = 0;
  let failed = 0;

  // Each probe samples every second on its own schedule while the load runs (a slow probe does not delay the others).
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

  for (const [i, [name, path]] of endpoints.entries()) {
    if (i > 0) await new Promise((r) => setTimeout(r, GAP_MS));
    const stepEnd = offset() + STEP_MS;
    // Each step gets its share of the bound, so a fast runtime cannot starve the later steps.
    const stepLimit = sent + Math.floor(MAX_REQUESTS / endpoints.length);
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        let k = w;
        while (offset() < stepEnd && sent < stepLimit) {
          sent++;
          const started = performance.now();
          const res = await fetch(`${base}${path}?c=${(k += WORKERS) % 3000}`);
          await res.arrayBuffer();
          if (!res.ok) failed++;
          const done = offset();
          durations[name]!.push(performance.now() - started);
          const slot = Math.floor(done / 1000);
          if (slot < steps) requests[name]![slot]!++;
        }
      }),
    );
  }
  // Let the last second be sampled, then stop.
  await new Promise((r) => setTimeout(r, 1100));
  sampling = false;
  await sampler;
  const evidence = await Promise.all(probes.map((p) => p.stop()));
  assert.equal(failed, 0);
  assert.ok(sent <= MAX_REQUESTS);

  const spec = Object.fromEntries(
    endpoints.map(([name]) => [name, { requests: requests[name]!, serviceMeanMs: durations[name]!.reduce((a, b) => a + b, 0) / durations[name]!.length }]),
  );
  const result = await enrichWithExplain(makeResult(spec, evidence), db.url);
  const d = diagnose(result);
  if (process.env.TUNEUP_E2E_DUMP) (await import('node:fs')).writeFileSync(process.env.TUNEUP_E2E_DUMP, JSON.stringify(result));
  const describe = d.findings.map((f) => `${f.category}/${f.severity}/${f.endpoint}: ${f.title}`).join('\n');

  if (process.env.TUNEUP_E2E_VERBOSE) console.log(JSON.stringify({ requests, pg: evidence[0]!.series, proc: evidence[1]!.series.t, procCpu: evidence[1]!.series.values.cpuPercent }));
  assert.equal(d.model.method, 'profile', d.model.notes.join('\n'));
  const mi = d.findings.find((f) => f.category === 'missing-index');
  assert.ok(mi, describe);
  assert.equal(mi.endpoint, 'GET /orders', describe);
  assert.equal(mi.recommendation.sql, 'CREATE INDEX CONCURRENTLY ON public.orders (customer_id);');

  const n1 = d.findings.find((f) => f.category === 'n-plus-one');
  assert.ok(n1, describe);
  assert.equal(n1.endpoint, 'GET /items');
  const perRequest = n1.evidence.find((e) => e.label === 'calls per request')!.value as number;
  assert.ok(Math.abs(perRequest - 15) < 1.5, `calls per request ${perRequest}`);

  const items = d.demands.find((x) => x.endpoint === 'GET /items')!;
  assert.ok(items.dbCalls! > 14 && items.dbCalls! < 18, `dbCalls ${items.dbCalls}`);
  assert.ok(items.cpuMs !== undefined && items.cpuMs > 0);
  const healthy = d.demands.find((x) => x.endpoint === 'GET /healthy')!;
  assert.ok(healthy.dbCalls! > 0.8 && healthy.dbCalls! < 1.3, `healthy dbCalls ${healthy.dbCalls}`);
  assert.ok(!d.findings.some((f) => f.endpoint === 'GET /healthy' && ['medium', 'high', 'critical'].includes(f.severity)), describe);

  const proc = evidence.find((e) => e.probe === 'process')!.data as unknown as ProcessProbeData;
  assert.ok(proc.remotes.some((r) => r.port === db.port), JSON.stringify(proc.remotes));
  // eslint-disable-next-line no-console -- measured numbers for the report
  if (process.env.TUNEUP_E2E_VERBOSE) console.log(JSON.stringify({ sent, demands: d.demands, findings: describe }, null, 2));
});
