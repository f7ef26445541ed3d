import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrometheusProbe } from '../../src/probes/prometheus/index.js';
import type { PrometheusProbeData } from '../../src/probes/prometheus/types.js';

/** A metrics endpoint whose counters advance by known amounts on every scrape. */
function metricsServer(): Promise<{ server: Server; url: string; state: { scrape: number; fail: boolean } }> {
  const state = { scrape: 0, fail: false };
  const server = createServer((req, res) => {
    if (state.fail) {
      res.writeHead(503).end('down');
      return;
    }
    const n = state.scrape++;
    const lines = [
      '# TYPE process_cpu_seconds_total counter',
      `process_cpu_seconds_total ${(0.5 * n).toFixed(3)}`,
      '# TYPE nodejs_eventloop_lag_p99_seconds gauge',
      'nodejs_eventloop_lag_p99_seconds 0.120',
      '# TYPE nodejs_heap_size_used_bytes gauge',
      `nodejs_heap_size_used_bytes ${1_000_000 + n * 1000}`,
      '# TYPE nodejs_heap_space_size_used_bytes gauge',
      `nodejs_heap_space_size_used_bytes{space="new"} ${400_000 + (n % 2) * 300_000}`,
      `nodejs_heap_space_size_used_bytes{space="old"} ${500_000 + n * 1000}`,
      'nodejs_heap_space_size_used_bytes{space="code"} 80000',
      'nodejs_heap_space_size_used_bytes{space="large_object"} 20000',
      'nodejs_heap_space_size_used_bytes{space="new_large_object"} 5000',
      '# TYPE nodejs_gc_duration_seconds histogram',
      `nodejs_gc_duration_seconds_bucket{le="+Inf",kind="major"} ${n}`,
      `nodejs_gc_duration_seconds_sum{kind="major"} ${(0.05 * n).toFixed(3)}`,
      `nodejs_gc_duration_seconds_count{kind="major"} ${n}`,
      '# TYPE bistro_cache_requests_total counter',
      `bistro_cache_requests_total{cache="menu",result="hit"} ${2 * n}`,
      `bistro_cache_requests_total{cache="menu",result="miss"} ${n}`,
      '# TYPE pg_pool_waiting_count gauge',
      `pg_pool_waiting_count{pool="main"} ${n % 3}`,
      '# TYPE http_request_duration_seconds histogram',
      `http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/a",status_code="200"} ${100 * n}`,
      `http_request_duration_seconds_sum{method="GET",route="/a",status_code="200"} ${(100 * n * 0.02).toFixed(3)}`,
      `http_request_duration_seconds_count{method="GET",route="/a",status_code="200"} ${100 * n}`,
      `http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/a",status_code="500"} ${n}`,
      `http_request_duration_seconds_sum{method="GET",route="/a",status_code="500"} 0`,
      `http_request_duration_seconds_count{method="GET",route="/a",status_code="500"} ${n}`,
    ];
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(lines.join('\n') + '\n');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/metrics`, state });
    }),
  );
}

test('prometheus probe turns scrapes into aligned series and survives the endpoint failing', async () => {
  const { server, url, state } = await metricsServer();
  const probe = createPrometheusProbe({ url, timeoutMs: 500 });
  let now = 0;
  await probe.start({ runStartedAt: Date.now(), offsetMs: () => now, signal: new AbortController().signal });
  for (now = 1000; now <= 3000; now += 1000) await probe.sample(now);
  state.fail = true;
  await probe.sample(4000);
  state.fail = false;
  await probe.sample(5000); // first good scrape after the failure: no rate yet
  await probe.sample(6000);
  await new Promise<void>((r) => server.close(() => r()));
  await probe.sample(7000); // connection refused
  const ev = await probe.stop();

  assert.equal(ev.probe, 'prometheus');
  assert.equal(ev.ok, true);
  assert.equal(ev.errors.length, 2);
  assert.match(ev.errors[0]!.message, /503/);
  const v = ev.series.values;
  assert.equal(ev.series.t.length, 8);
  // counters advance 0.5 s CPU per 1 s → 50 %; 50 ms GC per s; 100 req/s at 20 ms.
  assert.deepEqual(v.cpuPercent, [null, 50, 50, 50, null, null, 50, null]);
  assert.deepEqual(v.gcMsPerS!.slice(1, 4).map((x) => Math.round(x!)), [50, 50, 50]);
  assert.equal(v.eventLoopLagP99Ms![0], 120);
  // The old generation: every space but new and new_large_object (the young generation's scavenge sawtooth).
  assert.deepEqual(v.heapOldUsedBytes!.slice(0, 3), [600_000, 601_000, 602_000]);
  assert.deepEqual(v['http:GET /a:rps']!.slice(1, 4), [101, 101, 101]);
  assert.ok(Math.abs(v['http:GET /a:meanMs']![1]! - (100 * 20) / 101) < 1e-9);
  assert.ok(Object.keys(v).some((k) => k.startsWith('pool:pg_pool_waiting_count')));

  const data = ev.data as unknown as PrometheusProbeData;
  assert.equal(data.failedScrapes, 2);
  assert.equal(data.pools[0]!.max, 2);
  assert.equal(data.http[0]!.route, '/a');
  assert.equal(data.http[0]!.serverErrors, 5); // scrape 0 → 5
  assert.equal(data.eventLoop!.p99Ms!.median, 120);
  // The app's cache counter split by its result label: scrape 0 → 5 (the last good one; the final read at stop found the server gone).
  assert.deepEqual(data.caches, [{ metric: 'bistro_cache_requests_total', labels: { cache: 'menu' }, hits: 10, misses: 5 }]);
});

test('prometheus probe reads the counters once more at stop, so totals cover the load after the last sample', async () => {
  const { server, url } = await metricsServer();
  const probe = createPrometheusProbe({ url, timeoutMs: 500 });
  await probe.start({ runStartedAt: Date.now(), offsetMs: () => 1500, signal: new AbortController().signal });
  await probe.sample(1000); // scrape 1
  const ev = await probe.stop(); // scrape 2, not a sample
  await new Promise<void>((r) => server.close(() => r()));
  const data = ev.data as unknown as PrometheusProbeData;
  assert.equal(ev.series.t.length, 2, 'the final read adds no series row');
  assert.deepEqual(data.caches, [{ metric: 'bistro_cache_requests_total', labels: { cache: 'menu' }, hits: 4, misses: 2 }]);
  assert.equal(data.http[0]!.requests, 202);
});

test('prometheus probe start fails with a TuneupError and a hint when nothing listens', async () => {
  const probe = createPrometheusProbe({ url: 'http://127.0.0.1:1/metrics', timeoutMs: 300 });
  await assert.rejects(
    probe.start({ runStartedAt: Date.now(), offsetMs: () => 0, signal: new AbortController().signal }),
    (err: { code?: string; hint?: string }) => err.code === 'TUNEUP_PROBE_PROMETHEUS_UNREACHABLE' && typeof err.hint === 'string',
  );
});

test('a rate spans the time since the last reading even when t = 0 moves to the load start after priming', async () => {
  // The probe primes at start (offset 0, before the load); the load then starts 1 s later, which moves t = 0,
  // so the first sample's offset is 1000 although 2 s passed since the priming scrape. Counters advance 0.5 s
  // of CPU per scrape: 0.5 s over 2 s is 25 % — over the offsets' 1 s it read 50 %, inflated by the re-base.
  const { server, url } = await metricsServer();
  const probe = createPrometheusProbe({ url, timeoutMs: 500 });
  let mono = 0;
  let t0 = 0;
  await probe.start({ runStartedAt: Date.now(), offsetMs: () => mono - t0, monotonicMs: () => mono, signal: new AbortController().signal });
  t0 = 1000;
  mono = 2000;
  await probe.sample(mono - t0);
  mono = 3000;
  await probe.sample(mono - t0);
  await new Promise<void>((r) => server.close(() => r()));
  const ev = await probe.stop();
  assert.deepEqual(ev.series.values.cpuPercent!.slice(1), [25, 50]);
});
