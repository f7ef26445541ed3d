// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * Ctrl-C during `tuneup playbook PLAN --apply --environment NAME`, through
 * the real CLI against the fixture service with a missing index on
 * GET /orders/:id, over a real PostgreSQL from the harness.
 *
 * The promise (docs/optimize.md, the playbook's interrupt notice): nothing
 * is lost. The CLI exits 105 with the partial result written (the diagnosis
 * run, its report, the baseline, the closing summary naming the journal);
 * the journal says exactly what was applied (an index exists only if its
 * step is `applied`, and no step is left `started`: the running statement
 * finishes); and `tuneup rollback JOURNAL_ID` brings the database back to
 * its indexes before the playbook.
 *
 * Two moments: once a change has started (the index is being built), and as
 * soon as the journal exists (before its first change). Which side of a
 * step boundary the signal lands on is the host's business, so every
 * assertion holds on either side: they compare the journal with the
 * database, not with a moment.
 *
 * Bounded load to 127.0.0.1, on GET /orders/:id only: per playbook one 2 s
 * capacity step at 20/s, a 4 s diagnosis at 10/s, at most one 2 s
 * isolation, one 2 s run of the endpoint alone (2 users). No timing is
 * asserted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { startAll } from '../harness/resources.js';
import { startRedis, type TestRedis } from '../harness/redis.js';
import { seedFixtureDatabase, startFixtureService, type FixtureService } from '../fixtures/service/start.js';
import { runCli, startCli, tempDir, type CliRun } from '../cli/helpers.js';
import type { JournalEntry } from '../../src/optimize/types.js';

let pg: TestPostgres;
let redis: TestRedis;
let service: FixtureService;

before(async () => {
  ({ pg, redis } = await startAll({ pg: () => startPostgres({ extensions: ['pg_stat_statements'] }), redis: () => startRedis() }));
  await seedFixtureDatabase(pg.url);
  service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: ['missing-index'] });
});

after(async () => {
  await service?.stop();
  await redis?.stop();
  await pg?.stop();
});

async function ordersIndexes(): Promise<string[]> {
  const rows = await pg.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'orders' ORDER BY indexname");
  return rows.map((r) => r.indexdef);
}

function writePlan(cwd: string): void {
  writeFileSync(
    join(cwd, 'plan.yaml'),
    [
      `baseUrl: ${service.url}`,
      'scenarios:',
      '  shop:',
      '    executor: constant-arrival-rate',
      '    rate: 10',
      '    duration: 10s',
      '    preAllocatedVUs: 10',
      '    maxVUs: 50',
      '    requests:',
      // One endpoint: the finding is placed on it exactly, so a busy host cannot move the isolation elsewhere.
      '      - { path: "/orders/{{ randomInt(1, 190000) }}", name: "GET /orders/:id" }',
    ].join('\n'),
  );
}

const JOURNAL_DIR = join('.tuneup', 'journal');

/** The journals in `dir` (none while it does not exist). */
function journals(dir: string): JournalEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as JournalEntry];
      } catch {
        return []; // a file caught between its temp write and its rename
      }
    });
}

/**
 * Run the playbook with --apply and send SIGINT to the CLI process the first time `ready` holds for the
 * journal directory (checked on every change of it and every 10 ms). Resolves with the CLI's run.
 */
async function interruptedPlaybook(cwd: string, ready: (dir: string) => boolean): Promise<{ run: CliRun; signalled: boolean }> {
  const dir = join(cwd, JOURNAL_DIR);
  // The directory exists up front so that a watcher sees the journal's first write at once.
  mkdirSync(dir, { recursive: true });
  const cli = startCli(
    [
      'playbook', 'plan.yaml', '--apply', '--environment', 'test',
      '--pg', pg.url, '--pid', String(service.pid),
      '--start-rate', '20', '--max-steps', '1', '--step', '2s', '--bisections', '0',
      '--rate', '10', '--duration', '4s', '--isolate', '2s', '--max-isolations', '1', '--alone', '2s',
    ],
    cwd,
  );
  let signalled = false;
  const check = (): void => {
    if (signalled || cli.child.exitCode !== null || !ready(dir)) return;
    signalled = true;
    cli.child.kill('SIGINT');
  };
  const watcher = watch(dir, check);
  const poll = setInterval(check, 10);
  try {
    return { run: await cli.finished, signalled };
  } finally {
    clearInterval(poll);
    watcher.close();
  }
}

/** What every interrupted apply must leave: the partial result, a truthful journal, and a rollback to the indexes before. */
async function assertNothingLost(cwd: string, run: CliRun, indexesBefore: string[]): Promise<JournalEntry> {
  assert.equal(run.code, 105, `exit code\n${run.stderr}\n${run.stdout}`);
  assert.match(run.stderr, /stopping: the current run ends/, 'the interrupt was noticed');

  // The partial result: the diagnosis run and its report are stored, the baseline saved, the summary printed.
  const runsDir = join(cwd, '.tuneup', 'runs');
  const runIds = readdirSync(runsDir);
  assert.ok(runIds.length >= 1, 'the diagnosis run is stored');
  assert.ok(runIds.some((id) => existsSync(join(runsDir, id, 'report.html'))), 'a report is written');
  assert.ok(existsSync(join(cwd, '.tuneup', 'baselines', 'playbook.json')), 'the baseline is saved');
  assert.match(run.stdout, /tuneup playbook: summary/);
  assert.match(run.stdout, /missing-index +GET \/orders\/:id/, 'the findings are in the summary');
  assert.match(run.stdout, /interrupted: the playbook stopped early/);

  // The journal says what was applied, and the database agrees.
  const [entry, ...others] = journals(join(cwd, JOURNAL_DIR));
  assert.ok(entry, 'the apply wrote a journal');
  assert.equal(others.length, 0, 'one apply, one journal');
  assert.match(run.stdout, new RegExp(`journal ${entry.id}`), 'the summary names the journal');
  assert.deepEqual(entry.steps.filter((s) => s.state === 'started').map((s) => s.change.description), [], 'no change is left half-done: the running statement finishes');
  const created = (await ordersIndexes()).filter((d) => !indexesBefore.includes(d));
  const applied = entry.steps.filter((s) => s.state === 'applied');
  assert.equal(created.length, applied.length, `indexes created ${JSON.stringify(created)} vs steps applied ${JSON.stringify(applied.map((s) => s.change.description))}`);
  for (const step of applied) assert.ok(created.some((d) => step.change.statements.some((s) => s.includes(d.replace(/^CREATE INDEX (\S+) .*$/, '$1')))), `${step.change.description} is in the database`);
  if (applied.length > 0) assert.match(run.stdout, new RegExp(`undo: tuneup rollback ${entry.id}`));

  // Rollback brings the database back to its indexes before the playbook.
  const rollback = await runCli(['rollback', entry.id, '--pg', pg.url], cwd);
  assert.equal(rollback.code, 0, rollback.stderr);
  assert.deepEqual(await ordersIndexes(), indexesBefore, 'the indexes are as before the playbook');
  const rolled = journals(join(cwd, JOURNAL_DIR))[0]!;
  assert.equal(rolled.status, 'rolled-back');
  return entry;
}

test('Ctrl-C while the index is being built: it finishes, the journal says applied, rollback drops it', { timeout: 180_000 }, async (t) => {
  const cwd = tempDir();
  writePlan(cwd);
  const indexesBefore = await ordersIndexes();
  const { run, signalled } = await interruptedPlaybook(cwd, (dir) => journals(dir).some((j) => j.steps.some((s) => s.state === 'started' || s.state === 'applied')));
  let failed = true;
  t.after(() => {
    if (failed || process.env.TUNEUP_E2E_VERBOSE) console.log(`--- tuneup playbook stderr ---\n${run.stderr}\n--- stdout ---\n${run.stdout}`);
  });
  assert.ok(signalled, 'a change of the apply started (the playbook proposed the index and applied it)');
  const entry = await assertNothingLost(cwd, run, indexesBefore);
  // Signalled once the step had started: the statement ran to its end and was journaled as applied.
  assert.ok(entry.steps.some((s) => s.state === 'applied' && /CREATE INDEX/.test(s.change.statements.join(';'))), JSON.stringify(entry.steps.map((s) => s.state)));
  failed = false;
});

test('Ctrl-C as soon as the journal exists: whatever ran is journaled and rolled back; the summary says so', { timeout: 180_000 }, async (t) => {
  const cwd = tempDir();
  writePlan(cwd);
  const indexesBefore = await ordersIndexes();
  const { run, signalled } = await interruptedPlaybook(cwd, (dir) => journals(dir).length > 0);
  let failed = true;
  t.after(() => {
    if (failed || process.env.TUNEUP_E2E_VERBOSE) console.log(`--- tuneup playbook stderr ---\n${run.stderr}\n--- stdout ---\n${run.stdout}`);
  });
  assert.ok(signalled, 'the apply wrote its journal');
  await assertNothingLost(cwd, run, indexesBefore);
  failed = false;
});
