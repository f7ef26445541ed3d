/**
 * Accumulates pg_stat_activity samples: per-sample counts for the series,
 * per-application, per-client and per-role groups (a role's with the
 * statements its connections ran last: its CONNECTION LIMIT counts only its
 * own), wait events, the longest query and transaction, and blocked/blocking
 * pairs.
 *
 * @module
 */
import type { ActivityRow, WaitingLock } from './queries.js';
import type { ActivityGroup, ActivitySummary, BlockedPair, PostgresSeriesColumn } from './types.js';

/** Backend-samples by the last statement's query_id, with its text. */
type StatementCounts = Map<string, { samples: number; query: string }>;

/** Groups and pairs are capped so a pathological server cannot grow the probe's memory. */
const MAX_TRACKED_GROUPS = 200;
const MAX_LISTED_GROUPS = 20;
const MAX_PAIRS = 50;
const MAX_WAIT_EVENTS = 30;

interface GroupCounts {
  connections: number;
  active: number;
  idle: number;
  idleInTransaction: number;
}

/** Activity columns of one sample. */
export type ActivityColumns = Pick<
  Record<PostgresSeriesColumn, number | null>,
  | 'pg.connections'
  | 'pg.active'
  | 'pg.idle'
  | 'pg.idle_in_tx'
  | 'pg.waiting_lock'
  | 'pg.waiting_lwlock'
  | 'pg.waiting_io'
  | 'pg.waiting_client'
  | 'pg.blocked'
  | 'pg.longest_query_ms'
  | 'pg.longest_xact_ms'
>;

/** Folds activity samples into the {@link ActivitySummary} and {@link BlockedPair}s. */
export class ActivityTracker {
  /**
   * @param waitsSampledApart When true, wait events, blocked pairs and active backends are counted only
   *   by {@link recordWaits} (a faster wait sampler), so every wait statistic comes from one sampling rate.
   * @param waitIntervalMs The wait sampler's interval, reported in the summary.
   */
  constructor(
    private readonly waitsSampledApart = false,
    private readonly waitIntervalMs = 1000,
  ) {}

  private samples = 0;
  private waitSamples = 0;
  private activeBackendSamples = 0;
  private readonly failed = new Set<number>();
  private readonly byApplication = new Map<string, Map<number, GroupCounts>>();
  private readonly byClient = new Map<string, Map<number, GroupCounts>>();
  private readonly byUser = new Map<string, Map<number, GroupCounts>>();
  private readonly waitEvents = new Map<string, { type: string; event: string; count: number }>();
  /** Backend-samples idle in a transaction, by the last statement's query_id. */
  private readonly idleInTx: StatementCounts = new Map();
  /** Backend-samples of every client connection (any state), by the last statement's query_id. */
  private readonly lastStatements: StatementCounts = new Map();
  /** The same, per login role (pg_stat_activity usename). */
  private readonly lastStatementsByUser = new Map<string, StatementCounts>();
  private readonly pairs = new Map<string, BlockedPair>();
  private readonly max = { connections: 0, active: 0, idleInTransaction: 0, waitingLock: 0, blocked: 0 };
  private readonly sum = { connections: 0, active: 0, idleInTransaction: 0 };
  private longestQuery: ActivitySummary['longestQuery'] = null;
  private longestTransactionMs: number | null = null;

  /** Fold one successful sample (index `sampleIndex` in the series) and return its series columns. */
  record(sampleIndex: number, offsetMs: number, rows: ActivityRow[], locks: WaitingLock[]): ActivityColumns {
    this.samples++;
    let active = 0;
    let idle = 0;
    let idleInTx = 0;
    let waitingLock = 0;
    let waitingLwlock = 0;
    let waitingIo = 0;
    let waitingClient = 0;
    let blocked = 0;
    let longestQueryMs: number | null = null;
    let longestXactMs: number | null = null;
    const byPid = new Map(rows.map((r) => [r.pid, r]));

    for (const row of rows) {
      const isActive = row.state === 'active';
      const isIdleInTx = row.state.startsWith('idle in transaction');
      if (isActive) active++;
      else if (row.state === 'idle') idle++;
      else if (isIdleInTx) idleInTx++;
      if (isActive && row.waitEventType) {
        if (row.waitEventType === 'Lock') waitingLock++;
        else if (row.waitEventType === 'LWLock') waitingLwlock++;
        else if (row.waitEventType === 'IO') waitingIo++;
        else if (row.waitEventType === 'Client') waitingClient++;
      }
      if (row.blockedBy.length > 0) blocked++;
      if (isActive && row.queryMs !== null && (longestQueryMs === null || row.queryMs > longestQueryMs)) {
        longestQueryMs = row.queryMs;
        if (this.longestQuery === null || row.queryMs > this.longestQuery.durationMs) {
          this.longestQuery = { durationMs: row.queryMs, query: row.query, application: row.application };
        }
      }
      if (row.xactMs !== null && (longestXactMs === null || row.xactMs > longestXactMs)) longestXactMs = row.xactMs;
      this.countGroup(this.byApplication, row.application, sampleIndex, row.state);
      this.countGroup(this.byClient, row.client, sampleIndex, row.state);
      this.countGroup(this.byUser, row.user, sampleIndex, row.state);
      if (row.queryId) {
        countStatement(this.lastStatements, row.queryId, row.query);
        this.countUserStatement(row.user, row.queryId, row.query);
      }
    }
    if (!this.waitsSampledApart) this.countWaits(offsetMs, rows, locks, byPid);
    if (longestXactMs !== null && (this.longestTransactionMs === null || longestXactMs > this.longestTransactionMs)) {
      this.longestTransactionMs = longestXactMs;
    }

    const connections = rows.length;
    this.max.connections = Math.max(this.max.connections, connections);
    this.max.active = Math.max(this.max.active, active);
    this.max.idleInTransaction = Math.max(this.max.idleInTransaction, idleInTx);
    this.max.waitingLock = Math.max(this.max.waitingLock, waitingLock);
    this.max.blocked = Math.max(this.max.blocked, blocked);
    this.sum.connections += connections;
    this.sum.active += active;
    this.sum.idleInTransaction += idleInTx;
    return {
      'pg.connections': connections,
      'pg.active': active,
      'pg.idle': idle,
      'pg.idle_in_tx': idleInTx,
      'pg.waiting_lock': waitingLock,
      'pg.waiting_lwlock': waitingLwlock,
      'pg.waiting_io': waitingIo,
      'pg.waiting_client': waitingClient,
      'pg.blocked': blocked,
      'pg.longest_query_ms': longestQueryMs ?? 0,
      'pg.longest_xact_ms': longestXactMs ?? 0,
    };
  }

  /**
   * Fold one sample of the wait sampler: wait events of active backends, blocked pairs, and the active
   * backends they are a share of. Only used when the tracker was built with `waitsSampledApart`.
   */
  recordWaits(offsetMs: number, rows: ActivityRow[], locks: WaitingLock[]): void {
    if (this.waitsSampledApart) this.countWaits(offsetMs, rows, locks, new Map(rows.map((r) => [r.pid, r])));
  }

  private countWaits(offsetMs: number, rows: ActivityRow[], locks: WaitingLock[], byPid: Map<number, ActivityRow>): void {
    this.waitSamples++;
    for (const row of rows) {
      if (row.state.startsWith('idle in transaction') && row.queryId) countStatement(this.idleInTx, row.queryId, row.query);
      if (row.state !== 'active') continue;
      this.activeBackendSamples++;
      if (row.waitEventType) this.countWaitEvent(row.waitEventType, row.waitEvent ?? '');
    }
    for (const row of rows) {
      for (const blockerPid of row.blockedBy) this.recordPair(offsetMs, row, byPid.get(blockerPid), blockerPid, locks);
    }
  }

  /** Note that sample `sampleIndex` failed (its group values become null). */
  recordFailure(sampleIndex: number): void {
    this.failed.add(sampleIndex);
  }

  /** The summary over `sampleCount` series rows. */
  summary(sampleCount: number): ActivitySummary {
    const n = Math.max(1, this.samples);
    return {
      samples: this.samples,
      max: { ...this.max },
      mean: {
        connections: this.sum.connections / n,
        active: this.sum.active / n,
        idleInTransaction: this.sum.idleInTransaction / n,
      },
      byApplication: this.groups(this.byApplication, sampleCount),
      byClient: this.groups(this.byClient, sampleCount),
      byUser: this.groups(this.byUser, sampleCount, this.lastStatementsByUser),
      waitEvents: [...this.waitEvents.values()].sort((a, b) => b.count - a.count).slice(0, MAX_WAIT_EVENTS),
      waitSampling: { samples: this.waitSamples, intervalMs: this.waitIntervalMs, activeBackendSamples: this.activeBackendSamples },
      ...(this.idleInTx.size > 0 ? { idleInTransactionStatements: listStatements(this.idleInTx) } : {}),
      ...(this.lastStatements.size > 0 ? { connectionStatements: listStatements(this.lastStatements) } : {}),
      longestQuery: this.longestQuery,
      longestTransactionMs: this.longestTransactionMs,
    };
  }

  /** Blocked/blocking pairs, first seen first. */
  blockedPairs(): BlockedPair[] {
    return [...this.pairs.values()].sort((a, b) => a.firstSeenOffsetMs - b.firstSeenOffsetMs);
  }

  private countWaitEvent(type: string, event: string): void {
    const key = `${type}/${event}`;
    const entry = this.waitEvents.get(key);
    if (entry) entry.count++;
    else if (this.waitEvents.size < MAX_TRACKED_GROUPS) this.waitEvents.set(key, { type, event, count: 1 });
  }

  private countGroup(groups: Map<string, Map<number, GroupCounts>>, key: string, sampleIndex: number, state: string): void {
    let perSample = groups.get(key);
    if (!perSample) {
      if (groups.size >= MAX_TRACKED_GROUPS) return;
      perSample = new Map();
      groups.set(key, perSample);
    }
    const counts = perSample.get(sampleIndex) ?? { connections: 0, active: 0, idle: 0, idleInTransaction: 0 };
    counts.connections++;
    if (state === 'active') counts.active++;
    else if (state === 'idle') counts.idle++;
    else if (state.startsWith('idle in transaction')) counts.idleInTransaction++;
    perSample.set(sampleIndex, counts);
  }

  /** Count one backend-sample of a statement for its login role; at most MAX_TRACKED_GROUPS roles are tracked. */
  private countUserStatement(user: string, queryid: string, query: string): void {
    let counts = this.lastStatementsByUser.get(user);
    if (!counts) {
      if (this.lastStatementsByUser.size >= MAX_TRACKED_GROUPS) return;
      counts = new Map();
      this.lastStatementsByUser.set(user, counts);
    }
    countStatement(counts, queryid, query);
  }

  private groups(groups: Map<string, Map<number, GroupCounts>>, sampleCount: number, statements?: Map<string, StatementCounts>): ActivityGroup[] {
    const out: ActivityGroup[] = [];
    for (const [key, perSample] of groups) {
      const connections: (number | null)[] = [];
      // Per sample by state too: a pool is judged by how many of its own connections are busy, not the server's.
      const active: (number | null)[] = [];
      const idleInTransaction: (number | null)[] = [];
      let sum = 0;
      for (let i = 0; i < sampleCount; i++) {
        if (this.failed.has(i)) {
          connections.push(null);
          active.push(null);
          idleInTransaction.push(null);
        } else {
          const c = perSample.get(i);
          sum += c?.connections ?? 0;
          connections.push(c?.connections ?? 0);
          active.push(c?.active ?? 0);
          idleInTransaction.push(c?.idleInTransaction ?? 0);
        }
      }
      const values = [...perSample.values()];
      const lastRan = statements?.get(key);
      out.push({
        key,
        maxConnections: Math.max(0, ...values.map((v) => v.connections)),
        meanConnections: sum / Math.max(1, this.samples),
        maxActive: Math.max(0, ...values.map((v) => v.active)),
        meanActive: values.reduce((s, v) => s + v.active, 0) / Math.max(1, this.samples),
        maxIdle: Math.max(0, ...values.map((v) => v.idle)),
        maxIdleInTransaction: Math.max(0, ...values.map((v) => v.idleInTransaction)),
        connections,
        active,
        idleInTransaction,
        ...(lastRan ? { connectionStatements: listStatements(lastRan) } : {}),
      });
    }
    return out.sort((a, b) => b.maxConnections - a.maxConnections || b.meanConnections - a.meanConnections).slice(0, MAX_LISTED_GROUPS);
  }

  private recordPair(offsetMs: number, blockedRow: ActivityRow, blocker: ActivityRow | undefined, blockerPid: number, locks: WaitingLock[]): void {
    // The same wait (same blocked query execution) seen in several samples is one pair.
    const key = `${blockedRow.pid}:${blockerPid}:${blockedRow.queryStartAt ?? ''}`;
    const existing = this.pairs.get(key);
    const waitMs = blockedRow.queryMs ?? 0;
    if (existing) {
      existing.lastSeenOffsetMs = Math.round(offsetMs);
      existing.maxWaitMs = Math.max(existing.maxWaitMs, waitMs);
      existing.samples++;
      return;
    }
    if (this.pairs.size >= MAX_PAIRS) return;
    const lock = locks.find((l) => l.pid === blockedRow.pid);
    this.pairs.set(key, {
      blockedPid: blockedRow.pid,
      blockingPid: blockerPid,
      blockedQuery: blockedRow.query,
      // The blocker may be outside the sampled set (e.g. another role's backend hidden by privileges).
      blockingQuery: blocker?.query ?? '',
      blockedApplication: blockedRow.application,
      blockingApplication: blocker?.application ?? '',
      blockingState: blocker?.state ?? '',
      waitEventType: blockedRow.waitEventType ?? '',
      waitEvent: blockedRow.waitEvent ?? '',
      lockType: lock?.lockType ?? null,
      lockMode: lock?.mode ?? null,
      relation: lock?.relation ?? null,
      firstSeenOffsetMs: Math.round(offsetMs),
      lastSeenOffsetMs: Math.round(offsetMs),
      maxWaitMs: waitMs,
      samples: 1,
    });
  }
}

/** Count one backend-sample of a statement (by query_id) in `counts`, tracking at most MAX_TRACKED_GROUPS statements. */
function countStatement(counts: StatementCounts, queryid: string, query: string): void {
  const entry = counts.get(queryid);
  if (entry) entry.samples++;
  else if (counts.size < MAX_TRACKED_GROUPS) counts.set(queryid, { samples: 1, query });
}

/** The statements of `counts`, most backend-samples first, at most MAX_LISTED_GROUPS. */
function listStatements(counts: StatementCounts): { queryid: string; samples: number; query: string }[] {
  return [...counts.entries()].map(([queryid, v]) => ({ queryid, ...v })).sort((a, b) => b.samples - a.samples).slice(0, MAX_LISTED_GROUPS);
}
