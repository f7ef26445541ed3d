// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { FIXTURE_FAULTS, FIXTURE_ROUTES, seedFixtureDatabase, startFixtureService, type FixtureService } from './fixtures/service/start.js';
import { startPostgres, type TestPostgres } from './harness/postgres.js';
import { startRedis, type TestRedis } from './harness/redis.js';
import { startAll, stopAll } from './harness/resources.js';
import { alive } from './harness/alive.js';

interface Hit {
  status: number;
  text: string;
  json: () => unknown;
}

async function hit(service: FixtureService, method: string, path: string): Promise<Hit> {
  const res = await fetch(service.url + path, { method });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

async function statementCalls(pg: TestPostgres, pattern: string): Promise<number> {
  const rows = await pg.query<{ calls: string }>('SELECT coalesce(sum(calls), 0)::text AS calls FROM pg_stat_statements WHERE query LIKE $1', [pattern]);
  return Number(rows[0].calls);
}

describe('fixture service', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let cache: ReturnType<typeof createClient>;

  before(async () => {
    ({ pg, redis } = await startAll({ pg: () => startPostgres(), redis: () => startRedis() }));
    await seedFixtureDatabase(pg.url);
    cache = createClient({ url: redis.url, disableClientInfo: true });
    cache.on('error', () => {});
    await cache.connect();
  });

  after(async () => {
    cache?.destroy();
    await stopAll([pg, redis]);
  });

  it('seeds the database', async () => {
    const [orders] = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    assert.equal(orders.n, 200_000);
    const indexes = await pg.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'orders'");
    assert.equal(indexes.some((i) => i.indexdef.includes('(reference)')), false, 'reference stays unindexed');
    assert.equal(indexes.some((i) => i.indexdef.includes('(customer_id)')), true);
  });

  it('serves every route healthily without faults, and exposes Prometheus metrics', async () => {
    const service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: [] });
    try {
      for (const route of FIXTURE_ROUTES) {
        const res = await hit(service, route.method, route.example);
        assert.equal(res.status, 200, `${route.method} ${route.example}: ${res.text.slice(0, 200)}`);
      }
      assert.deepEqual((await hit(service, 'GET', '/health')).json(), { ok: true, faults: [] });
      assert.equal(((await hit(service, 'GET', '/orders/4242')).json() as { id: number }).id, 4242);
      assert.equal(((await hit(service, 'GET', '/customers/17/orders')).json() as unknown[]).length, 20);
      assert.equal(await statementCalls(pg, '%WHERE reference =%'), 0, 'healthy lookups use the primary key');
      assert.equal(await cache.exists('product:7'), 1, 'healthy product lookups fill the cache');
      assert.ok((await hit(service, 'GET', '/export')).text.length < 10_000);
      assert.equal((await hit(service, 'GET', '/orders/999999999')).status, 404);
      assert.equal((await hit(service, 'GET', '/nope')).status, 404);
      const metrics = (await hit(service, 'GET', '/metrics')).text;
      for (const name of [
        'nodejs_eventloop_lag_p99_seconds',
        'nodejs_heap_size_used_bytes',
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'db_pool_total',
        'db_pool_idle',
        'db_pool_waiting',
      ]) {
        assert.match(metrics, new RegExp(`^${name} \\d`, 'm'), name);
      }
      assert.match(metrics, /^http_requests_total\{method="GET",route="\/orders\/:id",status="200"\} \d+$/m);
      assert.match(metrics, /^http_request_duration_seconds_bucket\{method="GET",route="\/orders\/:id",le="\+Inf"\} \d+$/m);
      assert.match(metrics, /^db_pool_total ([1-9]|10)$/m);
    } finally {
      await service.stop();
    }
    assert.equal(alive(service.pid), false);
  });

  it('plants every fault', async () => {
    const faults = Object.keys(FIXTURE_FAULTS).filter((f) => f !== 'error-rate');
    const service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults });
    try {
      assert.deepEqual(((await hit(service, 'GET', '/health')).json() as { faults: string[] }).faults.sort(), [...faults].sort());
      for (const route of FIXTURE_ROUTES) {
        const res = await hit(service, route.method, route.example);
        assert.equal(res.status, 200, `${route.method} ${route.example}: ${res.text.slice(0, 200)}`);
      }
      // missing-index: the lookup by the unindexed column ran.
      assert.ok((await statementCalls(pg, '%WHERE reference = $1%')) >= 1);
      // n-plus-one: one product query per order.
      assert.ok((await statementCalls(pg, 'SELECT name FROM products WHERE id = $1%')) >= 20);
      // cache-miss: every request writes a fresh key.
      await hit(service, 'GET', '/products/7');
      assert.ok((await cache.keys('product:7:*')).length >= 2);
      // cache-slow-command: KEYS over the 100k seeded keys.
      assert.deepEqual((await hit(service, 'GET', '/catalog')).json(), { items: 100_000 });
      // pool-saturation: the pool never exceeds 2.
      assert.match((await hit(service, 'GET', '/metrics')).text, /^db_pool_total [0-2]$/m);
      // lock-contention: every hit goes to the hot row.
      assert.equal(((await hit(service, 'POST', '/counters/3/hit')).json() as { id: number }).id, 1);
      // event-loop-blocked: the synchronous hash chain ran instead of a single hash.
      const digest = ((await hit(service, 'GET', '/compute')).json() as { digest: string }).digest;
      assert.notEqual(digest, createHash('sha256').update('tuneup').digest('hex'));
      // large-payload: about 2 MB.
      assert.ok((await hit(service, 'GET', '/export')).text.length > 1_500_000);
      // stale-statistics / table-bloat: audit_log reloaded with autovacuum off and churned.
      const [audit] = await pg.query<{ options: string[] | null; n: number }>(
        "SELECT c.reloptions AS options, (SELECT count(*)::int FROM audit_log) AS n FROM pg_class c WHERE c.relname = 'audit_log'",
      );
      assert.deepEqual(audit.options, ['autovacuum_enabled=false']);
      assert.equal(audit.n, 45_000);
    } finally {
      await service.stop();
    }
  });

  it('fails every 10th request with the error-rate fault', async () => {
    const service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: ['error-rate'] });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await hit(service, 'GET', '/compute')).status);
      assert.equal(statuses.filter((s) => s === 500).length, 2);
      assert.equal((await hit(service, 'GET', '/health')).status, 200);
    } finally {
      await service.stop();
    }
  });

  it('rejects unknown faults', async () => {
    await assert.rejects(startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: ['nonsense'] }), /unknown fixture fault/);
  });
});
