/**
 * The postgres probe: a "before" snapshot at start, a cheap sample every
 * interval (activity, lock waits, database counters, pg_stat_statements
 * counters without text), an "after" snapshot at stop, and the deltas.
 *
 * Negligible load: one connection, four to six small catalog queries per
 * sample, statement texts and relation sizes only in the two snapshots.
 * Never resets statistics. Survives the server going away: sampling
 * failures are recorded, the connection is re-opened on the next sample,
 * and a missing "after" snapshot falls back to the last good sample.
 *
 * @module
 */
import type pg from 'pg';
import { ExitCode, TuneupError } from '../../errors.js';
import type { ProbeEvidence } from '../../result/types.js';
import { readingTime, type Probe, type ProbeContext } from '../types.js';
import { redactConnection } from '../../store/index.js';
import { ProbeErrorLog, SampleTimer, describeError } from '../util/sampling.js';
import { SeriesBuilder, hitRatio, ratePerSecond } from '../util/series.js';
import { ActivityTracker } from './activity.js';
import { cacheHitRatios, databaseDelta, indexDeltas, isOwnStatement, statementDeltas, tableDeltas, toSettings } from './deltas.js';
import {
  readActivity,
  readDatabaseCounters,
  readDatabaseSize,
  readIndexes,
  readIndexScanCounters,
  mergeIndexCounters,
  readServerInfo,
  readSettings,
  readRoleConnectionLimits,
  readStatementColumns,
  readStatements,
  readStatementTexts,
  readTables,
  readWaitingLocks,
  type DatabaseCounters,
  type IndexCounters,
  type ServerInfo,
  type SettingRow,
  type StatementColumns,
  type StatementCounters,
  type TableCounters,
} from './queries.js';
import { RoundTripSampler, runRoundTrip } from './round-trip.js';
import { checkStatements, settingLimitations } from './status.js';
import { POSTGRES_SERIES_COLUMNS, type PostgresProbeData, type PostgresSeriesColumn, type StatementSeries, type StatementsStatus } from './types.js';

/** Options of {@link createPostgresProbe}. */
export interface PostgresProbeOptions {
  /** Connection URL of the database the service uses (`postgres://user:pass@host:port/db`). */
  url: string;
  /** `application_name` of the probe's connection (default `tuneup-probe`); the probe excludes itself by pid anyway. */
  applicationName?: string;
  /** Server-side statement timeout of the probe's queries (default 2000 ms). */
  statementTimeoutMs?: number;
  /** Connection timeout (default 3000 ms); also bounds reconnect attempts while the server is down. */
  connectTimeoutMs?: number;
  /** Lock timeout for the size functions of the snapshots (default 200 ms); on timeout, sizes are estimated. */
  lockTimeoutMs?: number;
  /** Refresh table/index counters every N samples as a fallback for a lost "after" snapshot (default 5). */
  relationSampleEvery?: number;
  /** Statements given per-sample series (default 10, by exec time). */
  topStatementSeries?: number;
  /**
   * Interval of the wait sampler (default 100 ms; 0 samples waits with the series only). Wait events and
   * blocked pairs are read from pg_stat_activity this often, as pg_wait_sampling does (every 10 ms by
   * default): a row lock held for a few milliseconds is invisible to a 1 s sample in a short run, and a
   * wait share estimated from seven samples is noise. One small query per tick on the probe's connection.
   */
  waitSampleMs?: number;
}

/** Default interval of the wait sampler (ms). */
export const DEFAULT_WAIT_SAMPLE_MS = 100;

/** Create a postgres probe. Nothing connects until `start`. */
export function createPostgresProbe(options: PostgresProbeOptions): Probe {
  return new PostgresProbe(options);
}

interface Snapshot {
  at: number;
  db: DatabaseCounters | null;
  dbSize: number | null;
  tables: TableCounters[] | null;
  indexes: IndexCounters[] | null;
  statements: StatementCounters[] | null;
}

interface PreviousSample {
  /** When its counters were read, on the reading clock (see {@link readingTime}). */
  atMs: number;
  db: DatabaseCounters;
  statements: Map<string, { calls: number; execMs: number }> | null;
}

/** Texts fetched per sample at most (statements first seen during the run). */
const MAX_TEXT_FETCH = 100;

/** Statements tracked per sample (bounded). */
const MAX_TRACKED_STATEMENTS = 2000;

class PostgresProbe implements Probe {
  readonly name = 'postgres';
  private readonly target: string;
  private readonly applicationName: string;
  private readonly statementTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly lockTimeoutMs: number;
  private readonly relationSampleEvery: number;
  private readonly topStatementSeries: number;

  private ctx: ProbeContext | null = null;
  private client: pg.Client | null = null;
  private server: ServerInfo | null = null;
  private settingRows: SettingRow[] = [];
  private roleLimits: { role: string; limit: number }[] = [];
  private statementsStatus: StatementsStatus = notChecked();
  private columns: StatementColumns | null = null;
  private readonly limitations: string[] = [];
  private readonly errors = new ProbeErrorLog();
  private readonly timer = new SampleTimer();
  private readonly series = new SeriesBuilder<PostgresSeriesColumn>({ ...POSTGRES_SERIES_COLUMNS });
  private readonly activity: ActivityTracker;
  private readonly waitSampleMs: number;
  private readonly waitTimer = new SampleTimer();
  private readonly roundTrips = new RoundTripSampler();
  private waitInterval: NodeJS.Timeout | null = null;
  private waitPending = false;
  private before: Snapshot | null = null;
  private previous: PreviousSample | null = null;
  /** Last good counters from samples: the "after" values when the server is gone at stop. */
  private last: { at: number; db: DatabaseCounters | null; statements: StatementCounters[] | null; tables: TableCounters[] | null; indexes: IndexCounters[] | null } =
    { at: 0, db: null, statements: null, tables: null, indexes: null };
  private readonly ownKeys = new Set<string>();
  private readonly texts = new Map<string, string>();
  /** Per statement key: sample index → rates. Sparse: only samples where it moved. */
  private readonly statementRates = new Map<string, { queryid: string; toplevel: boolean; execSum: number; rates: Map<number, [number, number]> }>();
  private goodSamples = 0;
  private startupTimeoutsRejected = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: PostgresProbeOptions) {
    this.target = redactConnection(options.url);
    this.applicationName = options.applicationName ?? 'tuneup-probe';
    this.statementTimeoutMs = options.statementTimeoutMs ?? 2000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 200;
    this.relationSampleEvery = Math.max(1, options.relationSampleEvery ?? 5);
    this.topStatementSeries = options.topStatementSeries ?? 10;
    this.waitSampleMs = Math.max(0, options.waitSampleMs ?? DEFAULT_WAIT_SAMPLE_MS);
    this.activity = new ActivityTracker(this.waitSampleMs > 0, this.waitSampleMs || 1000);
  }

  async start(ctx: ProbeContext): Promise<void> {
    this.ctx = ctx;
    let db: pg.Client;
    try {
      db = await this.connect();
      this.server = await readServerInfo(db);
    } catch (error) {
      this.errors.record(ctx.offsetMs(), error);
      throw new TuneupError('TUNEUP_PG_CONNECT', `Cannot connect to PostgreSQL at ${this.target}: ${describeError(error)}`, {
        hint: 'Check the --pg URL (host, port, user, password, database) and that the server accepts connections from this machine.',
        cause: error,
      });
    }
    try {
      this.settingRows = await readSettings(db);
      this.roleLimits = await readRoleConnectionLimits(db);
      this.statementsStatus = await checkStatements(db, this.server);
      if (this.statementsStatus.available) this.columns = await readStatementColumns(db);
      else this.limitations.push(`${this.statementsStatus.limitation} To enable: ${this.statementsStatus.enable}`);
      this.limitations.push(...settingLimitations(this.server, this.settingRows));
      // Run every sampling query once before the text snapshot, so the probe's own entries are
      // in pg_stat_statements (and recognised by their marker) before sampling begins.
      const primedAtMs = readingTime(ctx, ctx.offsetMs());
      const primed = await this.readSample(db, true);
      // Learn the queryids of the queries that only run in special cases, before the text snapshot.
      await readWaitingLocks(db, []);
      await readIndexScanCounters(db);
      await runRoundTrip(db);
      if (this.columns) await readStatementTexts(db, this.columns, ['0']);
      this.previous = { atMs: primedAtMs, db: primed.db, statements: primed.statements ? countersByKey(primed.statements) : null };
      this.before = await this.snapshot(db);
      this.learnTexts(this.before.statements);
    } catch (error) {
      this.errors.record(ctx.offsetMs(), error);
      this.dropClient();
    }
    if (this.waitSampleMs > 0) {
      this.waitInterval = setInterval(() => this.waitTick(), this.waitSampleMs);
      this.waitInterval.unref();
    }
  }

  /** PostgreSQL 14+: pg_stat_activity has query_id, pg_stat_database has sessions. */
  private hasPg14Statistics(): boolean {
    return (this.server?.versionNum ?? 0) >= 140000;
  }

  /** The activity summary, with the wait sampler's own cost (its mean query time) in `waitSampling`. */
  private activitySummary() {
    const summary = this.activity.summary(this.series.length);
    if (summary.waitSampling) summary.waitSampling.meanSampleMs = this.waitTimer.overhead().meanSampleMs;
    return summary;
  }

  /** One wait sample, queued behind the series sample; skipped while the previous one is still pending. */
  private waitTick(): void {
    if (this.waitPending || !this.client || !this.ctx) return;
    this.waitPending = true;
    const offsetMs = this.ctx.offsetMs();
    this.queue = this.queue
      .then(async () => {
        const db = this.client;
        if (!db) return;
        const { rows, locks } = await this.waitTimer.time(async () => {
          const rows = await readActivity(db, this.hasPg14Statistics());
          const blockedPids = rows.filter((r) => r.blockedBy.length > 0).map((r) => r.pid);
          return { rows, locks: blockedPids.length > 0 ? await readWaitingLocks(db, blockedPids) : [] };
        });
        this.activity.recordWaits(offsetMs, rows, locks);
      })
      // A lost wait sample is not an error of the run: the next tick samples again, the series sample reports failures.
      .catch(() => {})
      .finally(() => {
        this.waitPending = false;
      });
  }

  sample(offsetMs: number): Promise<void> {
    // Serialized: a slow sample delays the next instead of overlapping it.
    this.queue = this.queue.then(() => this.sampleOnce(offsetMs));
    return this.queue;
  }

  async stop(): Promise<ProbeEvidence> {
    if (this.waitInterval) clearInterval(this.waitInterval);
    this.waitInterval = null;
    await this.queue;
    const offsetMs = this.ctx?.offsetMs() ?? 0;
    let after: Snapshot | null = null;
    if (this.server) {
      try {
        after = await this.snapshot(await this.ensureClient());
        this.learnTexts(after.statements);
      } catch (error) {
        this.errors.record(offsetMs, error);
      }
    }
    await this.closeClient();
    return this.evidence(after);
  }

  private async sampleOnce(offsetMs: number): Promise<void> {
    const index = this.series.length;
    const withRelations = index % this.relationSampleEvery === this.relationSampleEvery - 1;
    try {
      const atMs = readingTime(this.ctx, offsetMs);
      const reading = await this.timer.time(async () => {
        const db = await this.ensureClient();
        const read = await this.readSample(db, withRelations);
        // After the reading, so its counters keep their instant; part of the sample's cost.
        await this.roundTrips.measure(db);
        return read;
      });
      this.fold(index, offsetMs, atMs, reading);
      this.goodSamples++;
    } catch (error) {
      this.errors.record(offsetMs, error);
      this.activity.recordFailure(index);
      this.series.addFailure(offsetMs);
      this.dropClient();
    }
  }

  /** All queries of one sample, read before anything is folded so a failure leaves no half-sample. */
  private async readSample(db: pg.Client, withRelations: boolean) {
    const activity = await readActivity(db, this.hasPg14Statistics());
    const blockedPids = activity.filter((r) => r.blockedBy.length > 0).map((r) => r.pid);
    const locks = blockedPids.length > 0 ? await readWaitingLocks(db, blockedPids) : [];
    // The series sample is also a wait sample (counted once sampling has begun, not while priming).
    if (this.before) this.activity.recordWaits(this.ctx?.offsetMs() ?? 0, activity, locks);
    const dbCounters = await readDatabaseCounters(db, this.hasPg14Statistics());
    const statements = this.columns ? await readStatements(db, this.columns, false) : null;
    const tables = withRelations ? await readTables(db, 'estimate') : null;
    const indexes = withRelations && this.before?.indexes ? mergeIndexCounters(this.before.indexes, await readIndexScanCounters(db)) : null;
    if (withRelations && statements && this.columns) {
      // Texts of statements first seen during the run, so they are known even if the server is gone at stop.
      const unknown = [...new Set(statements.filter((s) => !this.texts.has(s.key) && !this.ownKeys.has(s.key)).map((s) => s.queryid))];
      if (unknown.length > 0) this.learnTexts(await readStatementTexts(db, this.columns, unknown.slice(0, MAX_TEXT_FETCH)));
    }
    return { activity, locks, db: dbCounters, statements, tables, indexes };
  }

  private fold(index: number, offsetMs: number, atMs: number, reading: Awaited<ReturnType<PostgresProbe['readSample']>>): void {
    const activityColumns = this.activity.record(index, offsetMs, reading.activity, reading.locks);
    const prev = this.previous;
    const elapsed = prev ? atMs - prev.atMs : 0;
    const rate = (pick: (d: DatabaseCounters) => number): number | null => ratePerSecond(prev ? pick(prev.db) : undefined, pick(reading.db), elapsed);
    const hits = prev ? reading.db.blksHit - prev.db.blksHit : 0;
    const reads = prev ? reading.db.blksRead - prev.db.blksRead : 0;

    let callsPerS: number | null = null;
    let execMsPerS: number | null = null;
    let current: Map<string, { calls: number; execMs: number }> | null = null;
    if (reading.statements) {
      current = countersByKey(reading.statements);
      if (prev?.statements && elapsed > 0) {
        let calls = 0;
        let execMs = 0;
        for (const entry of reading.statements) {
          if (isOwnStatement(entry, this.ownKeys)) continue;
          const old = prev.statements.get(entry.key);
          const dCalls = entry.calls - (old?.calls ?? 0);
          const dExec = entry.totalExecMs - (old?.execMs ?? 0);
          if (dCalls <= 0 || dExec < 0) continue;
          if (entry.toplevel) {
            calls += dCalls;
            execMs += dExec;
          }
          this.trackStatementRate(entry, index, (dCalls * 1000) / elapsed, (dExec * 1000) / elapsed, dExec);
        }
        callsPerS = (calls * 1000) / elapsed;
        execMsPerS = (execMs * 1000) / elapsed;
      }
    }

    this.series.add(offsetMs, {
      ...activityColumns,
      'pg.xact_commit_per_s': rate((d) => d.xactCommit),
      'pg.xact_rollback_per_s': rate((d) => d.xactRollback),
      'pg.blks_read_per_s': rate((d) => d.blksRead),
      'pg.deadlocks_per_s': rate((d) => d.deadlocks),
      'pg.sessions_per_s': reading.db.sessions === undefined ? null : rate((d) => d.sessions ?? 0),
      'pg.cache_hit_ratio': hits >= 0 && reads >= 0 ? hitRatio(hits, reads) : null,
      'pg.calls_per_s': callsPerS,
      'pg.exec_ms_per_s': execMsPerS,
    });
    this.previous = { atMs, db: reading.db, statements: current };
    this.last = {
      at: Date.now(),
      db: reading.db,
      statements: reading.statements ?? this.last.statements,
      tables: reading.tables ?? this.last.tables,
      indexes: reading.indexes ?? this.last.indexes,
    };
  }

  private trackStatementRate(entry: StatementCounters, index: number, callsPerS: number, execMsPerS: number, execDelta: number): void {
    let tracked = this.statementRates.get(entry.key);
    if (!tracked) {
      if (this.statementRates.size >= MAX_TRACKED_STATEMENTS) return;
      tracked = { queryid: entry.queryid, toplevel: entry.toplevel, execSum: 0, rates: new Map() };
      this.statementRates.set(entry.key, tracked);
    }
    tracked.execSum += execDelta;
    tracked.rates.set(index, [callsPerS, execMsPerS]);
  }

  /** Full snapshot: counters, exact sizes (estimated when a table is locked), statement texts. */
  private async snapshot(db: pg.Client): Promise<Snapshot> {
    // Each piece on its own: one failing view (privileges, a timeout) must not cost the others.
    const attempt = async <T>(read: () => Promise<T>): Promise<T | null> => {
      try {
        return await read();
      } catch (error) {
        this.errors.record(this.ctx?.offsetMs() ?? 0, error);
        return null;
      }
    };
    const dbCounters = await attempt(() => readDatabaseCounters(db));
    const dbSize = await attempt(() => readDatabaseSize(db));
    const tables = await attempt(() => withSizeFallback(() => readTables(db, 'exact'), () => readTables(db, 'estimate')));
    const indexes = await attempt(() => withSizeFallback(() => readIndexes(db, 'exact'), () => readIndexes(db, 'estimate')));
    const columns = this.columns;
    const statements = columns ? await attempt(() => readStatements(db, columns, true)) : null;
    return { at: Date.now(), db: dbCounters, dbSize, tables, indexes, statements };
  }

  private learnTexts(statements: StatementCounters[] | null): void {
    for (const s of statements ?? []) {
      if (s.query === undefined) continue;
      this.texts.set(s.key, s.query);
      if (isOwnStatement(s, this.ownKeys)) this.ownKeys.add(s.key);
    }
  }

  private evidence(after: Snapshot | null): ProbeEvidence {
    const before = this.before;
    const sampled = this.goodSamples > 0;
    // Each after piece falls back to the last good sample when the final snapshot could not read it.
    const end = {
      at: after?.db ? after.at : sampled ? this.last.at : null,
      db: after?.db ?? (sampled ? this.last.db : null),
      dbSize: after?.dbSize ?? null,
      tables: after?.tables ?? (sampled ? this.last.tables : null),
      indexes: after?.indexes ?? (sampled ? this.last.indexes : null),
      statements: after?.statements ?? (sampled ? this.last.statements : null),
    };
    const afterSource: PostgresProbeData['afterSource'] = after?.db ? 'snapshot' : sampled ? 'last-sample' : 'none';
    if (afterSource === 'last-sample') {
      this.limitations.push(
        'The server could not be reached at the end of the run: deltas end at the last good sample (table and index counters may be up to a few samples older; texts of statements first seen during the run are missing).',
      );
    }
    if (this.server && (!before?.db || !before.tables || !before.indexes || (this.columns && !before.statements))) {
      this.limitations.push('Part of the "before" snapshot failed (see errors): the deltas it would anchor are left out rather than shown as totals since the last reset.');
    }
    const statementResult =
      before?.statements && end.statements && this.statementsStatus.available
        ? statementDeltas(before.statements, end.statements, this.ownKeys, this.texts)
        : null;
    const roundTrip = this.roundTrips.summary();
    const data: PostgresProbeData = {
      serverVersion: this.server?.version ?? null,
      serverVersionNum: this.server?.versionNum ?? null,
      database: this.server?.database ?? null,
      window: { beforeAt: before?.at ?? null, afterAt: end.at },
      afterSource,
      databaseSizeBytes: { before: before?.dbSize ?? null, after: end.dbSize },
      databaseStats: before?.db && end.db ? databaseDelta(before.db, end.db) : null,
      cacheHit: cacheHitRatios(before?.db ?? null, end.db, before?.tables ?? null, end.tables),
      statementsStatus: this.statementsStatus,
      statements: statementResult?.statements ?? [],
      statementTotals: statementResult?.totals ?? null,
      statementSeries: this.statementSeriesList(),
      tables: before?.tables && end.tables ? tableDeltas(before.tables, end.tables) : [],
      indexes: before?.indexes && end.indexes ? indexDeltas(before.indexes, end.indexes) : [],
      activity: this.activitySummary(),
      blockedPairs: this.activity.blockedPairs(),
      settings: toSettings(this.settingRows),
      ...(this.roleLimits.length > 0 ? { roleConnectionLimits: this.roleLimits } : {}),
      ...(roundTrip ? { roundTrip } : {}),
    };
    return {
      probe: this.name,
      target: this.target,
      ok: before !== null || this.goodSamples > 0,
      limitations: [...this.limitations],
      errors: this.errors.list(),
      series: this.series.build(),
      data: data as unknown as Record<string, unknown>,
      overhead: this.timer.overhead(),
    };
  }

  private statementSeriesList(): StatementSeries[] {
    const failed = new Set<number>();
    const built = this.series.build();
    const anyColumn = built.values['pg.connections'] ?? [];
    anyColumn.forEach((v, i) => v === null && failed.add(i));
    return [...this.statementRates.entries()]
      .filter(([key]) => !this.ownKeys.has(key))
      .sort((a, b) => b[1].execSum - a[1].execSum)
      .slice(0, this.topStatementSeries)
      .map(([, s]) => {
        const callsPerS: (number | null)[] = [];
        const execMsPerS: (number | null)[] = [];
        for (let i = 0; i < built.t.length; i++) {
          const r = s.rates.get(i);
          callsPerS.push(failed.has(i) ? null : (r?.[0] ?? 0));
          execMsPerS.push(failed.has(i) ? null : (r?.[1] ?? 0));
        }
        return { queryid: s.queryid, toplevel: s.toplevel, callsPerS, execMsPerS };
      });
  }

  private async connect(): Promise<pg.Client> {
    try {
      return await this.connectOnce(!this.startupTimeoutsRejected);
    } catch (error) {
      // PgBouncer refuses unknown startup parameters; fall back to the client-side query timeout only.
      if (this.startupTimeoutsRejected || !/unsupported startup parameter/i.test(describeError(error))) throw error;
      this.startupTimeoutsRejected = true;
      this.limitations.push('The server (a pooler?) refused statement_timeout/lock_timeout as startup parameters: the probe relies on client-side timeouts.');
      return this.connectOnce(false);
    }
  }

  private async connectOnce(withServerTimeouts: boolean): Promise<pg.Client> {
    // pg is loaded when the probe first connects: a run without `--pg` never pays for it.
    const { Client } = (await import('pg')).default;
    const client = new Client({
      connectionString: this.options.url,
      application_name: this.applicationName,
      ...(withServerTimeouts ? { statement_timeout: this.statementTimeoutMs, lock_timeout: this.lockTimeoutMs } : {}),
      // Client-side bound too: a frozen server (no RST) must not hang a sample forever.
      query_timeout: this.statementTimeoutMs + 1000,
      connectionTimeoutMillis: this.connectTimeoutMs,
    });
    // A dying server emits 'error' on the idle client; without a listener that would crash the process.
    client.on('error', () => {
      if (this.client === client) this.client = null;
    });
    return client.connect().then(
      () => {
        this.client = client;
        return client;
      },
      (error: unknown) => {
        client.end().catch(() => {});
        throw error;
      },
    );
  }

  private async ensureClient(): Promise<pg.Client> {
    return this.client ?? this.connect();
  }

  private dropClient(): void {
    const client = this.client;
    this.client = null;
    client?.end().catch(() => {});
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([client.end().catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
  }
}

/** Exact sizes need locks; behind a lock (lock_not_available) or a timeout fall back to estimates. */
async function withSizeFallback<T>(exact: () => Promise<T>, estimate: () => Promise<T>): Promise<T> {
  try {
    return await exact();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '55P03' || code === '57014') return estimate();
    throw error;
  }
}

function countersByKey(statements: StatementCounters[]): Map<string, { calls: number; execMs: number }> {
  return new Map(statements.map((s) => [s.key, { calls: s.calls, execMs: s.totalExecMs }]));
}

function notChecked(): StatementsStatus {
  return { available: false, version: null, track: null, limitation: 'The probe never reached the server.', enable: null };
}
