/**
 * Fixtures for the optimize tests: a PostgreSQL 15 with HypoPG and a
 * planted missing index, and a RunResult whose postgres evidence comes from
 * the server's real pg_stat_statements.
 */
import { Command } from '@commander-js/extra-typings';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { registerOptimizeCommands } from '../../src/cli/commands/optimize.js';
import type { CliIO } from '../../src/cli/io.js';
import type { Finding, RunResult } from '../../src/result/types.js';
import type { PostgresProbeData, StatementDelta } from '../../src/probes/postgres/types.js';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';

/**
 * Start PostgreSQL with `orders` (100k rows, no index on user_id) and `users` (50k rows, email).
 * `extensions` default: pg_stat_statements and hypopg created in the database.
 */
export async function startPlantedPostgres(extensions = ['pg_stat_statements', 'hypopg']): Promise<TestPostgres> {
  const db = await startPostgres({ extensions });
  await db.query(`CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, payload jsonb)`);
  await db.query(`INSERT INTO users SELECT g, 'User' || g || '@Example.com', '{}' FROM generate_series(1, 50000) g`);
  await db.query(`CREATE TABLE orders (id bigint PRIMARY KEY, user_id int NOT NULL, status text NOT NULL, region int NOT NULL, shop int NOT NULL, total numeric NOT NULL, created_at timestamptz NOT NULL)`);
  await db.query(
    `INSERT INTO orders SELECT g, g % 2000, CASE WHEN g % 10 = 0 THEN 'open' ELSE 'paid' END, g % 10, (g / 10) % 500, g % 500, now() - (g || ' minutes')::interval
       FROM generate_series(1, 100000) g`,
  );
  // The planted fault: the index the lookup needs existed and was dropped.
  await db.query('CREATE INDEX orders_user_id_idx ON orders (user_id)');
  await db.query('DROP INDEX orders_user_id_idx');
  // Flush this session's pending table statistics first, so ANALYZE's counters are not overtaken by them.
  await db.query('SELECT pg_stat_force_next_flush()');
  await db.query('ANALYZE users');
  await db.query('VACUUM ANALYZE orders');
  return db;
}

/** Run statements with bound parameters so pg_stat_statements records them normalized (`$1`). */
export async function runWorkload(url: string, statements: { sql: string; params: (i: number) => unknown[]; times: number }[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of statements) for (let i = 0; i < s.times; i++) await client.query(s.sql, s.params(i));
  } finally {
    await client.end();
  }
}

/** The diagnosis finding the planted fault produces: the lookup on orders.user_id has no index. */
export function plantedFinding(): Finding {
  return {
    id: 'missing-index:public.orders(user_id)',
    rule: 'missing-index',
    category: 'missing-index',
    severity: 'high',
    title: 'Missing index on orders (user_id)',
    summary: 'orders was read by full sequential scans',
    evidence: [],
    recommendation: { text: 'Add an index on the filtered column', sql: 'CREATE INDEX CONCURRENTLY ON public.orders (user_id);' },
    actions: ['pg-index'],
    confidence: 0.9,
    impact: 0.5,
  } as Finding;
}

/**
 * A RunResult with postgres evidence read from pg_stat_statements now (as the probe's "after − before" with before = empty),
 * and the planted missing-index finding unless `findings` says otherwise.
 */
export async function runResultFrom(db: TestPostgres, id = '20261123-120000-abcd', findings: Finding[] = [plantedFinding()]): Promise<RunResult> {
  const rows = await db.query<{ queryid: string; query: string; calls: string; total: number; rows: string; toplevel: boolean }>(
    `SELECT s.queryid::text AS queryid, s.query, s.calls::text AS calls, s.total_exec_time AS total, s.rows::text AS rows, s.toplevel
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = current_database() AND s.query ~* '^(select|update|delete)' AND s.query !~* 'pg_stat_statements|pg_catalog'`,
  );
  const total = rows.reduce((sum, r) => sum + r.total, 0);
  const statements: StatementDelta[] = rows.map((r) => ({
    queryid: r.queryid,
    query: r.query,
    user: 'postgres',
    toplevel: r.toplevel,
    calls: Number(r.calls),
    totalExecMs: r.total,
    meanExecMs: r.total / Number(r.calls),
    totalPlanMs: 0,
    rows: Number(r.rows),
    sharedBlksHit: 0,
    sharedBlksRead: 0,
    sharedBlksDirtied: 0,
    tempBlksWritten: 0,
    blkReadMs: 0,
    cacheHitRatio: null,
    shareOfExecTime: total > 0 ? r.total / total : 0,
    isNew: true,
    resetDuringRun: false,
  }));
  const data: Partial<PostgresProbeData> = {
    serverVersion: '15',
    serverVersionNum: 150000,
    database: db.database,
    statementsStatus: { available: true, version: '1.10', track: 'top', limitation: null, enable: null },
    statements,
    tables: [],
    indexes: [],
    settings: {},
  };
  return {
    schemaVersion: 1,
    id,
    probes: [
      {
        probe: 'postgres',
        target: db.url,
        ok: true,
        limitations: [],
        errors: [],
        series: { t: [], values: {}, units: {} },
        data: data as Record<string, unknown>,
        overhead: { samples: 0, meanSampleMs: 0 },
      },
    ],
    findings,
    // Stubs for the fields every reader of a stored result checks (load-run.ts).
    totals: {},
    series: {},
    endpoints: [],
    thresholds: [],
    generator: {},
    scenarios: [],
    warnings: [],
    labels: {},
  } as unknown as RunResult;
}

/** Names of the tuneup-made indexes and whether they are valid. */
export async function tuneupIndexes(db: TestPostgres): Promise<{ name: string; valid: boolean }[]> {
  return db.query<{ name: string; valid: boolean }>(
    `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname LIKE 'tuneup\\_%' ORDER BY 1`,
  );
}

/** Store a result as `<runsDir>/<id>/result.json`, as `tuneup run` does. */
export async function storeRun(runsDir: string, result: RunResult): Promise<void> {
  await mkdir(join(runsDir, result.id), { recursive: true });
  await writeFile(join(runsDir, result.id, 'result.json'), JSON.stringify(result));
}

/** Run the optimize commands in-process; resolves to what they wrote (errors are rethrown). */
export async function runOptimizeCli(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { out: (t) => void (stdout += `${t}\n`), err: (t) => void (stderr += `${t}\n`), interactive: false, color: false };
  const program = new Command().name('tuneup').exitOverride();
  registerOptimizeCommands(program, io);
  for (const command of program.commands) command.exitOverride();
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    await program.parseAsync(['node', 'tuneup', ...args]);
  } finally {
    process.chdir(previous);
  }
  return { stdout, stderr };
}
