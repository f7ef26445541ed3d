// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * The index what-if without HypoPG (build in the dry run's transaction,
 * EXPLAIN, roll back) on PGlite, which has no HypoPG — the demo's embedded
 * database, started by demo/pglite-server.mjs as `tuneup demo` starts it: it
 * stays off unless asked, then proposes the index, says which method
 * estimated it, leaves no index behind, and skips tables above the size limit.
 * (The machine's PostgreSQL 15 has the hypopg package, so it would not take this path.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { adviseIndexes } from '../../src/optimize/pg-index.js';
import type { StatementDelta } from '../../src/probes/postgres/types.js';
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** PGlite behind its socket server, as the demo runs it (cached data dir in ~/.cache/tuneup). */
async function startPglite(): Promise<{ url: string; stop: () => Promise<void> }> {
  const script = new URL('../../demo/pglite-server.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, '--cache-dir', join(homedir(), '.cache', 'tuneup')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`pglite-server exited (${code})`)));
  });
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

const QUERY = 'SELECT id, book_id FROM loans WHERE member_id = $1';

function delta(query: string): StatementDelta {
  return {
    queryid: '42', query, user: 'postgres', toplevel: true, calls: 500, totalExecMs: 5000, meanExecMs: 10, totalPlanMs: 0, rows: 500,
    sharedBlksHit: 1000, sharedBlksRead: 0, sharedBlksDirtied: 0, tempBlksWritten: 0, blkReadMs: 0, cacheHitRatio: 1, shareOfExecTime: 1, isNew: false, resetDuringRun: false,
  };
}

test('build-and-rollback what-if: proposes, labels its method, leaves nothing, honours the size limit', { timeout: 120_000 }, async () => {
  const server = await startPglite();
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE loans (id serial PRIMARY KEY, book_id int NOT NULL, member_id int NOT NULL, note text)`);
    await client.query(`INSERT INTO loans (book_id, member_id, note) SELECT g % 4000, g % 2000, repeat('x', 40) FROM generate_series(1, 40000) g`);
    await client.query('ANALYZE loans');
    assert.equal((await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'")).rowCount, 0, 'PGlite has no HypoPG');

    // Off unless asked: without HypoPG and without the opt-in, no proposal.
    const off = await adviseIndexes(client, [delta(QUERY)]);
    assert.equal(off.actions.length, 0);
    assert.match(off.notes.join('\n'), /HypoPG is not available/);

    const advice = await adviseIndexes(client, [delta(QUERY)], { buildInTransaction: { nonProduction: true, maxTableBytes: 64 * 1024 ** 2 } });
    const action = advice.actions.find((a) => a.id === 'pg-index:public.loans(member_id)');
    assert.ok(action, `actions: ${advice.actions.map((a) => a.id).join(', ')}; notes: ${advice.notes.join(' | ')}`);
    const method = action.evidence.find((e) => e.label === 'plan cost after')?.source;
    assert.equal(method, 'EXPLAIN with the index built in a rolled-back transaction');
    assert.match(advice.notes.join('\n'), /built inside the dry run's transaction, EXPLAINed and rolled back/);
    assert.ok((action.estimates?.[0]?.reduction ?? 0) >= 0.5);

    // Nothing remains: no index other than the primary key.
    const indexes = await client.query("SELECT indexname FROM pg_indexes WHERE tablename = 'loans'");
    assert.deepEqual(indexes.rows.map((r) => r.indexname), ['loans_pkey']);

    // Above the size limit the table is not examined, and the note says why.
    const tooBig = await adviseIndexes(client, [delta(QUERY)], { buildInTransaction: { nonProduction: true, maxTableBytes: 1024 } });
    assert.equal(tooBig.actions.length, 0);
    assert.match(tooBig.notes.join('\n'), /above the 1\.0 KiB limit/);
  } finally {
    await client.end();
    await server.stop();
  }
});
