// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * Every generated rule file passes `promtool check rules`, and a
 * `promtool test rules` file written here fires and clears each SLO's page
 * and ticket alert on synthetic series: 30 min of good traffic, 60 min where
 * every request is bad, then good traffic for 6 h 30 min. The dependency
 * rules (cache, PostgreSQL) get their own synthetic exporters' series, in
 * four phases that fire each alert alone or together and clear them all.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadPlan } from '../../src/plan/index.js';
import {
  DEPENDENCY_ALERTS,
  alertName,
  buildDashboard,
  buildRules,
  renderRuleFile,
  slosFromPlan,
  type AlertingRule,
  type CounterSeries,
  type SloSet,
} from '../../src/slo/index.js';

const PLAN = new URL('./fixtures/orders.plan.yaml', import.meta.url).pathname;
const PROBED_PLAN = new URL('./fixtures/orders-probed.plan.yaml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tuneup-slo-promtool-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function promtool(args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw new Error(`promtool did not run (${run.error.message}): install Debian's prometheus package (scripts/ensure-test-deps.mjs)`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const MINUTES = 480;
const BAD_FROM = 30;
const BAD_TO = 90;

/** Cumulative counts per minute at 1 request/s: all requests, and bad ones (every request between BAD_FROM and BAD_TO). */
function counts(): { total: number[]; bad: number[] } {
  const total: number[] = [];
  const bad: number[] = [];
  for (let t = 0; t <= MINUTES; t++) {
    total.push(60 * t);
    bad.push(60 * Math.min(Math.max(t - BAD_FROM, 0), BAD_TO - BAD_FROM));
  }
  return { total, bad };
}

function series(name: string, labels: Record<string, string>, values: number[]): { series: string; values: string } {
  const matchers = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return { series: `${name}{${matchers.join(',')}}`, values: values.join(' ') };
}

/**
 * Every series the SLOs read, in one set: per route of an SLO, good requests
 * answered 200 within every latency bucket the SLOs use and bad ones answered
 * 503 above them, so every SLO (latency or availability, one route or all)
 * sees bad/total of exactly `bad`.
 */
function inputSeries(set: SloSet): Array<{ series: string; values: string }> {
  const c = set.conventions;
  const { total, bad } = counts();
  const good = total.map((v, i) => v - bad[i]!);
  const les = [...new Set(set.slos.flatMap((slo) => (slo.latency ? [slo.latency.le] : [])))];
  const routes = new Map(set.slos.map((slo) => [`${slo.endpoint?.method} ${slo.endpoint?.route}`, slo.endpoint]));
  return [...routes.values()].flatMap((endpoint) => {
    const labels = { ...c.selector, [c.labels.route]: endpoint?.route ?? '/any', [c.labels.method]: endpoint?.method ?? 'GET' };
    const ok = { ...labels, [c.labels.status]: '200' };
    const failed = { ...labels, [c.labels.status]: '503' };
    return [
      series(`${c.histogram}_count`, ok, good),
      series(`${c.histogram}_count`, failed, bad),
      ...les.flatMap((le) => [series(`${c.histogram}_bucket`, { ...ok, le: String(le) }, good), series(`${c.histogram}_bucket`, { ...failed, le: String(le) }, bad.map(() => 0))]),
    ];
  });
}

/** A promtool test: each SLO's alerts quiet before the burn, both firing in it, page cleared 1 h after, ticket 6 h after. */
function unitTests(set: SloSet, rulesFile: string, expectations = EXPECTED): string {
  const alerts = new Map(buildRules(set).groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => 'alert' in r).map((r) => [r.alert, r]));
  const checks = set.slos.flatMap((slo) =>
    expectations.flatMap(([minute, firing]) =>
      (['page', 'ticket'] as const).map((severity) => {
        const rule = alerts.get(alertName(slo, severity))!;
        const fires = firing.includes(severity);
        return { eval_time: `${minute}m`, alertname: rule.alert, exp_alerts: fires ? [{ exp_labels: rule.labels, exp_annotations: rule.annotations }] : [] };
      }),
    ),
  );
  // Rules every 5 min (the eval times are multiples of it) keep promtool's work small; the series stay per minute.
  return stringify({ rule_files: [rulesFile], evaluation_interval: '5m', tests: [{ interval: '1m', input_series: inputSeries(set), alert_rule_test: checks }] }, { lineWidth: 0 });
}

const EXPECTED: Array<[number, Array<'page' | 'ticket'>]> = [
  [25, []],
  [85, ['page', 'ticket']],
  [150, ['ticket']],
  [470, []],
];

describe('generated Prometheus rules', async () => {
  const plan = await loadPlan(PLAN);

  for (const preset of ['prom-client', 'opentelemetry']) {
    it(`${preset}: pass promtool check rules, and each alert fires and clears in promtool test rules`, () => {
      const set = slosFromPlan(plan, { preset });
      assert.equal(set.slos.length, 5);
      const rules = `rules-${preset}.yml`;
      writeFileSync(join(dir, rules), renderRuleFile(buildRules(set), ['test']));
      const check = promtool(['check', 'rules', rules]);
      assert.equal(check.status, 0, check.output);
      assert.match(check.output, /SUCCESS: 85 rules found/);

      const testFile = `test-${preset}.yml`;
      writeFileSync(join(dir, testFile), unitTests(set, rules));
      const test = promtool(['test', 'rules', testFile]);
      assert.equal(test.status, 0, test.output);
      assert.match(test.output, /SUCCESS/);
    });
  }

  it('promtool test rules fails when an expectation is wrong (the test can fail)', () => {
    const set = slosFromPlan(plan);
    writeFileSync(join(dir, 'rules-wrong.yml'), renderRuleFile(buildRules(set)));
    writeFileSync(join(dir, 'test-wrong.yml'), unitTests({ ...set, slos: set.slos.slice(0, 1) }, 'rules-wrong.yml', [[25, ['page']]]));
    const test = promtool(['test', 'rules', 'test-wrong.yml']);
    assert.notEqual(test.status, 0);
    assert.match(test.output, /FAILED/);
  });

  it("the dashboard's queries parse as PromQL", () => {
    const board = buildDashboard(slosFromPlan(plan, { preset: 'opentelemetry' }));
    const exprs = (board.panels ?? []).flatMap((p) => ('targets' in p ? ((p.targets ?? []) as unknown as Array<{ expr: string }>) : [])).map((t) => t.expr);
    assert.equal(exprs.length, 25);
    const file = { groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `tuneup:dashboard_query:${i}`, expr })) }] };
    writeFileSync(join(dir, 'dashboard-queries.yml'), stringify(file, { lineWidth: 0 }));
    const check = promtool(['check', 'rules', 'dashboard-queries.yml']);
    assert.equal(check.status, 0, check.output);
  });
});

/**
 * The dependency rules' synthetic series, per minute over 330 minutes in four
 * phases: A (0–60) healthy; B (60–150) buffer cache at 98.5 % (below PgHero's
 * 99 %, above APA's 98 %); C (150–240) cache hit ratio 50 %, buffer cache
 * 95 %, statement q2 at 50 ms per call; D (240–330) healthy again. Statement
 * q3 takes 100 ms per call throughout but is called 30 times per 5 m, under
 * PgHero's 100 calls: it must never fire.
 */
const DEP_MINUTES = 330;
function phase(minute: number): 'A' | 'B' | 'C' | 'D' {
  return minute < 60 ? 'A' : minute < 150 ? 'B' : minute < 240 ? 'C' : 'D';
}

/** Cumulative values of a counter from its per-minute increment. */
function cumulative(perMinute: (minute: number) => number): number[] {
  const values = [0];
  for (let t = 1; t <= DEP_MINUTES; t++) values.push(+(values[t - 1]! + perMinute(t - 1)).toFixed(6));
  return values;
}

function dependencySeries(set: SloSet): Array<{ series: string; values: string }> {
  const out: Array<{ series: string; values: string }> = [];
  const cache = set.dependencies.cache!.conventions;
  const counter = (c: CounterSeries, values: number[]) => series(c.metric, { ...cache.selector, ...c.labels }, values);
  const lookups = 600; // 10 per second
  const hitShare = (m: number) => (phase(m) === 'C' ? 0.5 : 0.99);
  out.push(counter(cache.hits, cumulative((m) => lookups * hitShare(m))), counter(cache.misses, cumulative((m) => lookups * (1 - hitShare(m)))));

  const pg = set.dependencies.postgres!.conventions;
  const db = { ...pg.selector, datid: '16384', [pg.databaseLabel]: 'orders' };
  const blocks = 60_000; // 1000 per second
  const bufferShare = (m: number) => ({ A: 0.999, B: 0.985, C: 0.95, D: 0.999 })[phase(m)];
  out.push(series(pg.blocksHit, db, cumulative((m) => blocks * bufferShare(m))), series(pg.blocksRead, db, cumulative((m) => blocks * (1 - bufferShare(m)))));
  const statements: Array<[string, number, (m: number) => number]> = [
    ['q1', 60, () => 0.005],
    ['q2', 60, (m) => (phase(m) === 'C' ? 0.05 : 0.005)],
    ['q3', 6, () => 0.1],
  ];
  for (const [queryid, calls, mean] of statements) {
    const labels = { ...pg.selector, datname: 'orders', user: 'app', queryid };
    out.push(series(pg.statementCalls, labels, cumulative(() => calls)), series(pg.statementSeconds, labels, cumulative((m) => calls * mean(m))));
  }
  return out;
}

/** An alert's annotations as Prometheus expands them for one firing series (only `{{ $labels.x }}` templates are used). */
function expand(annotations: Record<string, string>, labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '')]));
}

/** Which dependency alerts fire at each checked minute, with the extra labels of their series. */
const DEPENDENCY_EXPECTED: Array<[number, Array<[string, Record<string, string>]>]> = [
  [55, []],
  [140, [[DEPENDENCY_ALERTS.bufferCache[0], { datname: 'orders' }]]],
  [
    225,
    [
      [DEPENDENCY_ALERTS.cacheHitRatio, {}],
      [DEPENDENCY_ALERTS.bufferCache[0], { datname: 'orders' }],
      [DEPENDENCY_ALERTS.bufferCache[1], { datname: 'orders' }],
      [DEPENDENCY_ALERTS.slowStatement, { datname: 'orders', user: 'app', queryid: 'q2' }],
    ],
  ],
  [320, []],
];

function dependencyTests(set: SloSet, rulesFile: string, expected = DEPENDENCY_EXPECTED): string {
  const alerts = buildRules(set).groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => 'alert' in r);
  const names = [DEPENDENCY_ALERTS.cacheHitRatio, ...DEPENDENCY_ALERTS.bufferCache, DEPENDENCY_ALERTS.slowStatement];
  const checks = expected.flatMap(([minute, firing]) =>
    names.map((alertname) => {
      const rule = alerts.find((a) => a.alert === alertname)!;
      const exp = firing.filter(([name]) => name === alertname).map(([, extra]) => {
        const labels = { ...rule.labels, ...extra };
        return { exp_labels: labels, exp_annotations: expand(rule.annotations, labels) };
      });
      return { eval_time: `${minute}m`, alertname, exp_alerts: exp };
    }),
  );
  return stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: dependencySeries(set), alert_rule_test: checks }] }, { lineWidth: 0 });
}

describe('generated dependency rules (cache, PostgreSQL)', async () => {
  const plan = await loadPlan(PROBED_PLAN);

  for (const cachePreset of ['redis_exporter', 'app']) {
    it(`${cachePreset} cache and postgres_exporter: pass promtool check rules, and each alert fires and clears in promtool test rules`, () => {
      const set = slosFromPlan({ ...plan, slo: { ...plan.slo, cache: { metrics: { preset: cachePreset } } } }, { cacheObjective: '95' });
      assert.ok(set.dependencies.cache && set.dependencies.postgres);
      const rules = `dep-rules-${cachePreset}.yml`;
      writeFileSync(join(dir, rules), renderRuleFile(buildRules(set), ['test']));
      const check = promtool(['check', 'rules', rules]);
      assert.equal(check.status, 0, check.output);
      // 2 SLOs × 17 + cache 3 + postgres 7
      assert.match(check.output, /SUCCESS: 44 rules found/);

      const testFile = `dep-test-${cachePreset}.yml`;
      writeFileSync(join(dir, testFile), dependencyTests(set, rules));
      const test = promtool(['test', 'rules', testFile]);
      assert.equal(test.status, 0, test.output);
      assert.match(test.output, /SUCCESS/);
    });
  }

  it('promtool test rules fails when a dependency expectation is wrong: the rarely called slow statement q3 does not fire', () => {
    const set = slosFromPlan(plan, { cacheObjective: '95' });
    writeFileSync(join(dir, 'dep-rules-wrong.yml'), renderRuleFile(buildRules(set)));
    const wrong: typeof DEPENDENCY_EXPECTED = [[225, [[DEPENDENCY_ALERTS.slowStatement, { datname: 'orders', user: 'app', queryid: 'q2' }], [DEPENDENCY_ALERTS.slowStatement, { datname: 'orders', user: 'app', queryid: 'q3' }]]]];
    writeFileSync(join(dir, 'dep-test-wrong.yml'), dependencyTests(set, 'dep-rules-wrong.yml', wrong));
    const test = promtool(['test', 'rules', 'dep-test-wrong.yml']);
    assert.notEqual(test.status, 0);
    assert.match(test.output, /FAILED/);
  });

  it("the dashboard's dependency queries parse as PromQL", () => {
    const board = buildDashboard(slosFromPlan(plan));
    const exprs = (board.panels ?? []).flatMap((p) => ('targets' in p ? ((p.targets ?? []) as unknown as Array<{ expr: string }>) : [])).map((t) => t.expr);
    const deps = exprs.filter((e) => /redis_keyspace|pg_stat_/.test(e));
    assert.equal(deps.length, 3);
    const file = { groups: [{ name: 'dashboard', rules: deps.map((expr, i) => ({ record: `tuneup:dashboard_query:${i}`, expr })) }] };
    writeFileSync(join(dir, 'dep-dashboard-queries.yml'), stringify(file, { lineWidth: 0 }));
    const check = promtool(['check', 'rules', 'dep-dashboard-queries.yml']);
    assert.equal(check.status, 0, check.output);
  });
});
