// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { applyPlan, planOptimizations, rollbackJournal } from '../../src/optimize/index.js';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { runResultFrom } from './helpers.js';

const GB = 1024 ** 3;

describe('pg-config (PgTune, ALTER SYSTEM, exact rollback)', () => {
  let db: TestPostgres;
  let journalDir: string;
  before(async () => {
    db = await startPostgres({ extensions: ['pg_stat_statements', 'hypopg'], settings: { work_mem: '64kB' } });
    journalDir = await mkdtemp(join(tmpdir(), 'tuneup-journal-'));
    await db.query("ALTER SYSTEM SET random_page_cost = '40'");
    await db.query('SELECT pg_reload_conf()');
  });
  after(async () => {
    await db?.stop();
    if (journalDir) await rm(journalDir, { recursive: true, force: true });
  });

  /** Settings as a new session sees them (user-context settings apply to new sessions after reload). */
  async function show(...names: string[]): Promise<string[]> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const out: string[] = [];
      for (const n of names) out.push(String((await client.query(`SHOW ${n}`)).rows[0]?.[n]));
      return out;
    } finally {
      await client.end();
    }
  }

  async function autoConf(): Promise<Record<string, string>> {
    const rows = await db.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf' ORDER BY seqno",
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  }

  test('without --component config no global setting is planned', async () => {
    const plan = await planOptimizations(await runResultFrom(db), { pgUrl: db.url, config: { memoryBytes: 4 * GB, cpus: 4 } });
    assert.ok(!plan.actions.some((a) => a.kind === 'pg-config'), plan.actions.map((a) => a.id).join(', '));
    assert.ok(plan.notes.some((n) => /--component config/.test(n)), plan.notes.join('\n'));
  });

  test('proposes PgTune values, restart-only settings as proposals, and reverts exactly', async () => {
    const plan = await planOptimizations(await runResultFrom(db), { pgUrl: db.url, component: 'config', config: { memoryBytes: 4 * GB, cpus: 4 } });
    const byId = new Map(plan.actions.map((a) => [a.id, a]));
    const workMem = byId.get('pg-config:work_mem');
    assert.ok(workMem, [...byId.keys()].join(', '));
    // PgTune for the server's max_connections 50 (not PgTune's default 200): (4 GiB − 1 GiB) / ((50 + 4) × 3) kB.
    assert.deepEqual(workMem.changes[0]!.statements, [`ALTER SYSTEM SET "work_mem" = '19418kB'`, 'SELECT pg_reload_conf()']);
    assert.equal(workMem.title, 'Set work_mem 19 MiB (now 64 KiB)');
    assert.ok(byId.get('pg-config:random_page_cost'));
    const shared = byId.get('pg-config:shared_buffers');
    assert.ok(shared && !shared.applicable, 'shared_buffers is a restart-only proposal');
    assert.match(shared.proposalOnlyReason ?? '', /restart/);
    assert.deepEqual(await show('work_mem', 'random_page_cost'), ['64kB', '40'], 'planning changed nothing');

    const only = ['pg-config:work_mem', 'pg-config:random_page_cost', 'pg-config:shared_buffers'];
    const entry = await applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url, only });
    assert.equal(entry.steps.length, 2, 'the restart-only proposal is not applied');
    assert.ok(entry.proposalsOnly.includes('pg-config:shared_buffers'));
    assert.deepEqual(await show('work_mem', 'random_page_cost'), ['19418kB', '1.1']);
    const rpc = entry.steps.find((s) => s.actionId === 'pg-config:random_page_cost')!;
    assert.deepEqual(rpc.change.undo, [`ALTER SYSTEM SET "random_page_cost" = '40'`, 'SELECT pg_reload_conf()']);
    const wm = entry.steps.find((s) => s.actionId === 'pg-config:work_mem')!;
    assert.deepEqual(wm.change.undo, [`ALTER SYSTEM RESET "work_mem"`, 'SELECT pg_reload_conf()']);

    await rollbackJournal(entry.id, { journalDir, pgUrl: db.url });
    assert.deepEqual(await show('work_mem', 'random_page_cost'), ['64kB', '40']);
    assert.deepEqual(await autoConf(), { random_page_cost: '40' });
    // Idempotent.
    await rollbackJournal(entry.id, { journalDir, pgUrl: db.url });
    assert.deepEqual(await autoConf(), { random_page_cost: '40' });
  });

  test('WAL sizes only when checkpoints are requested more often than timed', async () => {
    const options = { pgUrl: db.url, component: 'config' as const, config: { memoryBytes: 4 * GB, cpus: 4 } };
    const quiet = await planOptimizations(await runResultFrom(db), options);
    assert.ok(!quiet.actions.some((a) => a.id === 'pg-config:max_wal_size'));
    assert.ok(quiet.notes.some((n) => /max_wal_size left alone/.test(n)), quiet.notes.join('\n'));
    // Requested checkpoints (as max_wal_size forces them under write load; CHECKPOINT counts the same way).
    for (let i = 0; i < 3; i++) await db.query('CHECKPOINT');
    const busy = await planOptimizations(await runResultFrom(db), options);
    assert.equal(busy.actions.find((a) => a.id === 'pg-config:max_wal_size')?.title, 'Set max_wal_size 4 GiB (now 1 GiB)');
  });

  test('conservative strategy leaves configuration changes out', async () => {
    const plan = await planOptimizations(await runResultFrom(db), { pgUrl: db.url, strategy: 'conservative', component: 'config', config: { memoryBytes: 4 * GB, cpus: 4 } });
    assert.ok(!plan.actions.some((a) => a.kind === 'pg-config'));
    assert.ok(plan.skipped.some((s) => s.id === 'pg-config:work_mem'));
  });
});
