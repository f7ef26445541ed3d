// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { applyPlan, listJournals, planOptimizations, readJournal, rollbackJournal, type OptimizationPlan } from '../../src/optimize/index.js';
import type { TestPostgres } from '../harness/postgres.js';
import { runResultFrom, runWorkload, startPlantedPostgres, tuneupIndexes } from './helpers.js';

const CHILD = new URL('./fixtures/apply-child.ts', import.meta.url).pathname;
const LOOKUP = 'SELECT id, total FROM orders WHERE user_id = $1';

describe('apply and rollback of an index (real PostgreSQL 15)', () => {
  let db: TestPostgres;
  let journalDir: string;
  let plan: OptimizationPlan;

  before(async () => {
    db = await startPlantedPostgres();
    journalDir = await mkdtemp(join(tmpdir(), 'tuneup-journal-'));
    await runWorkload(db.url, [{ sql: LOOKUP, params: (i) => [i * 7], times: 30 }]);
    const full = await planOptimizations(await runResultFrom(db), { pgUrl: db.url });
    plan = { ...full, actions: full.actions.filter((a) => a.id === 'pg-index:public.orders(user_id)') };
    assert.equal(plan.actions.length, 1, full.actions.map((a) => a.id).join(', '));
  });
  after(async () => {
    await db?.stop();
    if (journalDir) await rm(journalDir, { recursive: true, force: true });
  });

  async function lookupPlan(): Promise<string> {
    const rows = await db.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT id, total FROM orders WHERE user_id = 42');
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  test('apply creates the index (fast plan), rollback drops it, a second rollback is a no-op', async () => {
    assert.match(await lookupPlan(), /Seq Scan/);
    const entry = await applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url });
    assert.equal(entry.status, 'applied');
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_orders_user_id_idx', valid: true }]);
    assert.match(await lookupPlan(), /tuneup_orders_user_id_idx/);

    const onDisk = JSON.parse(await readFile(join(journalDir, `${entry.id}.json`), 'utf8'));
    assert.equal(onDisk.steps[0].state, 'applied');
    assert.match(onDisk.steps[0].change.statements[0], /^CREATE INDEX CONCURRENTLY/);

    const rolled = await rollbackJournal(entry.id, { journalDir, pgUrl: db.url });
    assert.equal(rolled.status, 'rolled-back');
    assert.deepEqual(await tuneupIndexes(db), []);
    assert.match(await lookupPlan(), /Seq Scan/);

    const again = await rollbackJournal(entry.id, { journalDir, pgUrl: db.url });
    assert.equal(again.status, 'rolled-back');
    assert.ok((await listJournals(journalDir)).some((j) => j.id === entry.id));
  });

  test('a crash after journaling, before the index is built, is rolled back', async () => {
    const crash = new Error('simulated crash');
    let id = '';
    await assert.rejects(
      applyPlan(plan, {
        journalDir,
        environment: 'test',
        pgUrl: db.url,
        onStep: (step, entry) => {
          id = entry.id;
          if (step.state === 'started') throw crash;
        },
      }),
      (err: { code?: string }) => err.code === 'TUNEUP_APPLY_FAILED',
    );
    const journal = await readJournal(journalDir, id);
    assert.equal(journal.status, 'failed');
    assert.equal(journal.steps[0]!.state, 'failed');
    const rolled = await rollbackJournal(id, { journalDir, pgUrl: db.url });
    assert.equal(rolled.steps[0]!.state, 'rolled-back');
    assert.deepEqual(await tuneupIndexes(db), []);
  });

  test('a CREATE INDEX CONCURRENTLY that fails midway leaves an INVALID index that rollback removes', async () => {
    // An open transaction with a snapshot makes CIC wait at its last phase, after the
    // index is in the catalog; lock_timeout then cancels it, leaving it INVALID.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    let id = '';
    try {
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await holder.query('SELECT count(*) FROM users');
      await assert.rejects(
        applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url, lockTimeoutMs: 300, onStep: (_s, e) => void (id = e.id) }),
        (err: { code?: string; exitCode?: number }) => err.code === 'TUNEUP_APPLY_FAILED' && err.exitCode === 113,
      );
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_orders_user_id_idx', valid: false }]);
    const journal = await readJournal(journalDir, id);
    assert.equal(journal.steps[0]!.state, 'failed');
    assert.match(journal.steps[0]!.message ?? '', /lock timeout/);

    await rollbackJournal(id, { journalDir, pgUrl: db.url });
    assert.deepEqual(await tuneupIndexes(db), []);
  });

  test('a re-apply clears an INVALID leftover of a failed build and builds the index', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    let failedId = '';
    try {
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await holder.query('SELECT 1 FROM users LIMIT 1');
      await assert.rejects(applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url, lockTimeoutMs: 300, onStep: (_s, e) => void (failedId = e.id) }));
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_orders_user_id_idx', valid: false }]);
    const entry = await applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url });
    assert.equal(entry.steps[0]!.state, 'applied');
    assert.deepEqual(entry.steps[0]!.previous, { invalidLeftover: true });
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_orders_user_id_idx', valid: true }]);
    await rollbackJournal(entry.id, { journalDir, pgUrl: db.url });
    await rollbackJournal(failedId, { journalDir, pgUrl: db.url });
    assert.deepEqual(await tuneupIndexes(db), []);
  });

  test('a killed apply (SIGKILL during CREATE INDEX CONCURRENTLY) is completed by rollback', async () => {
    const planFile = join(journalDir, 'plan.json');
    await writeFile(planFile, JSON.stringify(plan));
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT 1 FROM users LIMIT 1');
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CHILD, planFile, db.url, journalDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let id = '';
    try {
      id = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk) => {
          out += chunk;
          const m = /STARTED (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`child exited ${code} before starting: ${out}`)));
      });
      // Let the CIC reach its wait for the open snapshot, then kill the process.
      let building = false;
      for (let i = 0; i < 100 && !building; i++) {
        const rows = await db.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'tuneup-optimize' AND query LIKE 'CREATE INDEX CONCURRENTLY%'");
        building = rows.length > 0;
        if (!building) await sleep(50);
      }
      assert.ok(building, 'the CREATE INDEX CONCURRENTLY was running when the process was killed');
      child.kill('SIGKILL');
      await once(child, 'exit');
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    const journal = await readJournal(journalDir, id);
    assert.equal(journal.status, 'applying');
    assert.equal(journal.steps[0]!.state, 'started');
    const rolled = await rollbackJournal(id, { journalDir, pgUrl: db.url, lockTimeoutMs: 10_000 });
    assert.equal(rolled.status, 'rolled-back');
    assert.deepEqual(await tuneupIndexes(db), []);
  });

  test('an interrupt (abort signal) stops between steps; the applied step is rolled back', async () => {
    const analyze = {
      id: 'pg-maintenance:analyze:public.orders', kind: 'pg-maintenance', component: 'database', target: 'public.orders', risk: 'safe', title: 'ANALYZE', rationale: 'r', evidence: [], applicable: true,
      changes: [{ id: 'a', system: 'postgres', op: 'maintenance', description: 'ANALYZE orders', statements: ['ANALYZE "public"."orders"'], undo: [], params: {} }],
    } as const;
    const twoSteps = { ...plan, actions: [...plan.actions, structuredClone(analyze) as never] };
    const controller = new AbortController();
    let id = '';
    await assert.rejects(
      applyPlan(twoSteps, {
        journalDir, environment: 'test', pgUrl: db.url, signal: controller.signal,
        onStep: (step, entry) => {
          id = entry.id;
          if (step.state === 'applied') controller.abort();
        },
      }),
      (err: { code?: string; exitCode?: number }) => err.code === 'TUNEUP_APPLY_INTERRUPTED' && err.exitCode === 105,
    );
    const journal = await readJournal(journalDir, id);
    assert.deepEqual(journal.steps.map((s) => s.state), ['applied', 'pending']);
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_orders_user_id_idx', valid: true }]);
    await rollbackJournal(id, { journalDir, pgUrl: db.url });
    assert.deepEqual(await tuneupIndexes(db), []);
  });

  test('apply skips an index that already exists, and its rollback leaves it alone', async () => {
    await db.query('CREATE INDEX tuneup_orders_user_id_idx ON orders (user_id)');
    const entry = await applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url });
    assert.equal(entry.steps[0]!.state, 'skipped');
    await rollbackJournal(entry.id, { journalDir, pgUrl: db.url });
    // Not ours: rollback of a skipped step leaves the index alone.
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_orders_user_id_idx', valid: true }]);
    await db.query('DROP INDEX tuneup_orders_user_id_idx');
  });

  test('a concurrent apply is refused by the advisory lock', async () => {
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock(7262583301)');
      await assert.rejects(applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url }), (err: { code?: string }) => err.code === 'TUNEUP_APPLY_LOCKED');
    } finally {
      await other.end();
    }
    assert.deepEqual(await tuneupIndexes(db), []);
  });

  test('apply needs the connection URL; journals never hold the password', async () => {
    await assert.rejects(applyPlan(plan, { journalDir, environment: 'test' }), (err: { code?: string }) => err.code === 'TUNEUP_OPTION_MISSING');
    const url = db.url.replace('postgres@', 'postgres:s3cret@');
    const entry = await applyPlan(plan, { journalDir, environment: 'test', pgUrl: url });
    const text = await readFile(join(journalDir, `${entry.id}.json`), 'utf8');
    assert.ok(!text.includes('s3cret'));
    await rollbackJournal(entry.id, { journalDir, pgUrl: url });
    assert.deepEqual(await tuneupIndexes(db), []);
  });
});
