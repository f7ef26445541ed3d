/**
 * The pantry corpus service against a real PostgreSQL 15 and Redis: seed,
 * start healthy and hit every endpoint of every case's mix once (2xx), then
 * start faulty builds and check their fault is visible.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Pool } from 'undici';
import { startPostgres, type TestPostgres } from '../../../test/harness/postgres.js';
import { startRedis, type TestRedis } from '../../../test/harness/redis.js';
import { fire } from './calibrate.js';
import { E } from './cases.js';
import { service } from './index.js';

let pgs: TestPostgres;
let rds: TestRedis;

before(async () => {
  pgs = await startPostgres();
  rds = await startRedis();
  await service.seed(pgs.url);
}, { timeout: 120_000 });

after(async () => {
  await rds?.stop();
  await pgs?.stop();
});

async function get(url: string, path: string): Promise<{ status: number; text: string; ms: number }> {
  const t = performance.now();
  const res = await fetch(url + path);
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t };
}

test('cases are well formed', () => {
  assert.ok(service.cases.length >= 11 && service.cases.length <= 14);
  const categories = new Map<string, number>();
  for (const c of service.cases) {
    assert.ok(c.mix.length >= 5 && c.mix.length <= 8, c.id);
    assert.ok(c.moderateRate < c.overloadRate, c.id);
    if (c.expect) {
      categories.set(c.expect.category, (categories.get(c.expect.category) ?? 0) + 1);
      assert.ok(c.mix.some((m) => m.endpoint === c.expect!.endpoint), `${c.id}: faulty endpoint in the mix`);
    }
  }
  assert.ok(categories.size >= 9);
  for (const [category, n] of categories) assert.ok(n <= 2, category);
  assert.equal(service.cases.filter((c) => c.fault === null).length, 1);
});

test('healthy: every endpoint of every mix answers 2xx', { timeout: 120_000 }, async () => {
  const running = await service.start({ pgUrl: pgs.url, redisUrl: rds.url, fault: null });
  const pool = new Pool(running.url, { connections: 4 });
  try {
    const seen = new Set<string>();
    for (const c of service.cases) {
      for (const m of c.mix) {
        if (seen.has(m.endpoint)) continue;
        seen.add(m.endpoint);
        const r = await fire(pool, m);
        assert.ok(r.status >= 200 && r.status < 300, `${m.endpoint}: ${r.status} ${r.text.slice(0, 200)}`);
      }
    }
    assert.equal(seen.size, Object.keys(E).length, 'every request kind is used by some case');
    const metrics = await get(running.url, '/metrics');
    assert.match(metrics.text, /http_request_duration_seconds_bucket\{[^}]*route="\/households\/:id\/pantry"/);
    assert.match(metrics.text, /nodejs_eventloop_lag_seconds/);
    // Delivery slots work for households without a preferred store too.
    const orphans = await pgs.query<{ id: number }>('SELECT id FROM households WHERE preferred_store_id IS NULL ORDER BY id LIMIT 5');
    for (const { id } of orphans) assert.equal((await get(running.url, `/households/${id}/delivery-slots`)).status, 200);
    // The popular-products cache hits on repeated keys.
    await get(running.url, '/stores/3/popular');
    await get(running.url, '/stores/3/popular');
    // The catalogue honours limit.
    const page = JSON.parse((await get(running.url, '/stores/2/products?category=fish&limit=50')).text);
    assert.equal(page.products.length, 50);
  } finally {
    await pool.destroy();
    await running.stop();
  }
  assert.throws(() => process.kill(running.pid, 0), 'app process is gone after stop()');
});

test('faulty builds show their fault', { timeout: 240_000 }, async () => {
  // error-rate: households without a preferred store get a 500.
  {
    const running = await service.start({ pgUrl: pgs.url, redisUrl: rds.url, fault: 'slots-null-preferred-store' });
    try {
      const [orphan] = await pgs.query<{ id: number }>('SELECT id FROM households WHERE preferred_store_id IS NULL ORDER BY id LIMIT 1');
      assert.equal((await get(running.url, `/households/${orphan!.id}/delivery-slots`)).status, 500);
      assert.equal((await get(running.url, '/households/1/pantry')).status, 200);
    } finally {
      await running.stop();
    }
  }
  // missing-index: the household index is gone and the pantry query scans.
  {
    const running = await service.start({ pgUrl: pgs.url, redisUrl: rds.url, fault: 'pantry-household-index-dropped' });
    try {
      const idx = await pgs.query("SELECT 1 FROM pg_indexes WHERE indexname = 'pantry_items_household_idx'");
      assert.equal(idx.length, 0);
      const plan = await pgs.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT * FROM pantry_items WHERE household_id = 42');
      assert.match(plan.map((r) => r['QUERY PLAN']).join('\n'), /Seq Scan on pantry_items/);
      assert.equal((await get(running.url, '/households/42/pantry')).status, 200);
    } finally {
      await running.stop();
    }
  }
  // large-payload: the catalogue ignores limit.
  {
    const running = await service.start({ pgUrl: pgs.url, redisUrl: rds.url, fault: 'catalogue-limit-ignored' });
    try {
      const r = await get(running.url, '/stores/2/products?category=fish&limit=50');
      assert.equal(r.status, 200);
      assert.ok(r.text.length > 200 * 1024, `payload ${r.text.length} bytes`);
    } finally {
      await running.stop();
    }
  }
  // event-loop-blocked: each receipt derives its key synchronously (tens of ms).
  {
    const running = await service.start({ pgUrl: pgs.url, redisUrl: rds.url, fault: 'receipt-key-per-request' });
    try {
      await get(running.url, '/orders/1/receipt');
      const r = await get(running.url, '/orders/2/receipt');
      assert.equal(r.status, 200);
      assert.ok(r.ms > 25, `receipt took ${r.ms.toFixed(1)} ms`);
    } finally {
      await running.stop();
    }
  }
  // healthy again: the index is back (migrations are per deploy).
  {
    const running = await service.start({ pgUrl: pgs.url, redisUrl: rds.url, fault: null });
    try {
      const idx = await pgs.query("SELECT 1 FROM pg_indexes WHERE indexname = 'pantry_items_household_idx'");
      assert.equal(idx.length, 1);
      assert.equal((await get(running.url, '/orders/2/receipt')).status, 200);
    } finally {
      await running.stop();
    }
  }
});
