/**
 * Hot-path benchmark of the metrics recorder (NOT run by the test runner:
 * only *.test.ts files are). Run:
 *
 *   node --import tsx test/metrics/record.perf.ts
 *
 * Prints ns per `EndpointHandle.record` call for 5M records, the cost of
 * live threshold queries with 200 endpoints, and build/merge times.
 */
import { buildResultMetrics } from '../../src/metrics/build.js';
import { mergeSnapshots } from '../../src/metrics/merge.js';
import { queryMetric } from '../../src/metrics/query.js';
import { createRecorder } from '../../src/metrics/recorder.js';
import type { EndpointHandle } from '../../src/metrics/recorder-types.js';
import { prng } from './fixtures.js';

const N = 5_000_000;
const RATE = 50_000; // simulated requests per second: one tick per 100 ms of simulated time
const rnd = prng(42);
const service = new Float64Array(1 << 16);
for (let i = 0; i < service.length; i++) service[i] = Math.round(300 + Math.exp(rnd() * 10));

function run(label: string, endpoints: number, statusMix: boolean): void {
  const rec = createRecorder({ runStartMs: 0 });
  const handles: EndpointHandle[] = [];
  for (let e = 0; e < endpoints; e++) handles.push(rec.endpoint('default', 'GET', `GET /api/e${e}/:id`));
  const perTick = RATE / 10;
  // Warm-up so the JIT has compiled the path being measured.
  for (let i = 0; i < 200_000; i++) handles[i % endpoints].record(200, undefined, service[i & 65535], service[i & 65535], 100, 0, 500, 80);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let now = 0;
  for (let i = 0; i < N; i++) {
    const s = service[i & 65535];
    if (statusMix && (i & 63) === 0) handles[i % endpoints].record(503, 'http', s, s + 50, 80, 0, 20, 80);
    else handles[i % endpoints].record(200, undefined, s, s + 50, s >> 1, (i & 1023) === 0 ? 150 : 0, 500, 80);
    if (i % perTick === 0) rec.tick((now += 100));
  }
  const ns = Number(process.hrtime.bigint() - t0) / N;
  const cpu = process.cpuUsage(c0);
  const cpuNs = ((cpu.user + cpu.system) * 1000) / N;
  console.log(
    `${label}: ${ns.toFixed(0)} ns/record wall, ${cpuNs.toFixed(0)} ns/record CPU (${(1e9 / cpuNs / 1e6).toFixed(2)} M records/s per core), ` +
      `heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
}

run('1 endpoint, all 200', 1, false);
run('20 endpoints, 1/64 failures', 20, true);

// Threshold queries during the run (abortOnFail) with 200 endpoints.
{
  const rec = createRecorder({ runStartMs: 0 });
  for (let e = 0; e < 200; e++) {
    const h = rec.endpoint('default', 'GET', `GET /api/e${e}/:id`);
    for (let i = 0; i < 2_000; i++) h.record(i % 50 === 0 ? 500 : 200, i % 50 === 0 ? 'http' : undefined, service[(e * 2000 + i) & 65535], service[i & 65535], 100, 0, 500, 80);
  }
  for (let t = 1; t <= 60; t++) rec.tick(t * 1000);
  const time = (label: string, fn: () => unknown, reps = 20) => {
    fn();
    const c0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) fn();
    const cpu = process.cpuUsage(c0);
    console.log(`${label}: ${((cpu.user + cpu.system) / 1000 / reps).toFixed(2)} ms CPU`);
  };
  time('live query http_req_duration{} (200 endpoints)', () => rec.query('http_req_duration', {})!.stats!.p95);
  time('live query http_req_duration{endpoint:X}', () => rec.query('http_req_duration', { endpoint: 'GET /api/e7/:id' })!.stats!.p95);
  time('live query http_req_failed{}', () => rec.query('http_req_failed', {})!.rate);
  const snap = rec.snapshot();
  time('snapshot (200 endpoints, 60 intervals)', () => rec.snapshot(), 5);
  time('buildResultMetrics (200 endpoints, 60 intervals)', () => buildResultMetrics(snap, { durationMs: 60_000 }), 3);
  const built = buildResultMetrics(snap, { durationMs: 60_000 });
  time('queryMetric on built metrics http_req_duration{}', () => queryMetric(built.metrics, 'http_req_duration', {})!.stats!.p95);
  time('mergeSnapshots of 2 (200 endpoints, 60 intervals)', () => mergeSnapshots([snap, snap]), 3);
  time('mergeSnapshots of 2, keepEndpointHistograms: false', () => mergeSnapshots([snap, snap], { keepEndpointHistograms: false }), 3);
  console.log(`snapshot JSON: ${(JSON.stringify(snap).length / 2 ** 20).toFixed(2)} MiB`);
}

// Event-loop cost of ticking (interval close + amortized endpoint cells): CPU per tick.
for (const endpoints of [20, 200]) {
  const rec = createRecorder({ runStartMs: 0 });
  const handles = Array.from({ length: endpoints }, (_, e) => rec.endpoint('d', 'GET', `GET /e${e}`));
  const ticks: number[] = [];
  let k = 0;
  for (let t = 1; t <= 100; t++) {
    for (let i = 0; i < 2_000; i++, k++) {
      const v = service[k & 65535];
      handles[k % endpoints].record(200, undefined, v, v, v >> 1, 0, 500, 80);
    }
    const c0 = process.cpuUsage();
    rec.tick(t * 100);
    const c = process.cpuUsage(c0);
    if (t > 20) ticks.push((c.user + c.system) / 1000);
  }
  ticks.sort((a, b) => a - b);
  console.log(
    `tick every 100 ms, ${endpoints} endpoints, 20k req/s: CPU per tick median ${ticks[ticks.length >> 1].toFixed(2)} ms, ` +
      `worst ${ticks[ticks.length - 1].toFixed(2)} ms, per second ${(ticks.reduce((a, b) => a + b, 0) / 8).toFixed(1)} ms`,
  );
}
