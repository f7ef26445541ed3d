/**
 * Smoke test of the depot corpus service (not of diagnosis): seed a real
 * PostgreSQL, start the service healthy and with one fault against real
 * Redis, call every endpoint of the mix once, check the statuses, the
 * metrics, and that the fault is planted (and absent when healthy).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPostgres, type TestPostgres } from '../../../test/harness/postgres.js';
import { startRedis, type TestRedis } from '../../../test/harness/redis.js';
import { DEPOT_FAULTS } from './faults.js';
import { service } from './index.js';

/** Expand the randomInt templates of a mix path or body value (the only template the depot's mix uses). */
function expand(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{\s*randomInt\((\d+),\s*(\d+)\)\s*\}\}/g, (_m, lo: string, hi: string) =>
      String(Number(lo) + Math.floor(Math.random() * (Number(hi) - Number(lo) + 1))));
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  return value;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(base + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });
  return { status: res.status, text: await res.text() };
}

const cardHits = async (metricsUrl: string): Promise<number> =>
  Number(/cache_requests_total\{cache="sku-card",result="hit"\} (\d+)/.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0);

let pg: TestPostgres;
let redis: TestRedis;
before(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  await service.seed(pg.url);
});
after(() => Promise.allSettled([redis?.stop(), pg?.stop()]));

describe('depot corpus service', () => {
  test('one case per fault plus healthy; expected endpoints are in their mixes; rates ordered', () => {
    assert.deepEqual(new Set(service.cases.map((c) => c.fault)), new Set([null, ...DEPOT_FAULTS]));
    for (const c of service.cases) {
      assert.ok(c.moderateRate > 0 && c.overloadRate > c.moderateRate, c.id);
      if (c.expect) assert.ok(c.mix.some((m) => m.endpoint === c.expect!.endpoint), `${c.id}: expected endpoint in mix`);
      assert.equal(new Set(c.mix.map((m) => m.endpoint)).size, 8, `${c.id}: all eight endpoints in the mix`);
    }
  });

  for (const fault of [null, 'sku-cache-key-version'] as const) {
    test(`${fault ?? 'healthy'}: every endpoint answers, the card cache hits only when healthy`, async () => {
      const running = await service.start({ pgUrl: pg.url, redisUrl: redis.url, fault });
      try {
        for (const entry of service.cases[0].mix) {
          const res = await call(running.url, entry.method, String(expand(entry.path)), expand(entry.body));
          // 409: the order was already shipped by an earlier call.
          assert.ok([200, 201, 409].includes(res.status), `${entry.endpoint}: ${res.status} ${res.text.slice(0, 200)}`);
        }
        await call(running.url, 'GET', '/skus/7');
        await call(running.url, 'GET', '/skus/7');
        assert.equal((await cardHits(running.metricsUrl!)) > 0, fault === null, 'sku-card cache hits');
        const metrics = await (await fetch(running.metricsUrl!)).text();
        assert.match(metrics, /http_request_duration_seconds_count\{method="GET",route="\/warehouses\/:id\/picklist",status_code="200"\}/);
        assert.match(metrics, /db_pool_connections\{state="max"\} 5/);
      } finally {
        await running.stop();
      }
      assert.throws(() => process.kill(running.pid, 0), 'service process is gone after stop()');
    });
  }
});
