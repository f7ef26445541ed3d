import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPostgresProbe, type PostgresProbeData } from '../../src/probes/postgres/index.js';
import { createRedisProbe, type RedisProbeData } from '../../src/probes/redis/index.js';
import type { ProbeEvidence } from '../../src/result/types.js';
import { seedFixtureDatabase, startFixtureService, type FixtureService } from '../fixtures/service/start.js';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { makeProbeContext } from '../harness/probe-context.js';
import { startRedis, type TestRedis } from '../harness/redis.js';
import { startAll, stopAll } from '../harness/resources.js';

/**
 * End to end: the probes watching the fixture service with planted faults
 * collect the evidence the diagnosis rules need (bounded traffic, 127.0.0.1).
 */
describe('probes against the fixture service', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let service: FixtureService;
  let pgEvidence: ProbeEvidence;
  let redisEvidence: ProbeEvidence;

  before(async () => {
    ({ pg, redis } = await startAll({ pg: () => startPostgres(), redis: () => startRedis() }));
    await seedFixtureDatabase(pg.url);
    service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: ['missing-index', 'n-plus-one', 'cache-miss'] });
    const ctx = makeProbeContext();
    const pgProbe = createPostgresProbe({ url: pg.url });
    const redisProbe = createRedisProbe({ url: redis.url });
    await Promise.all([pgProbe.start(ctx), redisProbe.start(ctx)]);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10; i++) {
        const id = 1 + round * 10 + i;
        for (const path of [`/orders/${id * 97}`, `/customers/${id}/orders`, `/products/${id}`]) {
          const res = await fetch(service.url + path);
          assert.equal(res.status, 200, path);
          await res.arrayBuffer();
        }
      }
      await Promise.all([pgProbe.sample(ctx.offsetMs()), redisProbe.sample(ctx.offsetMs())]);
    }
    // Stop the service first: its pool's backends exit and flush their table statistics. A backend flushes
    // on its way out, before it leaves pg_stat_activity, so wait for them to be gone (exit is asynchronous:
    // reading the counters right after the client closed raced the flush, and saw no scan at all).
    await service.stop();
    for (let i = 0; i < 100; i++) {
      const [row] = await pg.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = 'tuneup-fixture'");
      if (Number(row?.n ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    [pgEvidence, redisEvidence] = await Promise.all([pgProbe.stop(), redisProbe.stop()]);
  });

  after(async () => {
    await stopAll([service, pg, redis]);
  });

  it('missing-index: the lookup by reference dominates and orders is seq-scanned', () => {
    const d = pgEvidence.data as unknown as PostgresProbeData;
    const byReference = d.statements.find((s) => s.query.includes('WHERE reference = $1'));
    assert.ok(byReference);
    assert.equal(byReference.calls, 30);
    assert.equal(byReference.rows, 30);
    assert.equal(d.statements[0].queryid, byReference.queryid, 'the unindexed lookup is the top statement by time');
    const orders = d.tables.find((t) => t.name === 'orders');
    assert.ok(orders && orders.seqScan >= 30 && orders.seqTupRead >= 30 * 100_000, `orders seqScan ${orders?.seqScan}`);
    assert.ok(d.activity.byApplication.some((g) => g.key === 'tuneup-fixture'));
  });

  it('n-plus-one: one product lookup per order, 20 per request', () => {
    const d = pgEvidence.data as unknown as PostgresProbeData;
    const perOrder = d.statements.find((s) => s.query.startsWith('SELECT name FROM products WHERE id = $1'));
    const orders = d.statements.find((s) => s.query.includes('FROM orders WHERE customer_id = $1 ORDER BY id LIMIT'));
    assert.equal(orders?.calls, 30);
    assert.equal(perOrder?.calls, 30 * 20);
  });

  it('cache-miss: every product lookup misses', () => {
    const d = redisEvidence.data as unknown as RedisProbeData;
    assert.equal(d.info?.keyspaceHits, 0);
    assert.equal(d.info?.keyspaceMisses, 30);
    assert.equal(d.info?.hitRatio, 0);
    assert.equal(d.commandStats.find((c) => c.command === 'set')?.calls, 30);
    assert.equal(redisEvidence.series.values['redis.hit_ratio'].filter((v) => v === 0).length, 3);
  });
});
