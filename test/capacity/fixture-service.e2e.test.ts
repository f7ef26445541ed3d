/**
 * `tuneup capacity` end to end against the fixture service
 * (test/fixtures/service) over a real PostgreSQL from the harness:
 *
 * - the bottleneck at the knee with live probes (`--pg`, `--pid`): a
 *   CPU-bound fault (cpu-saturation: 5 ms of spinning per request on
 *   GET /compute, which touches no database) is named as the process's CPU,
 *   and a database-bound one (missing-index: a sequential scan of 200k rows
 *   per GET /orders/:id) names the database. The pair is the check: a
 *   bottleneck that named one resource whatever the load would fail one of
 *   them. Demands are ratios of resource used to requests served, so they
 *   hold on a busy host; no rate or time is asserted.
 * - `--compare BEFORE,AFTER` (the ROI of a change): two capacity runs of
 *   GET /orders/:id, before and after its index is created; the capacity
 *   gained, the instances and the monthly cost saved it prints (and its
 *   JSON and Markdown) are those the two stored results give — checked by
 *   recomputing them here from the stored rates, not by the code under test.
 *
 * Bounded load to 127.0.0.1: 2 s steps, no bisection or repeats; each ramp
 * (×2 a step) is sized to pass the rate its fault allows — 50 → 200/s for
 * 5 ms of CPU a request, 10 → 80/s (20 → 160/s for the comparison) for
 * scans of about 15 ms — so the search usually ends at a knee; it stops at
 * the first failing step.
 *
 * @test-one-node — CI runs this file on the machine's Node only: what it
 * judges (which resource the demands name, the ROI arithmetic over two
 * stored results) is the same code on every version, and the capacity
 * search itself runs on each Node in capacity.e2e. A second pass cost about
 * 55 s of the shared pool.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { startAll } from '../harness/resources.js';
import { startRedis, type TestRedis } from '../harness/redis.js';
import { seedFixtureDatabase, startFixtureService, type FixtureService } from '../fixtures/service/start.js';
import { runCli, tempDir, type CliRun } from '../cli/helpers.js';
import type { RunResult } from '../../src/result/types.js';
import type { CapacityComparison } from '../../src/capacity/types.js';

let pg: TestPostgres;
let redis: TestRedis;
let cpuBound: FixtureService;
let dbBound: FixtureService;

before(async () => {
  ({ pg, redis } = await startAll({ pg: () => startPostgres({ extensions: ['pg_stat_statements'] }), redis: () => startRedis() }));
  await seedFixtureDatabase(pg.url);
  [cpuBound, dbBound] = await Promise.all([
    startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: ['cpu-saturation'] }),
    startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: ['missing-index'] }),
  ]);
});

after(async () => {
  await cpuBound?.stop();
  await dbBound?.stop();
  await redis?.stop();
  await pg?.stop();
});

/** A plan of one open-model scenario on one endpoint (one endpoint: the cost model's exact per-endpoint estimator). */
function writePlan(cwd: string, baseUrl: string, path: string, name: string): void {
  writeFileSync(
    join(cwd, 'plan.yaml'),
    [
      `baseUrl: ${baseUrl}`,
      'scenarios:',
      '  api:',
      '    executor: constant-arrival-rate',
      '    rate: 20',
      '    duration: 1m',
      '    preAllocatedVUs: 10',
      '    maxVUs: 50',
      '    requests:',
      `      - { path: "${path}", name: "${name}" }`,
      '',
    ].join('\n'),
  );
}

/** Short bounded searches: `steps` ramp steps of 2 s from `start`/s (×2), no bisection, no repeats. */
function searchFlags(start: number, steps: number): string[] {
  return ['--step', '2s', '--gap', '0.2s', '--start-rate', String(start), '--max-steps', String(steps), '--bisections', '0', '--repeats', '1'];
}

/** The one stored run of a capacity command in `cwd` newer than `known`. */
function newRun(cwd: string, known: string[] = []): RunResult {
  const dir = join(cwd, '.tuneup', 'runs');
  const fresh = readdirSync(dir).filter((id) => !known.includes(id));
  assert.equal(fresh.length, 1, `one new run in ${dir}: ${fresh.join(', ')}`);
  return JSON.parse(readFileSync(join(dir, fresh[0]!, 'result.json'), 'utf8')) as RunResult;
}

/** Print what the CLI said when the test fails (a slow host and a wrong answer read differently). */
function showOnFailure(t: { after: (fn: () => void) => void }, runs: () => CliRun[]): { ok: () => void } {
  let failed = true;
  t.after(() => {
    if (failed || process.env.TUNEUP_E2E_VERBOSE) for (const r of runs()) console.log(`--- tuneup stderr ---\n${r.stderr}\n--- stdout ---\n${r.stdout}`);
  });
  return { ok: () => (failed = false) };
}

function stepsOf(result: RunResult): string {
  return (result.capacity?.steps ?? []).map((s) => `${s.phase} ${s.offeredRate}→${s.achievedRate} ${s.sustained ? 'ok' : s.reasons.join(';')}`).join('\n');
}

/**
 * `tuneup capacity` with live probes (`--pg`, `--pid`) on one endpoint of `service`; checks the run and that its
 * bottleneck was measured at the knee (on the step at the capacity found), and returns it with its bounds as text.
 */
async function probedCapacity(t: { after: (fn: () => void) => void }, service: FixtureService, path: string, name: string, search: string[]) {
  const cwd = tempDir();
  writePlan(cwd, service.url, path, name);
  const run = await runCli(['capacity', 'plan.yaml', '--pg', pg.url, '--pid', String(service.pid), ...search], cwd);
  const shown = showOnFailure(t, () => [run]);
  assert.equal(run.code, 0, run.stderr);
  const result = newRun(cwd);
  const b = result.capacity!.bottleneck;
  assert.ok(b, `a bottleneck is reported with probes\n${stepsOf(result)}`);
  assert.equal(b.measuredAt, result.capacity!.estimate.rate, stepsOf(result));
  const bounds = b.bounds.map((x) => `${x.resource} ${x.demandMs} ms × ${x.servers} → ${x.saturatesAt}/s`).join('\n');
  return { run, b, bounds, shown };
}

test('bottleneck at the knee with live probes: a CPU-bound fault names the process CPU', { timeout: 180_000 }, async (t) => {
  const { run, b, bounds, shown } = await probedCapacity(t, cpuBound, '/compute', 'GET /compute', searchFlags(50, 3));
  // The process's CPU saturates first (its whole CPU or its main thread: the 5 ms spin runs on the main thread).
  assert.ok(['cpu', 'main-thread'].includes(b.bounds[0]!.resource), `first bound: ${bounds}`);
  // The spin is most of a request's CPU: a demand of at least a few ms per request, not the handler's usual fraction of one.
  assert.ok(b.bounds[0]!.demandMs >= 2, bounds);
  const db = b.bounds.find((x) => x.resource === 'db');
  assert.ok(db === undefined || db.saturatesAt > b.bounds[0]!.saturatesAt, bounds);
  assert.match(run.stdout, /Bottleneck at the knee/);
  assert.match(run.stdout, new RegExp(`Bottleneck: ${b.bounds[0]!.resource}, which saturates first`));
  shown.ok();
});

test('bottleneck at the knee with live probes: a database-bound fault names the database', { timeout: 180_000 }, async (t) => {
  const { run, b, bounds, shown } = await probedCapacity(t, dbBound, '/orders/{{ randomInt(1, 190000) }}', 'GET /orders/:id', searchFlags(10, 4));
  assert.equal(b.bounds[0]!.resource, 'db', `first bound: ${bounds}`);
  assert.ok(b.bounds.some((x) => x.resource === 'cpu'), `the service's CPU is measured too, and saturates later: ${bounds}`);
  assert.match(run.stdout, /Bottleneck: db, which saturates first/);
  shown.ok();
});

/** Rates as the capacity text prints them (3 significant digits; whole numbers from 100). */
function shownRate(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Number(n.toPrecision(3)));
}

test('capacity --compare BEFORE,AFTER: capacity gained and monthly cost saved are those of the two stored runs', { timeout: 180_000 }, async (t) => {
  const cwd = tempDir();
  writePlan(cwd, dbBound.url, '/orders/{{ randomInt(1, 190000) }}', 'GET /orders/:id');
  const runs: CliRun[] = [];
  const shown = showOnFailure(t, () => runs);
  const capacity = async (): Promise<RunResult> => {
    const known = existsSync(join(cwd, '.tuneup', 'runs')) ? readdirSync(join(cwd, '.tuneup', 'runs')) : [];
    const run = await runCli(['capacity', 'plan.yaml', '--no-report', ...searchFlags(20, 4)], cwd);
    runs.push(run);
    assert.equal(run.code, 0, run.stderr);
    const result = newRun(cwd, known);
    assert.notEqual(result.capacity!.estimate.status, 'below-start', `a capacity was measured\n${stepsOf(result)}`);
    return result;
  };

  // Before: the missing index; after: the index the optimizer would create (a real before/after change).
  const before = await capacity();
  await pg.query('CREATE INDEX compare_orders_reference_idx ON orders (reference)');
  let afterRun: RunResult;
  try {
    afterRun = await capacity();
  } finally {
    await pg.query('DROP INDEX IF EXISTS compare_orders_reference_idx');
  }
  const rb = before.capacity!.estimate.rate!;
  const ra = afterRun.capacity!.estimate.rate!;

  // The sizing, recomputed here from the two stored rates: 1000/s at 75 % of each instance, 0.5 an hour, 730 h a month.
  const target = 1000;
  const headroom = 0.25;
  const price = 0.5;
  const instances = (rate: number): number => Math.max(1, Math.ceil(target / (rate * (1 - headroom)) - 1e-9));
  const ib = instances(rb);
  const ia = instances(ra);
  const saved = (ib - ia) * price * 730;
  const sizing = ['--target-rate', String(target), '--headroom', String(headroom), '--price-per-hour', String(price)];

  const json = await runCli(['capacity', '--compare', `${before.id},${afterRun.id}`, ...sizing, '--json'], cwd);
  runs.push(json);
  assert.equal(json.code, 0, json.stderr);
  const c = JSON.parse(json.stdout) as CapacityComparison;
  assert.deepEqual([c.before, c.after], [{ id: before.id, rate: rb }, { id: afterRun.id, rate: ra }]);
  assert.ok(Math.abs(c.gained - (ra / rb - 1)) < 1e-12, `gained ${c.gained} for ${rb}/s → ${ra}/s`);
  assert.equal(c.rows.length, 1);
  assert.deepEqual(c.rows[0], { label: 'target', targetRate: target, instancesBefore: ib, instancesAfter: ia, monthlySaved: saved });

  // The terminal: the same figures, as a person reads them.
  const text = await runCli(['capacity', '--compare', `${before.id},${afterRun.id}`, ...sizing], cwd);
  runs.push(text);
  assert.equal(text.code, 0, text.stderr);
  const money = saved.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const gained = `${ra / rb - 1 >= 0 ? '+' : ''}${((ra / rb - 1) * 100).toFixed(1)} %`;
  assert.match(text.stdout, /Before \/ after/);
  assert.match(text.stdout, new RegExp(`\\n +target +1000/s +${ib} +${ia} +${money.replace(/[.]/g, '\\.')}\\n`), `row: ${ib} → ${ia} instances, ${money} saved`);
  assert.ok(text.stdout.includes(`Capacity ${shownRate(rb)}/s (${before.id}) → ${shownRate(ra)}/s (${afterRun.id}): ${gained}.`), `gained ${gained}`);
  assert.ok(text.stdout.includes(`capacity ${shownRate(rb)}/s → ${shownRate(ra)}/s · markdown:`));

  // The Markdown next to the after run says the same.
  const md = readFileSync(join(cwd, '.tuneup', 'runs', afterRun.id, 'capacity-compare.md'), 'utf8');
  assert.match(md, new RegExp(`\\| target \\| 1000/s \\| ${ib} \\| ${ia} \\| ${money.replace(/[.]/g, '\\.')} \\|`));
  shown.ok();
});
