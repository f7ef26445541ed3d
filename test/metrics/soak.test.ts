import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRecorder } from '../../src/metrics/recorder.js';
import type { EndpointHandle } from '../../src/metrics/recorder-types.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

test('2 million samples: snapshot structure and heap do not grow with the sample count', () => {
  const rec = createRecorder({ runStartMs: 0 });
  const handles: EndpointHandle[] = [];
  for (let e = 0; e < 20; e++) handles.push(rec.endpoint('soak', 'GET', `GET /api/e${e}/:id`));
  let seed = 12345;
  let nowMs = 0;
  /** Record `count` samples spread evenly over the next `intervals` seconds. */
  const phase = (count: number, intervals: number) => {
    const perInterval = count / intervals;
    for (let i = 0; i < count; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      // Log-uniform 0.2 ms … 150 ms, the usual shape of latencies.
      const us = Math.round(200 * Math.exp(((seed >>> 8) % 65_536) * (6.6 / 65_536)));
      const failed = seed % 97 === 0;
      handles[seed % 20].record(failed ? 503 : 200, failed ? 'http' : undefined, us, us + (seed % 1000), us >> 1, seed % 512 === 0 ? 300 : 0, 800, 90);
      if ((i + 1) % perInterval === 0) rec.tick((nowMs += 1000));
    }
  };

  // First million: fills the histogram buckets the value range can reach
  // (HDR size grows with distinct buckets, up to a fixed bound, never with counts).
  phase(1_000_000, 10);
  const series = rec.seriesCount();
  const small = rec.snapshot();
  const heapSmall = heapAfterGc();

  phase(1_000_000, 2); // second million: 5× the samples per interval
  const large = rec.snapshot();
  const heapLarge = heapAfterGc();

  assert.equal(rec.live().requests, 2_000_000);
  assert.equal(rec.seriesCount(), series, 'no new series from more samples');
  assert.equal(large.intervals.length, 12);

  const metricsBytes = (s: typeof small) => JSON.stringify(s.metrics).length;
  const rowBytes = (s: typeof small, i: number) => JSON.stringify(s.intervals[i]).length;
  // Twice the samples: the run-long histograms grow only by buckets filled
  // for the first time (bounded by the value range), not with the count; raw samples would double.
  assert.ok(metricsBytes(large) < 1.2 * metricsBytes(small), `metrics ${metricsBytes(small)} → ${metricsBytes(large)} bytes`);
  // An interval with 5× the samples is far from 5× the bytes (per-endpoint
  // interval histograms are still filling buckets at these counts).
  assert.ok(rowBytes(large, 11) < 2.5 * rowBytes(large, 5), `row of 500k samples ${rowBytes(large, 11)} vs row of 100k ${rowBytes(large, 5)} bytes`);
  // 1M raw samples would take at least 8 MB as doubles; two more interval rows take a few hundred KB.
  const grown = heapLarge - heapSmall;
  assert.ok(grown < 4 * 2 ** 20, `heap grew ${(grown / 2 ** 20).toFixed(1)} MiB over 1M samples`);
});

test('the hot path allocates nothing: a million records trigger no garbage collection', async () => {
  const { PerformanceObserver } = await import('node:perf_hooks');
  const rec = createRecorder({ runStartMs: 0 });
  const ok = rec.endpoint('s', 'GET', 'GET /a');
  const other = rec.endpoint('s', 'POST', 'POST /b');
  const record = (n: number) => {
    for (let i = 0; i < n; i++) {
      // Whole µs: a fractional number passed to any non-inlined function is
      // boxed by the *caller* (V8's calling convention), which is not the
      // recorder's allocation and would hide what this test looks for.
      const us = 300 + (i % 5000) * 7;
      if (i % 10 === 0) other.record(503, 'http', us, us + 2, us >> 1, 0, 120, 60);
      else ok.record(200, undefined, us, us + 2, us >> 1, i % 1000 === 0 ? 250 : 0, 900, 60);
    }
  };
  record(300_000); // warm-up: JIT, lazily created sub-series, histogram growth
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  gc();
  await new Promise((resolve) => setTimeout(resolve, 20));
  collections = 0;
  record(1_000_000);
  await new Promise((resolve) => setTimeout(resolve, 20)); // gc entries are delivered asynchronously
  observer.disconnect();
  // 1M records allocating even 16 bytes each would fill the young generation
  // several times (a HeapNumber per record already caused 4 collections).
  assert.ok(collections <= 1, `${collections} garbage collections during 1M records`);
  assert.equal(rec.live().requests, 1_300_000);
});
