/**
 * pg-index: Dexter's method for proposing indexes, on HypoPG.
 *
 * For each hot statement (pg_stat_statements deltas of the run): EXPLAIN
 * its generic plan; if the cost is at least `minCost` (100), create
 * hypothetical single-column (and simple expression) indexes on the columns
 * it filters, joins or sorts on (pass 1), then two-column permutations
 * (pass 2), and keep the indexes the planner actually uses when they cut
 * the cost by at least `minSavings` (50 %). When several indexes survive,
 * each is tried alone and the cheapest that still clears the bar wins
 * (pass 3). Proposals an existing valid btree index already covers (same
 * leading keys) are dropped, as are single-column proposals that are the
 * prefix of a proposed two-column index on the same table.
 *
 * Everything runs on one session (HypoPG indexes are per backend), inside
 * a transaction that is rolled back: when HypoPG is installed on the server
 * but not created in the database, `CREATE EXTENSION hypopg` runs in that
 * transaction, so the dry run leaves no extension behind.
 *
 * @module
 */
import type pg from 'pg';
import type { StatementDelta } from '../probes/postgres/types.js';
import { explainGeneric, prepareExplainSession, type ExplainedPlan } from './generic-plan.js';
import { qualifiedName, quoteIdent } from './pg-session.js';
import { analyzeStatement, fingerprintStatement, isPlannable, loadParser, normalizeStatement, type ColumnUse } from './sql-analysis.js';
import type { Action, Change, CostEstimate, Risk } from './types.js';

/** Thresholds of the index advisor (Dexter's defaults). */
export interface IndexAdvisorOptions {
  /** Statements below this plan cost are not worth an index. Default 100 (Dexter `--min-cost`). */
  minCost?: number;
  /** Required cost reduction, 0..1. Default 0.5 (Dexter `--min-cost-savings-pct 50`). */
  minSavings?: number;
  /** Hot statements examined, by total execution time. Default 20. */
  maxStatements?: number;
  /** Candidate plain columns per table for two-column permutations. Default 6 (30 permutations). */
  maxPermutationColumns?: number;
  /** Estimated index size above which creating it is `moderate` rather than `safe`. Default 1 GiB. */
  moderateSizeBytes?: number;
  /**
   * The what-if without HypoPG (managed databases, PGlite): build each
   * candidate for real inside the dry run's transaction, EXPLAIN, and roll
   * back. It takes a SHARE lock on the table (writes wait) and costs a real
   * build, so it is off unless the caller asserts a non-production database,
   * and then only on tables up to `maxTableBytes`.
   */
  buildInTransaction?: { nonProduction: true; maxTableBytes: number };
}

/** How an index's effect was estimated: HypoPG, or a real build in a rolled-back transaction. */
export type WhatIfMethod = 'hypopg' | 'build-and-rollback';

/** The label of a what-if method, for evidence sources and notes. */
export const WHAT_IF_LABEL: Record<WhatIfMethod, string> = {
  hypopg: 'EXPLAIN with HypoPG',
  'build-and-rollback': 'EXPLAIN with the index built in a rolled-back transaction',
};

/** Result of {@link adviseIndexes}. */
export interface IndexAdvice {
  actions: Action[];
  /** Why statements were not examined or produced nothing (one line each). */
  notes: string[];
}

/** A table as the catalog knows it. */
interface TableInfo {
  oid: number;
  schema: string;
  name: string;
  /** Indexable column names (json/jsonb/point and friends excluded, as Dexter does). */
  columns: Set<string>;
  /** Valid btree indexes' key lists, normalized (see {@link normalizeKey}). */
  existing: string[][];
}

/** An index key: a column, or a function of one column. */
interface IndexKey {
  column: string;
  func: string | null;
}

interface Candidate {
  table: TableInfo;
  keys: IndexKey[];
}

interface HypoIndex {
  name: string;
  oid: number;
  candidate: Candidate;
}

const NON_BTREE_TYPES = /^(json|jsonb|point|polygon|circle|box|line|lseg|path|tsvector|tsquery|xml)\b/;

/**
 * Propose indexes for the run's hot statements.
 *
 * @param client - a dedicated session on the run's database (HypoPG installed or available), not in a transaction
 * @param statements - pg_stat_statements deltas of the run
 */
export async function adviseIndexes(client: pg.Client, statements: StatementDelta[], options: IndexAdvisorOptions = {}): Promise<IndexAdvice> {
  const minCost = options.minCost ?? 100;
  const keepRatio = 1 - (options.minSavings ?? 0.5);
  const notes: string[] = [];
  await loadParser();
  const hypopg = await hypopgState(client);
  const build = options.buildInTransaction;
  if (hypopg === 'missing' && !build) {
    return { actions: [], notes: ['HypoPG is not available: install it (e.g. postgresql-15-hypopg) to get cost-based index proposals'] };
  }
  const method: WhatIfMethod = hypopg === 'missing' ? 'build-and-rollback' : 'hypopg';
  if (method === 'build-and-rollback') {
    notes.push(
      `HypoPG is not available: each candidate index was built inside the dry run's transaction, EXPLAINed and rolled back ` +
        `(allowed on this non-production database for tables up to ${formatBytes(build!.maxTableBytes)}); nothing remains`,
    );
  }
  const whatIf = method === 'hypopg' ? hypoBackend(client) : buildBackend(client, build!.maxTableBytes, notes);
  const tableCache = new Map<string, TableInfo | null>();
  const proposals = new Map<string, { candidate: Candidate; estimates: CostEstimate[]; statements: StatementDelta[]; size: number }>();

  const hot = groupByFingerprint(statements)
    .filter((s) => s.toplevel && isPlannable(s.query))
    .sort((a, b) => b.totalExecMs - a.totalExecMs)
    .slice(0, options.maxStatements ?? 20);

  /** Dexter's passes for one statement; records what it proposes. */
  const examine = async (statement: StatementDelta): Promise<void> => {
    const shape = analyzeStatement(statement.query);
    if (!shape || shape.tables.length === 0) return;
    const candidates = await resolveCandidates(client, shape.tables, shape.uses, tableCache);
    if (candidates.length === 0) return;
    await whatIf.reset();
    const initial = await explainGeneric(client, statement.query, shape.params);
    if (initial.cost < minCost) return;

    // Pass 1: one index per candidate key.
    const pass1 = await whatIf.create(candidates);
    const plan1 = await explainGeneric(client, statement.query, shape.params);
    const used1 = pass1.filter((h) => plan1.indexNames.includes(h.name));
    // Pass 2: two-column permutations per table, on top of pass 1.
    const pass2 = await whatIf.create(permutations(candidates, options.maxPermutationColumns ?? 6));
    const plan2 = pass2.length > 0 ? await explainGeneric(client, statement.query, shape.params) : plan1;
    const used2 = [...pass1, ...pass2].filter((h) => plan2.indexNames.includes(h.name));

    let chosen: Candidate[] = [];
    const multiUsed = used2.some((h) => h.candidate.keys.length > 1);
    const onePerTable = new Set(used2.map((h) => h.candidate.table.oid)).size === used2.length;
    if (multiUsed && onePerTable && plan1.cost > minCost && plan2.cost < plan1.cost * keepRatio && plan2.cost < initial.cost * keepRatio) {
      chosen = used2.map((h) => h.candidate);
    } else if (plan1.cost < initial.cost * keepRatio) {
      chosen = used1.map((h) => h.candidate);
    }
    chosen = chosen.filter((c) => !coveredByExisting(c));
    if (chosen.length === 0) return;

    // Pass 3: when several indexes help, prefer the cheapest one that clears the bar alone.
    if (chosen.length > 1) {
      let best: { candidate: Candidate; cost: number } | null = null;
      for (const candidate of chosen) {
        await whatIf.reset();
        await whatIf.create([candidate]);
        const alone = await explainGeneric(client, statement.query, shape.params);
        if (alone.cost < initial.cost * keepRatio && (!best || alone.cost < best.cost)) best = { candidate, cost: alone.cost };
      }
      if (best) chosen = [best.candidate];
    }

    // Final: the chosen indexes alone, for the after plan and their sizes.
    await whatIf.reset();
    const finalHypos = await whatIf.create(chosen);
    const after = await explainGeneric(client, statement.query, shape.params);
    if (!(after.cost < initial.cost * keepRatio)) return;
    for (const hypo of finalHypos) {
      if (!after.indexNames.includes(hypo.name)) continue;
      const size = await whatIf.size(hypo);
      const key = candidateId(hypo.candidate);
      const entry = proposals.get(key) ?? { candidate: hypo.candidate, estimates: [], statements: [], size };
      entry.estimates.push({
        before: initial.cost,
        after: after.cost,
        reduction: 1 - after.cost / initial.cost,
        planBefore: initial.lines,
        planAfter: after.lines,
        indexSizeBytes: size,
        query: statement.query,
        queryid: statement.queryid,
      });
      entry.statements.push(statement);
      proposals.set(key, entry);
    }
  };

  // Everything below runs in one transaction that is rolled back: a dry run changes nothing,
  // not even the extension (CREATE EXTENSION is transactional), nor the session's settings.
  await client.query('BEGIN');
  try {
    if (hypopg === 'available') {
      await client.query('SAVEPOINT tuneup_hypopg');
      try {
        await client.query('CREATE EXTENSION hypopg');
        notes.push('HypoPG was created for planning inside a transaction that was rolled back: the database has no hypopg extension afterwards');
      } catch (err) {
        await client.query('ROLLBACK TO SAVEPOINT tuneup_hypopg');
        return {
          actions: [],
          notes: [`HypoPG is installed on the server but this role cannot create it (${(err as Error).message}): run CREATE EXTENSION hypopg as its owner to get index proposals`],
        };
      }
    }
    await prepareExplainSession(client);
    for (const statement of hot) {
      // A statement that cannot be planned (or times out) must not abort the others' transaction.
      await client.query('SAVEPOINT tuneup_statement');
      try {
        await examine(statement);
        await client.query('RELEASE SAVEPOINT tuneup_statement');
      } catch (err) {
        await client.query('ROLLBACK TO SAVEPOINT tuneup_statement');
        notes.push(`statement ${statement.queryid} could not be planned: ${(err as Error).message}`);
      }
    }
    await whatIf.reset();
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }

  // A single-column proposal that is the prefix of a proposed multi-column index is redundant.
  const all = [...proposals.values()];
  const kept = all.filter(
    (p) =>
      !(p.candidate.keys.length === 1 &&
        all.some((o) => o !== p && o.candidate.table.oid === p.candidate.table.oid && o.candidate.keys.length > 1 && sameKey(o.candidate.keys[0]!, p.candidate.keys[0]!))),
  );
  const actions = kept.map((p) => toAction(p.candidate, p.estimates, p.statements, p.size, options.moderateSizeBytes ?? 1024 ** 3, method));
  actions.sort(byHelpedExecTime);
  return { actions, notes };
}

/**
 * Order of index proposals: the most database time helped first (`Action.helpedExecMs`, the
 * statements' total execution time over the run; 0 when unknown).
 */
export function byHelpedExecTime(a: Action, b: Action): number {
  return (b.helpedExecMs ?? 0) - (a.helpedExecMs ?? 0);
}

/** `installed` (created in this database), `available` (on the server, not created) or `missing`. */
async function hypopgState(client: pg.Client): Promise<'installed' | 'available' | 'missing'> {
  const installed = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'");
  if (installed.rowCount) return 'installed';
  const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'");
  return available.rowCount ? 'available' : 'missing';
}

/**
 * pg_stat_statements lists one statement under several queryids (one per
 * user, or texts that differ only in constants or layout); plan each
 * libpg-query fingerprint once, summing calls and time.
 */
function groupByFingerprint(statements: StatementDelta[]): StatementDelta[] {
  const byText = new Map<string, StatementDelta>();
  for (const s of statements) {
    const key = fingerprintStatement(normalizeStatement(s.query)) ?? s.query.replace(/\s+/g, ' ').trim();
    const seen = byText.get(key);
    if (!seen) byText.set(key, { ...s });
    else {
      seen.calls += s.calls;
      seen.totalExecMs += s.totalExecMs;
    }
  }
  return [...byText.values()];
}

async function resolveCandidates(
  client: pg.Client,
  tables: { schema: string | null; name: string; alias: string }[],
  uses: ColumnUse[],
  cache: Map<string, TableInfo | null>,
): Promise<Candidate[]> {
  const resolved: { alias: string; info: TableInfo }[] = [];
  for (const t of tables) {
    const key = `${t.schema ?? ''}.${t.name}`;
    if (!cache.has(key)) cache.set(key, await loadTable(client, t.schema, t.name));
    const info = cache.get(key);
    if (info) resolved.push({ alias: t.alias, info });
  }
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const use of uses) {
    const owners = use.qualifier
      ? resolved.filter((r) => r.alias === use.qualifier || r.info.name === use.qualifier)
      : resolved.filter((r) => r.info.columns.has(use.column));
    if (owners.length !== 1) continue; // ambiguous or not a table column (e.g. an output alias)
    const table = owners[0]!.info;
    if (!table.columns.has(use.column)) continue;
    const candidate: Candidate = { table, keys: [{ column: use.column, func: use.func }] };
    const id = candidateId(candidate);
    if (!seen.has(id)) {
      seen.add(id);
      out.push(candidate);
    }
  }
  return out;
}

async function loadTable(client: pg.Client, schema: string | null, name: string): Promise<TableInfo | null> {
  const rel = await client.query<{ oid: number; schema: string; name: string }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND c.relkind IN ('r', 'p', 'm')
        AND (($2::text IS NULL AND pg_table_is_visible(c.oid)) OR n.nspname = $2::text)
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')`,
    [name, schema],
  );
  const row = rel.rows[0];
  if (!row) return null;
  const cols = await client.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type
       FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped`,
    [row.oid],
  );
  const idx = await client.query<{ keys: string[] }>(
    `SELECT array(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS keys
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
      WHERE i.indrelid = $1 AND i.indisvalid AND i.indpred IS NULL AND am.amname = 'btree'`,
    [row.oid],
  );
  return {
    oid: row.oid,
    schema: row.schema,
    name: row.name,
    columns: new Set(cols.rows.filter((c) => !NON_BTREE_TYPES.test(c.type)).map((c) => c.name)),
    existing: idx.rows.map((r) => r.keys.map(normalizeKey)),
  };
}

/** `lower((email)::text)`, `lower("email")` and `lower(email)` all become `lower(email)`. */
export function normalizeKey(text: string): string {
  const stripped = text.replace(/::[a-z_ ]+(\[\])?/gi, '').replace(/"/g, '').replace(/\s+/g, '');
  const m = /^\(*([a-z_][\w$]*)\(+([a-z_][\w$]*)\)+$/i.exec(stripped);
  if (m) return `${m[1]!.toLowerCase()}(${m[2]})`;
  return stripped.replace(/^\((.*)\)$/, '$1');
}

function keyText(key: IndexKey): string {
  return key.func ? `${key.func}(${key.column})` : key.column;
}

function keySql(key: IndexKey): string {
  return key.func ? `(${key.func}(${quoteIdent(key.column)}))` : quoteIdent(key.column);
}

function sameKey(a: IndexKey, b: IndexKey): boolean {
  return a.column === b.column && a.func === b.func;
}

function candidateId(c: Candidate): string {
  return `${c.table.schema}.${c.table.name}(${c.keys.map(keyText).join(', ')})`;
}

function coveredByExisting(c: Candidate): boolean {
  const wanted = c.keys.map(keyText);
  return c.table.existing.some((keys) => wanted.every((k, i) => keys[i] === k));
}

function permutations(candidates: Candidate[], maxColumns: number): Candidate[] {
  const byTable = new Map<number, Candidate[]>();
  for (const c of candidates) {
    if (c.keys[0]!.func) continue; // expression keys stay single-column
    byTable.set(c.table.oid, [...(byTable.get(c.table.oid) ?? []), c]);
  }
  const out: Candidate[] = [];
  for (const list of byTable.values()) {
    const cols = list.slice(0, maxColumns);
    for (const a of cols) for (const b of cols) if (a !== b) out.push({ table: a.table, keys: [a.keys[0]!, b.keys[0]!] });
  }
  return out;
}

/** The CREATE INDEX body shared by HypoPG and the real index: `ON "s"."t" USING btree (...)`. */
function indexTargetSql(c: Candidate): string {
  return `ON ${qualifiedName(c.table.schema, c.table.name)} USING btree (${c.keys.map(keySql).join(', ')})`;
}

/** The three operations a what-if needs; HypoPG's or a real build's. */
interface WhatIfBackend {
  reset(): Promise<void>;
  create(candidates: Candidate[]): Promise<HypoIndex[]>;
  size(index: HypoIndex): Promise<number>;
}

function hypoBackend(client: pg.Client): WhatIfBackend {
  return {
    reset: async () => void (await client.query('SELECT hypopg_reset()')),
    create: (candidates) => createHypothetical(client, candidates),
    size: async (hypo) => Number((await client.query('SELECT hypopg_relation_size($1) AS size', [hypo.oid])).rows[0]?.size ?? 0),
  };
}

/**
 * The what-if without HypoPG: real indexes created inside the caller's open
 * transaction (which is rolled back), dropped again on reset. Tables larger
 * than `maxTableBytes` are skipped with a note: the build would cost too much.
 */
function buildBackend(client: pg.Client, maxTableBytes: number, notes: string[]): WhatIfBackend {
  let created: HypoIndex[] = [];
  let serial = 0;
  const tooBig = new Set<number>();
  return {
    reset: async () => {
      for (const h of created) await client.query(`DROP INDEX IF EXISTS ${qualifiedName(h.candidate.table.schema, h.name)}`);
      created = [];
    },
    create: async (candidates) => {
      const out: HypoIndex[] = [];
      for (const candidate of candidates.slice(0, 50)) {
        const oid = candidate.table.oid;
        if (tooBig.has(oid)) continue;
        const bytes = Number((await client.query('SELECT pg_total_relation_size($1::oid) AS b', [oid])).rows[0]?.b ?? 0);
        if (bytes > maxTableBytes) {
          tooBig.add(oid);
          notes.push(`${candidate.table.schema}.${candidate.table.name} (${formatBytes(bytes)}) is above the ${formatBytes(maxTableBytes)} limit of the build-and-rollback what-if: not examined`);
          continue;
        }
        serial += 1;
        const name = `tuneup_whatif_${serial}`;
        await client.query(`CREATE INDEX ${quoteIdent(name)} ${indexTargetSql(candidate)}`);
        const row = (await client.query<{ oid: number }>('SELECT $1::regclass::oid::int AS oid', [qualifiedName(candidate.table.schema, name)])).rows[0];
        const index = { name, oid: row?.oid ?? 0, candidate };
        created.push(index);
        out.push(index);
      }
      return out;
    },
    size: async (index) => Number((await client.query('SELECT pg_relation_size($1::oid) AS size', [index.oid])).rows[0]?.size ?? 0),
  };
}

async function createHypothetical(client: pg.Client, candidates: Candidate[]): Promise<HypoIndex[]> {
  const out: HypoIndex[] = [];
  // Dexter batches at 500 to stay clear of HypoPG's OID limit; our sets are far smaller.
  for (const candidate of candidates.slice(0, 500)) {
    const res = await client.query<{ indexrelid: number; indexname: string }>('SELECT indexrelid::int AS indexrelid, indexname FROM hypopg_create_index($1)', [
      `CREATE INDEX ${indexTargetSql(candidate)}`,
    ]);
    const row = res.rows[0];
    if (row) out.push({ name: row.indexname, oid: row.indexrelid, candidate });
  }
  return out;
}

/** A readable, valid, ≤ 63-byte index name: `tuneup_<table>_<keys>_idx`. */
export function indexNameFor(table: string, keys: string[]): string {
  const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  const base = `tuneup_${slug(table)}_${keys.map(slug).join('_')}`;
  return `${base.slice(0, 59).replace(/_+$/, '')}_idx`;
}

function toAction(candidate: Candidate, estimates: CostEstimate[], statements: StatementDelta[], size: number, moderateSize: number, method: WhatIfMethod): Action {
  const id = `pg-index:${candidateId(candidate)}`;
  const keys = candidate.keys.map(keyText);
  const name = indexNameFor(candidate.table.name, keys);
  const qualifiedIndex = qualifiedName(candidate.table.schema, name);
  const create = `CREATE INDEX CONCURRENTLY ${quoteIdent(name)} ${indexTargetSql(candidate)}`;
  const risk: Risk = size > moderateSize ? 'moderate' : 'safe';
  const change: Change = {
    id: `${id}#create`,
    system: 'postgres',
    op: 'create-index',
    description: `create index ${name} on ${candidate.table.schema}.${candidate.table.name} (${keys.join(', ')})`,
    statements: [create],
    undo: [`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedIndex}`],
    params: { schema: candidate.table.schema, table: candidate.table.name, index: name, keys },
  };
  const best = estimates.reduce((a, b) => (b.reduction > a.reduction ? b : a));
  const totalMs = statements.reduce((sum, s) => sum + s.totalExecMs, 0);
  const isExpression = candidate.keys.some((k) => k.func);
  return {
    id,
    kind: 'pg-index',
    component: 'database',
    target: `${candidate.table.schema}.${candidate.table.name}`,
    risk,
    title: `${isExpression ? 'Expression index' : 'Index'} on ${candidate.table.schema}.${candidate.table.name} (${keys.join(', ')})`,
    rationale:
      `With ${method === 'hypopg' ? 'a hypothetical index (HypoPG)' : 'the index built in a rolled-back transaction (no HypoPG)'} the plan cost drops from ${best.before.toFixed(1)} to ${best.after.toFixed(1)} ` +
      `(−${(best.reduction * 100).toFixed(0)} %) for ${statements.length} hot statement${statements.length === 1 ? '' : 's'}; ` +
      `estimated size ${formatBytes(size)}. Built with CREATE INDEX CONCURRENTLY (no write lock).`,
    evidence: [
      { label: 'plan cost before', value: round(best.before), source: 'EXPLAIN (generic plan)' },
      { label: 'plan cost after', value: round(best.after), source: WHAT_IF_LABEL[method] },
      { label: 'cost reduction', value: round(best.reduction * 100), unit: '%', source: WHAT_IF_LABEL[method] },
      { label: 'estimated index size', value: size, unit: 'bytes', source: method === 'hypopg' ? 'hypopg_relation_size' : 'pg_relation_size of the rolled-back build' },
      { label: 'calls of the statements helped', value: statements.reduce((s, x) => s + x.calls, 0), source: 'pg_stat_statements' },
      { label: 'total exec time of the statements helped', value: round(totalMs), unit: 'ms', source: 'pg_stat_statements' },
    ],
    changes: [change],
    applicable: true,
    estimates,
    helpedExecMs: round(totalMs),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** `5.0 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
