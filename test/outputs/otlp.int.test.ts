// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
// OTLP metrics over HTTP, checked by a conformance decoder: a real HTTP
// receiver on 127.0.0.1 port 0 decodes each request with the official
// opentelemetry-proto definitions (test/fixtures/otlp-proto, via protobufjs)
// and the metrics are compared with the run's interval series.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { runPlan } from '../../src/engine/index.js';
import { openOutputs, parseOutputSpecs } from '../../src/outputs/index.js';
import { plan, scenario, startServer, type TestServer } from '../engine/helpers.js';

const PROTO_DIR = fileURLToPath(new URL('../fixtures/otlp-proto/', import.meta.url));

interface DataPoint {
  attributes: { key: string; value: { stringValue?: string } }[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  asDouble: number;
}
interface Metric {
  name: string;
  unit: string;
  description: string;
  sum?: { dataPoints: DataPoint[]; aggregationTemporality: string; isMonotonic: boolean };
  gauge?: { dataPoints: DataPoint[] };
}
interface Request {
  resourceMetrics: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeMetrics: { scope: { name: string }; metrics: Metric[] }[] }[];
}

async function exportRequestType(): Promise<protobuf.Type> {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => PROTO_DIR + target;
  await root.load('opentelemetry/proto/collector/metrics/v1/metrics_service.proto');
  return root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
}

const attrs = (p: DataPoint): Record<string, string> => Object.fromEntries(p.attributes.map((a) => [a.key, a.value.stringValue ?? '']));
const ms = (nanos: string): number => Number(BigInt(nanos) / 1_000_000n);

describe('--out opentelemetry to an OTLP/HTTP receiver', () => {
  let target: TestServer;
  let receiverUrl: string;
  let closeReceiver: () => Promise<void>;
  const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  before(async () => {
    target = await startServer();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        // An empty ExportMetricsServiceResponse: full success.
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
    closeReceiver = () => new Promise((resolve) => server.close(() => resolve()));
  });
  after(async () => {
    await Promise.all([target?.close(), closeReceiver?.()]);
  });

  it('one ExportMetricsServiceRequest per interval: cumulative Sums and interval Gauges with the run’s values', async () => {
    const outputs = openOutputs(parseOutputSpecs([`opentelemetry=${receiverUrl}`]), { runId: 'otlp-test-1', segment: '1/1' });
    const p = plan(target.url, [scenario('s', { executor: 'constant-arrival-rate', rate: 20, durationMs: 2000, preAllocatedVUs: 2, maxVUs: 4 }, { fixed: `${target.url}/a` })]);
    const outcome = await runPlan(p, { onInterval: (row, info) => outputs.write(row, info) });
    assert.deepEqual(await outputs.close({ status: outcome.status, endedAt: outcome.endedAt, durationMs: outcome.durationMs }), []);

    const series = outcome.metrics.series;
    assert.equal(received.length, series.t.length, 'one request per interval');
    assert.equal(received[0]!.headers['content-type'], 'application/x-protobuf');
    const type = await exportRequestType();
    const requests = received.map((r) => type.toObject(type.decode(r.body), { longs: String, enums: String, defaults: true }) as Request);

    let sum = 0;
    requests.forEach((request, i) => {
      const [resource, ...others] = request.resourceMetrics;
      assert.equal(others.length, 0);
      assert.deepEqual(resource!.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue, 'tuneup');
      const scope = resource!.scopeMetrics[0]!;
      assert.equal(scope.scope.name, 'tuneup');
      const metric = (name: string): Metric => scope.metrics.find((m) => m.name === name) ?? assert.fail(`${name} in interval ${i}`);
      const end = Math.floor(outcome.startedAt + series.t[i]! + 1000);

      const reqs = metric('tuneup_http_reqs');
      assert.equal(reqs.sum!.isMonotonic, true);
      assert.equal(reqs.sum!.aggregationTemporality, 'AGGREGATION_TEMPORALITY_CUMULATIVE');
      const [point] = reqs.sum!.dataPoints;
      assert.equal(point!.asDouble, (sum += series.requests[i]!));
      assert.deepEqual(attrs(point!), { run_id: 'otlp-test-1', segment: '1/1' });
      assert.equal(ms(point!.startTimeUnixNano), Math.floor(outcome.startedAt), 'a cumulative sum starts at the run start');
      assert.equal(ms(point!.timeUnixNano), end);

      const p95 = metric('tuneup_http_req_duration_seconds').gauge!.dataPoints.find((d) => attrs(d).quantile === '0.95');
      assert.equal(p95?.asDouble, series.service.p95[i]! / 1000);
      assert.equal(metric('tuneup_http_req_duration_seconds').unit, 's');
      assert.equal(metric('tuneup_vus').gauge!.dataPoints[0]!.asDouble, series.vus[i]);
      const endpoint = metric('tuneup_endpoint_http_reqs').sum!.dataPoints[0]!;
      assert.equal(attrs(endpoint).endpoint, 'GET /');
      assert.equal(endpoint.asDouble, sum);
    });
    assert.equal(sum, outcome.metrics.totals.requests);
  });
});
