import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHistogram, encodeHistogram, recordMicros, trendStats } from '../../src/metrics/hdr.js';
import type { Tags } from '../../src/result/types.js';
import {
  collectThresholds,
  createThresholdWatcher,
  evaluateThresholds,
  type AggregatedMetricLike,
  type MetricQuery,
} from '../../src/thresholds/index.js';

/** Latencies 1..100 ms, one each. */
function trend(): AggregatedMetricLike {
  const h = createHistogram();
  for (let ms = 1; ms <= 100; ms++) recordMicros(h, ms * 1000);
  const result: AggregatedMetricLike = { type: 'trend', histogram: encodeHistogram(h), stats: trendStats(h) };
  h.destroy();
  return result;
}

/** A query over a fixed table keyed by name plus JSON of the filter. */
function table(entries: Record<string, AggregatedMetricLike>): MetricQuery {
  return (name: string, filter: Tags) => entries[`${name}${Object.keys(filter).length ? JSON.stringify(filter) : ''}`] ?? null;
}

function specs(record: Record<string, unknown>) {
  const r = collectThresholds(record);
  assert.deepEqual(r.problems, []);
  return r.specs;
}

describe('evaluateThresholds', () => {
  const query = table({
    http_req_duration: trend(),
    http_req_failed: { type: 'rate', passes: 5, fails: 95 },
    http_reqs: { type: 'counter', count: 500 },
    vus: { type: 'gauge', value: 7, min: 1, max: 9 },
    'http_req_duration{"endpoint":"GET /api/orders/:id"}': { type: 'trend', stats: { ...trendStats(createHistogram()), count: 3, p95: 400, mean: 1, min: 1, max: 2, p50: 1 } },
  });

  it('computes every aggregation', () => {
    const results = evaluateThresholds(
      specs({
        http_req_duration: ['avg<51', 'min==1', 'max>=100', 'med<=50.1', 'p(95)<96', 'p(37)>36'],
        http_req_failed: ['rate<0.06'],
        http_reqs: ['count==500', 'rate>=50'],
        vus: ['value===7'],
      }),
      query,
      { durationMs: 10_000 },
    );
    for (const r of results) assert.ok(r.passed, `${r.metric} ${r.expression} observed ${r.observed}`);
    const observed = Object.fromEntries(results.map((r) => [`${r.metric} ${r.expression}`, r.observed]));
    assert.equal(observed['http_req_failed rate<0.06'], 0.05);
    assert.equal(observed['http_reqs rate>=50'], 50);
    assert.equal(observed['vus value===7'], 7);
    assert.ok(Math.abs((observed['http_req_duration p(95)<96'] ?? 0) - 95) < 0.1);
  });

  it('fails when the comparison is false, for every operator', () => {
    const results = evaluateThresholds(
      specs({ vus: ['value>7', 'value>=8', 'value<7', 'value<=6', 'value==6', 'value===6', 'value!=7'] }),
      query,
      { durationMs: 1000 },
    );
    assert.deepEqual(results.map((r) => r.passed), [false, false, false, false, false, false, false]);
  });

  it('honours tag filters', () => {
    const [result] = evaluateThresholds(specs({ 'http_req_duration{endpoint:GET /api/orders/:id}': ['p(95)<300'] }), query, {
      durationMs: 1000,
    });
    assert.equal(result.observed, 400);
    assert.equal(result.passed, false);
    assert.equal(result.metric, 'http_req_duration{endpoint:GET /api/orders/:id}');
  });

  it('passes with observed null when no sample matched (k6 behaviour)', () => {
    const results = evaluateThresholds(
      specs({ 'http_req_duration{status:500}': ['p(95)<1'], http_req_waiting: ['avg<1'] }),
      table({ http_req_waiting: { type: 'trend', stats: trendStats(createHistogram()) } }),
      { durationMs: 1000 },
    );
    assert.deepEqual(results.map((r) => [r.observed, r.passed]), [[null, true], [null, true]]);
  });

  it('reads a live histogram without consuming it', () => {
    const live = createHistogram();
    for (let ms = 1; ms <= 100; ms++) recordMicros(live, ms * 1000);
    const query = table({ http_req_duration: { type: 'trend', histogram: live } });
    const list = specs({ http_req_duration: ['p(99)<=100', 'max<100'] });
    for (let round = 0; round < 2; round++) {
      const results = evaluateThresholds(list, query, { durationMs: 1000 });
      assert.deepEqual(results.map((r) => r.passed), [true, false]);
    }
    assert.equal(live.totalCount, 100, 'still usable after evaluation');
    live.destroy();
  });

  it('fails a custom metric whose type does not support the aggregation', () => {
    const [result] = evaluateThresholds(specs({ my_metric: ['p(95)<1'] }), table({ my_metric: { type: 'counter', count: 3 } }), {
      durationMs: 1000,
    });
    assert.equal(result.passed, false);
    assert.equal(result.observed, null);
  });
});

describe('createThresholdWatcher', () => {
  it('aborts only after delayAbortEval and only for abortOnFail thresholds', () => {
    const list = specs({
      http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '5s' }],
      http_req_duration: ['p(95)<1'],
    });
    const watcher = createThresholdWatcher(list);
    assert.equal(watcher.needed, true);
    const failing = table({ http_req_failed: { type: 'rate', passes: 1, fails: 1 }, http_req_duration: trend() });
    const early = watcher.check(4000, failing);
    assert.equal(early.abort, false, 'within delayAbortEval');
    assert.equal(early.results[0].passed, false);
    assert.equal(early.results[1].passed, false, 'non-abort threshold fails but does not abort');
    const later = watcher.check(5000, failing);
    assert.equal(later.abort, true);
    assert.deepEqual(later.results.map((r) => r.aborted), [true, false]);
    // Sticky: a recovered metric does not un-abort.
    const recovered = watcher.check(6000, table({ http_req_failed: { type: 'rate', passes: 0, fails: 10 } }));
    assert.equal(recovered.abort, true);
    const final = watcher.finalize(6000, failing);
    assert.deepEqual(final.map((r) => [r.aborted, r.abortOnFail]), [[true, true], [false, false]]);
    assert.equal(watcher.abortedBy.length, 1);
  });

  it('does not abort while the metric has no samples or passes', () => {
    const watcher = createThresholdWatcher(specs({ http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true }] }));
    assert.equal(watcher.check(1000, table({})).abort, false);
    assert.equal(watcher.check(2000, table({ http_req_failed: { type: 'rate', passes: 1, fails: 9 } })).abort, false);
    assert.equal(watcher.check(3000, table({ http_req_failed: { type: 'rate', passes: 9, fails: 1 } })).abort, true);
  });

  it('is not needed without abortOnFail', () => {
    assert.equal(createThresholdWatcher(specs({ http_reqs: ['count>1'] })).needed, false);
  });
});
