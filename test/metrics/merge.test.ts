import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResultMetrics, type ResultMetrics } from '../../src/metrics/build.js';
import { decodeForReading } from '../../src/metrics/intervals.js';
import { summarize } from '../../src/metrics/summary.js';
import { mergeSnapshots } from '../../src/metrics/merge.js';
import { createRecorder } from '../../src/metrics/recorder.js';
import { seriesKey } from '../../src/metrics/tags.js';
import { feed, makeSamples } from './fixtures.js';

const DURATION = 10_000;

/** Histogram strings may differ in header (array size) for equal counts: compare what they decode to. */
function decodedSummary(encoded: string): string {
  const s = summarize(decodeForReading(encoded));
  return `${s.count}/${s.p50}/${s.p99}/${s.p100}/${s.mean}`;
}

function comparable(built: ResultMetrics) {
  const metrics = new Map(
    built.metrics.map((m) => {
      const { histogram, ...rest } = m;
      return [seriesKey(m.name, m.tags), { ...rest, histogram: histogram === undefined ? undefined : decodedSummary(histogram) }];
    }),
  );
  const { responseHistograms, serviceHistograms, ...series } = built.series;
  return {
    metrics,
    endpoints: built.endpoints,
    totals: built.totals,
    series,
    responseHistograms: responseHistograms.map(decodedSummary),
    serviceHistograms: serviceHistograms.map(decodedSummary),
  };
}

function run(maxIntervalsA = 7200, maxIntervalsB = 7200) {
  const samples = makeSamples(4_000, DURATION, 7);
  const one = createRecorder({ runStartMs: 0, maxIntervals: Math.min(maxIntervalsA, maxIntervalsB) });
  const a = createRecorder({ runStartMs: 0, maxIntervals: maxIntervalsA });
  const b = createRecorder({ runStartMs: 0, maxIntervals: maxIntervalsB });
  one.setLoad(7, 120);
  a.setLoad(3, 50);
  b.setLoad(4, 70);
  for (const r of [one, a, b]) r.setGeneratorHealth(2.5, 40);
  feed([one], samples, () => 0);
  feed([a, b], samples, (i) => i % 3 === 0 ? 1 : 0);
  for (const r of [one, a, b]) r.tick(DURATION);
  return { one, a, b };
}

test('merging two recorders equals one recorder fed every sample', () => {
  const { one, a, b } = run();
  const single = buildResultMetrics(one.snapshot(), { durationMs: DURATION });
  const merged = buildResultMetrics(mergeSnapshots([a.snapshot(), b.snapshot()]), { durationMs: DURATION });
  assert.equal(single.totals.requests, 4_000);
  assert.ok(single.totals.failed > 0 && single.totals.errors.timeout! > 0, 'fixture has failures');
  assert.ok(single.series.t.length === 10, `10 intervals, got ${single.series.t.length}`);
  assert.deepEqual(comparable(merged), comparable(single));
  // Per-endpoint interval percentiles are exact because cells keep their histograms.
  assert.deepEqual(merged.series.endpoints['GET /api/products'].p99, single.series.endpoints['GET /api/products'].p99);
  assert.deepEqual(merged.series.vus, new Array(10).fill(7));
  // A final merge may skip re-encoding per-endpoint interval histograms: same result.
  const lean = mergeSnapshots([a.snapshot(), b.snapshot()], { keepEndpointHistograms: false });
  assert.ok(lean.intervals.every((r) => Object.values(r.endpoints).every((c) => c.histogram === null)));
  assert.deepEqual(comparable(buildResultMetrics(lean, { durationMs: DURATION })), comparable(single));
});

test('a merged snapshot survives structuredClone and JSON and merges associatively', () => {
  const { one, a, b } = run();
  const viaJson = JSON.parse(JSON.stringify(a.snapshot()));
  const viaClone = structuredClone(b.snapshot());
  const merged = buildResultMetrics(mergeSnapshots([viaJson, viaClone]), { durationMs: DURATION });
  const nested = buildResultMetrics(mergeSnapshots([mergeSnapshots([a.snapshot()]), mergeSnapshots([b.snapshot()])]), {
    durationMs: DURATION,
  });
  const single = buildResultMetrics(one.snapshot(), { durationMs: DURATION });
  assert.deepEqual(comparable(merged), comparable(single));
  assert.deepEqual(comparable(nested), comparable(single));
});

test('parts with different interval lengths merge on the coarsest grid', () => {
  // A coarsens (max 4 rows) while B stays at 1 s; the merge brings B to A's grid.
  const { one, a, b } = run(4, 7200);
  const sa = a.snapshot();
  assert.ok(sa.intervalMs > 1000, `A coarsened, intervalMs=${sa.intervalMs}`);
  const merged = mergeSnapshots([sa, b.snapshot()]);
  assert.equal(merged.intervalMs, sa.intervalMs);
  const single = buildResultMetrics(one.snapshot(), { durationMs: DURATION });
  const built = buildResultMetrics(merged, { durationMs: DURATION });
  assert.equal(single.series.intervalMs, sa.intervalMs);
  assert.deepEqual(comparable(built), comparable(single));
});

test('mergeSnapshots rejects values that are not snapshots', () => {
  assert.throws(() => mergeSnapshots([]), { code: 'TUNEUP_METRICS_MERGE_EMPTY' });
  assert.throws(() => mergeSnapshots([{ kind: 'something-else' } as never]), { code: 'TUNEUP_METRICS_SNAPSHOT_INVALID' });
});

test('without per-endpoint interval histograms the merge falls back to request-weighted percentiles', () => {
  const a = createRecorder({ runStartMs: 0, endpointHistogramBudgetBytes: 0 });
  const b = createRecorder({ runStartMs: 0, endpointHistogramBudgetBytes: 0 });
  for (let i = 0; i < 300; i++) a.endpoint('s', 'GET', 'GET /x').record(200, undefined, 10_000, 10_000, 1, 0, 1, 1);
  for (let i = 0; i < 100; i++) b.endpoint('s', 'GET', 'GET /x').record(200, undefined, 50_000, 50_000, 1, 0, 1, 1);
  a.tick(1_000);
  b.tick(1_000);
  const sa = a.snapshot();
  assert.equal(sa.intervals[0].endpoints['GET /x'].histogram, null);
  const merged = mergeSnapshots([sa, b.snapshot()]);
  const cell = merged.intervals[0].endpoints['GET /x'];
  assert.equal(cell.requests, 400);
  assert.equal(cell.histogram, null);
  // (300 × 10 ms + 100 × 50 ms) / 400 = 20 ms, within HDR's bucket width.
  assert.ok(Math.abs(cell.p95! - 20) / 20 < 0.002, `p95 ${cell.p95}`);
  // The overall interval columns stay exact: 25 % of requests took 50 ms.
  assert.ok(Math.abs(merged.intervals[0].service.p95! - 50) / 50 < 0.002);
  assert.ok(Math.abs(merged.intervals[0].service.p50! - 10) / 10 < 0.002);
});
