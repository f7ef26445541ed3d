/**
 * Every generated rule file passes `promtool check rules`, and a
 * `promtool test rules` file written here fires and clears each SLO's page
 * and ticket alert on synthetic series: 30 min of good traffic, 60 min where
 * every request is bad, then good traffic for 6 h 30 min.
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
  alertName,
  buildDashboard,
  buildRules,
  renderRuleFile,
  slosFromPlan,
  type AlertingRule,
  type SloSet,
} from '../../src/slo/index.js';

const PLAN = new URL('./fixtures/orders.plan.yaml', import.meta.url).pathname;
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
