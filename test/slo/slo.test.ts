import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildProgram } from '../../src/cli/program.js';
import { isTuneupError } from '../../src/errors.js';
import {
  alertName,
  buildDashboard,
  buildRules,
  burnWindows,
  errorRatio,
  formatPromDuration,
  leMatcher,
  parsePromDuration,
  recordedWindows,
  slosFromPlan,
  type AlertingRule,
  type RecordingRule,
} from '../../src/slo/index.js';
import { collectThresholds } from '../../src/thresholds/index.js';

function plan(thresholds: Record<string, string[]>, slo?: Record<string, unknown>) {
  const parsed = collectThresholds(thresholds);
  assert.deepEqual(parsed.problems, []);
  return { name: 'Orders API', slo, thresholds: parsed.specs, source: 'plan.yaml' };
}

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => isTuneupError(error) && error.code === code && typeof error.hint === 'string');
}

describe('SLOs from a plan', () => {
  it('maps latency percentiles and error rates, per endpoint, and says why other thresholds are skipped', () => {
    const set = slosFromPlan(
      plan({
        http_req_duration: ['p(99)<1000', 'avg<300'],
        'http_req_duration{endpoint:GET /api/orders/:id}': ['p(95)<250'],
        http_req_failed: ['rate<0.001'],
        checks: ['rate>0.99'],
      }),
    );
    assert.equal(set.service, 'orders-api');
    assert.equal(set.periodMs, 30 * 86_400_000);
    const summary = set.slos.map((s) => [s.name, s.kind, s.objective, s.endpoint?.method, s.endpoint?.route, s.latency?.le]);
    assert.deepEqual(summary, [
      ['all-routes-latency-p99', 'latency', 0.99, undefined, undefined, 1],
      ['get-api-orders-id-latency-p95', 'latency', 0.95, 'GET', '/api/orders/:id', 0.25],
      ['all-routes-availability', 'availability', 0.999, undefined, undefined, undefined],
    ]);
    assert.equal(set.notes.length, 2);
    assert.match(set.notes.join('\n'), /avg<300.*only p\(N\)<X/);
    assert.match(set.notes.join('\n'), /checks.*not an SLO metric/);
  });

  it('uses the largest bucket below a threshold that is not a boundary, and says so', () => {
    const set = slosFromPlan(plan({ http_req_duration: ['p(95)<200'] }));
    assert.deepEqual(set.slos[0]!.latency, { thresholdSeconds: 0.2, le: 0.1, exact: false });
    assert.match(set.notes[0]!, /0\.2|200 ms/);
    assert.match(set.notes[0]!, /le=0\.1/);
    const exact = slosFromPlan(plan({ http_req_duration: ['p(95)<200'] }, { metrics: { buckets: [0.1, 0.2, 0.5] } }));
    assert.deepEqual(exact.slos[0]!.latency, { thresholdSeconds: 0.2, le: 0.2, exact: true });
    assert.deepEqual(exact.notes, []);
  });

  it('reads explicit objectives, presets and overrides', () => {
    const set = slosFromPlan(
      plan({}, {
        service: 'shop',
        window: '28d',
        metrics: { preset: 'opentelemetry', selector: { job: 'api' } },
        objectives: [{ endpoint: 'POST /orders', availability: 99.5 }, { name: 'list', endpoint: '/orders', latency: { threshold: '500ms', objective: 99 } }],
      }),
    );
    assert.equal(set.periodMs, 28 * 86_400_000);
    assert.equal(set.conventions.histogram, 'http_server_request_duration_seconds');
    assert.deepEqual(set.slos.map((s) => s.id), ['shop-post-orders-availability', 'shop-list']);
    const availability = errorRatio(set.slos[0]!, set.conventions, 300_000);
    assert.match(availability, /http_server_request_duration_seconds_count\{job="api",http_route="\/orders",http_request_method="POST",http_response_status_code=~"5.."\}\[5m\]/);
    const latency = errorRatio(set.slos[1]!, set.conventions, 300_000);
    assert.match(latency, /_bucket\{job="api",http_route="\/orders",le="0.5"\}\[5m\]/);
    const cli = slosFromPlan(plan({ http_req_failed: ['rate<0.01'] }), { preset: 'opentelemetry', histogram: 'my_seconds', service: 'x', window: '7d' });
    assert.equal(cli.conventions.histogram, 'my_seconds');
    assert.equal(cli.service, 'x');
    assert.equal(cli.periodMs, 7 * 86_400_000);
  });

  it('fails with a code and a hint on bad input', () => {
    throwsCode(() => slosFromPlan(plan({ http_req_duration: ['avg<100'] })), 'TUNEUP_SLO_MISSING');
    throwsCode(() => slosFromPlan(plan({ http_req_failed: ['rate<0.01'] }, { metrics: { preset: 'micrometer' } })), 'TUNEUP_SLO_PRESET_UNKNOWN');
    throwsCode(() => slosFromPlan(plan({ http_req_failed: ['rate<0.01'] }), { preset: 'nope' }), 'TUNEUP_SLO_PRESET_UNKNOWN');
    throwsCode(() => slosFromPlan(plan({}, { objectives: [{ availability: 100 }] })), 'TUNEUP_SLO_INVALID');
    throwsCode(() => slosFromPlan(plan({}, { objectives: [{ availability: 99, latency: { threshold: 1, objective: 9 } }] })), 'TUNEUP_SLO_INVALID');
    throwsCode(() => slosFromPlan(plan({ http_req_duration: ['p(95)<1'] })), 'TUNEUP_SLO_INVALID'); // below every bucket
    throwsCode(() => slosFromPlan(plan({ http_req_failed: ['rate<0.01'] }, { window: 'a month' })), 'TUNEUP_SLO_INVALID');
    throwsCode(() => slosFromPlan(plan({ http_req_failed: ['rate<0.01'] }, { metrics: { labels: { route: 'http.route' } } })), 'TUNEUP_SLO_INVALID');
  });
});

describe('windows', () => {
  it("is Sloth's google-30d table for 30 days and scales with the period", () => {
    const table = burnWindows(30 * 86_400_000).map((w) => [w.severity, formatPromDuration(w.longMs), formatPromDuration(w.shortMs), w.factor]);
    assert.deepEqual(table, [
      ['page', '1h', '5m', 14.4],
      ['page', '6h', '30m', 6],
      ['ticket', '1d', '2h', 3],
      ['ticket', '3d', '6h', 1],
    ]);
    assert.deepEqual(recordedWindows(30 * 86_400_000).map(formatPromDuration), ['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
    assert.deepEqual(recordedWindows(28 * 86_400_000).map(formatPromDuration), ['4m40s', '28m', '56m', '1h52m', '5h36m', '22h24m', '2d19h12m']);
    assert.equal(parsePromDuration('1h30m', 'x'), 5_400_000);
    assert.equal(parsePromDuration('30d', 'x'), 30 * 86_400_000);
  });

  it('matches integer buckets in both spellings Prometheus versions use', () => {
    assert.equal(leMatcher(0.25), 'le="0.25"');
    assert.equal(leMatcher(1), 'le=~"1(\\\\.0)?"');
  });
});

describe('rules and dashboard', () => {
  const set = slosFromPlan(plan({ 'http_req_duration{endpoint:GET /a}': ['p(99)<500'], http_req_failed: ['rate<0.001'] }));

  it('records every window and the period, and alerts page and ticket per SLO', () => {
    const file = buildRules(set);
    assert.equal(file.groups.length, 3 * set.slos.length);
    const slo = set.slos[0]!;
    const recordings = file.groups[0]!.rules as RecordingRule[];
    assert.deepEqual(recordings.map((r) => r.labels.sloth_window), ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']);
    assert.equal(recordings[0]!.expr, errorRatio(slo, set.conventions, 300_000));
    const alerts = file.groups[2]!.rules as AlertingRule[];
    assert.deepEqual(alerts.map((a) => a.alert), [alertName(slo, 'page'), alertName(slo, 'ticket')]);
    assert.match(alerts[0]!.expr, /ratio_rate5m\{[^}]*\} > \(14\.4 \* 0\.01\)\) without \(sloth_window\)\s+and\s+max\(slo:sli_error:ratio_rate1h/);
    assert.match(alerts[1]!.expr, /ratio_rate6h\{[^}]*\} > \(1 \* 0\.01\)/);
    assert.equal(alerts[1]!.labels.severity, 'ticket');
  });

  it('builds a dashboard with a row and five panels per SLO, all on the datasource variable', () => {
    const board = buildDashboard(set);
    const panels = board.panels ?? [];
    assert.equal(panels.length, 6 * set.slos.length);
    const queries = panels.flatMap((p) => ('targets' in p ? ((p.targets ?? []) as Array<{ expr?: string; datasource?: { uid?: string } }>) : []));
    assert.equal(queries.length, 5 * set.slos.length);
    for (const q of queries) assert.equal(q.datasource?.uid, '${datasource}');
    assert.ok(queries.some((q) => q.expr === errorRatio(set.slos[0]!, set.conventions, 300_000)));
  });
});

describe('the commands (in process)', () => {
  const PLAN = new URL('./fixtures/orders.plan.yaml', import.meta.url).pathname;

  async function cli(args: string[]): Promise<{ out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    await buildProgram({ out: (t) => out.push(t), err: (t) => err.push(t), interactive: false, color: false }).parseAsync(args, { from: 'user' });
    return { out: out.join('\n'), err: err.join('\n') };
  }

  it('slo export writes the rule file with its notes, or the dashboard', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tuneup-slo-export-'));
    try {
      const target = join(dir, 'rules', 'slo.yml');
      const run = await cli(['slo', 'export', PLAN, '--prometheus', '--out', target]);
      const text = readFileSync(target, 'utf8');
      assert.match(text, /^# Generated by tuneup slo export from .*orders\.plan\.yaml: 5 SLO\(s\) of orders over 30d/);
      assert.match(text, /# note: .*le=0\.1 s as good/);
      assert.match(run.err, /note: threshold checks: rate>0\.99: not an SLO metric/);
      assert.match(run.err, /rules: .*slo\.yml \(5 SLOs\)/);
      const board = JSON.parse((await cli(['slo', 'export', PLAN, '--grafana', '--preset', 'opentelemetry'])).out) as { title: string; panels: unknown[] };
      assert.equal(board.title, 'orders SLOs');
      assert.equal(board.panels.length, 30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names what is missing or wrong on the command line', async () => {
    const rejects = (args: string[], code: string) => assert.rejects(cli(args), (e: unknown) => isTuneupError(e) && e.code === code && Boolean(e.hint));
    await rejects(['slo', 'export', PLAN], 'TUNEUP_OPTION_MISSING');
    await rejects(['slo', 'export', PLAN, '--grafana', '--preset', 'statsd'], 'TUNEUP_SLO_PRESET_UNKNOWN');
    await rejects(['slo', 'export', 'no-such-plan.yaml', '--grafana'], 'TUNEUP_PLAN_NOT_FOUND');
    await rejects(['monitor', 'validate', PLAN], 'TUNEUP_OPTION_MISSING');
    await rejects(['monitor', 'validate', PLAN, '--prometheus', 'localhost:9090'], 'TUNEUP_OPTION_INVALID');
  });
});
