import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReportModel, sloLines } from '../../src/report/model.js';
import { bucketSize, downsampleColumn, downsampleX, roundSignificant } from '../../src/report/downsample.js';
import type { RunResult } from '../../src/result/types.js';
import { makeResult } from './fixtures/make-result.js';

describe('downsampling', () => {
  test('keeps short series as they are and caps long ones', () => {
    assert.equal(bucketSize(1500), 1);
    assert.equal(bucketSize(1501), 2);
    assert.equal(bucketSize(3600), 3);
    assert.deepEqual(downsampleX([0, 1, 2, 3, 4], 2), [0, 2, 4]);
  });

  test('each aggregation keeps what matters and nulls stay gaps', () => {
    const v = [1, 9, null, 3, null, null, 5];
    assert.deepEqual(downsampleColumn(v, 2, 'max'), [9, 3, null, 5]);
    assert.deepEqual(downsampleColumn(v, 2, 'min'), [1, 3, null, 5]);
    assert.deepEqual(downsampleColumn(v, 2, 'mean'), [5, 3, null, 5]);
    assert.deepEqual(downsampleColumn(v, 2, 'sum'), [10, 3, null, 5]);
    assert.deepEqual(downsampleColumn([1, Number.NaN], 1, 'max'), [1, null]);
  });

  test('a 1 s spike survives max bucketing', () => {
    const v = Array.from({ length: 3600 }, (_, i) => (i === 1234 ? 5000 : 10));
    const out = downsampleColumn(v, bucketSize(v.length), 'max');
    assert.ok(out.length <= 1500);
    assert.equal(Math.max(...(out as number[])), 5000);
  });

  test('rounds to significant digits', () => {
    assert.equal(roundSignificant(123.456789), 123.5);
    assert.equal(roundSignificant(0.00123456), 0.001235);
    assert.equal(roundSignificant(null), null);
    assert.equal(roundSignificant(0), 0);
  });
});

describe('buildReportModel', () => {
  const result = makeResult();

  test('verdict: failed threshold, headline, top findings of severity low or higher', () => {
    const model = buildReportModel(result);
    assert.equal(model.verdict.outcome, 'failed');
    assert.equal(model.verdict.failedThresholds, 1);
    assert.equal(model.verdict.headline, 'FAILED: 1 of 4 thresholds failed');
    assert.equal(model.verdict.detail, '1 of 4 thresholds failed');
    assert.equal(model.verdict.topFindings.length, 3);
    assert.deepEqual(
      model.verdict.topFindings.map((f) => f.severity),
      ['high', 'medium', 'low'],
    );
    for (const f of model.verdict.topFindings) assert.match(f.sentence, /^[^\n]+\.$/);
    assert.match(model.verdict.topFindings[0].sentence, /\(GET \/api\/orders\/:id\): create an index/);
    assert.equal(model.verdict.thresholds.find((t) => t.metric === 'http_req_failed')?.unit, 'rate');
    assert.equal(model.verdict.thresholds.find((t) => t.metric === 'http_req_duration')?.unit, 'ms');
  });

  test('verdict: passed, incomplete, aborted', () => {
    const passing = makeResult({ failThreshold: false, findings: false, durationS: 20 });
    assert.equal(buildReportModel(passing).verdict.outcome, 'passed');
    assert.match(buildReportModel(passing).verdict.headline, /^PASSED: all 4 thresholds passed$/);
    const interrupted: RunResult = { ...passing, status: 'interrupted', statusReason: 'interrupted by the user' };
    assert.equal(buildReportModel(interrupted).verdict.outcome, 'incomplete');
    const aborted: RunResult = { ...passing, status: 'aborted-by-threshold' };
    assert.equal(buildReportModel(aborted).verdict.outcome, 'failed');
    const none: RunResult = { ...passing, thresholds: [] };
    assert.equal(buildReportModel(none).verdict.headline, 'PASSED: no thresholds defined');
  });

  test('a finding headline keeps only the first sentence of the fix', () => {
    const r = makeResult({ durationS: 10, probes: false });
    r.findings![0].recommendation.text = 'Take two heap snapshots (`node --heapsnapshot-signal=SIGUSR2`) and compare them. Bound in-process caches.';
    const top = buildReportModel(r).verdict.topFindings[0];
    assert.equal(top.fix, 'take two heap snapshots (`node --heapsnapshot-signal=SIGUSR2`) and compare them');
    assert.equal(top.title, 'Sequential scans on orders: missing index on customer_id (GET /api/orders/:id)');
    assert.equal(top.sentence, `${top.title}: ${top.fix}.`);
  });

  test('generator saturation and its evidence reach the verdict', () => {
    const model = buildReportModel(makeResult({ saturated: true, durationS: 20, probes: false }));
    assert.equal(model.verdict.generatorSaturated, true);
    assert.equal(model.verdict.generatorEvidence.length, 2);
  });

  test('endpoints sorted by requests, with deltas against a baseline', () => {
    const baseline = makeResult({ seed: 2, latencyScale: 2, failThreshold: false });
    const model = buildReportModel(result, baseline);
    const requests = model.endpoints.map((e) => e.requests);
    assert.deepEqual(requests, [...requests].sort((a, b) => b - a));
    const row = model.endpoints[0];
    assert.ok(row.delta);
    const expected = (row.response.p95 - row.delta.baselineP95) / row.delta.baselineP95;
    assert.ok(Math.abs((row.delta.p95Change ?? 0) - expected) < 1e-12);
    assert.ok((row.delta.p95Change ?? 0) < 0, 'baseline was twice as slow, so p95 improved');
    assert.equal(model.baseline?.id, baseline.id);
    assert.ok(model.series.baseline);
    assert.equal(model.series.baseline.response.p95.length, model.series.t.length);
  });

  test('endpoints missing from either side', () => {
    const baseline = makeResult({ seed: 2, endpoints: 8, durationS: 20, probes: false });
    const current = makeResult({ endpoints: 6, durationS: 20, probes: false });
    const model = buildReportModel(current, baseline);
    assert.deepEqual(model.baseline?.missingEndpoints, ['GET /api/resource6/:id', 'GET /api/resource7/:id']);
    const fewer = buildReportModel(makeResult({ endpoints: 8, durationS: 20, probes: false }), makeResult({ seed: 2, endpoints: 6, durationS: 20, probes: false }));
    assert.equal(fewer.endpoints.filter((e) => !e.delta).length, 2);
  });

  test('SLO lines come from untagged p(N) latency thresholds only', () => {
    const lines = sloLines([
      { metric: 'http_req_duration', expression: 'p(95) < 200', observed: 1, passed: true, abortOnFail: false, aborted: false },
      { metric: 'http_req_response_time', expression: 'p(99)<=500', observed: 1, passed: true, abortOnFail: false, aborted: false },
      { metric: 'http_req_duration{endpoint:GET /x}', expression: 'p(95)<100', observed: 1, passed: true, abortOnFail: false, aborted: false },
      { metric: 'http_req_duration', expression: 'avg<100', observed: 1, passed: true, abortOnFail: false, aborted: false },
      { metric: 'http_req_failed', expression: 'rate<0.01', observed: 0, passed: true, abortOnFail: false, aborted: false },
    ]);
    assert.deepEqual(
      lines.map((l) => [l.view, l.percentile, l.valueMs]),
      [
        ['service', 95, 200],
        ['response', 99, 500],
      ],
    );
  });

  test('probe panels grouped by well-known columns; missing probes omit their panels', () => {
    const model = buildReportModel(result);
    const ids = model.probePanels.map((p) => p.id);
    for (const id of ['database-time-ms-s', 'cache-hit-ratio-ratio', 'connections-connections', 'event-loop-delay-ms', 'cpu-pct', 'generator']) {
      assert.ok(ids.includes(id), `missing panel ${id} in ${ids.join(', ')}`);
    }
    const cache = model.probePanels.find((p) => p.id === 'cache-hit-ratio-ratio');
    assert.deepEqual(cache?.columns.map((c) => c.name), ['postgres.pg.cache_hit_ratio', 'redis.redis.hit_ratio']);
    // A failed sample stays a gap.
    assert.equal(cache?.columns[0].values[5], null);
    // Columns without a dotted prefix carry the probe name in their label.
    assert.ok(model.probePanels.find((p) => p.id === 'cpu-pct')?.columns.some((c) => c.label === 'process.cpuPercent'));
    for (const p of model.probePanels) for (const c of p.columns) assert.equal(c.values.length, p.t.length);

    const bare = buildReportModel(makeResult({ probes: false, durationS: 20 }));
    assert.deepEqual(bare.probePanels.map((p) => p.id), ['generator']);
    assert.deepEqual(bare.probes, []);
  });

  test('a 1 h x 200 endpoint run is downsampled to at most 1500 points per series', () => {
    const big = makeResult({ durationS: 3600, endpoints: 200, intervalHistograms: false });
    const model = buildReportModel(big);
    assert.equal(model.series.bucket, 3);
    assert.equal(model.series.t.length, 1200);
    assert.ok(model.series.response.p99.length <= 1500);
    for (const p of model.probePanels) assert.ok(p.t.length <= 1500, p.id);
    assert.equal(model.endpoints.length, 200);
    // Bucket maxima: the spike's peak is still there.
    const rawMax = Math.max(...(big.series.response.p99.filter((v) => v !== null) as number[]));
    const plotted = Math.max(...(model.series.response.p99.filter((v) => v !== null) as number[]));
    assert.ok(Math.abs(plotted - rawMax) / rawMax < 0.001);
  });
});
