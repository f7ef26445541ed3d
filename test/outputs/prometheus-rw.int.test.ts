// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
// Remote write against a real Prometheus (Debian's, with its remote-write
// receiver on): a short real run pushed with `--out experimental-prometheus-rw`,
// then what arrived read back through the HTTP API and compared with the
// run's own interval series.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runPlan } from '../../src/engine/index.js';
import { openOutputs, parseOutputSpecs } from '../../src/outputs/index.js';
import { startPrometheus, type TestPrometheus } from '../harness/prometheus.js';
import { runCli, tempDir } from '../cli/helpers.js';
import { plan, scenario, startServer, type TestServer } from '../engine/helpers.js';

interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** Run a range-vector query at `atMs` and return the matrix. */
async function matrix(prom: TestPrometheus, expr: string, atMs: number): Promise<MatrixSeries[]> {
  const url = `${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${atMs / 1000}`;
  const body = (await (await fetch(url)).json()) as { status: string; data: { resultType: string; result: MatrixSeries[] } };
  assert.equal(body.status, 'success', expr);
  return body.data.result;
}

describe('--out experimental-prometheus-rw to a real Prometheus', () => {
  let server: TestServer;
  let prom: TestPrometheus;
  before(async () => {
    [server, prom] = await Promise.all([startServer(), startPrometheus({ jobs: {}, args: ['--web.enable-remote-write-receiver'] })]);
  });
  after(async () => {
    await Promise.all([server?.close(), prom?.stop()]);
  });

  it('the series that arrive carry the documented names, labels and the interval rows’ values', async () => {
    const runId = 'rw-test-1';
    const outputs = openOutputs(parseOutputSpecs([`experimental-prometheus-rw=${prom.url}/api/v1/write`]), { runId, segment: '1/1' });
    const p = plan(server.url, [scenario('s', { executor: 'constant-arrival-rate', rate: 20, durationMs: 2000, preAllocatedVUs: 2, maxVUs: 4 }, { fixed: `${server.url}/a` })]);
    const outcome = await runPlan(p, { onInterval: (row, info) => outputs.write(row, info) });
    assert.deepEqual(await outputs.close({ status: outcome.status, endedAt: outcome.endedAt, durationMs: outcome.durationMs }), []);

    const series = outcome.metrics.series;
    const intervalMs = 1000;
    const stamps = series.t.map((t) => Math.round(outcome.startedAt + t + intervalMs));
    const at = stamps.at(-1)! + 1000;
    const sel = `{run_id="${runId}"}`;

    // Counters: cumulative, one sample per interval, stamped at the interval's end.
    const [reqs, ...more] = await matrix(prom, `tuneup_http_reqs_total${sel}[1h]`, at);
    assert.equal(more.length, 0);
    assert.deepEqual(reqs!.metric, { __name__: 'tuneup_http_reqs_total', run_id: runId, segment: '1/1' });
    let sum = 0;
    assert.deepEqual(
      reqs!.values.map(([ts, v]) => [Math.round(ts * 1000), Number(v)]),
      series.requests.map((r, i) => [stamps[i], (sum += r)]),
    );
    assert.equal(sum, outcome.metrics.totals.requests);

    // Quantile gauges: the interval's own percentile, in seconds.
    const [p95] = await matrix(prom, `tuneup_http_req_duration_seconds{run_id="${runId}",quantile="0.95"}[1h]`, at);
    const expected = series.service.p95.map((v, i) => [stamps[i], v]).filter(([, v]) => v !== null) as [number, number][];
    assert.ok(expected.length >= 2);
    assert.deepEqual(
      p95!.values.map(([ts, v]) => [Math.round(ts * 1000), Number(v)]),
      expected.map(([ts, v]) => [ts, v / 1000]),
    );

    // Per endpoint, under their own names (so sum() over a metric never counts twice).
    const [endpointReqs] = await matrix(prom, `tuneup_endpoint_http_reqs_total${sel}[1h]`, at);
    assert.equal(endpointReqs!.metric.endpoint, 'GET /');
    assert.equal(Number(endpointReqs!.values.at(-1)![1]), outcome.metrics.totals.requests);
    const [endpointP99] = await matrix(prom, `tuneup_endpoint_http_req_duration_seconds{run_id="${runId}",quantile="0.99"}[1h]`, at);
    assert.equal(endpointP99!.metric.endpoint, 'GET /');
    assert.equal(Number(endpointP99!.values[0]![1]), series.endpoints['GET /']!.p99.find((v) => v !== null)! / 1000);

    // Every documented name arrived (the last percentile-free names included).
    const names = new Set((await matrix(prom, `${sel}[1h]`, at)).map((s) => s.metric.__name__));
    for (const name of [
      'tuneup_http_reqs_total',
      'tuneup_http_req_failed_total',
      'tuneup_iterations_total',
      'tuneup_dropped_iterations_total',
      'tuneup_data_received_bytes_total',
      'tuneup_vus',
      'tuneup_target_rate',
      'tuneup_http_req_duration_seconds',
      'tuneup_http_req_duration_mean_seconds',
      'tuneup_http_req_response_time_seconds',
      'tuneup_http_req_response_time_mean_seconds',
      'tuneup_generator_event_loop_delay_p99_seconds',
      'tuneup_generator_cpu_percent',
      'tuneup_endpoint_http_reqs_total',
      'tuneup_endpoint_http_req_failed_total',
      'tuneup_endpoint_data_received_bytes_total',
      'tuneup_endpoint_http_req_duration_seconds',
      'tuneup_endpoint_http_req_duration_mean_seconds',
    ]) {
      assert.ok(names.has(name), `${name} arrived (got ${[...names].sort().join(', ')})`);
    }
    for (const [name, column] of [
      ['tuneup_vus', series.vus],
      ['tuneup_target_rate', series.targetRate],
    ] as const) {
      const [gauge] = await matrix(prom, `${name}${sel}[1h]`, at);
      assert.deepEqual(gauge!.values.map(([, v]) => Number(v)), column, name);
    }
  });

  it('`tuneup load --out experimental-prometheus-rw`: run_id is the stored run’s id', async () => {
    const run = await runCli(
      ['load', `${server.url}/b`, '-d', '1s', '-R', '10', '--quiet', '--no-report', '-o', `experimental-prometheus-rw=${prom.url}/api/v1/write`],
      tempDir(),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /warning: --out/);
    const id = run.stdout.trim();
    const [reqs] = await matrix(prom, `tuneup_http_reqs_total{run_id="${id}"}[1h]`, Date.now() + 5000);
    assert.equal(reqs?.metric.run_id, id);
    assert.ok(Number(reqs!.values.at(-1)![1]) > 0);
  });
});
