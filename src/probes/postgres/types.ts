/**
 * The `data` of the postgres probe's {@link ProbeEvidence}: snapshots taken
 * before and after the run and the deltas between them, plus what was seen
 * while sampling (connections, lock waits). Diagnosis rules read these types;
 * they change only additively.
 *
 * Conventions: times in ms (floating point), sizes in bytes, instants as epoch
 * ms (`*At`), offsets from the run start in ms (`*OffsetMs`). "Delta" means
 * after − before over the run window; counters that went backwards (someone
 * reset the statistics) fall back to the after value and are flagged.
 * `null` means "not measured" (never "zero").
 *
 * @module
 */
import type { ProbeEvidence } from '../../result/types.js';

/** Series columns the postgres probe writes into `ProbeEvidence.series` (one value per sample). */
export const POSTGRES_SERIES_COLUMNS = {
  /** Client backends connected (all databases, the probe's own connection excluded). */
  'pg.connections': 'connections',
  /** Backends in state `active`. */
  'pg.active': 'connections',
  /** Backends in state `idle`. */
  'pg.idle': 'connections',
  /** Backends in state `idle in transaction` (and `… (aborted)`). */
  'pg.idle_in_tx': 'connections',
  /** Active backends waiting on a heavyweight lock (`wait_event_type = 'Lock'`). */
  'pg.waiting_lock': 'connections',
  /** Active backends waiting on an LWLock. */
  'pg.waiting_lwlock': 'connections',
  /** Active backends waiting on IO. */
  'pg.waiting_io': 'connections',
  /** Active backends waiting on the client (`wait_event_type = 'Client'`). */
  'pg.waiting_client': 'connections',
  /** Backends blocked by another backend (`pg_blocking_pids` non-empty). */
  'pg.blocked': 'connections',
  /** Age of the oldest running query among active backends (ms). */
  'pg.longest_query_ms': 'ms',
  /** Age of the oldest open transaction (ms). */
  'pg.longest_xact_ms': 'ms',
  /** Commits per second in the probed database (includes the probe's own 3–4 read-only transactions per sample). */
  'pg.xact_commit_per_s': '1/s',
  /** Rollbacks per second in the probed database. */
  'pg.xact_rollback_per_s': '1/s',
  /** Blocks read from outside shared buffers per second (probed database). */
  'pg.blks_read_per_s': '1/s',
  /** Buffer cache hit ratio (pg_stat_database) over the interval (0..1; null when no block was accessed). */
  'pg.cache_hit_ratio': 'ratio',
  /** Deadlocks per second (probed database). */
  'pg.deadlocks_per_s': '1/s',
  /** Sessions (connections) established per second in the probed database (PostgreSQL 14+; null before). */
  'pg.sessions_per_s': '1/s',
  /** Top-level statement calls per second (pg_stat_statements, probed database). */
  'pg.calls_per_s': '1/s',
  /** Statement execution time per second of wall clock (ms/s; 1000 = one backend busy all the time). */
  'pg.exec_ms_per_s': 'ms/s',
} as const;

/** Name of a postgres series column. */
export type PostgresSeriesColumn = keyof typeof POSTGRES_SERIES_COLUMNS;

/** Everything the postgres probe found. */
export interface PostgresProbeData {
  /** `server_version`, e.g. `15.18 (Debian 15.18-0+deb12u1)`; null if never connected. */
  serverVersion: string | null;
  /** `server_version_num`, e.g. 150018. */
  serverVersionNum: number | null;
  /** The probed database (`current_database()`). */
  database: string | null;
  /** Epoch ms of the before and after snapshots (after is null when the server was gone at the end). */
  window: { beforeAt: number | null; afterAt: number | null };
  /**
   * Where the "after" values come from: a fresh snapshot at stop, the last
   * good sample (server gone at the end), or nowhere (never connected).
   */
  afterSource: 'snapshot' | 'last-sample' | 'none';
  /** Size of the probed database in bytes. */
  databaseSizeBytes: { before: number | null; after: number | null };
  /** pg_stat_database counters of the probed database over the window. */
  databaseStats: DatabaseStatsDelta | null;
  /** Buffer cache hit ratios (0..1). */
  cacheHit: CacheHitRatios;
  /** pg_stat_statements status, and the fix when unavailable. */
  statementsStatus: StatementsStatus;
  /**
   * Statement deltas in the probed database, the probe's own statements
   * excluded, only those called during the window, sorted by `totalExecMs`
   * descending, at most 200.
   */
  statements: StatementDelta[];
  /** Totals over all statements of the window (not just the listed ones). */
  statementTotals: { calls: number; totalExecMs: number; statements: number } | null;
  /** Per-sample calls and exec time of the top statements by time (at most 10), aligned on `series.t`. */
  statementSeries: StatementSeries[];
  /** pg_stat_user_tables + pg_statio_user_tables deltas (at most 500 tables, most read first). */
  tables: TableDelta[];
  /** pg_stat_user_indexes deltas with definitions. */
  indexes: IndexDelta[];
  /** Connections seen while sampling. */
  activity: ActivitySummary;
  /** Blocked/blocking backend pairs seen while sampling (at most 50, first seen first). */
  blockedPairs: BlockedPair[];
  /** Relevant server settings by name (see {@link PostgresSetting}). */
  settings: Record<string, PostgresSetting>;
  /** Login roles with a connection limit of their own (pg_roles.rolconnlimit ≥ 0). Absent in older results. */
  roleConnectionLimits?: { role: string; limit: number }[];
  /** The client round trip of a trivial statement, timed by the probe during the run. Absent in older results and when no sample succeeded. */
  roundTrip?: RoundTripSummary;
}

/**
 * Client-side time of the probe's own trivial parameterized statement (round-trip.ts), timed a few times per
 * sample: what a call costs beyond its execution time, from where tuneup runs. It stands for the service's
 * round trip when the service runs on the same host as tuneup (or as near the database).
 */
export interface RoundTripSummary {
  /** Median over every timed call (ms). */
  medianMs: number;
  /** 90th percentile (ms). */
  p90Ms: number;
  /** Calls timed. */
  samples: number;
  /** The statement timed. */
  statement: string;
}

/** Is pg_stat_statements usable, and if not, why and how to enable it. */
export interface StatementsStatus {
  available: boolean;
  /** Installed extension version, e.g. `1.10`. */
  version: string | null;
  /** `pg_stat_statements.track` (`top`, `all`, `none`). */
  track: string | null;
  /** What is missing, in one sentence; null when available. */
  limitation: string | null;
  /** The exact steps to enable it; null when available. */
  enable: string | null;
}

/** One pg_stat_statements entry over the window. */
export interface StatementDelta {
  /** pg_stat_statements `queryid` (the fingerprint), as a decimal string (it is a 64-bit integer). */
  queryid: string;
  /** Normalized query text (`$1` placeholders), truncated to 4000 chars. */
  query: string;
  /** Role that ran it. */
  user: string | null;
  /** False for statements nested in functions (only tracked with `pg_stat_statements.track = all`). */
  toplevel: boolean;
  calls: number;
  totalExecMs: number;
  /** totalExecMs / calls over the window. */
  meanExecMs: number;
  /** Planning time (0 unless `pg_stat_statements.track_planning` is on). */
  totalPlanMs: number;
  rows: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  sharedBlksDirtied: number;
  tempBlksWritten: number;
  /** Time reading blocks (needs `track_io_timing`; 0 otherwise). */
  blkReadMs: number;
  /** sharedBlksHit / (hit + read); null when no block was touched. */
  cacheHitRatio: number | null;
  /** Share (0..1) of the window's total exec time. */
  shareOfExecTime: number;
  /** Not present in the before snapshot (first seen during the run). */
  isNew: boolean;
  /** Counters went backwards: the user's statistics were reset during the run; values are the after values. */
  resetDuringRun: boolean;
}

/** Per-sample counters of one statement, aligned on `ProbeEvidence.series.t`. */
export interface StatementSeries {
  queryid: string;
  toplevel: boolean;
  /** Calls per second (null where a sample failed or for the first sample). */
  callsPerS: (number | null)[];
  /** Exec ms per second of wall clock. */
  execMsPerS: (number | null)[];
}

/** pg_stat_database over the window for the probed database. */
export interface DatabaseStatsDelta {
  /** Sessions established (pg_stat_database.sessions, PostgreSQL 14+; absent before and in older results). */
  sessions?: number;
  xactCommit: number;
  xactRollback: number;
  blksRead: number;
  blksHit: number;
  tupReturned: number;
  tupFetched: number;
  tupInserted: number;
  tupUpdated: number;
  tupDeleted: number;
  conflicts: number;
  tempFiles: number;
  tempBytes: number;
  deadlocks: number;
  /** ms; needs track_io_timing. */
  blkReadMs: number;
  blkWriteMs: number;
  /** Backends connected to this database at the after snapshot. */
  numBackends: number;
}

/** Cache hit ratios, 0..1, null when not measurable. */
export interface CacheHitRatios {
  /** pg_stat_database blks_hit / (hit + read), cumulative since the stats were last reset. */
  before: number | null;
  after: number | null;
  /** Same ratio from the window's deltas: what the run itself experienced. */
  window: number | null;
  /** PgHero's table hit rate (pg_statio_user_tables heap blocks), from the window's deltas. */
  tableWindow: number | null;
  /** PgHero's index hit rate (pg_statio_user_indexes), from the window's deltas. */
  indexWindow: number | null;
}

/** One user table over the window. */
export interface TableDelta {
  schema: string;
  name: string;
  /** Deltas. */
  seqScan: number;
  seqTupRead: number;
  /** null when the table has no index. */
  idxScan: number | null;
  idxTupFetch: number | null;
  nTupIns: number;
  nTupUpd: number;
  nTupDel: number;
  nTupHotUpd: number;
  heapBlksRead: number;
  heapBlksHit: number;
  vacuumCount: number;
  autovacuumCount: number;
  analyzeCount: number;
  autoanalyzeCount: number;
  /** Live and dead tuple estimates at the before and after snapshots. */
  nLiveTup: { before: number; after: number };
  nDeadTup: { before: number; after: number };
  /** Rows modified since the last analyze (after snapshot). */
  nModSinceAnalyze: number;
  /**
   * pg_class.reltuples at the after snapshot: the row count the planner holds, stored by the last VACUUM or
   * ANALYZE; −1 when the table was never vacuumed or analyzed (PostgreSQL ≥ 14). Unlike the cumulative
   * statistics above, it survives crash recovery, pg_stat_reset() and a database copied from a template.
   * Absent in results written before 2026-12-05.
   */
  relTuples?: number;
  /** Epoch ms, null when never. */
  lastVacuumAt: number | null;
  lastAutovacuumAt: number | null;
  lastAnalyzeAt: number | null;
  lastAutoanalyzeAt: number | null;
  /** Table size with TOAST, without indexes (pg_table_size), after snapshot. */
  sizeBytes: number;
  /** Table plus indexes (pg_total_relation_size). */
  totalSizeBytes: number;
  /** `exact` from the size functions; `estimate` from pg_class.relpages when the table was locked. */
  sizeSource: 'exact' | 'estimate';
  /** Per-table storage options, e.g. `autovacuum_enabled=false`. */
  reloptions: string[];
  /** False when `autovacuum_enabled=false` is set on the table. */
  autovacuumEnabled: boolean;
  /** Counters went backwards during the run (stats reset); values are the after values. */
  resetDuringRun: boolean;
}

/** One user index over the window. */
export interface IndexDelta {
  schema: string;
  table: string;
  name: string;
  /** Delta of index scans. */
  idxScan: number;
  idxTupRead: number;
  idxTupFetch: number;
  idxBlksRead: number;
  idxBlksHit: number;
  /** Cumulative idx_scan at the after snapshot (since the last stats reset). */
  idxScanTotal: number;
  sizeBytes: number;
  /** `pg_get_indexdef`, e.g. `CREATE INDEX orders_customer_id_idx ON public.orders USING btree (customer_id)`. */
  definition: string;
  /** Key columns in order; expressions appear as `(expression)`. */
  columns: string[];
  /** Access method, e.g. `btree`. */
  method: string;
  unique: boolean;
  primary: boolean;
  /** False for a failed `CREATE INDEX CONCURRENTLY`: it exists but is never used. */
  valid: boolean;
  /** Partial index predicate, if any. */
  predicate: string | null;
}

/** Connections over the sampled period. */
export interface ActivitySummary {
  /** Samples that succeeded. */
  samples: number;
  /** Maxima over the samples. */
  max: {
    connections: number;
    active: number;
    idleInTransaction: number;
    waitingLock: number;
    blocked: number;
  };
  /** Means over the samples. */
  mean: { connections: number; active: number; idleInTransaction: number };
  /** Per `application_name` (empty name as `''`), at most 20 groups, biggest first. */
  byApplication: ActivityGroup[];
  /** Per client address (`local` for unix sockets), at most 20 groups. */
  byClient: ActivityGroup[];
  /** Per role (pg_stat_activity.usename), at most 20 groups: judged against a role's own connection limit. Absent in older results. */
  byUser?: ActivityGroup[];
  /** Wait events of active backends, counted over the wait samples (backend-samples), biggest first, at most 30. */
  waitEvents: { type: string; event: string; count: number }[];
  /**
   * How the wait events and blocked pairs were sampled: every `intervalMs` (faster than the series, so
   * waits of a few milliseconds are seen in a short run), `samples` times, seeing `activeBackendSamples`
   * active backends in all (the denominator of a wait share). Absent in results from before it existed.
   */
  waitSampling?: { samples: number; intervalMs: number; activeBackendSamples: number; meanSampleMs?: number };
  /**
   * Backends idle in a transaction over the wait samples, by the last statement each ran (pg_stat_activity
   * query_id, PostgreSQL 14+; the pg_stat_statements queryid), most backend-samples first, at most 20: whose
   * transactions stay open while the service does other work. Absent in older results and servers.
   */
  idleInTransactionStatements?: { queryid: string; samples: number; query: string }[];
  /**
   * Every client connection over the series samples (any state), by the last statement it ran (query_id,
   * PostgreSQL 14+), most backend-samples first, at most 20: whose work holds the server's connections (an
   * idle pooled connection counts for the statement it ran last). Absent in older results and servers.
   */
  connectionStatements?: { queryid: string; samples: number; query: string }[];
  /** Longest running query seen (ms) and its text (200 chars). */
  longestQuery: { durationMs: number; query: string; application: string } | null;
  /** Longest open transaction seen (ms). */
  longestTransactionMs: number | null;
}

/** Connections of one application or client over the samples. */
export interface ActivityGroup {
  key: string;
  maxConnections: number;
  meanConnections: number;
  maxActive: number;
  /** Mean backends in state `active` over the samples. */
  meanActive: number;
  /** Most backends in state `idle` in one sample. */
  maxIdle: number;
  maxIdleInTransaction: number;
  /** Connections per sample, aligned on `series.t` (null where the sample failed). */
  connections: (number | null)[];
  /** Backends in state `active` per sample, aligned on `series.t` (absent in results recorded before it was kept). */
  active?: (number | null)[];
  /** Backends `idle in transaction` per sample, aligned on `series.t` (absent in older results). */
  idleInTransaction?: (number | null)[];
  /**
   * Groups by login role only: the role's connections over the series samples by the last statement each ran, as
   * {@link ActivitySummary.connectionStatements} counts the server's. A role's own CONNECTION LIMIT counts only its
   * connections, so only their statements say whose work holds it. Absent in older results.
   */
  connectionStatements?: { queryid: string; samples: number; query: string }[];
}

/** A backend waiting for a lock held by another, as seen while sampling. */
export interface BlockedPair {
  blockedPid: number;
  blockingPid: number;
  /** First 200 chars of each query. */
  blockedQuery: string;
  blockingQuery: string;
  blockedApplication: string;
  blockingApplication: string;
  /** State of the blocker (often `idle in transaction`: a transaction held open). */
  blockingState: string;
  waitEventType: string;
  waitEvent: string;
  /** Lock type and mode the blocked backend waits for, e.g. `transactionid` / `ShareLock`, and the relation if any. */
  lockType: string | null;
  lockMode: string | null;
  relation: string | null;
  firstSeenOffsetMs: number;
  lastSeenOffsetMs: number;
  /** Longest time the blocked query had been running when seen (ms). */
  maxWaitMs: number;
  /** Samples in which the pair was seen. */
  samples: number;
}

/** One server setting. */
export interface PostgresSetting {
  /** `pg_settings.setting` as text (in `unit`). */
  value: string;
  /** `pg_settings.unit`, e.g. `8kB`, `kB`, `ms`, `s`; null when unitless. */
  unit: string | null;
  /** Memory settings converted to bytes, else null. */
  bytes: number | null;
  /** Time settings converted to ms, else null. */
  ms: number | null;
  /** `postmaster` (restart), `sighup` (reload), `user`/`superuser` (per session), ... */
  context: string;
  /** Where the value comes from: `default`, `configuration file`, ... */
  source: string;
}

/** The postgres probe's evidence with its data typed. */
export type PostgresProbeEvidence = ProbeEvidence & { probe: 'postgres'; data: PostgresProbeData & Record<string, unknown> };

/**
 * Narrow a ProbeEvidence to the postgres probe's (by name).
 * Use it in diagnosis rules: `evidence.filter(isPostgresEvidence)`.
 */
export function isPostgresEvidence(evidence: ProbeEvidence): evidence is PostgresProbeEvidence {
  return evidence.probe === 'postgres';
}
