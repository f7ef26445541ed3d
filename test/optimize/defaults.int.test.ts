// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * What `tuneup optimize` does by default, against a real PostgreSQL 15:
 * `--apply` runs only the actions that fix a finding of the run; global
 * settings are planned only with `--component config`, sized from the
 * database host (given or read from the server) in human units, never
 * raising max_connections; a dry run leaves pg_extension and pg_settings
 * as they were (HypoPG is created inside a rolled-back transaction); an
 * identifier that is a keyword (`order`) is quoted.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NON_UNRESERVED_KEYWORDS, quoteIdent as diagnoseQuoteIdent } from '../../src/diagnose/sql.js';
import { applyPlan, planOptimizations } from '../../src/optimize/index.js';
import type { Finding } from '../../src/result/types.js';
import type { TestPostgres } from '../harness/postgres.js';
import { plantedFinding, runOptimizeCli, runResultFrom, runWorkload, startPlantedPostgres, storeRun, tuneupIndexes } from './helpers.js';

const GIB = 1024 ** 3;
const LOOKUP = 'SELECT id, total FROM orders WHERE user_id = $1';
const BY_EMAIL = 'SELECT id FROM users WHERE lower(email) = $1';
const BY_ORDER = 'SELECT id, qty FROM shipments WHERE "order" = $1';

/** Every setting as the server reports it, and what postgresql.auto.conf holds. */
async function serverState(db: TestPostgres): Promise<{ settings: string; auto: string; extensions: string[] }> {
  const settings = await db.query<{ name: string; setting: string }>('SELECT name, setting FROM pg_settings ORDER BY name');
  const auto = await db.query<{ name: string; setting: string }>("SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf' ORDER BY seqno");
  const extensions = await db.query<{ extname: string }>('SELECT extname FROM pg_extension ORDER BY 1');
  return { settings: JSON.stringify(settings), auto: JSON.stringify(auto), extensions: extensions.map((e) => e.extname) };
}

function finding(id: string, actions: string[]): Finding {
  return { ...plantedFinding(), id, rule: id.slice(0, id.indexOf(':')), actions };
}

describe('optimize defaults (real PostgreSQL 15, HypoPG installed but not created)', () => {
  let db: TestPostgres;
  let cwd: string;
  before(async () => {
    // HypoPG is on the server (Debian package) but not created in the database, as on a fresh production database.
    db = await startPlantedPostgres(['pg_stat_statements']);
    await db.query('CREATE TABLE shipments (id bigint PRIMARY KEY, "order" int NOT NULL, qty int NOT NULL)');
    await db.query('INSERT INTO shipments SELECT g, g % 5000, g % 7 FROM generate_series(1, 60000) g');
    await db.query('ANALYZE shipments');
    await runWorkload(db.url, [
      { sql: LOOKUP, params: (i) => [i * 7], times: 30 },
      { sql: BY_EMAIL, params: (i) => [`user${i}@example.com`], times: 30 },
      { sql: BY_ORDER, params: (i) => [i * 3], times: 30 },
    ]);
    cwd = await mkdtemp(join(tmpdir(), 'tuneup-optimize-defaults-'));
  });
  after(async () => {
    await db?.stop();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  test('a dry run changes nothing: no hypopg extension, no setting, no index — and still proposes the index', async () => {
    const before = await serverState(db);
    assert.ok(!before.extensions.includes('hypopg'), before.extensions.join(','));
    const plan = await planOptimizations(await runResultFrom(db), { pgUrl: db.url });
    assert.ok(plan.actions.some((a) => a.id === 'pg-index:public.orders(user_id)'), plan.actions.map((a) => a.id).join(', ') + plan.notes.join('\n'));
    assert.ok(plan.notes.some((n) => /rolled back/.test(n)), plan.notes.join('\n'));
    const afterState = await serverState(db);
    assert.deepEqual(afterState.extensions, before.extensions, 'pg_extension unchanged');
    assert.equal(afterState.settings, before.settings, 'pg_settings unchanged');
    assert.equal(afterState.auto, before.auto, 'postgresql.auto.conf unchanged');
    assert.deepEqual(await tuneupIndexes(db), []);
  });

  test('default --apply applies only the finding-linked index, and no global setting', async () => {
    const runsDir = join(cwd, 'runs-default');
    await storeRun(runsDir, await runResultFrom(db, '20261204-100000-dflt'));
    const before = await serverState(db);

    const dry = await runOptimizeCli(['optimize', '--run', 'latest', '--runs-dir', runsDir, '--pg', db.url], cwd);
    assert.match(dry.stdout, /fixes: missing-index:public\.orders\(user_id\)/);
    assert.match(dry.stdout, /Not proposed by this run's findings/);
    assert.match(dry.stdout, /lower\(email\)/, 'the expression index is shown');
    assert.doesNotMatch(dry.stdout, /pg-config:/, 'no global setting without --component config');

    const applied = await runOptimizeCli(['optimize', '--run', 'latest', '--runs-dir', runsDir, '--pg', db.url, '--apply', '--environment', 'test', '--json'], cwd);
    const entry = JSON.parse(applied.stdout) as { steps: { actionId: string; state: string }[] };
    assert.deepEqual(entry.steps.map((s) => [s.actionId, s.state]), [['pg-index:public.orders(user_id)', 'applied']]);
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_orders_user_id_idx', valid: true }]);
    const afterState = await serverState(db);
    assert.equal(afterState.settings, before.settings, 'no global setting changed');
    assert.equal(afterState.auto, before.auto);
    await db.query('DROP INDEX tuneup_orders_user_id_idx');
  });

  test('an action no finding asks for is applied only when named with --only', async () => {
    const plan = await planOptimizations(await runResultFrom(db, '20261204-100001-only', []), { pgUrl: db.url });
    const email = plan.actions.find((a) => a.id === 'pg-index:public.users(lower(email))');
    assert.ok(email, plan.actions.map((a) => a.id).join(', '));
    assert.match(email.optIn ?? '', /not proposed by this run's findings/);
    const journalDir = join(cwd, 'journal-only');
    await assert.doesNotReject(async () => {
      const none = await applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url });
      assert.equal(none.steps.length, 0);
    });
    assert.deepEqual(await tuneupIndexes(db), []);
    const named = await applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url, only: [email.id] });
    assert.deepEqual(named.steps.map((s) => s.state), ['applied']);
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_users_lower_email_idx', valid: true }]);
    await db.query('DROP INDEX tuneup_users_lower_email_idx');
  });

  test('a column named "order" gets a valid, quoted index', async () => {
    const result = await runResultFrom(db, '20261204-100002-ordr', [finding('missing-index:public.shipments(order)', ['pg-index'])]);
    const plan = await planOptimizations(result, { pgUrl: db.url });
    const action = plan.actions.find((a) => a.id === 'pg-index:public.shipments(order)');
    assert.ok(action, plan.actions.map((a) => a.id).join(', ') + plan.notes.join('\n'));
    assert.deepEqual(action.findings, ['missing-index:public.shipments(order)']);
    assert.equal(action.changes[0]!.statements[0], 'CREATE INDEX CONCURRENTLY "tuneup_shipments_order_idx" ON "public"."shipments" USING btree ("order")');
    const entry = await applyPlan(plan, { journalDir: join(cwd, 'journal-order'), environment: 'test', pgUrl: db.url });
    assert.deepEqual(entry.steps.map((s) => [s.actionId, s.state]), [['pg-index:public.shipments(order)', 'applied']]);
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_shipments_order_idx', valid: true }]);
    // The diagnosis recommendation quotes it too, and its statement is valid on the server.
    const sql = `CREATE INDEX diag_order_idx ON ${diagnoseQuoteIdent('public')}.${diagnoseQuoteIdent('shipments')} (${diagnoseQuoteIdent('order')})`;
    assert.equal(sql, 'CREATE INDEX diag_order_idx ON public.shipments ("order")');
    await db.query(sql);
    await db.query('DROP INDEX diag_order_idx, tuneup_shipments_order_idx');
  });

  test("the diagnosis quoting knows every keyword this server does not accept bare", async () => {
    const rows = await db.query<{ word: string }>("SELECT word FROM pg_get_keywords() WHERE catcode <> 'U' ORDER BY 1");
    assert.deepEqual([...NON_UNRESERVED_KEYWORDS].sort(), rows.map((r) => r.word));
    for (const { word } of rows) assert.equal(diagnoseQuoteIdent(word), `"${word}"`);
    assert.equal(diagnoseQuoteIdent('orders'), 'orders');
    assert.equal(diagnoseQuoteIdent('Orders'), '"Orders"');
    assert.equal(diagnoseQuoteIdent('a"b'), '"a""b"');
  });

  test('--component config: sized from the given host, human units, no max_connections, nothing at or above target', async () => {
    const runsDir = join(cwd, 'runs-config');
    await storeRun(runsDir, await runResultFrom(db, '20261204-100003-conf'));
    const before = await serverState(db);
    const out = await runOptimizeCli(
      ['optimize', '--run', 'latest', '--runs-dir', runsDir, '--pg', db.url, '--component', 'config', '--db-memory', '8GiB', '--db-cpus', '4', '--json'],
      cwd,
    );
    const plan = JSON.parse(out.stdout) as Awaited<ReturnType<typeof planOptimizations>>;
    assert.deepEqual(plan.dbHost, { memoryBytes: 8 * GIB, cpus: 4, source: 'given' });
    assert.ok(plan.actions.every((a) => a.kind === 'pg-config'), plan.actions.map((a) => a.id).join(', '));
    const ids = plan.actions.map((a) => a.id);
    assert.ok(!ids.includes('pg-config:max_connections'), 'max_connections is never proposed');
    // The harness runs shared_buffers 32 MiB on a ~30 MiB database: raised to the 128 MiB floor, not to 2 GiB (25 % of 8 GiB).
    const shared = plan.actions.find((a) => a.id === 'pg-config:shared_buffers');
    assert.equal(shared?.title, 'Set shared_buffers 128 MiB (now 32 MiB)');
    assert.equal(shared?.applicable, false, 'needs a restart: proposal only');
    // work_mem for the server's own max_connections (50), not PgTune's 200: (8 GiB − 2 GiB) / ((50 + 4 workers) × 3) = 38836 kB,
    // but never more than the data (a sort of a ~40 MiB database never needs more).
    const [{ mib }] = await db.query<{ mib: number }>('SELECT ceil(sum(pg_database_size(oid)) / 1048576.0)::int AS mib FROM pg_database WHERE datallowconn');
    const workMemKb = Math.min(38836, mib! * 1024);
    const workMem = plan.actions.find((a) => a.id === 'pg-config:work_mem');
    assert.deepEqual(workMem?.changes[0]!.statements, [`ALTER SYSTEM SET "work_mem" = '${workMemKb % 1024 === 0 ? `${workMemKb / 1024}MB` : `${workMemKb}kB`}'`, 'SELECT pg_reload_conf()']);
    assert.match(workMem?.title ?? '', /^Set work_mem \d+(\.\d)? MiB \(now 4 MiB\)$/);
    // maintenance_work_mem: PgTune's 512 MiB is capped at the data size, below the current 64 MiB: left alone.
    assert.ok(!ids.includes('pg-config:maintenance_work_mem'), ids.join(', '));
    // A fresh server has no WAL-driven checkpoints: no bigger WAL.
    assert.ok(!ids.includes('pg-config:max_wal_size') && !ids.includes('pg-config:min_wal_size'));
    assert.equal(workMem?.optIn, undefined, '--component config is the explicit ask');
    // Settings already at or above the target are left alone (checkpoint_completion_target is 0.9 by default on 15).
    assert.ok(!ids.includes('pg-config:checkpoint_completion_target'));
    assert.ok(!ids.includes('pg-config:default_statistics_target'));
    assert.equal((await serverState(db)).settings, before.settings, 'planning changed no setting');
  });

  test('--component config reads the host from the server when it may; otherwise it says which options to pass', async () => {
    const plan = await planOptimizations(await runResultFrom(db), { pgUrl: db.url, component: 'config' });
    assert.match(plan.dbHost?.source ?? '', /read from the server/);
    assert.ok(plan.dbHost!.memoryBytes > 0 && plan.dbHost!.memoryBytes <= totalmem(), String(plan.dbHost!.memoryBytes));
    assert.ok(plan.dbHost!.cpus >= 1);

    // An application role may not read server files, and the run recorded no machine: tuneup must not guess.
    await db.query('CREATE ROLE app LOGIN');
    await db.query('GRANT pg_read_all_stats TO app');
    const appUrl = db.url.replace('postgres@', 'app@');
    const result = await runResultFrom(db);
    delete (result as { environment?: unknown }).environment;
    await assert.rejects(planOptimizations(result, { pgUrl: appUrl, component: 'config' }), (err: { code?: string; hint?: string; exitCode?: number }) => {
      assert.equal(err.code, 'TUNEUP_OPTION_MISSING');
      assert.match(err.hint ?? '', /--db-memory 16GiB --db-cpus 4/);
      assert.equal(err.exitCode, 104);
      return true;
    });
    const given = await planOptimizations(result, { pgUrl: appUrl, component: 'config', config: { memoryBytes: 4 * GIB, cpus: 2 } });
    assert.equal(given.dbHost?.source, 'given');
  });
});
