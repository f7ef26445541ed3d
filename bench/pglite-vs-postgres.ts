/**
 * PGlite (behind @electric-sql/pglite-socket, as `tuneup demo` runs it) next
 * to the machine's PostgreSQL 15 on the demo's own queries: the same seed
 * (demo/seed.mjs, with the loans(member_id) index), the same `pg` client,
 * one connection, statements back to back for a fixed count. Reports
 * statements per second per engine and the ratio PostgreSQL / PGlite, plus
 * PGlite's start time (cached data directory) and the seed time on each.
 * The sequential-scan query (the demo's missing index) runs 20 times a round.
 * Engines alternate per query and round, so drift on a shared machine falls
 * on both; the report gives the median over rounds.
 *
 *     node --import tsx bench/pglite-vs-postgres.ts [--count 200] [--rounds 3]
 *
 * Everything stays on 127.0.0.1: PGlite from demo/pglite-server.mjs, a
 * PostgreSQL 15 from the test harness (free port, temp dir).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { homedir } from 'node:os';
import pg from 'pg';
import { startPostgres } from '../test/harness/postgres.js';
// @ts-expect-error demo/ is plain JavaScript
import { seed } from '../demo/seed.mjs';

const argv = process.argv.slice(2);
const opt = (name: string, d: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const COUNT = opt('count', 200);
const ROUNDS = opt('rounds', 3);

const QUERIES: { name: string; sql: string; params: (i: number) => unknown[]; count?: number }[] = [
  { name: 'book by id (join)', sql: 'SELECT b.id, b.title, a.name FROM books b JOIN authors a ON a.id = b.author_id WHERE b.id = $1', params: (i) => [1 + (i % 4000)] },
  { name: "member's loans (index)", sql: 'SELECT id, book_id, loaned_at FROM loans WHERE member_id = $1 ORDER BY loaned_at DESC LIMIT 20', params: (i) => [1 + (i % 2000)] },
  // The demo's missing-index query as it runs before the fix (`+ 0` keeps the planner off the index): a scan of 60k loans.
  { name: "member's loans (seq scan)", sql: 'SELECT id, book_id, loaned_at FROM loans WHERE member_id + 0 = $1 ORDER BY loaned_at DESC LIMIT 20', params: (i) => [1 + (i % 2000)], count: 20 },
  { name: 'loan count of a book', sql: 'SELECT count(*) FROM loans WHERE book_id = $1', params: (i) => [1 + (i % 4000)] },
  { name: 'insert a loan', sql: 'INSERT INTO loans (book_id, member_id, branch_id, loaned_at) VALUES ($1, $2, 1, now())', params: (i) => [1 + (i % 4000), 1 + (i % 2000)] },
];

async function startPglite(): Promise<{ url: string; stop: () => void; startMs: number }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '../demo/pglite-server.mjs'), '--cache-dir', join(homedir(), '.cache', 'tuneup')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise<{ port: number; startMs: number }>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const line = out.split('\n').find((l) => l.includes('"ready"'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('exit', () => reject(new Error('pglite-server exited')));
  });
  return { url: `postgresql://postgres:postgres@127.0.0.1:${ready.port}/postgres`, startMs: ready.startMs, stop: () => child.kill('SIGTERM') };
}

async function timeSeed(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const t = performance.now();
  await seed(pool, { withMemberIndex: true });
  const ms = performance.now() - t;
  await pool.end();
  return ms;
}

async function rate(client: pg.Client, q: (typeof QUERIES)[number]): Promise<number> {
  const count = q.count ?? COUNT;
  const t = performance.now();
  for (let i = 0; i < count; i++) await client.query(q.sql, q.params(i));
  return count / ((performance.now() - t) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const lite = await startPglite();
const pg15 = await startPostgres({ preload: true, database: 'bench' });
try {
  const seedMs = { pglite: await timeSeed(lite.url), pg15: await timeSeed(pg15.url) };
  const clients = { pglite: new pg.Client({ connectionString: lite.url }), pg15: new pg.Client({ connectionString: pg15.url }) };
  await clients.pglite.connect();
  await clients.pg15.connect();
  const version = async (c: pg.Client) => String((await c.query('SELECT version() AS v')).rows[0].v).split(' on ')[0];
  console.log(`# PGlite vs PostgreSQL 15 on the demo's queries (${COUNT} statements × ${ROUNDS} rounds, one connection, back to back)`);
  console.log(`# ${new Date().toISOString()}  loadavg ${loadavg().map((x) => x.toFixed(1)).join(' ')}  node ${process.version}`);
  console.log(`# PGlite: ${await version(clients.pglite)}, start ${(lite.startMs / 1000).toFixed(1)} s (cached data dir); seed ${(seedMs.pglite / 1000).toFixed(1)} s`);
  console.log(`# PostgreSQL: ${await version(clients.pg15)}; seed ${(seedMs.pg15 / 1000).toFixed(1)} s`);
  console.log('query                          PGlite stmt/s   PG15 stmt/s   PG15/PGlite');
  for (const q of QUERIES) {
    const r: { pglite: number[]; pg15: number[] } = { pglite: [], pg15: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['pglite', 'pg15'] as const) : (['pg15', 'pglite'] as const);
      for (const e of order) r[e].push(await rate(clients[e], q));
    }
    const a = median(r.pglite);
    const b = median(r.pg15);
    console.log(`${q.name.padEnd(30)} ${a.toFixed(0).padStart(13)} ${b.toFixed(0).padStart(13)} ${(b / a).toFixed(1).padStart(12)}×`);
  }
  await clients.pglite.end();
  await clients.pg15.end();
} finally {
  lite.stop();
  await pg15.stop();
}
