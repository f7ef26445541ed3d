/**
 * The SQL of the postgres probe and the parsing of its rows into plain
 * numbers. Every statement carries the marker comment {@link PROBE_MARKER}
 * so the probe can recognise (and exclude) its own statements in
 * pg_stat_statements. Nothing here writes to the server or resets anything.
 *
 * @module
 */
import type pg from 'pg';
import type { DatabaseStatsDelta } from './types.js';

/** Marker inside every probe statement (kept by pg_stat_statements' normalized text). */
export const PROBE_MARKER = 'tuneup-probe';

/** Anything that can run a query: a pg Client or Pool. */
export type Queryable = Pick<pg.Client, 'query'>;

/** Server identity. */
export interface ServerInfo {
  version: string;
  versionNum: number;
  database: string;
  backendPid: number;
  /** superuser or member of pg_read_all_stats: sees every backend's query and statement text. */
  canReadAllStats: boolean;
  currentUser: string;
}

/** Read server identity and privileges. */
export async function readServerInfo(db: Queryable): Promise<ServerInfo> {
  const { rows } = await db.query(
    `SELECT /* ${PROBE_MARKER} */ current_setting('server_version') AS version,
       current_setting('server_version_num')::int AS version_num,
       current_database() AS database, pg_backend_pid() AS pid, current_user AS usr,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
         OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS can_read_all`,
  );
  const r = rows[0];
  return {
    version: String(r.version),
    versionNum: Number(r.version_num),
    database: String(r.database),
    backendPid: Number(r.pid),
    canReadAllStats: r.can_read_all === true,
    currentUser: String(r.usr),
  };
}

/** Raw pg_settings row. */
export interface SettingRow {
  name: string;
  setting: string;
  unit: string | null;
  context: string;
  source: string;
}

/** Settings a performance engineer looks at first (PgHero's Tune page, PgTune's knobs, autovacuum). */
export const RELEVANT_SETTINGS = [
  'shared_buffers',
  'work_mem',
  'maintenance_work_mem',
  'autovacuum_work_mem',
  'effective_cache_size',
  'max_connections',
  'superuser_reserved_connections',
  'random_page_cost',
  'seq_page_cost',
  'effective_io_concurrency',
  'default_statistics_target',
  'checkpoint_completion_target',
  'checkpoint_timeout',
  'max_wal_size',
  'min_wal_size',
  'wal_buffers',
  'huge_pages',
  'jit',
  'max_worker_processes',
  'max_parallel_workers',
  'max_parallel_workers_per_gather',
  'autovacuum',
  'autovacuum_max_workers',
  'autovacuum_naptime',
  'autovacuum_vacuum_scale_factor',
  'autovacuum_vacuum_threshold',
  'autovacuum_vacuum_insert_scale_factor',
  'autovacuum_analyze_scale_factor',
  'autovacuum_analyze_threshold',
  'autovacuum_vacuum_cost_limit',
  'autovacuum_vacuum_cost_delay',
  'autovacuum_freeze_max_age',
  'track_io_timing',
  'track_counts',
  'track_activities',
  'track_activity_query_size',
  'shared_preload_libraries',
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'deadlock_timeout',
  'log_min_duration_statement',
  'max_locks_per_transaction',
  'pg_stat_statements.max',
  'pg_stat_statements.track',
  'pg_stat_statements.track_planning',
  'server_version',
] as const;

/** Read the relevant settings (missing ones, e.g. of an extension not loaded, are simply absent). */
export async function readSettings(db: Queryable): Promise<SettingRow[]> {
  const { rows } = await db.query(
    `SELECT /* ${PROBE_MARKER} */ name, setting, unit, context, source FROM pg_settings WHERE name = ANY($1::text[])`,
    [RELEVANT_SETTINGS as unknown as string[]],
  );
  return rows.map((r) => ({
    name: String(r.name),
    setting: String(r.setting),
    unit: r.unit === null ? null : String(r.unit),
    context: String(r.context),
    source: String(r.source),
  }));
}

/** What the server says about pg_stat_statements. */
export interface StatementsProbe {
  extensionVersion: string | null;
  availableVersion: string | null;
  /** null when the role may not read shared_preload_libraries. */
  preloaded: boolean | null;
  track: string | null;
}

/** Read pg_stat_statements' installation state (works whether or not it is installed). */
export async function readStatementsInstallation(db: Queryable): Promise<StatementsProbe> {
  const { rows } = await db.query(
    `SELECT /* ${PROBE_MARKER} */
       (SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements') AS ext_version,
       (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_stat_statements') AS available_version,
       (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS preload,
       (SELECT setting FROM pg_settings WHERE name = 'pg_stat_statements.track') AS track`,
  );
  const r = rows[0];
  // pg_settings hides shared_preload_libraries from roles without pg_read_all_settings: then it is unknown.
  const preload =
    r.preload === null || r.preload === undefined
      ? null
      : String(r.preload)
          .split(',')
          .map((s) => s.trim().replace(/^"|"$/g, ''));
  return {
    extensionVersion: r.ext_version ?? null,
    availableVersion: r.available_version ?? null,
    preloaded: preload === null ? null : preload.includes('pg_stat_statements'),
    track: r.track ?? null,
  };
}

/** Column names differ between PostgreSQL versions; this maps them once per connection. */
export interface StatementColumns {
  totalExec: string;
  totalPlan: string;
  toplevel: string;
  blkRead: string;
}

/** Discover pg_stat_statements' column names (PG 13 renamed total_time, PG 17 renamed blk_read_time). */
export async function readStatementColumns(db: Queryable): Promise<StatementColumns> {
  const result = await db.query(`SELECT /* ${PROBE_MARKER} */ * FROM pg_stat_statements(false) LIMIT 0`);
  const names = new Set(result.fields.map((f) => f.name));
  const pick = (...candidates: string[]): string | undefined => candidates.find((c) => names.has(c));
  return {
    totalExec: pick('total_exec_time', 'total_time') ?? '0',
    totalPlan: pick('total_plan_time') ?? '0',
    toplevel: pick('toplevel') ?? 'true',
    blkRead: pick('shared_blk_read_time', 'blk_read_time') ?? '0',
  };
}

/** Cumulative counters of one pg_stat_statements entry. */
export interface StatementCounters {
  /** `queryid:userid:toplevel`: the entry's identity. */
  key: string;
  queryid: string;
  user: string | null;
  toplevel: boolean;
  calls: number;
  totalExecMs: number;
  totalPlanMs: number;
  rows: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  sharedBlksDirtied: number;
  tempBlksWritten: number;
  blkReadMs: number;
  /** Normalized text; only in snapshots taken with text. */
  query?: string;
}

/**
 * Read the probed database's pg_stat_statements entries. Without text the
 * call is cheap (no read of the query-text file): that is the per-second form.
 */
export function readStatements(db: Queryable, columns: StatementColumns, withText: boolean): Promise<StatementCounters[]> {
  return readStatementsWhere(db, columns, withText, '', []);
}

async function readStatementsWhere(
  db: Queryable,
  columns: StatementColumns,
  withText: boolean,
  extraWhere: string,
  params: unknown[],
): Promise<StatementCounters[]> {
  const text = withText ? `, left(s.query, 4000) AS query` : '';
  const { rows } = await db.query(
    `SELECT /* ${PROBE_MARKER} */ s.queryid::text AS queryid, s.userid::regrole::text AS usr, ${columns.toplevel} AS toplevel,
       s.calls, ${columns.totalExec} AS total_exec, ${columns.totalPlan} AS total_plan, s.rows,
       s.shared_blks_hit, s.shared_blks_read, s.shared_blks_dirtied, s.temp_blks_written, ${columns.blkRead} AS blk_read${text}
     FROM pg_stat_statements(${withText ? 'true' : 'false'}) s
     WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.queryid IS NOT NULL ${extraWhere}`,
    params,
  );
  return rows.map((r) => {
    const toplevel = r.toplevel !== false;
    const queryid = String(r.queryid);
    const counters: StatementCounters = {
      key: `${queryid}:${r.usr ?? ''}:${toplevel ? 't' : 'f'}`,
      queryid,
      user: r.usr ?? null,
      toplevel,
      calls: num(r.calls),
      totalExecMs: num(r.total_exec),
      totalPlanMs: num(r.total_plan),
      rows: num(r.rows),
      sharedBlksHit: num(r.shared_blks_hit),
      sharedBlksRead: num(r.shared_blks_read),
      sharedBlksDirtied: num(r.shared_blks_dirtied),
      tempBlksWritten: num(r.temp_blks_written),
      blkReadMs: num(r.blk_read),
    };
    if (withText) counters.query = String(r.query ?? '');
    return counters;
  });
}

/**
 * Read the texts of the given entries (by queryid). Reading texts loads
 * pg_stat_statements' query-text file, so this runs only for statements
 * first seen during the run, and not every second.
 */
export async function readStatementTexts(db: Queryable, columns: StatementColumns, queryids: string[]): Promise<StatementCounters[]> {
  if (queryids.length === 0) return [];
  const all = await readStatementsWhere(db, columns, true, 'AND s.queryid = ANY($1::bigint[])', [queryids]);
  return all;
}

/**
 * pg_stat_database counters of the probed database: the same fields as the
 * delta the evidence stores, as absolute values (numBackends is a gauge in both).
 */
export type DatabaseCounters = DatabaseStatsDelta;

/** Read pg_stat_database for the current database. */
export async function readDatabaseCounters(db: Queryable, withSessions = false): Promise<DatabaseCounters> {
  const { rows } = await db.query(
    `SELECT /* ${PROBE_MARKER} */ numbackends, xact_commit, xact_rollback, blks_read, blks_hit, tup_returned, tup_fetched,
       tup_inserted, tup_updated, tup_deleted, conflicts, temp_files, temp_bytes, deadlocks, blk_read_time, blk_write_time${withSessions ? ', sessions' : ''}
     FROM pg_stat_database WHERE datname = current_database()`,
  );
  const r = rows[0] ?? {};
  return {
    numBackends: num(r.numbackends),
    xactCommit: num(r.xact_commit),
    xactRollback: num(r.xact_rollback),
    blksRead: num(r.blks_read),
    blksHit: num(r.blks_hit),
    tupReturned: num(r.tup_returned),
    tupFetched: num(r.tup_fetched),
    tupInserted: num(r.tup_inserted),
    tupUpdated: num(r.tup_updated),
    tupDeleted: num(r.tup_deleted),
    conflicts: num(r.conflicts),
    tempFiles: num(r.temp_files),
    tempBytes: num(r.temp_bytes),
    deadlocks: num(r.deadlocks),
    blkReadMs: num(r.blk_read_time),
    blkWriteMs: num(r.blk_write_time),
    ...(withSessions ? { sessions: num(r.sessions) } : {}),
  };
}

/** Size of the current database in bytes. */
export async function readDatabaseSize(db: Queryable): Promise<number> {
  const { rows } = await db.query(`SELECT /* ${PROBE_MARKER} */ pg_database_size(current_database()) AS size`);
  return num(rows[0]?.size);
}

/** Cumulative counters and state of one user table. */
export interface TableCounters {
  relid: string;
  schema: string;
  name: string;
  seqScan: number;
  seqTupRead: number;
  idxScan: number | null;
  idxTupFetch: number | null;
  nTupIns: number;
  nTupUpd: number;
  nTupDel: number;
  nTupHotUpd: number;
  nLiveTup: number;
  nDeadTup: number;
  nModSinceAnalyze: number;
  /** pg_class.reltuples: the row count the last VACUUM or ANALYZE stored for the planner; −1 when never (PostgreSQL ≥ 14). */
  relTuples: number;
  lastVacuumAt: number | null;
  lastAutovacuumAt: number | null;
  lastAnalyzeAt: number | null;
  lastAutoanalyzeAt: number | null;
  vacuumCount: number;
  autovacuumCount: number;
  analyzeCount: number;
  autoanalyzeCount: number;
  heapBlksRead: number;
  heapBlksHit: number;
  idxBlksRead: number;
  idxBlksHit: number;
  reloptions: string[];
  sizeBytes: number;
  totalSizeBytes: number;
  sizeSource: 'exact' | 'estimate';
}

/** How sizes are computed: exactly (takes an AccessShareLock per relation), from pg_class estimates, or not at all. */
export type SizeMode = 'exact' | 'estimate' | 'none';

/**
 * Read user tables with their I/O counters, most read first (at most 500).
 * Exact sizes need an AccessShareLock per table: behind a long ACCESS
 * EXCLUSIVE lock the probe's `lock_timeout` fires, and callers retry with
 * `estimate`.
 */
export async function readTables(db: Queryable, sizes: SizeMode): Promise<TableCounters[]> {
  const estimateTable = `c.relpages::bigint * current_setting('block_size')::bigint`;
  const estimateTotal = `(c.relpages + COALESCE((SELECT sum(ic.relpages) FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = c.oid), 0))::bigint * current_setting('block_size')::bigint`;
  const sizeSql =
    sizes === 'exact'
      ? `pg_table_size(c.oid) AS size, pg_total_relation_size(c.oid) AS total_size`
      : sizes === 'estimate'
        ? `${estimateTable} AS size, ${estimateTotal} AS total_size`
        : `0 AS size, 0 AS total_size`;
  const { rows } = await db.query(
    `SELECT /* ${PROBE_MARKER} */ t.relid::text AS relid, t.schemaname, t.relname, t.seq_scan, t.seq_tup_read, t.idx_scan, t.idx_tup_fetch,
       t.n_tup_ins, t.n_tup_upd, t.n_tup_del, t.n_tup_hot_upd, t.n_live_tup, t.n_dead_tup, t.n_mod_since_analyze,
       extract(epoch FROM t.last_vacuum) * 1000 AS last_vacuum, extract(epoch FROM t.last_autovacuum) * 1000 AS last_autovacuum,
       extract(epoch FROM t.last_analyze) * 1000 AS last_analyze, extract(epoch FROM t.last_autoanalyze) * 1000 AS last_autoanalyze,
       t.vacuum_count, t.autovacuum_count, t.analyze_count, t.autoanalyze_count,
       io.heap_blks_read, io.heap_blks_hit, io.idx_blks_read, io.idx_blks_hit,
       COALESCE(c.reloptions, '{}') AS reloptions, c.reltuples, ${sizeSql}
     FROM pg_stat_user_tables t
     JOIN pg_statio_user_tables io ON io.relid = t.relid
     JOIN pg_class c ON c.oid = t.relid
     ORDER BY t.seq_tup_read + COALESCE(t.idx_tup_fetch, 0) DESC, t.relid
     LIMIT 500`,
  );
  return rows.map((r) => ({
    relid: String(r.relid),
    schema: String(r.schemaname),
    name: String(r.relname),
    seqScan: num(r.seq_scan),
    seqTupRead: num(r.seq_tup_read),
    idxScan: r.idx_scan === null ? null : num(r.idx_scan),
    idxTupFetch: r.idx_tup_fetch === null ? null : num(r.idx_tup_fetch),
    nTupIns: num(r.n_tup_ins),
    nTupUpd: num(r.n_tup_upd),
    nTupDel: num(r.n_tup_del),
    nTupHotUpd: num(r.n_tup_hot_upd),
    nLiveTup: num(r.n_live_tup),
    nDeadTup: num(r.n_dead_tup),
    nModSinceAnalyze: num(r.n_mod_since_analyze),
    relTuples: r.reltuples === null || r.reltuples === undefined ? -1 : Number(r.reltuples),
    lastVacuumAt: numOrNull(r.last_vacuum),
    lastAutovacuumAt: numOrNull(r.last_autovacuum),
    lastAnalyzeAt: numOrNull(r.last_analyze),
    lastAutoanalyzeAt: numOrNull(r.last_autoanalyze),
    vacuumCount: num(r.vacuum_count),
    autovacuumCount: num(r.autovacuum_count),
    analyzeCount: num(r.analyze_count),
    autoanalyzeCount: num(r.autoanalyze_count),
    heapBlksRead: num(r.heap_blks_read),
    heapBlksHit: num(r.heap_blks_hit),
    idxBlksRead: num(r.idx_blks_read),
    idxBlksHit: num(r.idx_blks_hit),
    reloptions: (r.reloptions as string[]) ?? [],
    sizeBytes: num(r.size),
    totalSizeBytes: num(r.total_size),
    sizeSource: sizes === 'exact' ? 'exact' : 'estimate',
  }));
}

/** Cumulative counters and definition of one user index. */
export interface IndexCounters {
  indexrelid: string;
  schema: string;
  table: string;
  name: string;
  idxScan: number;
  idxTupRead: number;
  idxTupFetch: number;
  idxBlksRead: number;
  idxBlksHit: number;
  sizeBytes: number;
  definition: string;
  columns: string[];
  method: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  predicate: string | null;
}

/** Read user indexes (at most 2000) with definitions; sizes as for {@link readTables}. */
export async function readIndexes(db: Queryable, sizes: SizeMode): Promise<IndexCounters[]> {
  const sizeSql =
    sizes === 'exact'
      ? 'pg_relation_size(s.indexrelid)'
      : sizes === 'estimate'
        ? `c.relpages::bigint * current_setting('block_size')::bigint`
        : '0';
  const { rows } = await db.query(
    `SELECT /* ${PROBE_MARKER} */ s.indexrelid::text AS indexrelid, s.schemaname, s.relname, s.indexrelname,
       s.idx_scan, s.idx_tup_read, s.idx_tup_fetch, io.idx_blks_read, io.idx_blks_hit,
       ${sizeSql} AS size, pg_get_indexdef(s.indexrelid) AS definition,
       i.indisunique, i.indisprimary, i.indisvalid, am.amname, pg_get_expr(i.indpred, i.indrelid) AS predicate,
       ARRAY(SELECT CASE WHEN k.attnum = 0 THEN '(expression)' ELSE a.attname::text END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns
     FROM pg_stat_user_indexes s
     JOIN pg_statio_user_indexes io ON io.indexrelid = s.indexrelid
     JOIN pg_index i ON i.indexrelid = s.indexrelid
     JOIN pg_class c ON c.oid = s.indexrelid
     JOIN pg_am am ON am.oid = c.relam
     ORDER BY s.indexrelid
     LIMIT 2000`,
  );
  return rows.map((r) => ({
    indexrelid: String(r.indexrelid),
    schema: String(r.schemaname),
    table: String(r.relname),
    name: String(r.indexrelname),
    idxScan: num(r.idx_scan),
    idxTupRead: num(r.idx_tup_read),
    idxTupFetch: num(r.idx_tup_fetch),
    idxBlksRead: num(r.idx_blks_read),
    idxBlksHit: num(r.idx_blks_hit),
    sizeBytes: num(r.size),
    definition: String(r.definition),
    columns: (r.columns as string[]) ?? [],
    method: String(r.amname),
    unique: r.indisunique === true,
    primary: r.indisprimary === true,
    valid: r.indisvalid === true,
    predicate: r.predicate ?? null,
  }));
}

/**
 * Read only the scan counters of user indexes (the per-sample fallback);
 * definitions and sizes come from a snapshot via {@link mergeIndexCounters}.
 */
export async function readIndexScanCounters(
  db: Queryable,
): Promise<Map<string, Pick<IndexCounters, 'idxScan' | 'idxTupRead' | 'idxTupFetch' | 'idxBlksRead' | 'idxBlksHit'>>> {
  const { rows } = await db.query(
    `SELECT /* ${PROBE_MARKER} */ s.indexrelid::text AS indexrelid, s.idx_scan, s.idx_tup_read, s.idx_tup_fetch, io.idx_blks_read, io.idx_blks_hit
     FROM pg_stat_user_indexes s JOIN pg_statio_user_indexes io ON io.indexrelid = s.indexrelid
     ORDER BY s.indexrelid LIMIT 2000`,
  );
  return new Map(
    rows.map((r) => [
      String(r.indexrelid),
      {
        idxScan: num(r.idx_scan),
        idxTupRead: num(r.idx_tup_read),
        idxTupFetch: num(r.idx_tup_fetch),
        idxBlksRead: num(r.idx_blks_read),
        idxBlksHit: num(r.idx_blks_hit),
      },
    ]),
  );
}

/** Snapshot metadata plus fresh counters (indexes created during the run are not covered). */
export function mergeIndexCounters(
  snapshot: IndexCounters[],
  counters: Awaited<ReturnType<typeof readIndexScanCounters>>,
): IndexCounters[] {
  return snapshot.flatMap((index) => {
    const fresh = counters.get(index.indexrelid);
    return fresh ? [{ ...index, ...fresh }] : [];
  });
}

/** One client backend as seen in pg_stat_activity. */
export interface ActivityRow {
  pid: number;
  state: string;
  waitEventType: string | null;
  waitEvent: string | null;
  application: string;
  client: string;
  /** The role the backend logged in as (pg_stat_activity.usename). */
  user: string;
  queryMs: number | null;
  /** Epoch ms of query_start (identifies one execution). */
  queryStartAt: number | null;
  xactMs: number | null;
  query: string;
  /**
   * pg_stat_activity.query_id (PostgreSQL 14+, with compute_query_id on, as pg_stat_statements sets it): the
   * same id as pg_stat_statements.queryid. For a backend idle in a transaction, its last statement. Null when
   * not read or not computed.
   */
  queryId: string | null;
  /** pids blocking this backend (only computed for backends waiting on a heavyweight lock). */
  blockedBy: number[];
}

/**
 * Read client backends (all databases, the probe's own excluded).
 * `pg_blocking_pids` is only evaluated for backends waiting on a lock: it
 * takes the lock manager's partition locks, so calling it for every backend
 * every second would not be negligible.
 */
export async function readActivity(db: Queryable, withQueryId = false): Promise<ActivityRow[]> {
  const { rows } = await db.query(
    `SELECT /* ${PROBE_MARKER} */ pid, COALESCE(state, '') AS state, wait_event_type, wait_event,
       COALESCE(application_name, '') AS app, COALESCE(usename::text, '') AS usr,
       COALESCE(host(client_addr), CASE WHEN client_port = -1 OR client_port IS NULL THEN 'local' ELSE '' END) AS client,
       extract(epoch FROM (now() - query_start)) * 1000 AS query_ms,
       extract(epoch FROM query_start) * 1000 AS query_start,
       extract(epoch FROM (now() - xact_start)) * 1000 AS xact_ms,
       left(COALESCE(query, ''), 200) AS query,${withQueryId ? ' query_id::text AS query_id,' : ''}
       CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) END AS blocked_by
     FROM pg_stat_activity
     WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
  );
  return rows.map((r) => ({
    pid: Number(r.pid),
    state: String(r.state),
    waitEventType: r.wait_event_type ?? null,
    waitEvent: r.wait_event ?? null,
    application: String(r.app),
    client: String(r.client),
    user: String(r.usr ?? ''),
    queryMs: numOrNull(r.query_ms),
    queryStartAt: numOrNull(r.query_start),
    xactMs: numOrNull(r.xact_ms),
    query: String(r.query),
    queryId: typeof r.query_id === 'string' ? r.query_id : null,
    blockedBy: Array.isArray(r.blocked_by) ? (r.blocked_by as unknown[]).map(Number) : [],
  }));
}

/**
 * Roles that may log in with a connection limit of their own (`ALTER ROLE … CONNECTION LIMIT n`,
 * pg_roles.rolconnlimit ≥ 0): a role at its limit is refused ("too many connections for role") long
 * before the server's max_connections.
 */
export async function readRoleConnectionLimits(db: Queryable): Promise<{ role: string; limit: number }[]> {
  const { rows } = await db.query(`SELECT /* ${PROBE_MARKER} */ rolname, rolconnlimit FROM pg_roles WHERE rolcanlogin AND rolconnlimit >= 0`);
  return rows.map((r) => ({ role: String(r.rolname), limit: Number(r.rolconnlimit) }));
}

/** The lock a waiting backend asks for. */
export interface WaitingLock {
  pid: number;
  lockType: string;
  mode: string;
  relation: string | null;
}

/** Read the ungranted locks of the given backends (called only when some backend is blocked). */
export async function readWaitingLocks(db: Queryable, pids: number[]): Promise<WaitingLock[]> {
  const { rows } = await db.query(
    `SELECT /* ${PROBE_MARKER} */ l.pid, l.locktype, l.mode,
       CASE WHEN l.relation IS NOT NULL THEN l.relation::regclass::text END AS relation
     FROM pg_locks l WHERE NOT l.granted AND l.pid = ANY($1::int[])`,
    [pids],
  );
  return rows.map((r) => ({ pid: Number(r.pid), lockType: String(r.locktype), mode: String(r.mode), relation: r.relation ?? null }));
}

/** pg returns bigint and numeric as strings; counters fit comfortably in a double. */
function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

function numOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
