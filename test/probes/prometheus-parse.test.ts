import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { histogramQuantile, parsePrometheusText, parseSampleLine } from '../../src/probes/prometheus/parse.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

test('prom-client exposition: gauges, counters, types and help', () => {
  const { families, errors } = parsePrometheusText(fixture('prom-client.txt'));
  assert.deepEqual(errors, []);
  const cpu = families.get('process_cpu_seconds_total')!;
  assert.equal(cpu.type, 'counter');
  assert.equal(cpu.samples[0]!.value, 1.555);
  assert.equal(families.get('nodejs_eventloop_lag_p99_seconds')!.samples[0]!.value, 0.027394047);
  assert.equal(families.get('nodejs_heap_size_used_bytes')!.help, 'Process heap size used from Node.js in bytes.');
  const spaces = families.get('nodejs_heap_space_size_used_bytes')!.samples;
  assert.deepEqual(spaces.map((s) => s.labels.space), ['read_only', 'new', 'old']);
  assert.deepEqual(families.get('nodejs_version_info')!.samples[0]!.labels, { version: 'v20.20.2', major: '20', minor: '20', patch: '2' });
});

test('labelled histograms keep their labels and group buckets per label set', () => {
  const { families } = parsePrometheusText(fixture('prom-client.txt'));
  const gc = families.get('nodejs_gc_duration_seconds')!;
  assert.equal(gc.type, 'histogram');
  assert.equal(gc.histograms!.length, 3);
  const major = gc.histograms!.find((h) => h.labels.kind === 'major')!;
  assert.deepEqual(major.labels, { kind: 'major' });
  assert.equal(major.count, 2);
  assert.equal(major.sum, 0.0237);
  assert.equal(major.buckets.length, 7);
  assert.equal(major.buckets.at(-1)!.le, Infinity);
  assert.equal(major.buckets[1]!.count, 1);
  // No stray family for the suffixed names.
  assert.equal(families.has('nodejs_gc_duration_seconds_bucket'), false);

  const http = families.get('http_request_duration_seconds')!;
  assert.equal(http.histograms!.length, 2);
  const post = http.histograms!.find((h) => h.labels.method === 'POST')!;
  // Escapes decoded: \" → " and \\ → \ (so "\\now" is a backslash followed by "now").
  assert.equal(post.labels.route, '/api/say "hi"\\now');
  assert.equal(post.labels.status_code, '500');
  assert.equal(post.count, 5);
  const get = http.histograms!.find((h) => h.labels.method === 'GET')!;
  assert.equal(get.sum, 2.75);
  // p50 of GET: rank 100 falls in (0.005, 0.05] with 90 below → 0.005 + 0.045 * 10/90
  assert.ok(Math.abs(histogramQuantile(0.5, get.buckets)! - (0.005 + 0.045 * (10 / 90))) < 1e-12);
});

test('summaries with quantiles and NaN; timestamps; untyped samples', () => {
  const { families } = parsePrometheusText(fixture('prom-client.txt'));
  const rpc = families.get('rpc_latency_seconds')!;
  assert.equal(rpc.summaries!.length, 2);
  const a = rpc.summaries!.find((s) => s.labels.service === 'a')!;
  assert.deepEqual(a.quantiles, [
    { quantile: 0.5, value: 0.012 },
    { quantile: 0.99, value: 0.2 },
  ]);
  assert.equal(a.count, 1000);
  const b = rpc.summaries!.find((s) => s.labels.service === 'b')!;
  assert.ok(Number.isNaN(b.quantiles[0]!.value));
  const u = families.get('untyped_thing')!;
  assert.equal(u.type, 'untyped');
  assert.equal(u.samples[0]!.timestampMs, 1700000000000);
});

test('OpenMetrics: _total/_created counters, exemplars, UNIT, fractional-second timestamps, # EOF', () => {
  const { families, errors } = parsePrometheusText(fixture('openmetrics.txt'));
  assert.deepEqual(errors, []);
  const jobs = families.get('jobs')!;
  assert.equal(jobs.type, 'counter');
  assert.equal(jobs.samples.length, 2);
  assert.equal(jobs.samples[0]!.timestampMs, 1700000000500);
  const req = families.get('req_seconds')!;
  assert.equal(req.unit, 'seconds');
  assert.equal(req.histograms![0]!.created, 1700000000.25);
  assert.equal(req.histograms![0]!.buckets[0]!.count, 3);
  assert.equal(families.has('after_eof'), false);
});

test('malformed lines are reported, not thrown, and the rest parses', () => {
  const { families, errors } = parsePrometheusText('ok 1\nbad{a="x} 2\n9bad 3\nnovalue\nalso_ok +Inf\n');
  assert.equal(errors.length, 3);
  assert.equal(families.get('ok')!.samples[0]!.value, 1);
  assert.equal(families.get('also_ok')!.samples[0]!.value, Infinity);
  assert.throws(() => parseSampleLine('x{a="1"} abc'), /invalid value/);
});
