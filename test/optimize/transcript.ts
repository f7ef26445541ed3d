/**
 * Transcript for the report: a planted missing index, then
 * `tuneup optimize` (dry run) → `--apply` → `journal` → `rollback`, run for
 * real against a throw-away PostgreSQL 15 with HypoPG. Not a test (no
 * `.test.ts`); run with `npx tsx test/optimize/transcript.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOptimizeCli, runResultFrom, runWorkload, startPlantedPostgres, storeRun } from './helpers.js';

const db = await startPlantedPostgres();
const cwd = await mkdtemp(join(tmpdir(), 'tuneup-transcript-'));
const say = (text: string) => process.stdout.write(`${text}\n`);
const explain = async () =>
  (await db.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT id, total FROM orders WHERE user_id = 42')).map((r) => `    ${r['QUERY PLAN']}`).join('\n');
try {
  say('# planted: orders (100 000 rows); index on orders(user_id) dropped; 30 lookups by user_id recorded by pg_stat_statements');
  await runWorkload(db.url, [{ sql: 'SELECT id, total FROM orders WHERE user_id = $1', params: (i) => [i * 7], times: 30 }]);
  await storeRun(join(cwd, '.tuneup/runs'), await runResultFrom(db));
  const url = db.url.replace(/^postgresql:\/\/postgres@/, 'postgresql://postgres@');
  for (const args of [
    ['optimize', '--run', 'latest', '--pg', url],
    ['optimize', '--run', 'latest', '--pg', url, '--apply', '--environment', 'staging'],
  ]) {
    say(`\n$ tuneup ${args.join(' ')}`);
    const out = await runOptimizeCli(args, cwd);
    say(out.stdout.trimEnd());
    if (out.stderr.trim()) say(out.stderr.trimEnd().replace(/^/gm, '[stderr] '));
  }
  say(`\n# EXPLAIN SELECT id, total FROM orders WHERE user_id = 42 (after apply)\n${await explain()}`);
  say('\n$ tuneup journal');
  const list = await runOptimizeCli(['journal'], cwd);
  say(list.stdout.trimEnd());
  const id = list.stdout.split(/\s+/)[0]!;
  say(`\n$ tuneup rollback ${id} --pg ${url}`);
  const rolled = await runOptimizeCli(['rollback', id, '--pg', url], cwd);
  say(rolled.stdout.trimEnd());
  say(rolled.stderr.trimEnd().replace(/^/gm, '[stderr] '));
  say(`\n# EXPLAIN SELECT id, total FROM orders WHERE user_id = 42 (after rollback)\n${await explain()}`);
} finally {
  await db.stop();
  await rm(cwd, { recursive: true, force: true });
}
