import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { checkProbePrerequisites } from '../../src/probes/preflight.js';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { startRedis, type TestRedis } from '../harness/redis.js';
import { startAll, stopAll } from '../harness/resources.js';

let bare: TestPostgres;
let ready: TestPostgres;
let redis: TestRedis;

before(async () => {
  // Debian's default server (no preload, track_io_timing off) next to one set up for tuneup.
  ({ bare, ready, redis } = await startAll({
    bare: () => startPostgres({ preload: false, settings: { track_io_timing: 'off' } }),
    ready: () => startPostgres(),
    redis: () => startRedis(),
  }));
});
after(() => stopAll([bare, ready, redis]));

test('a server without pg_stat_statements preloaded is named before the run, with the fix', async () => {
  const gaps = await checkProbePrerequisites({ pgUrl: bare.url });
  assert.equal(gaps[0]?.probe, 'postgres');
  assert.match(gaps[0]!.message, /pg_stat_statements is not in shared_preload_libraries.*Fix: .*shared_preload_libraries/);
  assert.ok(gaps.some((g) => /track_io_timing is off.*Fix: ALTER SYSTEM SET track_io_timing = on/.test(g.message)), JSON.stringify(gaps));
});

test('a server set up for tuneup has no gap; Redis with its default latency monitor off has one', async () => {
  const gaps = await checkProbePrerequisites({ pgUrl: ready.url, redisUrl: redis.url });
  assert.deepEqual(gaps.filter((g) => g.probe === 'postgres'), []);
  assert.match(gaps.find((g) => g.probe === 'redis')?.message ?? '', /latency monitor is off.*CONFIG SET latency-monitor-threshold/);
});

test('the check changes nothing and an unreachable target is left to the probe', async () => {
  const before = await bare.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_extension WHERE extname = 'pg_stat_statements'");
  await checkProbePrerequisites({ pgUrl: bare.url });
  const after = await bare.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_extension WHERE extname = 'pg_stat_statements'");
  assert.deepEqual(after, before);
  assert.deepEqual(await checkProbePrerequisites({ pgUrl: 'postgresql://nobody@127.0.0.1:1/none', redisUrl: 'redis://127.0.0.1:1' }), []);
});
