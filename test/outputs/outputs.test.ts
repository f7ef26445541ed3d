import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import snappy from 'snappyjs';
import {
  createPointConverter,
  CSV_HEADER,
  csvField,
  DEFAULT_PUSH_URLS,
  intervalCsv,
  intervalLine,
  parseOutputSpecs,
  type MetricPoint,
  type PushOutputSpec,
  type RemoteSeries,
} from '../../src/outputs/index.js';
import { encodeWriteRequest, remoteWriteSeries, WriteRequest } from '../../src/outputs/prometheus-rw.js';
import { ParallelRowJoiner } from '../../src/engine/row-stream.js';
import { createCompactHistogram } from '../../src/metrics/hdr.js';
import { encodeFast } from '../../src/metrics/encode.js';
import { percentilesOf } from '../../src/metrics/intervals.js';
import { emptyRow, type IntervalRow } from '../../src/metrics/snapshot.js';
import { TuneupError } from '../../src/errors.js';

/** A row with `latenciesUs` recorded as its service and response histograms. */
function row(t: number, latenciesUs: number[], endpoint = 'GET /a'): IntervalRow {
  const h = createCompactHistogram();
  for (const v of latenciesUs) h.recordValue(v);
  const r = emptyRow(t);
  r.requests = latenciesUs.length;
  r.failed = 1;
  r.iterations = latenciesUs.length;
  r.vus = 2;
  r.bytesReceived = 100 * latenciesUs.length;
  r.responseHistogram = r.serviceHistogram = encodeFast(h);
  r.response = r.service = percentilesOf(h);
  const sum = latenciesUs.reduce((a, b) => a + b, 0);
  r.endpoints[endpoint] = { requests: latenciesUs.length, failed: 1, serviceSumUs: sum, bytesReceived: r.bytesReceived, p50: r.service.p50, p95: r.service.p95, p99: r.service.p99, histogram: encodeFast(h) };
  h.destroy();
  return r;
}

function invalid(values: string[]): TuneupError {
  try {
    parseOutputSpecs(values, '/tmp');
  } catch (error) {
    assert.ok(error instanceof TuneupError);
    assert.equal(error.code, 'TUNEUP_OUTPUT_INVALID');
    assert.ok(error.hint && error.hint.length > 0);
    return error;
  }
  assert.fail(`expected ${values.join(' ')} to be refused`);
}

describe('--out parsing', () => {
  it('accepts json= and csv=, resolved against the working directory', () => {
    assert.deepEqual(parseOutputSpecs(['json=out/m.jsonl', 'csv=/abs/m.csv'], '/work'), [
      { kind: 'json', path: '/work/out/m.jsonl', raw: 'json=out/m.jsonl' },
      { kind: 'csv', path: '/abs/m.csv', raw: 'csv=/abs/m.csv' },
    ]);
    assert.deepEqual(parseOutputSpecs(undefined), []);
  });

  it('refuses an unknown kind, a missing file and the same file twice, with a hint', () => {
    assert.match(invalid(['influxdb=http://x']).hint!, /json=FILE.*csv=FILE.*experimental-prometheus-rw=URL.*opentelemetry=URL/);
    assert.match(invalid(['prometheus-rw=localhost:9090']).message, /not an http\(s\) URL/);
    assert.match(invalid(['constructor=x']).message, /unknown output "constructor"/);
    assert.doesNotMatch(invalid(['opentelemetry=ftp://u:hunter2@h/x']).message, /hunter2/);
    assert.match(invalid(['json']).message, /no file given/);
    assert.match(invalid(['csv=']).hint!, /csv=metrics\.csv/);
    assert.match(invalid(['json=a.out', 'csv=./a.out']).message, /already the file of --out json=a\.out/);
  });
});

describe('--out push outputs', () => {
  it('accepts k6 names and short aliases, with a URL or the default one; secrets stay out of raw', () => {
    assert.deepEqual(parseOutputSpecs(['experimental-prometheus-rw', 'otlp=http://127.0.0.1:4318/v1/metrics']), [
      { kind: 'prometheus-rw', url: DEFAULT_PUSH_URLS['prometheus-rw'], raw: 'experimental-prometheus-rw' },
      { kind: 'opentelemetry', url: 'http://127.0.0.1:4318/v1/metrics', raw: 'otlp=http://127.0.0.1:4318/v1/metrics' },
    ]);
    const [spec] = parseOutputSpecs(['prometheus-rw=https://u:hunter2@example.test/api/v1/write']);
    assert.equal(spec!.kind, 'prometheus-rw');
    assert.equal((spec as PushOutputSpec).url, 'https://u:hunter2@example.test/api/v1/write');
    assert.doesNotMatch(spec!.raw, /hunter2/);
    assert.equal(parseOutputSpecs(['opentelemetry'])[0]!.kind, 'opentelemetry');
    assert.equal(parseOutputSpecs(['experimental-opentelemetry=http://h:4318/v1/metrics'])[0]!.kind, 'opentelemetry');
  });
});

describe('pushed metric points', () => {
  const ctx = { intervalMs: 1000, startedAt: 1_000_000, segment: '1/1' };
  const value = (points: MetricPoint[], name: string, labels: Record<string, string> = {}): number | undefined =>
    points.find((p) => p.name === name && JSON.stringify(p.labels) === JSON.stringify(labels))?.value;

  it('counters add up across intervals, gauges are the interval’s, empty percentiles send nothing, quiet endpoints keep their counters', () => {
    const convert = createPointConverter();
    const first = convert(row(0, [1000, 3000]), ctx);
    assert.equal(first.startMs, 1_000_000);
    assert.equal(first.endMs, 1_001_000);
    assert.equal(value(first.points, 'tuneup_http_reqs'), 2);
    assert.equal(value(first.points, 'tuneup_http_req_duration_seconds', { quantile: '0.95' }), row(0, [1000, 3000]).service.p95! / 1000);
    assert.equal(value(first.points, 'tuneup_endpoint_http_req_duration_mean_seconds', { endpoint: 'GET /a' }), 0.002);
    const second = convert(emptyRow(1000), ctx);
    assert.equal(value(second.points, 'tuneup_http_reqs'), 2, 'cumulative');
    assert.equal(value(second.points, 'tuneup_vus'), 0);
    assert.equal(second.points.filter((p) => p.name.endsWith('duration_seconds')).length, 0);
    assert.equal(value(second.points, 'tuneup_endpoint_http_reqs', { endpoint: 'GET /a' }), 2, 'a quiet endpoint keeps its counter');
    assert.equal(value(second.points, 'tuneup_endpoint_http_req_failed', { endpoint: 'GET /a' }), 1);
  });

  it('a remote-write body is a snappy block of a WriteRequest with sorted labels, counters named _total', () => {
    const interval = createPointConverter()(row(0, [2000]), ctx);
    const series = remoteWriteSeries(interval, { run_id: 'r', segment: '1/1' });
    const decoded = WriteRequest.toObject(WriteRequest.decode(snappy.uncompress(encodeWriteRequest(series))), { longs: Number, defaults: true }) as { timeseries: RemoteSeries[] };
    assert.deepEqual(decoded.timeseries, series);
    const reqs = series.find((s) => s.labels[0]!.value === 'tuneup_endpoint_http_reqs_total')!;
    assert.deepEqual(reqs.labels.map((l) => l.name), ['__name__', 'endpoint', 'run_id', 'segment']);
    assert.deepEqual(reqs.samples, [{ value: 1, timestamp: 1_001_000 }]);
  });
});

describe('interval formats', () => {
  const ctx = { intervalMs: 1000, startedAt: Date.UTC(2026, 0, 2, 3, 4, 5), segment: '2/4' };

  it('a JSON line carries the stored series values under their names', () => {
    const r = row(2000, [1000, 2000, 3000, 40_000]);
    const line = JSON.parse(intervalLine(r, ctx)) as Record<string, any>;
    assert.equal(line.type, 'Interval');
    assert.equal(line.time, '2026-01-02T03:04:07.000Z');
    assert.equal(line.t, 2000);
    assert.equal(line.segment, '2/4');
    assert.equal(line.requests, 4);
    assert.equal(line.rps, 4);
    assert.deepEqual(line.service, r.service);
    assert.deepEqual(line.response, r.response);
    assert.equal(line.endpoints['GET /a'].serviceMeanMs, 11.5);
    assert.equal(line.endpoints['GET /a'].p95, r.service.p95);
    assert.equal(line.endpoints['GET /a'].histogram, undefined, 'histograms stay in the stored result');
  });

  it('CSV rows are k6-style long rows; empty percentiles write nothing; endpoints are quoted when needed', () => {
    const r = row(0, [5000], 'GET /x,y');
    const lines = intervalCsv(r, ctx).trimEnd().split('\n');
    assert.equal(CSV_HEADER, 'metric_name,timestamp,t_ms,interval_ms,metric_value,endpoint');
    assert.ok(lines.includes('http_reqs,1767323045.000,0,1000,1,'));
    assert.ok(lines.some((l) => /^http_req_duration_p95,1767323045\.000,0,1000,5\.\d+,$/.test(l)), lines.join('\n'));
    assert.ok(lines.includes('http_reqs,1767323045.000,0,1000,1,"GET /x,y"'));
    for (const l of lines) assert.equal(l.split(',').length - (l.includes('"') ? 1 : 0), 6, l);
    const empty = intervalCsv(emptyRow(1000), ctx);
    assert.doesNotMatch(empty, /_p50/);
    assert.match(empty, /^http_reqs,1767323046\.000,1000,1000,0,$/m);
    assert.equal(csvField('a"b'), '"a""b"');
  });
});

describe('joining rows streamed by several threads', () => {
  it('hands out a t once every thread closed it, combined exactly, and nothing once a thread finished', () => {
    const joiner = new ParallelRowJoiner(2);
    joiner.add(0, [{ row: row(0, [1000, 2000]), intervalMs: 1000 }, { row: row(1000, [3000]), intervalMs: 1000 }]);
    assert.deepEqual(joiner.take(), []);
    joiner.add(1, [{ row: row(0, [10_000]), intervalMs: 1000 }]);
    const [first, ...rest] = joiner.take();
    assert.equal(rest.length, 0);
    assert.equal(first!.row.t, 0);
    assert.equal(first!.row.requests, 3);
    assert.equal(first!.row.vus, 4);
    assert.deepEqual(first!.row.service, row(0, [1000, 2000, 10_000]).service);
    joiner.finish(1);
    joiner.add(0, [{ row: row(2000, [1]), intervalMs: 1000 }]);
    assert.deepEqual(joiner.take(), [], 'the finished thread’s last rows come with its result');
  });
});
