// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
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

test('the service metrics: an unreachable or empty endpoint is named before the run; a prom-client service with a route histogram has no gap', async () => {
  const { createServer } = await import('node:http');
  const { Registry, Histogram, collectDefaultMetrics } = await import('prom-client');
  const full = new Registry();
  collectDefaultMetrics({ register: full });
  new Histogram({ name: 'http_request_duration_seconds', help: 'h', labelNames: ['method', 'route', 'status_code'], registers: [full] }).observe({ method: 'GET', route: '/x', status_code: '200' }, 0.01);
  const server = createServer((req, res) => {
    if (req.url === '/full') void full.metrics().then((t) => res.end(t));
    else if (req.url === '/auth') {
      if (req.headers.authorization === `Basic ${Buffer.from('scraper:s3cret').toString('base64')}`) void full.metrics().then((t) => res.end(t));
      else res.writeHead(401).end();
    }
    else if (req.url === '/bare') res.end('# TYPE up gauge\nup 1\n');
    else res.end('<html>not metrics</html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    assert.deepEqual(await checkProbePrerequisites({ metricsUrl: `${base}/full` }), []);
    // Credentials in the URL go as a Basic header, as the probe sends them (fetch refuses them in the URL).
    assert.deepEqual(await checkProbePrerequisites({ metricsUrl: base.replace('http://', 'http://scraper:s3cret@') + '/auth' }), []);
    const bareGaps = (await checkProbePrerequisites({ metricsUrl: `${base}/bare` })).map((g) => g.message);
    assert.equal(bareGaps.length, 3, JSON.stringify(bareGaps));
    assert.match(bareGaps.join('\n'), /per-route HTTP duration histogram.*prom-client Histogram/);
    assert.match(bareGaps.join('\n'), /collectDefaultMetrics/);
    assert.match((await checkProbePrerequisites({ metricsUrl: `${base}/` }))[0]!.message, /no Prometheus metrics.*--metrics/);
    assert.match((await checkProbePrerequisites({ metricsUrl: 'http://127.0.0.1:1/metrics' }))[0]!.message, /failed .*Check --metrics/);
  } finally {
    server.close();
  }
});
