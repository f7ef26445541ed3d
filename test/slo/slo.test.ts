import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildProgram } from '../../src/cli/program.js';
import { isTuneupError } from '../../src/errors.js';
import type { ProbeEvidence } from '../../src/result/types.js';
import {
  DEPENDENCY_ALERTS,
  DEPENDENCY_RECORDS,
  alertName,
  buildDashboard,
  buildRules,
  burnWindows,
  errorRatio,
  formatPromDuration,
  leMatcher,
  measurementsFromRun,
  parsePromDuration,
  resolveCacheConventions,
  resolvePostgresConventions,
  recordedWindows,
  slosFromPlan,
  type AlertingRule,
  type RecordingRule,
} from '../../src/slo/index.js';
import { collectThresholds } from '../../src/thresholds/index.js';
import { makeResult } from '../report/fixtures/make-result.js';

function plan(thresholds: Record<string, string[]>, slo?: Record<string, unknown>) {
  const parsed = collectThresholds(thresholds);
  assert.deepEqual(parsed.problems, []);
  return { name: 'Orders API', slo, thresholds: parsed.specs, source: 'plan.yaml' };
}

/** Run the CLI in process, collecting what it prints. */
async function cli(args: string[]): Promise<{ out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  await buildProgram({ out: (t) => out.push(t), err: (t) => err.push(t), interactive: false, color: false }).parseAsync(args, { from: 'user' });
  return { out: out.join('\n'), err: err.join('\n') };
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

function evidence(probe: string, data: Record<string, unknown>): ProbeEvidence {
  return { probe, target: probe, ok: true, limitations: [], errors: [], series: { t: [], values: {}, units: {} }, data, overhead: { samples: 1, meanSampleMs: 1 } };
}

/** Probe evidence as the redis and postgres probes store it: a 97.6 % cache, a 98.2 % buffer cache, one statement PgHero calls slow. */
const PROBES = [
  evidence('redis', { info: { keyspaceHits: 976, keyspaceMisses: 24, hitRatio: 0.976 } }),
  evidence('postgres', {
    cacheHit: { window: 0.982 },
    statements: [
      { queryid: '1', calls: 500, meanExecMs: 31 },
      { queryid: '2', calls: 5000, meanExecMs: 0.4 },
      { queryid: '3', calls: 20, meanExecMs: 90 },
    ],
  }),
];

describe('dependency rules (cache, PostgreSQL)', () => {
  const thresholds = { http_req_failed: ['rate<0.01'] };
  const probes = { redis: { url: 'redis://127.0.0.1:6379' }, postgres: { url: 'postgres://127.0.0.1/orders' } };

  it('are added only when the plan or a run probed Redis or PostgreSQL, or the slo section asks', () => {
    assert.deepEqual(slosFromPlan(plan(thresholds)).dependencies, {});
    const both = slosFromPlan({ ...plan(thresholds), probes });
    assert.ok(both.dependencies.cache && both.dependencies.postgres);
    assert.match(both.notes.join('\n'), /cache hit ratio rule \(the plan probes Redis\): below 90 % for 30m; Sysdig/);
    const off = slosFromPlan({ ...plan(thresholds, { cache: false, postgres: false }), probes });
    assert.deepEqual(off.dependencies, {});
    const asked = slosFromPlan(plan(thresholds, { cache: { objective: 97 } }));
    assert.equal(asked.dependencies.cache?.objective.value, 0.97);
    assert.equal(asked.dependencies.postgres, undefined);
    const fromRun = slosFromPlan(plan(thresholds), { measured: measurementsFromRun({ id: 'r1', probes: PROBES }) });
    assert.ok(fromRun.dependencies.cache && fromRun.dependencies.postgres);
  });

  it("takes the cache objective from the flag, the plan, the run (its miss ratio doubled), else Sysdig's 0.9", () => {
    const measured = measurementsFromRun({ id: 'r1', probes: PROBES });
    assert.deepEqual(measured, { runId: 'r1', redis: { hitRatio: 0.976, lookups: 1000 }, postgres: { bufferHitRatio: 0.982, slowStatements: 1 } });
    const objective = (overrides: Parameters<typeof slosFromPlan>[1], slo?: Record<string, unknown>) =>
      slosFromPlan({ ...plan(thresholds, slo), probes }, overrides).dependencies.cache!.objective;
    assert.equal(objective({ measured }).value, 0.952);
    assert.match(objective({ measured }).anchor, /run r1 measured 97\.6 %.*twice its miss ratio/);
    assert.equal(objective({ measured }, { cache: { objective: 99 } }).value, 0.99);
    assert.equal(objective({ measured, cacheObjective: '95%' }, { cache: { objective: 99 } }).value, 0.95);
    assert.equal(objective({}).value, 0.9);
    const few = slosFromPlan({ ...plan(thresholds), probes }, { measured: { runId: 'r2', redis: { hitRatio: 0.5, lookups: 10 } } });
    assert.equal(few.dependencies.cache!.objective.value, 0.9);
    assert.match(few.notes.join('\n'), /looked up 10 key\(s\).*fewer than 100/);
    const pgNotes = slosFromPlan({ ...plan(thresholds), probes }, { measured }).notes.join('\n');
    assert.match(pgNotes, /buffer cache hit ratio of 98\.2 %: at the tested load the buffer cache alert would fire/);
    assert.match(pgNotes, /1 statement\(s\) PgHero calls slow/);
    throwsCode(() => slosFromPlan({ ...plan(thresholds), probes }, { cacheObjective: '100' }), 'TUNEUP_OPTION_INVALID');
    throwsCode(() => slosFromPlan(plan(thresholds), { cacheObjective: '95' }), 'TUNEUP_OPTION_INVALID');
  });

  it("reads redis_exporter's and postgres_exporter's names, the app's counter, and overrides", () => {
    assert.deepEqual(resolveCacheConventions(), {
      preset: 'redis_exporter',
      hits: { metric: 'redis_keyspace_hits_total', labels: {} },
      misses: { metric: 'redis_keyspace_misses_total', labels: {} },
      selector: {},
    });
    const app = resolveCacheConventions({ preset: 'app', hits: { labels: { outcome: 'hit' } }, misses: { labels: { outcome: 'miss' } }, selector: { job: 'api' } });
    assert.deepEqual([app.hits, app.misses], [{ metric: 'cache_requests_total', labels: { outcome: 'hit' } }, { metric: 'cache_requests_total', labels: { outcome: 'miss' } }]);
    const pg = resolvePostgresConventions({ selector: { datname: 'orders' } });
    assert.equal(pg.statementSeconds, 'pg_stat_statements_seconds_total');
    assert.deepEqual(pg.statementLabels, ['datname', 'user', 'queryid']);
    assert.equal(pg.blocksHit, 'pg_stat_database_blks_hit');
    throwsCode(() => resolveCacheConventions({ preset: 'memcached' }), 'TUNEUP_SLO_PRESET_UNKNOWN');
    throwsCode(() => resolveCacheConventions({ hits: { metric: 'cache.hits' } }), 'TUNEUP_SLO_INVALID');
    throwsCode(() => resolvePostgresConventions({ statementLabels: [] }), 'TUNEUP_SLO_INVALID');
    throwsCode(() => slosFromPlan(plan(thresholds, { postgres: { slowStatementMs: -1 } })), 'TUNEUP_SLO_INVALID');
  });

  it('writes recordings and ticket alerts with for: durations, the anchors in the annotations, and one dashboard row', () => {
    const set = slosFromPlan({ ...plan(thresholds, { cache: { metrics: { preset: 'app', selector: { job: 'api' } } }, postgres: { slowStatementMs: 50 } }), probes });
    const rules = buildRules(set).groups.slice(3 * set.slos.length).flatMap((g) => g.rules);
    const records = (rules.filter((r) => 'record' in r) as RecordingRule[]).map((r) => r.record);
    assert.deepEqual(records, Object.values(DEPENDENCY_RECORDS));
    const cacheRecord = rules.find((r) => 'record' in r && r.record === DEPENDENCY_RECORDS.cacheHitRatio)!;
    assert.match(cacheRecord.expr, /sum\(rate\(cache_requests_total\{job="api",result="hit"\}\[5m\]\)\)\n\/\n\(sum\(rate\(cache_requests_total\{job="api",result="hit"\}\[5m\]\)\) \+ sum\(rate\(cache_requests_total\{job="api",result="miss"\}\[5m\]\)\)\)/);
    const alerts = rules.filter((r): r is AlertingRule => 'alert' in r);
    assert.deepEqual(
      alerts.map((a) => [a.alert, a.for, a.labels.severity]),
      [
        [DEPENDENCY_ALERTS.cacheHitRatio, '30m', 'ticket'],
        [DEPENDENCY_ALERTS.bufferCache[0], '30m', 'ticket'],
        [DEPENDENCY_ALERTS.bufferCache[1], '5m', 'ticket'],
        [DEPENDENCY_ALERTS.slowStatement, '15m', 'ticket'],
      ],
    );
    assert.match(alerts[0]!.annotations.description!, /Sysdig PromCat Redis LowHitRatio/);
    assert.match(alerts[1]!.annotations.description!, /PgHero/);
    assert.match(alerts[2]!.annotations.description!, /awesome-prometheus-alerts PostgresqlLowCacheHitRate/);
    assert.match(alerts[3]!.expr, /pg_statement_mean_seconds:rate5m\{tuneup_service="orders-api"\} > 0\.05\nand\n.*calls:rate5m\{tuneup_service="orders-api"\} >= 0\.333333/);
    assert.match(alerts[3]!.annotations.description!, /slo\.postgres\.slowStatementMs/);
    const board = buildDashboard(set);
    assert.equal((board.panels ?? []).length, 6 * set.slos.length + 4);
    assert.deepEqual(buildDashboard(slosFromPlan(plan(thresholds))).panels?.length, 6);
  });
});

describe('slo export with probes (in process)', () => {
  const PROBED = new URL('./fixtures/orders-probed.plan.yaml', import.meta.url).pathname;

  it('adds the rules for the plan probes, and takes the cache objective from --run or --cache-objective', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tuneup-slo-deps-'));
    try {
      const plain = await cli(['slo', 'export', PROBED, '--prometheus']);
      assert.match(plain.out, /alert: CacheHitRatioLow[\s\S]*< 0\.9\n/);
      assert.match(plain.out, /# metrics: .*redis_keyspace_hits_total \/ redis_keyspace_misses_total \(redis_exporter\), pg_stat_statements_seconds_total/);
      const run = { ...makeResult({ probes: false, findings: false, durationS: 10, intervalHistograms: false, id: 'run-with-probes' }), probes: PROBES };
      const resultPath = join(dir, 'result.json');
      writeFileSync(resultPath, JSON.stringify(run));
      const measured = await cli(['slo', 'export', PROBED, '--prometheus', '--run', resultPath]);
      assert.match(measured.out, /alert: CacheHitRatioLow[\s\S]*< 0\.952\n/);
      assert.match(measured.err, /note: cache hit ratio rule .*run run-with-probes measured 97\.6 %/);
      const flagged = await cli(['slo', 'export', PROBED, '--grafana', '--cache-objective', '99.5']);
      const board = JSON.parse(flagged.out) as { panels: Array<{ title: string; fieldConfig?: { defaults?: { thresholds?: { steps?: Array<{ value: number | null }> } } } }> };
      const cachePanel = board.panels.find((p) => p.title === 'Cache hit ratio (5m)')!;
      assert.deepEqual(cachePanel.fieldConfig?.defaults?.thresholds?.steps?.map((s) => s.value), [null, 0.995]);
      const rejects = (args: string[], code: string) => assert.rejects(cli(args), (e: unknown) => isTuneupError(e) && e.code === code && Boolean(e.hint));
      await rejects(['slo', 'export', PROBED, '--grafana', '--cache-objective', 'high'], 'TUNEUP_OPTION_INVALID');
      await rejects(['slo', 'export', PROBED, '--grafana', '--run', join(dir, 'missing.json')], 'TUNEUP_RUN_NOT_FOUND');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
