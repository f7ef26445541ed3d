import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendPoint, DASHBOARD_EVENTS, endState, intervalPoint, LiveRunState, planChartData } from '../../src/dashboard/live-state.js';
import { toIntervalSeries } from '../../src/metrics/build.js';
import { emptyRow, type IntervalRow } from '../../src/metrics/snapshot.js';
import { planFromQuickOptions } from '../../src/plan/index.js';
import { reportChartData } from '../../src/report/html.js';
import { buildReportModel, seriesView } from '../../src/report/model.js';
import { plan, scenario } from '../engine/helpers.js';
import { makeResult } from '../report/fixtures/make-result.js';

function row(t: number, extra: Partial<IntervalRow> = {}): IntervalRow {
  return {
    ...emptyRow(t),
    requests: 100,
    failed: 2,
    droppedIterations: 1,
    vus: 7,
    targetRate: 100,
    response: { p50: 4, p90: 8, p95: 9, p99: 20, max: 31, mean: 5 },
    service: { p50: 3, p90: 6, p95: 7, p99: 12, max: 25, mean: 4 },
    eventLoopDelayP99: 1.5,
    cpuPercent: 40,
    responseHistogram: 'ignored',
    endpoints: { 'GET /x': { requests: 100, failed: 2, serviceSumUs: 1, p50: 1, p95: 2, p99: 3, bytesReceived: 10 } as IntervalRow['endpoints'][string] },
    ...extra,
  };
}

describe('planChartData', () => {
  test('an open plan: response time first, the target rate as load, the planned length as x axis, no points yet', () => {
    const data = planChartData(planFromQuickOptions({ url: 'http://127.0.0.1:9/x', connections: 5, duration: '30s', rate: 50 }), 30_000);
    assert.equal(data.durationS, 30);
    assert.equal(data.primaryView, 'response');
    assert.equal(data.loadKind, 'rate');
    assert.deepEqual(data.series.t, []);
    assert.deepEqual(data.series.response.p95, []);
    assert.deepEqual(data.probePanels, []);
  });

  test('a closed plan: service time first, VUs as load; SLO lines from the untagged latency thresholds', () => {
    const p = plan('http://127.0.0.1:9', [scenario('s', { executor: 'constant-vus', vus: 2, durationMs: 1000 })], {
      http_req_duration: ['p(95)<250'],
      'http_req_duration{endpoint:GET /x}': ['p(99)<900'],
      http_req_failed: ['rate<0.01'],
    });
    const data = planChartData(p, undefined);
    assert.equal(data.durationS, 0);
    assert.equal(data.primaryView, 'service');
    assert.equal(data.loadKind, 'vus');
    assert.deepEqual(data.slo, [{ view: 'service', percentile: 95, valueMs: 250, label: 'http_req_duration p(95)<250' }]);
  });
});

describe('intervalPoint and appendPoint', () => {
  test('a row becomes one point of every plotted column, per second, as the report plots it', () => {
    const point = intervalPoint(row(2000), 1000);
    const report = seriesView(toIntervalSeries([row(2000)], 1000));
    assert.deepEqual(point.series, report);
    assert.deepEqual(point.series.t, [2]);
    assert.deepEqual(point.series.rps, [100]);
    assert.deepEqual(point.series.errorsPerSecond, [2]);
    assert.deepEqual(point.series.response.p99, [20]);
    assert.deepEqual(point.probePanels.map((p) => [p.id, p.t, p.columns.map((c) => c.values[0])]), [['generator', [2], [1.5, 40]]]);
  });

  test('a coarsened 2 s row counts per second', () => {
    assert.deepEqual(intervalPoint(row(7200_000), 2000).series.rps, [50]);
  });

  test('appending points grows every column and the generator panel; the result equals the report series of all rows', () => {
    const data = planChartData(planFromQuickOptions({ url: 'http://127.0.0.1:9/x', connections: 5, duration: '3s', rate: 100 }), 3000);
    const rows = [row(0), row(1000, { requests: 90, response: { p50: 5, p90: 9, p95: 10, p99: 50, max: 60, mean: 6 } }), row(2000, { requests: 0, response: { p50: null, p90: null, p95: null, p99: null, max: null, mean: null } })];
    for (const r of rows) appendPoint(data, intervalPoint(r, 1000));
    const all = seriesView(toIntervalSeries(rows, 1000));
    assert.deepEqual(data.series, all);
    assert.equal(data.probePanels.length, 1);
    assert.deepEqual(data.probePanels[0]!.t, [0, 1, 2]);
    assert.deepEqual(data.probePanels[0]!.columns[1]!.values, [40, 40, 40]);
  });
});

describe('LiveRunState', () => {
  const initial = () => planChartData(planFromQuickOptions({ url: 'http://127.0.0.1:9/x', connections: 5, duration: '3s', rate: 100 }), 3000);

  test('turns intervals, totals and the end into events; a late page catches up with one snapshot', () => {
    const first = initial();
    const state = new LiveRunState(first);
    const msg = state.interval(row(0), 1000);
    assert.equal(msg.event, DASHBOARD_EVENTS.interval);
    assert.deepEqual(JSON.parse(msg.data).series.t, [0]);
    state.interval(row(1000), 1000);
    assert.deepEqual(first.series.t, [], 'the initial data is copied, not grown');

    let catchUp = state.catchUp();
    assert.deepEqual(catchUp.map((m) => m.event), ['snapshot']);
    assert.deepEqual(JSON.parse(catchUp[0]!.data).series.t, [0, 1]);

    const live = { elapsedMs: 2000, requests: 200, failed: 4, rps: 100, p95ServiceMs: 7, p95ResponseMs: 9, iterations: 200, droppedIterations: 2, vus: 7 };
    assert.equal(state.progress(live).event, 'progress');
    assert.equal(state.ended, false);
    const model = buildReportModel(makeResult({ durationS: 30, probes: false }));
    const end = state.end(endState(model, '/report.html'));
    assert.equal(end.event, 'end');
    assert.equal(state.ended, true);
    catchUp = state.catchUp();
    assert.deepEqual(catchUp.map((m) => m.event), ['snapshot', 'progress', 'end']);
    assert.deepEqual(JSON.parse(catchUp[1]!.data), live);
  });

  test('the end state carries the verdict, the totals of the primary view and the report chart data', () => {
    const model = buildReportModel(makeResult({ durationS: 30 }));
    const end = endState(model, '/report.html');
    assert.equal(end.outcome, model.verdict.outcome);
    assert.equal(end.detail, model.verdict.detail);
    assert.equal(end.totals.requests, model.throughput.requests);
    assert.equal(end.totals.p95Ms, model.run.model === 'closed' ? model.latency.service.p95 : model.latency.response.p95);
    assert.deepEqual(end.chartData, reportChartData(model));
    assert.equal(end.report, '/report.html');
  });
});
