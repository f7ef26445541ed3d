/**
 * EXPLAIN enrichment: the only diagnosis step that talks to the database
 * during `analyze`, kept apart so the rules stay pure. For the run's hottest
 * statements it asks PostgreSQL for the plan — never executing them — and
 * stores a summary (sequential scans with their filters, indexes used, cost)
 * as a ProbeEvidence named `explain`; the missing-index rule then names the
 * exact filter columns.
 *
 * Safety (PgHero's explain pattern): each statement is planned inside a
 * transaction that is always rolled back, with `SET LOCAL statement_timeout`
 * and `lock_timeout`; plain EXPLAIN (no ANALYZE) does not run the statement.
 * Normalized texts (`$1` placeholders) are planned as a generic plan via
 * `PREPARE` + `plan_cache_mode = force_generic_plan` + `EXECUTE (NULL, …)`
 * (Dexter's approach for PostgreSQL < 16). Only single SELECT/UPDATE/DELETE
 * statements are considered.
 *
 * @module
 */
import pg from 'pg';
import type { ProbeEvidence, RunResult } from '../result/types.js';
import type { PostgresProbeData, StatementDelta } from '../probes/postgres/types.js';
import { TuneupError, ExitCode } from '../errors.js';
import type { ExplainData, ExplainedStatement, ExplainIndexScan, MeasuredQual, ExplainSeqScan, ExplainSort } from './explain-types.js';
import { isUtilityStatement } from './sql.js';
import { columnsInFilter, equalityColumnsInFilter } from './plan-filter.js';

/** Options of {@link enrichWithExplain}. */
export interface ExplainOptions {
  /** Statements to plan, hottest by total time first. Default 10. */
  maxStatements?: number;
  /** Per-statement timeout (ms). Default 2000 (PgHero uses 10 s for a single interactive explain). */
  statementTimeoutMs?: number;
  /** Connect timeout (ms). Default 5000. */
  connectTimeoutMs?: number;
}

/**
 * Add EXPLAIN plans of the run's hottest statements to a copy of the result.
 *
 * @param result - a RunResult with postgres probe evidence (returned unchanged without it)
 * @param pgUrl - connection URL of the same database
 * @returns a new RunResult whose `probes` include an `explain` evidence (an older one is replaced)
 * @throws TuneupError `TUNEUP_PG_CONNECT` when the database cannot be reached
 */
export async function enrichWithExplain(result: RunResult, pgUrl: string, options: ExplainOptions = {}): Promise<RunResult> {
  const pgEv = result.probes?.find((p) => p.probe === 'postgres' && p.ok);
  if (!pgEv) return result;
  const data = pgEv.data as unknown as PostgresProbeData;
  const candidates = (data.statements ?? [])
    .filter((s) => s.toplevel && isExplainable(s.query))
    .sort((a, b) => b.totalExecMs - a.totalExecMs)
    .slice(0, options.maxStatements ?? 10);
  const started = performance.now();
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'tuneup-explain', connectionTimeoutMillis: options.connectTimeoutMs ?? 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new TuneupError('TUNEUP_PG_CONNECT', `Cannot connect to PostgreSQL for EXPLAIN: ${(err as Error).message}`, {
      hint: 'Check the --pg URL (host, port, credentials) or run analyze without --explain.',
      cause: err,
    });
  }
  client.on('error', () => {
    // A dropped connection surfaces as a failed query below; never crash the process.
  });
  const statements: ExplainedStatement[] = [];
  let measured: Pick<ExplainData, 'quals' | 'qualsUnavailable'> = {};
  try {
    for (const s of candidates) statements.push(await explainOne(client, s, options.statementTimeoutMs ?? 2000));
    measured = await readMeasuredQuals(client, statements.filter((s) => s.ok && s.seqScans.some((x) => x.filter)).map((s) => s.queryid));
  } finally {
    await client.end().catch(() => undefined);
  }
  const explainData: ExplainData = { statements, ...measured };
  const evidence: ProbeEvidence = {
    probe: 'explain',
    target: pgEv.target,
    ok: statements.some((s) => s.ok),
    limitations: [],
    errors: statements.filter((s) => !s.ok).slice(0, 20).map((s) => ({ offsetMs: 0, message: `${s.queryid}: ${s.error}` })),
    series: { t: [], values: {}, units: {} },
    data: explainData as unknown as Record<string, unknown>,
    overhead: { samples: statements.length, meanSampleMs: statements.length > 0 ? (performance.now() - started) / statements.length : 0 },
  };
  return { ...result, probes: [...(result.probes ?? []).filter((p) => p.probe !== 'explain'), evidence] };
}

/** A single plannable SELECT/UPDATE/DELETE/WITH statement (no `;` inside, no utility commands). */
export function isExplainable(query: string): boolean {
  const q = query.trim().replace(/;\s*$/, '');
  if (q.includes(';') || isUtilityStatement(q)) return false;
  return /^(select|with|update|delete)\b/i.test(q) && !/\b(commit|rollback)\b/i.test(q);
}

/**
 * A normalized statement made plannable again. pg_stat_statements replaces each constant with `$n`, which
 * breaks two common shapes when the statement is prepared: a typed literal (`interval '30 days'` becomes
 * `interval $5`, a syntax error) and date arithmetic (`current_date - 30` becomes `current_date - $2`, which
 * PREPARE reads as date − date, an integer). The first becomes a cast (`$5::interval`); in the second the
 * parameter is the integer number of days it was.
 */
export function plannableText(query: string): string {
  return query
    .trim()
    .replace(/;\s*$/, '')
    .replace(/\b(interval|date|timestamptz|timestamp|timetz|time)\s+\$(\d+)/gi, (_m, type: string, n: string) => `$${n}::${type.toLowerCase()}`)
    .replace(/\b(current_date)\s*([+-])\s*\$(\d+)(?!\s*::)/gi, (_m, d: string, op: string, n: string) => `${d} ${op} $${n}::int`);
}

async function explainOne(client: pg.Client, s: StatementDelta, timeoutMs: number): Promise<ExplainedStatement> {
  const query = plannableText(s.query);
  const params = Math.max(0, ...[...query.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  const name = `tuneup_explain_${s.queryid.replace(/\D/g, '').slice(-12) || '0'}`;
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(timeoutMs / 2))}`);
    let rows: { 'QUERY PLAN': unknown }[];
    if (params > 0) {
      await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE ${name} AS ${query}`);
      const res = await client.query(`EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE ${name}(${new Array(params).fill('NULL').join(', ')})`);
      rows = res.rows;
    } else {
      rows = (await client.query(`EXPLAIN (VERBOSE, FORMAT JSON) ${query}`)).rows;
    }
    const plan = extractPlan(rows[0]?.['QUERY PLAN']);
    return { queryid: s.queryid, query: s.query, ok: true, ...summarizePlan(plan) };
  } catch (err) {
    return { queryid: s.queryid, query: s.query, ok: false, error: (err as Error).message, seqScans: [], indexes: [] };
  } finally {
    // Always roll back: the prepared statement and the SET LOCALs go with it... except PREPARE, which is session-level.
    await client.query('ROLLBACK').catch(() => undefined);
    await client.query(`DEALLOCATE ${name}`).catch(() => undefined);
  }
}

/** Constants per statement and column whose selectivity is estimated (the most frequent). */
const CONSTANTS_PER_COLUMN = 3;

/**
 * How much of its table each filter column of the explained statements keeps. pg_qualstats records the
 * constants each column was compared with — which pg_stat_statements normalized away — and the planner,
 * asked about `column op constant` alone, estimates the rows that keeps from the column's statistics.
 * pg_qualstats' counters live in shared memory once its library is preloaded; its SQL functions come with the
 * extension. When the database lacks the extension it is created inside a transaction that is rolled back, so
 * nothing is left behind — as optimize's dry run does for HypoPG. Join quals (a column against a column) and
 * constants that do not read back as one literal (pg_qualstats cuts them at 80 bytes) are left out.
 */
async function readMeasuredQuals(client: pg.Client, queryids: string[]): Promise<Pick<ExplainData, 'quals' | 'qualsUnavailable'>> {
  const ids = queryids.filter((q) => /^-?\d+$/.test(q));
  if (ids.length === 0) return {};
  const libs = await client.query<{ libs: string }>("SELECT current_setting('shared_preload_libraries') AS libs").catch(() => undefined);
  if (!libs || !/\bpg_qualstats\b/.test(libs.rows[0]?.libs ?? '')) return { qualsUnavailable: 'pg_qualstats is not in shared_preload_libraries' };
  const extensionSchema = "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_qualstats'";
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL statement_timeout = 5000');
    await client.query('SET LOCAL lock_timeout = 1000');
    let schema = (await client.query<{ nspname: string }>(extensionSchema)).rows[0]?.nspname;
    if (!schema) {
      await client.query('CREATE EXTENSION pg_qualstats');
      schema = (await client.query<{ nspname: string }>(extensionSchema)).rows[0]?.nspname;
    }
    if (!schema) return { qualsUnavailable: 'pg_qualstats could not be created' };
    const seen = await client.query<{ queryid: string; schema: string; relation: string; column: string; operator: string; constvalue: string; occurrences: number; reltuples: number }>(
      `SELECT q.queryid::text AS queryid, n.nspname AS schema, c.relname AS relation, a.attname AS column,
              o.oprname AS operator, q.constvalue, sum(q.occurences)::float8 AS occurrences, c.reltuples::float8 AS reltuples
         FROM ${client.escapeIdentifier(schema)}.pg_qualstats() q
         JOIN pg_class c ON c.oid = q.lrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = q.lattnum
         JOIN pg_operator o ON o.oid = q.opno
        WHERE q.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND q.eval_type = 'f' AND q.rrelid IS NULL AND q.constvalue IS NOT NULL
          AND q.queryid = ANY($1::bigint[])
        GROUP BY 1, 2, 3, 4, 5, 6, 8
        ORDER BY 7 DESC`,
      [ids],
    );
    // Per column: the quals, and the kept share summed weighted by occurrences (divided by them at the end).
    const byColumn = new Map<string, { quals: MeasuredQual; kept: number }>();
    for (const r of seen.rows) {
      const key = JSON.stringify([r.queryid, r.schema, r.relation, r.column]);
      const entry = byColumn.get(key) ?? { quals: { queryid: r.queryid, schema: r.schema, relation: r.relation, column: r.column, comparisons: [], occurrences: 0, keptShare: 0 }, kept: 0 };
      if (entry.quals.comparisons.length >= CONSTANTS_PER_COLUMN || !(Number(r.reltuples) > 0)) continue;
      const kept = await estimatedRows(client, r);
      if (kept === undefined) continue;
      entry.quals.comparisons.push(`${r.operator} ${r.constvalue}`);
      entry.quals.occurrences += Number(r.occurrences);
      entry.kept += Math.min(1, kept / Number(r.reltuples)) * Number(r.occurrences);
      byColumn.set(key, entry);
    }
    return { quals: [...byColumn.values()].filter((e) => e.quals.occurrences > 0).map((e) => ({ ...e.quals, keptShare: e.kept / e.quals.occurrences })) };
  } catch (err) {
    return { qualsUnavailable: `pg_qualstats could not be read: ${(err as Error).message}` };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/**
 * The planner's estimate of the rows `column op constant` alone keeps, the constant sent as a parameter (never
 * spliced into the text) in its printed type; undefined when the constant does not read back as one literal.
 */
async function estimatedRows(client: pg.Client, q: { schema: string; relation: string; column: string; operator: string; constvalue: string }): Promise<number | undefined> {
  const literal = /^'((?:[^']|'')*)'::([a-z][a-z0-9_ ]*(?:\[\])?)$/i.exec(q.constvalue) ?? /^(-?\d+(?:\.\d+)?)(?:::([a-z][a-z0-9_ ]*))?$/i.exec(q.constvalue);
  if (!literal || !/^[=<>!~*]+$/.test(q.operator)) return undefined;
  const value = literal[1]!.replace(/''/g, "'");
  const type = literal[2] ?? 'numeric';
  await client.query('SAVEPOINT tuneup_qual');
  try {
    const sql = `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${client.escapeIdentifier(q.schema)}.${client.escapeIdentifier(q.relation)} WHERE ${client.escapeIdentifier(q.column)} ${q.operator} $1::${type}`;
    const plan = extractPlan((await client.query<{ 'QUERY PLAN': unknown }>(sql, [value])).rows[0]?.['QUERY PLAN']);
    await client.query('RELEASE SAVEPOINT tuneup_qual');
    const rows = Number(plan?.['Plan Rows']);
    return Number.isFinite(rows) ? rows : undefined;
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT tuneup_qual');
    return undefined;
  }
}

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

function extractPlan(raw: unknown): PlanNode | undefined {
  const parsed = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  return (first as { Plan?: PlanNode } | undefined)?.Plan;
}

/** Walk a JSON plan: sequential scans with their filter columns, indexes used, root cost. */
export function summarizePlan(plan: PlanNode | undefined): Pick<ExplainedStatement, 'totalCost' | 'seqScans' | 'indexes' | 'sorts' | 'indexScans'> {
  const seqScans: ExplainSeqScan[] = [];
  const sorts: ExplainSort[] = [];
  const indexScans: ExplainIndexScan[] = [];
  const indexes = new Set<string>();
  // The sequential scan a Sort reads, through nodes that pass rows on unchanged (Gather Merge's workers sort too).
  const scanBelow = (node: PlanNode): PlanNode | undefined => {
    const type = String(node['Node Type'] ?? '');
    if (type === 'Seq Scan' || type === 'Parallel Seq Scan') return node;
    if (['Gather', 'Gather Merge', 'Sort', 'Incremental Sort', 'Materialize', 'Result'].includes(type) && node.Plans?.length === 1) return scanBelow(node.Plans[0]!);
    return undefined;
  };
  // `loops`: how many times the planner expects the node to run per execution of the statement — the inner
  // side of a Nested Loop runs once per outer row.
  const walk = (node: PlanNode, underLimit = false, loops = 1) => {
    const type = String(node['Node Type'] ?? '');
    if (type === 'Sort' && Array.isArray(node['Sort Key']) && node.Plans?.length === 1) {
      const scan = scanBelow(node.Plans[0]!);
      if (scan) sorts.push({ schema: typeof scan.Schema === 'string' ? scan.Schema : null, relation: String(scan['Relation Name'] ?? ''), sortKey: (node['Sort Key'] as unknown[]).map(String), underLimit });
    }
    if (type === 'Seq Scan' || type === 'Parallel Seq Scan') {
      const filter = typeof node.Filter === 'string' ? node.Filter : null;
      seqScans.push({
        schema: typeof node.Schema === 'string' ? node.Schema : null,
        relation: String(node['Relation Name'] ?? ''),
        filter,
        filterColumns: filter ? columnsInFilter(filter) : [],
        equalityColumns: filter ? equalityColumnsInFilter(filter) : [],
        planRows: Number(node['Plan Rows'] ?? 0),
        loops,
        totalCost: Number(node['Total Cost'] ?? 0),
      });
    }
    if (typeof node['Index Name'] === 'string') indexes.add(node['Index Name']);
    const filtered = filteredIndexAccess(node);
    if (filtered) indexScans.push({ ...filtered, loops });
    // A Limit's rows come through Gather Merge / Sort unchanged, so the Sort below it is a top-N sort.
    const children = node.Plans ?? [];
    children.forEach((child, i) => {
      const childLoops = type === 'Nested Loop' && i === 1 ? loops * Math.max(1, Number(children[0]!['Plan Rows'] ?? 1)) : loops;
      walk(child, type === 'Limit' || (underLimit && ['Gather Merge', 'Gather', 'Result'].includes(type)), childLoops);
    });
  };
  if (plan) walk(plan);
  return { totalCost: plan ? Number(plan['Total Cost'] ?? 0) : undefined, seqScans, indexes: [...indexes], sorts, indexScans };
}

/** An Index Scan, or a Bitmap Heap Scan over one Bitmap Index Scan, that has a Filter; undefined otherwise. */
function filteredIndexAccess(node: PlanNode): ExplainIndexScan | undefined {
  const type = String(node['Node Type'] ?? '');
  const filter = typeof node.Filter === 'string' ? node.Filter : undefined;
  if (!filter) return undefined;
  let access: PlanNode | undefined;
  if (type === 'Index Scan' || type === 'Index Only Scan') access = node;
  else if (type === 'Bitmap Heap Scan' && node.Plans?.length === 1 && node.Plans[0]!['Node Type'] === 'Bitmap Index Scan') access = node.Plans[0];
  if (!access || typeof access['Index Name'] !== 'string') return undefined;
  const cond = typeof access['Index Cond'] === 'string' ? access['Index Cond'] : '';
  return {
    schema: typeof node.Schema === 'string' ? node.Schema : null,
    relation: String(node['Relation Name'] ?? ''),
    index: access['Index Name'],
    indexCondColumns: cond ? columnsInFilter(cond) : [],
    filter,
    equalityColumns: equalityColumnsInFilter(filter),
    planRows: Number(node['Plan Rows'] ?? 0),
  };
}
