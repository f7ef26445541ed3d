import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResultMetrics } from '../../src/metrics/build.js';
import { OTHER_ENDPOINT } from '../../src/metrics/endpoint.js';
import { queryMetric } from '../../src/metrics/query.js';
import { createRecorder } from '../../src/metrics/recorder.js';
import { feed, makeSamples } from './fixtures.js';

test('intervals are aligned on runStartMs and empty intervals are zeros, nulls and empty strings', () => {
  const start = 5_000.25; // monotonic clock value at run start, not a multiple of the interval
  const rec = createRecorder({ runStartMs: start });
  const h = rec.endpoint('s', 'GET', 'GET /a');
  rec.setLoad(4, 10);
  rec.setGeneratorHealth(1.5, 30);
  h.record(200, undefined, 2_000, 3_000, 1_500, 0, 100, 10); // interval 0
  rec.tick(start + 999);
  h.record(200, undefined, 4_000, 4_000, 3_000, 0, 100, 10); // still interval 0
  rec.tick(start + 1_000); // closes interval 0
  h.record(500, 'http', 8_000, 8_000, 7_000, 0, 50, 10); // interval 1
  rec.tick(start + 4_500); // closes 1, 2 and 3 (2 and 3 empty)
  rec.setLoad(0, 0);
  rec.tick(start + 5_000); // closes 4 (empty, vus now 0)
  const snap = rec.snapshot();
  const { series, totals } = buildResultMetrics(snap, { durationMs: 5_000 });

  assert.deepEqual(series.t, [0, 1_000, 2_000, 3_000, 4_000]);
  assert.equal(series.intervalMs, 1_000);
  assert.deepEqual(series.requests, [2, 1, 0, 0, 0]);
  assert.deepEqual(series.failed, [0, 1, 0, 0, 0]);
  assert.deepEqual(series.vus, [4, 4, 4, 4, 0]);
  assert.deepEqual(series.targetRate, [10, 10, 10, 10, 0]);
  assert.deepEqual(series.bytesReceived, [200, 50, 0, 0, 0]);
  assert.deepEqual(series.generator.eventLoopDelayP99, [1.5, 1.5, 1.5, 1.5, 1.5]);
  assert.equal(series.service.p50[2], null);
  assert.equal(series.response.p99[3], null);
  assert.equal(series.response.mean[4], null);
  assert.equal(series.responseHistograms[2], '');
  assert.ok(series.serviceHistograms[0].startsWith('HIST'), 'non-empty interval keeps an encoded histogram');
  assert.ok(Math.abs(series.service.max[1]! - 8) / 8 <= 0.001, `max ${series.service.max[1]}`);
  assert.ok(Math.abs(series.service.p50[0]! - 2) < 0.01, `p50 ${series.service.p50[0]}`);
  const ep = series.endpoints['GET /a'];
  assert.deepEqual(ep.requests, [2, 1, 0, 0, 0]);
  assert.deepEqual(ep.serviceSumMs, [6, 8, 0, 0, 0]);
  assert.deepEqual(ep.p95.slice(2), [null, null, null]);
  assert.equal(totals.requests, 3);
  assert.equal(totals.failed, 1);
  assert.deepEqual(totals.errors, { http: 1 });
});

test('the open interval is part of the snapshot only when something happened in it', () => {
  const rec = createRecorder({ runStartMs: 0 });
  rec.tick(2_000);
  assert.equal(rec.snapshot().intervals.length, 2);
  rec.endpoint('s', 'GET', 'GET /a').record(200, undefined, 1_000, 1_000, 500, 0, 1, 1);
  const snap = rec.snapshot();
  assert.equal(snap.intervals.length, 3);
  assert.equal(snap.intervals[2].t, 2_000);
  assert.equal(snap.intervals[2].requests, 1);
  // Taking a snapshot does not close or reset the open interval.
  rec.tick(3_000);
  assert.equal(rec.snapshot().intervals[2].requests, 1);
});

test('HTTP series carry scenario, endpoint, method, status, error and expected_response tags', () => {
  const rec = createRecorder({ runStartMs: 0 });
  const h = rec.endpoint('checkout', 'POST', 'POST /api/orders', { tier: 'gold', endpoint: 'ignored' });
  h.record(201, undefined, 1_000, 1_000, 800, 300, 10, 20);
  h.record(0, 'timeout', 60_000_000, 60_000_000, 0, 0, 0, 20);
  const { metrics } = buildResultMetrics(rec.snapshot(), { durationMs: 1_000 });
  const reqs = metrics.filter((m) => m.name === 'http_reqs');
  assert.equal(reqs.length, 2);
  const ok = reqs.find((m) => m.tags.status === '201')!;
  assert.deepEqual(ok.tags, {
    tier: 'gold',
    scenario: 'checkout',
    endpoint: 'POST /api/orders',
    method: 'POST',
    status: '201',
    expected_response: 'true',
  });
  const failed = reqs.find((m) => m.tags.status === '0')!;
  assert.equal(failed.tags.error, 'timeout');
  assert.equal(failed.tags.expected_response, 'false');
  // k6 semantics: http_req_failed counts failures as its true ("passes") samples.
  assert.deepEqual(queryMetric(metrics, 'http_req_failed', {}), { type: 'rate', series: 2, passes: 1, fails: 1, rate: 0.5 });
  const timeout = queryMetric(metrics, 'http_req_duration', { error: 'timeout' })!;
  assert.ok(Math.abs(timeout.stats!.max - 60_000) / 60_000 < 0.001, `timeout recorded at its value: ${timeout.stats!.max}`);
  const connecting = queryMetric(metrics, 'http_req_connecting', {})!;
  assert.equal(connecting.stats!.min, 0, 'a reused connection counts as 0, not 1 µs');
  assert.equal(connecting.stats!.count, 2);
});

test('the endpoint cap folds further endpoints into (other) and reports them', () => {
  const rec = createRecorder({ runStartMs: 0, maxEndpoints: 3 });
  for (let i = 0; i < 10; i++) rec.endpoint('s', 'GET', `GET /raw/${i}`).record(200, undefined, 1_000, 1_000, 1_000, 0, 1, 1);
  const first = rec.endpoint('s', 'GET', 'GET /raw/1000');
  for (let i = 1001; i < 2000; i++) assert.equal(rec.endpoint('s', 'GET', `GET /raw/${i}`), first, 'folded names share one handle');
  assert.equal(first.endpoint, OTHER_ENDPOINT);
  assert.equal(rec.endpoint('s', 'GET', 'GET /raw/0').endpoint, 'GET /raw/0', 'admitted endpoints stay');
  const snap = rec.snapshot();
  assert.equal(snap.folded.count, 7 + 1000);
  assert.equal(snap.folded.limit, 3);
  const built = buildResultMetrics(snap, { durationMs: 1_000 });
  assert.deepEqual(
    built.endpoints.map((e) => [e.endpoint, e.requests]),
    [
      [OTHER_ENDPOINT, 7],
      ['GET /raw/0', 1],
      ['GET /raw/1', 1],
      ['GET /raw/2', 1],
    ],
  );
  assert.equal(built.warnings.length, 1);
  assert.match(built.warnings[0], /capped at 3: 1007 .*\(other\).*GET \/raw\/3/);
  assert.ok(rec.seriesCount() < 60, `series stay bounded: ${rec.seriesCount()}`);
});

test('live queries agree with queries on the built result', () => {
  const rec = createRecorder({ runStartMs: 0 });
  feed([rec], makeSamples(3_000, 3_000, 3), () => 0);
  rec.setLoad(12, 0);
  rec.setGauge('queue_depth', 5, { queue: 'a' });
  rec.setGauge('queue_depth', 9, { queue: 'b' });
  rec.setGauge('queue_depth', 2, { queue: 'b' });
  rec.addCounter('orders', 2, { kind: 'x' });
  rec.addCounter('orders', 3, { kind: 'y' });
  rec.addTrend('db_ms', 12.5);
  rec.addTrend('db_ms', 0.25);
  rec.addRate('cache_hit', true);
  rec.addRate('cache_hit', false);
  rec.addRate('cache_hit', true);
  const { metrics } = buildResultMetrics(rec.snapshot(), { durationMs: 3_000 });
  const cases: [string, Record<string, string>][] = [
    ['http_req_duration', {}],
    ['http_req_duration', { endpoint: 'GET /api/products', status: '200' }],
    ['http_req_response_time', { scenario: 'buy' }],
    ['http_reqs', { expected_response: 'false' }],
    ['http_req_failed', { endpoint: 'POST /api/orders' }],
    ['checks', { check: 'status is 200' }],
    ['iteration_start_lag', {}],
    ['dropped_iterations', {}],
    ['vus', {}],
    ['queue_depth', {}],
    ['orders', {}],
    ['orders', { kind: 'y' }],
    ['db_ms', {}],
    ['cache_hit', {}],
  ];
  for (const [name, filter] of cases) {
    const live = rec.query(name, filter);
    const built = queryMetric(metrics, name, filter);
    assert.ok(live && built, `${name} matched`);
    const strip = (a: typeof live) => ({ ...a, histogram: a!.histogram?.totalCount });
    assert.deepEqual(strip(live), strip(built), `${name} ${JSON.stringify(filter)}`);
  }
  assert.equal(rec.query('http_req_duration', { endpoint: 'nope' }), null);
  assert.equal(rec.query('nope'), null);
  assert.deepEqual(queryMetric(metrics, 'queue_depth', {}), { type: 'gauge', series: 2, value: 5, min: 2, max: 9 });
  assert.equal(queryMetric(metrics, 'orders', { kind: 'y' })!.count, 3);
  assert.equal(queryMetric(metrics, 'cache_hit', {})!.rate, 2 / 3);
  const db = queryMetric(metrics, 'db_ms', {})!.stats!;
  assert.equal(db.count, 2);
  assert.equal(db.min, 0.25);
  assert.ok(Math.abs(db.max - 12.5) < 0.02);
  const vus = queryMetric(metrics, 'vus', {})!;
  assert.equal(vus.value, 12);
  assert.equal(queryMetric(metrics, 'vus_max', {})!.value, 12);
});

test('long runs coarsen so the series stays bounded and totals are kept', () => {
  const rec = createRecorder({ runStartMs: 0, maxIntervals: 8 });
  const h = rec.endpoint('s', 'GET', 'GET /a');
  let n = 0;
  for (let ms = 0; ms < 40_000; ms += 50) {
    rec.tick(ms);
    rec.setLoad(Math.floor(ms / 1000), 0);
    h.record(200, undefined, 1_000 + (ms % 1000), 1_000, 500, 0, 1, 1);
    n++;
  }
  rec.tick(40_000);
  const snap = rec.snapshot();
  assert.ok(snap.intervals.length <= 8, `rows ${snap.intervals.length}`);
  assert.equal(snap.intervalMs, 8_000);
  const { series, warnings } = buildResultMetrics(snap, { durationMs: 40_000 });
  assert.deepEqual(series.t, [0, 8_000, 16_000, 24_000, 32_000]);
  assert.equal(series.requests.reduce((a, b) => a + b, 0), n);
  assert.deepEqual(series.requests, [160, 160, 160, 160, 160]);
  assert.deepEqual(series.vus, [7, 15, 23, 31, 39], 'VUs at the end of each coarse interval');
  assert.equal(series.endpoints['GET /a'].requests.reduce((a, b) => a + b, 0), n);
  assert.ok(warnings.some((w) => /coarsened from 1000 ms to 8000 ms/.test(w)));
});

test('snapshots are plain JSON', () => {
  const rec = createRecorder({ runStartMs: 0 });
  feed([rec], makeSamples(500, 2_500, 5), () => 0);
  rec.setLoad(3, 40);
  const snap = rec.snapshot();
  assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap);
  assert.deepEqual(structuredClone(snap), snap);
});

test('live() reports totals, the last interval rate and p95 so far', () => {
  const rec = createRecorder({ runStartMs: 100 });
  assert.equal(rec.live().p95ServiceMs, null);
  const h = rec.endpoint('s', 'GET', 'GET /a');
  for (let i = 1; i <= 100; i++) h.record(i === 100 ? 503 : 200, i === 100 ? 'http' : undefined, i * 1_000, i * 2_000, 1, 0, 1, 1);
  rec.recordDroppedIteration('s');
  rec.setLoad(7, 0);
  rec.tick(1_100);
  const live = rec.live();
  assert.equal(live.requests, 100);
  assert.equal(live.failed, 1);
  assert.equal(live.rps, 100);
  assert.equal(live.elapsedMs, 1_000);
  assert.equal(live.droppedIterations, 1);
  assert.equal(live.vus, 7);
  assert.ok(Math.abs(live.p95ServiceMs! - 95) < 0.1, `p95 ${live.p95ServiceMs}`);
  assert.ok(Math.abs(live.p95ResponseMs! - 190) < 0.2, `p95 ${live.p95ResponseMs}`);
});

test('high-cardinality extra tags are capped and reported', () => {
  const rec = createRecorder({ runStartMs: 0, maxTagSets: 5 });
  for (let i = 0; i < 50; i++) {
    rec.endpoint('s', 'GET', 'GET /a', { request_id: String(i) }).record(200, undefined, 1_000, 1_000, 1, 0, 1, 1);
  }
  const series = rec.seriesCount();
  rec.endpoint('s', 'GET', 'GET /a', { request_id: 'one-more' }).record(200, undefined, 1_000, 1_000, 1, 0, 1, 1);
  assert.equal(rec.seriesCount(), series, 'no new series past the cap');
  const built = buildResultMetrics(rec.snapshot(), { durationMs: 1_000 });
  const reqs = built.metrics.filter((m) => m.name === 'http_reqs');
  assert.equal(reqs.length, 6, '5 tagged series + 1 untagged');
  assert.equal(reqs.find((m) => m.tags.request_id === undefined)!.count, 46);
  assert.equal(built.totals.requests, 51);
  assert.ok(built.warnings.some((w) => /46 handle lookup/.test(w)), built.warnings.join('\n'));
});

test('coarsening and endpoint cells keep up when the caller ticks only once per interval', () => {
  const rec = createRecorder({ runStartMs: 0, maxIntervals: 4 });
  const handles = Array.from({ length: 30 }, (_, e) => rec.endpoint('s', 'GET', `GET /e${e}`));
  for (let t = 1; t <= 64; t++) {
    for (const h of handles) h.record(200, undefined, 2_000, 2_000, 1, 0, 1, 1);
    rec.tick(t * 1_000);
    assert.ok((rec as unknown as { rows: unknown[] }).rows.length <= 6, `rows stay bounded at t=${t}`);
  }
  const snap = rec.snapshot();
  assert.equal(snap.intervalMs, 32_000);
  assert.equal(snap.intervals.reduce((n, r) => n + r.requests, 0), 64 * 30);
  for (const row of snap.intervals) {
    for (const cell of Object.values(row.endpoints)) assert.ok(cell.p95 !== null && Math.abs(cell.p95 - 2) < 0.01, 'cells finished');
  }
});
