// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyPlan, planOptimizations, rollbackJournal } from '../../src/optimize/index.js';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { plantedFinding, runResultFrom } from './helpers.js';

describe('pg-maintenance (ANALYZE, VACUUM, per-table autovacuum)', () => {
  let db: TestPostgres;
  let journalDir: string;
  before(async () => {
    db = await startPostgres({ extensions: ['pg_stat_statements', 'hypopg'] });
    journalDir = await mkdtemp(join(tmpdir(), 'tuneup-journal-'));
    await db.query('CREATE TABLE events (id int, body text) WITH (autovacuum_enabled = false)');
    await db.query("INSERT INTO events SELECT g, 'x' FROM generate_series(1, 50000) g");
    await db.query('DELETE FROM events WHERE id <= 20000');
    await db.query('CREATE TABLE fresh (id int) WITH (autovacuum_enabled = false)');
    await db.query('INSERT INTO fresh SELECT generate_series(1, 5000)');
    await db.query('SELECT pg_stat_force_next_flush()');
    for (let i = 0; i < 50; i++) {
      const rows = await db.query<{ dead: string }>("SELECT n_dead_tup::text AS dead FROM pg_stat_user_tables WHERE relname = 'events'");
      if (Number(rows[0]?.dead ?? 0) >= 20000) break;
      await sleep(100);
    }
  });
  after(async () => {
    await db?.stop();
    if (journalDir) await rm(journalDir, { recursive: true, force: true });
  });

  test('proposes VACUUM for bloat, ANALYZE for stale statistics, re-enabling autovacuum; rollback restores the options', async () => {
    const bloat = { ...plantedFinding(), id: 'table-bloat:public.events', rule: 'table-bloat', actions: ['pg-maintenance'] };
    const plan = await planOptimizations(await runResultFrom(db, undefined, [bloat]), { pgUrl: db.url });
    const ids = plan.actions.map((a) => a.id).sort();
    // The bloat finding links the table's VACUUM and autovacuum actions; fresh's are shown but opt-in.
    const linked = plan.actions.filter((a) => a.findings?.includes('table-bloat:public.events')).map((a) => a.id).sort();
    assert.deepEqual(linked, ['pg-maintenance:autovacuum:public.events', 'pg-maintenance:vacuum:public.events']);
    assert.ok(plan.actions.filter((a) => a.target === 'public.fresh').every((a) => a.optIn !== undefined));
    assert.deepEqual(
      ids.filter((id) => id.startsWith('pg-maintenance')),
      [
        'pg-maintenance:analyze:public.fresh',
        'pg-maintenance:autovacuum:public.events',
        'pg-maintenance:autovacuum:public.fresh',
        'pg-maintenance:vacuum:public.events',
      ],
    );
    const vacuum = plan.actions.find((a) => a.id === 'pg-maintenance:vacuum:public.events')!;
    assert.deepEqual(vacuum.changes[0]!.statements, ['VACUUM (ANALYZE) "public"."events"']);
    assert.deepEqual(vacuum.changes[0]!.undo, []);
    assert.match(vacuum.changes[0]!.undoNote ?? '', /nothing to undo/);

    const entry = await applyPlan(plan, { journalDir, environment: 'test', pgUrl: db.url, only: ids });
    assert.equal(entry.status, 'applied');
    const opts = await db.query<{ relname: string; reloptions: string[] | null }>(
      "SELECT relname, reloptions FROM pg_class WHERE relname IN ('events', 'fresh') ORDER BY relname",
    );
    assert.deepEqual(opts.map((r) => r.reloptions), [null, null]);
    const analyzed = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_user_tables WHERE relname IN ('events', 'fresh') AND last_analyze IS NOT NULL",
    );
    assert.equal(analyzed[0]!.n, 2);

    await rollbackJournal(entry.id, { journalDir, pgUrl: db.url });
    const back = await db.query<{ reloptions: string[] | null }>("SELECT reloptions FROM pg_class WHERE relname IN ('events', 'fresh') ORDER BY relname");
    assert.deepEqual(back.map((r) => r.reloptions), [['autovacuum_enabled=false'], ['autovacuum_enabled=false']]);
  });
});
