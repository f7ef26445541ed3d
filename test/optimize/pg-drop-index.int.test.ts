// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { applyPlan, planOptimizations, rollbackJournal } from '../../src/optimize/index.js';
import type { IndexDelta } from '../../src/probes/postgres/types.js';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { plantedFinding, runResultFrom } from './helpers.js';

describe('duplicate and unused index removal', () => {
  let db: TestPostgres;
  let journalDir: string;
  before(async () => {
    db = await startPostgres({ extensions: ['pg_stat_statements', 'hypopg'] });
    journalDir = await mkdtemp(join(tmpdir(), 'tuneup-journal-'));
    await db.query('CREATE TABLE items (id int PRIMARY KEY, a int, b int, c int)');
    await db.query('INSERT INTO items SELECT g, g % 100, g % 7, g FROM generate_series(1, 20000) g');
    await db.query('CREATE INDEX items_a_idx ON items (a)');
    await db.query('CREATE INDEX items_a_b_idx ON items (a, b)');
    await db.query('CREATE INDEX items_c_idx ON items (c DESC)');
    await db.query('ANALYZE items');
  });
  after(async () => {
    await db?.stop();
    if (journalDir) await rm(journalDir, { recursive: true, force: true });
  });

  async function definition(name: string): Promise<string | undefined> {
    const rows = await db.query<{ def: string }>('SELECT indexdef AS def FROM pg_indexes WHERE indexname = $1', [name]);
    return rows[0]?.def;
  }

  test('a duplicate (prefix) index is proposed for removal; rollback re-creates it from its definition', async () => {
    const saved = await definition('items_a_idx');
    const plan = await planOptimizations(await runResultFrom(db), { pgUrl: db.url });
    const action = plan.actions.find((a) => a.id === 'pg-drop-index:public.items_a_idx');
    assert.ok(action, plan.actions.map((a) => a.id).join(', '));
    assert.equal(action.risk, 'moderate');
    assert.deepEqual(action.changes[0]!.statements, ['DROP INDEX CONCURRENTLY IF EXISTS "public"."items_a_idx"']);
    assert.deepEqual(action.changes[0]!.undo, ['CREATE INDEX CONCURRENTLY IF NOT EXISTS items_a_idx ON public.items USING btree (a)']);
    assert.ok(!plan.actions.some((a) => a.id.includes('items_pkey') || a.id.includes('items_a_b_idx')));

    // No finding of the run names it: shown, but applied only when named.
    assert.match(action.optIn ?? '', /not proposed by this run's findings/);
    assert.equal((await applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url })).steps.length, 0);
    assert.equal(await definition('items_a_idx'), saved);

    const entry = await applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url, only: [action.id] });
    assert.equal(await definition('items_a_idx'), undefined);
    await rollbackJournal(entry.id, { journalDir, pgUrl: db.url });
    assert.equal(await definition('items_a_idx'), saved);
    await rollbackJournal(entry.id, { journalDir, pgUrl: db.url });
    assert.equal(await definition('items_a_idx'), saved);
  });

  test('a duplicate-index finding of the run links the drop, which --apply then runs by default', async () => {
    const duplicate = { ...plantedFinding(), id: 'duplicate-index:public.items_a_idx', rule: 'duplicate-index', actions: ['pg-index'] };
    const plan = await planOptimizations(await runResultFrom(db, undefined, [duplicate]), { pgUrl: db.url });
    const action = plan.actions.find((a) => a.id === 'pg-drop-index:public.items_a_idx');
    assert.deepEqual(action?.findings, ['duplicate-index:public.items_a_idx']);
    assert.equal(action?.optIn, undefined);
    const entry = await applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url });
    assert.deepEqual(entry.steps.map((s) => s.actionId), ['pg-drop-index:public.items_a_idx']);
    await rollbackJournal(entry.id, { journalDir, pgUrl: db.url });
    assert.ok(await definition('items_a_idx'));
  });

  test('an unused index is a disruptive proposal: only the aggressive strategy admits it', async () => {
    const result = await runResultFrom(db);
    const unused = { schema: 'public', table: 'items', name: 'items_c_idx', idxScan: 0, idxScanTotal: 0 } as IndexDelta;
    (result.probes![0]!.data as { indexes: IndexDelta[] }).indexes = [unused];
    const balanced = await planOptimizations(result, { pgUrl: db.url, dropIndex: { minUnusedBytes: 0 } });
    assert.ok(!balanced.actions.some((a) => a.id === 'pg-drop-index:public.items_c_idx'));
    assert.ok(balanced.skipped.some((s) => s.id === 'pg-drop-index:public.items_c_idx' && /aggressive/.test(s.reason)));
    const aggressive = await planOptimizations(result, { pgUrl: db.url, strategy: 'aggressive', dropIndex: { minUnusedBytes: 0 } });
    const action = aggressive.actions.find((a) => a.id === 'pg-drop-index:public.items_c_idx');
    assert.equal(action?.risk, 'disruptive');
    assert.match(action!.changes[0]!.undo[0]!, /USING btree \(c DESC\)$/);
  });
});
