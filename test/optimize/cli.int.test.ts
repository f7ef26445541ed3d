// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestPostgres } from '../harness/postgres.js';
import { runOptimizeCli, runResultFrom, runWorkload, startPlantedPostgres, storeRun, tuneupIndexes } from './helpers.js';

describe('tuneup optimize / rollback / journal', () => {
  let db: TestPostgres;
  let cwd: string;
  before(async () => {
    db = await startPlantedPostgres();
    cwd = await mkdtemp(join(tmpdir(), 'tuneup-optimize-cli-'));
    await runWorkload(db.url, [{ sql: 'SELECT id, total FROM orders WHERE user_id = $1', params: (i) => [i * 7], times: 30 }]);
    await storeRun(join(cwd, '.tuneup/runs'), await runResultFrom(db));
  });
  after(async () => {
    await db?.stop();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  test('the dry run prints costs, plans and statements, and changes nothing', async () => {
    const { stdout, stderr } = await runOptimizeCli(['optimize', '--run', 'latest', '--pg', db.url], cwd);
    assert.match(stdout, /Index on public\.orders \(user_id\)/);
    assert.match(stdout, /cost \d+\.\d+ → \d+\.\d+ \(−\d+\.\d %\), estimated index size/);
    assert.match(stdout, /apply: {4}CREATE INDEX CONCURRENTLY "tuneup_orders_user_id_idx"/);
    assert.match(stdout, /rollback: DROP INDEX CONCURRENTLY IF EXISTS/);
    assert.match(stderr, /dry run: nothing was changed/);
    assert.deepEqual(await tuneupIndexes(db), []);
    await assert.rejects(readdir(join(cwd, '.tuneup/journal')));
  });

  test('--apply needs --environment, and production needs confirmation', async () => {
    await assert.rejects(runOptimizeCli(['optimize', '--run', 'latest', '--pg', db.url, '--apply'], cwd), (e: { code?: string }) => e.code === 'TUNEUP_OPTION_MISSING');
    await assert.rejects(
      runOptimizeCli(['optimize', '--run', 'latest', '--pg', db.url, '--apply', '--environment', 'production'], cwd),
      (e: { code?: string }) => e.code === 'TUNEUP_APPLY_REFUSED',
    );
    assert.deepEqual(await tuneupIndexes(db), []);
  });

  test('a plan saved with --out is applied as reviewed with --plan', async () => {
    await runOptimizeCli(['optimize', '--run', 'latest', '--pg', db.url, '--out', 'plan.json'], cwd);
    assert.deepEqual(await tuneupIndexes(db), []);
    const applied = await runOptimizeCli(['optimize', '--plan', 'plan.json', '--apply', '--environment', 'staging'], cwd);
    const id = /journal (\d{8}-\d{6}-[0-9a-f]{4})/.exec(applied.stdout)?.[1];
    assert.ok(id, applied.stdout);
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_orders_user_id_idx', valid: true }]);
    await runOptimizeCli(['rollback', id, '--pg', db.url], cwd);
    assert.deepEqual(await tuneupIndexes(db), []);
    await assert.rejects(runOptimizeCli(['optimize', '--apply', '--environment', 'x'], cwd), (e: { code?: string }) => e.code === 'TUNEUP_OPTION_MISSING');
  });

  test('apply, list, rollback', async () => {
    const applied = await runOptimizeCli(['optimize', '--run', 'latest', '--pg', db.url, '--apply', '--environment', 'production', '--yes'], cwd);
    const id = /journal (\d{8}-\d{6}-[0-9a-f]{4})/.exec(applied.stdout)?.[1];
    assert.ok(id, applied.stdout);
    assert.deepEqual(await tuneupIndexes(db), [{ name: 'tuneup_orders_user_id_idx', valid: true }]);
    const list = await runOptimizeCli(['journal'], cwd);
    assert.match(list.stdout, new RegExp(`${id}\\s+applied\\s+production`));
    // The harness URL has no password, so rollback can take it from the journal.
    const rolled = await runOptimizeCli(['rollback', id], cwd);
    assert.match(rolled.stdout, /status rolled-back/);
    assert.deepEqual(await tuneupIndexes(db), []);
  });
});
