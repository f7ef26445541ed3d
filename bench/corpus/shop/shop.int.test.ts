/**
 * Smoke test of the shop corpus service: seed a real PostgreSQL, start the
 * service with each fault (and healthy), call every endpoint a few times and
 * check the statuses, plus a cheap sign that the fault is really planted.
 * It checks that the service works — never what tuneup diagnoses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPostgres, type TestPostgres } from '../../../test/harness/postgres.js';
import { startRedis, type TestRedis } from '../../../test/harness/redis.js';
import type { RunningService } from '../types.js';
import { SHOP_FAULTS } from './app/faults.js';
import { SHOP_CASES } from './cases.js';
import { shop } from './index.js';

let pg: TestPostgres;
let redis: TestRedis;

before(async () => {
  pg = await startPostgres();
  redis = await startRedis();
  await shop.seed(pg.url);
});

after(async () => {
  await redis?.stop();
  await pg?.stop();
});

interface Call { status: number; body: string; ms: number }

async function call(base: string, method: string, path: string, body?: unknown): Promise<Call> {
  const started = performance.now();
  const res = await fetch(base + path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });
  return { status: res.status, body: await res.text(), ms: performance.now() - started };
}

/** Concrete requests for every endpoint of the mix (ids chosen to exist; order 11 has an address, 10 has none). */
const REQUESTS: { endpoint: string; method: string; path: string; body?: unknown }[] = [
  { endpoint: 'GET /products/:id', method: 'GET', path: '/products/17' },
  { endpoint: 'GET /products', method: 'GET', path: '/products?category=4' },
  { endpoint: 'GET /products/:id/reviews', method: 'GET', path: '/products/321/reviews' },
  { endpoint: 'GET /search', method: 'GET', path: '/search?q=sturdy' },
  { endpoint: 'GET /users/:id/orders', method: 'GET', path: '/users/1234/orders' },
  { endpoint: 'GET /orders/:id', method: 'GET', path: '/orders/11' },
  { endpoint: 'POST /cart/:userId/items', method: 'POST', path: '/cart/77/items', body: { productId: 5, qty: 2 } },
  { endpoint: 'POST /checkout', method: 'POST', path: '/checkout', body: { userId: 77, productId: 5, qty: 1 } },
  { endpoint: 'GET /recommendations/:userId', method: 'GET', path: '/recommendations/77' },
];

test('the smoke requests cover every endpoint of every case mix, and every fault has a case', () => {
  const endpoints = new Set(SHOP_CASES.flatMap((c) => c.mix.map((m) => m.endpoint)));
  assert.deepEqual([...endpoints].sort(), REQUESTS.map((r) => r.endpoint).sort());
  assert.deepEqual(SHOP_CASES.map((c) => c.fault).filter((f) => f !== null).sort(), [...SHOP_FAULTS].sort());
  for (const c of SHOP_CASES) {
    assert.ok(c.moderateRate > 0 && c.overloadRate > c.moderateRate, `${c.id}: rates calibrated`);
    if (c.expect) assert.ok(c.mix.some((m) => m.endpoint === c.expect!.endpoint), `${c.id}: expected endpoint is in the mix`);
  }
});

async function indexExists(name: string): Promise<boolean> {
  const rows = await pg.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [name]);
  return rows.length === 1;
}

describe('shop service per fault', () => {
  for (const fault of [null, ...SHOP_FAULTS]) {
    test(`${fault ?? 'healthy'}: every endpoint answers`, async () => {
      const service: RunningService = await shop.start({ pgUrl: pg.url, redisUrl: redis.url, fault });
      try {
        for (let round = 0; round < 3; round++) {
          for (const r of REQUESTS) {
            const res = await call(service.url, r.method, r.path, r.body);
            assert.ok(res.status >= 200 && res.status < 300, `${fault}: ${r.method} ${r.path} -> ${res.status} ${res.body.slice(0, 200)}`);
          }
        }
        const digital = await call(service.url, 'GET', '/orders/10');
        assert.equal(digital.status, fault === 'order-null-address' ? 500 : 200, 'order 10 has no shipping address');

        const metrics = await call(service.url, 'GET', '/metrics');
        assert.equal(metrics.status, 200);
        assert.match(metrics.body, /http_request_duration_seconds_count\{method="GET",route="\/products\/:id",status_code="200"\} 3/);
        const misses = Number(/cache_requests_total\{cache="product",result="miss"\} (\d+)/.exec(metrics.body)?.[1] ?? 0);
        assert.equal(misses, fault === 'cache-key-timestamp' ? 3 : fault === null ? 1 : misses, 'product-page cache misses');

        assert.equal(await indexExists('orders_user_created_idx'), fault !== 'missing-index-orders-user');
        assert.equal(await indexExists('reviews_product_created_idx'), fault !== 'missing-index-reviews-product');
        const listing = await call(service.url, 'GET', '/products?category=4');
        if (fault === 'category-full-dump') assert.ok(listing.body.length > 1_000_000, `full dump is ${listing.body.length} bytes`);
        else assert.ok(listing.body.length < 20_000, `listing is ${listing.body.length} bytes`);
        if (fault === 'recommender-slow') {
          const recs = await call(service.url, 'GET', '/recommendations/78');
          assert.ok(recs.ms >= 250, `slow recommender answered in ${recs.ms} ms`);
        }
      } finally {
        await service.stop();
      }
      if (fault === 'products-bloat') {
        // The service's backends flushed their statistics when it stopped.
        const [row] = await pg.query<{ dead: string; live: string }>("SELECT n_dead_tup AS dead, n_live_tup AS live FROM pg_stat_user_tables WHERE relname = 'products'");
        assert.ok(Number(row.dead) > 3 * Number(row.live), `products has ${row.dead} dead and ${row.live} live rows`);
      }
    });
  }
});
