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
import type { ExplainData, ExplainedStatement, ExplainIndexScan, ExplainSeqScan, ExplainSort } from './explain-types.js';
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
  try {
    for (const s of candidates) statements.push(await explainOne(client, s, options.statementTimeoutMs ?? 2000));
  } finally {
    await client.end().catch(() => undefined);
  }
  const explainData: ExplainData = { statements };
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
