/**
 * Pure functions turning two snapshots (before and after the run) into the
 * deltas of {@link PostgresProbeData}. No I/O: easy to test and to re-run.
 *
 * @module
 */
import { counterDelta, hitRatio } from '../util/series.js';
import type { DatabaseCounters, IndexCounters, SettingRow, StatementCounters, TableCounters } from './queries.js';
import { PROBE_MARKER } from './queries.js';
import type { CacheHitRatios, DatabaseStatsDelta, IndexDelta, PostgresSetting, StatementDelta, TableDelta } from './types.js';

/** At most this many statements are listed (the totals cover all). */
export const MAX_STATEMENTS = 200;

const UNIT_BYTES: Record<string, number> = { B: 1, kB: 1024, '8kB': 8192, '16kB': 16384, '32kB': 32768, '64kB': 65536, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** pg_settings rows → settings by name, memory in bytes and time in ms. */
export function toSettings(rows: SettingRow[]): Record<string, PostgresSetting> {
  const out: Record<string, PostgresSetting> = {};
  for (const row of rows) {
    const numeric = Number(row.setting);
    const byteFactor = row.unit === null ? undefined : UNIT_BYTES[row.unit];
    const msFactor = row.unit === null ? undefined : UNIT_MS[row.unit];
    out[row.name] = {
      value: row.setting,
      unit: row.unit,
      // -1 means "use another setting" (e.g. autovacuum_work_mem): not a size.
      bytes: byteFactor !== undefined && Number.isFinite(numeric) && numeric >= 0 ? numeric * byteFactor : null,
      ms: msFactor !== undefined && Number.isFinite(numeric) && numeric >= 0 ? numeric * msFactor : null,
      context: row.context,
      source: row.source,
    };
  }
  return out;
}

/** True for a statement the probe itself ran (by its marker), or one known to be the probe's. */
export function isOwnStatement(entry: StatementCounters, ownKeys: ReadonlySet<string>): boolean {
  return ownKeys.has(entry.key) || (entry.query !== undefined && entry.query.includes(PROBE_MARKER));
}

/**
 * Statement deltas over the window, the probe's own excluded, sorted by exec
 * time. `texts` supplies normalized texts by key for entries read without text.
 */
export function statementDeltas(
  before: StatementCounters[] | null,
  after: StatementCounters[],
  ownKeys: ReadonlySet<string>,
  texts: ReadonlyMap<string, string>,
): { statements: StatementDelta[]; totals: { calls: number; totalExecMs: number; statements: number } } {
  const previous = new Map((before ?? []).map((s) => [s.key, s]));
  const changed: Omit<StatementDelta, 'shareOfExecTime' | 'cacheHitRatio' | 'meanExecMs'>[] = [];
  for (const entry of after) {
    if (isOwnStatement(entry, ownKeys)) continue;
    const old = previous.get(entry.key);
    const calls = counterDelta(old?.calls, entry.calls);
    if (calls.delta <= 0) continue;
    const reset = calls.reset;
    const d = (pick: (s: StatementCounters) => number): number => (reset || !old ? pick(entry) : Math.max(0, pick(entry) - pick(old)));
    changed.push({
      queryid: entry.queryid,
      query: entry.query ?? texts.get(entry.key) ?? '',
      user: entry.user,
      toplevel: entry.toplevel,
      calls: calls.delta,
      totalExecMs: d((s) => s.totalExecMs),
      totalPlanMs: d((s) => s.totalPlanMs),
      rows: d((s) => s.rows),
      sharedBlksHit: d((s) => s.sharedBlksHit),
      sharedBlksRead: d((s) => s.sharedBlksRead),
      sharedBlksDirtied: d((s) => s.sharedBlksDirtied),
      tempBlksWritten: d((s) => s.tempBlksWritten),
      blkReadMs: d((s) => s.blkReadMs),
      // A statement absent before: first run during the window, or evicted and re-entered.
      isNew: before !== null && !old,
      resetDuringRun: reset,
    });
  }
  // Nested statements (track = all) are already inside their caller's time: totals count top-level only.
  const top = changed.filter((s) => s.toplevel);
  const totalExecMs = top.reduce((sum, s) => sum + s.totalExecMs, 0);
  const totals = { calls: top.reduce((sum, s) => sum + s.calls, 0), totalExecMs, statements: top.length };
  const statements = changed
    .sort((a, b) => b.totalExecMs - a.totalExecMs || b.calls - a.calls)
    .slice(0, MAX_STATEMENTS)
    .map((s) => ({
      ...s,
      meanExecMs: s.totalExecMs / s.calls,
      cacheHitRatio: hitRatio(s.sharedBlksHit, s.sharedBlksRead),
      shareOfExecTime: totalExecMs > 0 ? s.totalExecMs / totalExecMs : 0,
    }));
  return { statements, totals };
}

/** Table deltas (tables present after; a table created during the run counts from zero). */
export function tableDeltas(before: TableCounters[] | null, after: TableCounters[]): TableDelta[] {
  const previous = new Map((before ?? []).map((t) => [t.relid, t]));
  return after.map((t) => {
    const old = previous.get(t.relid);
    // One reset detector for the whole row: pg_stat_reset zeroes all counters together.
    const reset = old !== undefined && (t.seqScan < old.seqScan || (t.idxScan ?? 0) < (old.idxScan ?? 0) || t.nTupIns < old.nTupIns);
    const d = (pick: (x: TableCounters) => number): number => (old && !reset ? Math.max(0, pick(t) - pick(old)) : pick(t));
    const dn = (pick: (x: TableCounters) => number | null): number | null => {
      const now = pick(t);
      if (now === null) return null;
      const then = old ? pick(old) : null;
      return then === null || reset ? now : Math.max(0, now - then);
    };
    const autovacuumOff = t.reloptions.some((o) => /^autovacuum_enabled=(false|off|no|0)$/i.test(o));
    return {
      schema: t.schema,
      name: t.name,
      seqScan: d((x) => x.seqScan),
      seqTupRead: d((x) => x.seqTupRead),
      idxScan: dn((x) => x.idxScan),
      idxTupFetch: dn((x) => x.idxTupFetch),
      nTupIns: d((x) => x.nTupIns),
      nTupUpd: d((x) => x.nTupUpd),
      nTupDel: d((x) => x.nTupDel),
      nTupHotUpd: d((x) => x.nTupHotUpd),
      heapBlksRead: d((x) => x.heapBlksRead),
      heapBlksHit: d((x) => x.heapBlksHit),
      vacuumCount: d((x) => x.vacuumCount),
      autovacuumCount: d((x) => x.autovacuumCount),
      analyzeCount: d((x) => x.analyzeCount),
      autoanalyzeCount: d((x) => x.autoanalyzeCount),
      nLiveTup: { before: old?.nLiveTup ?? 0, after: t.nLiveTup },
      nDeadTup: { before: old?.nDeadTup ?? 0, after: t.nDeadTup },
      nModSinceAnalyze: t.nModSinceAnalyze,
      relTuples: t.relTuples,
      lastVacuumAt: t.lastVacuumAt,
      lastAutovacuumAt: t.lastAutovacuumAt,
      lastAnalyzeAt: t.lastAnalyzeAt,
      lastAutoanalyzeAt: t.lastAutoanalyzeAt,
      sizeBytes: t.sizeBytes,
      totalSizeBytes: t.totalSizeBytes,
      sizeSource: t.sizeSource,
      reloptions: t.reloptions,
      autovacuumEnabled: !autovacuumOff,
      resetDuringRun: reset,
    };
  });
}

/** Index deltas. */
export function indexDeltas(before: IndexCounters[] | null, after: IndexCounters[]): IndexDelta[] {
  const previous = new Map((before ?? []).map((i) => [i.indexrelid, i]));
  return after.map((i) => {
    const old = previous.get(i.indexrelid);
    const reset = old !== undefined && i.idxScan < old.idxScan;
    const d = (pick: (x: IndexCounters) => number): number => (old && !reset ? Math.max(0, pick(i) - pick(old)) : pick(i));
    return {
      schema: i.schema,
      table: i.table,
      name: i.name,
      idxScan: d((x) => x.idxScan),
      idxTupRead: d((x) => x.idxTupRead),
      idxTupFetch: d((x) => x.idxTupFetch),
      idxBlksRead: d((x) => x.idxBlksRead),
      idxBlksHit: d((x) => x.idxBlksHit),
      idxScanTotal: i.idxScan,
      sizeBytes: i.sizeBytes,
      definition: i.definition,
      columns: i.columns,
      method: i.method,
      unique: i.unique,
      primary: i.primary,
      valid: i.valid,
      predicate: i.predicate,
    };
  });
}

/** pg_stat_database deltas of the probed database. */
export function databaseDelta(before: DatabaseCounters, after: DatabaseCounters): DatabaseStatsDelta {
  const d = (pick: (x: DatabaseCounters) => number): number => counterDelta(pick(before), pick(after)).delta;
  return {
    xactCommit: d((x) => x.xactCommit),
    xactRollback: d((x) => x.xactRollback),
    blksRead: d((x) => x.blksRead),
    blksHit: d((x) => x.blksHit),
    tupReturned: d((x) => x.tupReturned),
    tupFetched: d((x) => x.tupFetched),
    tupInserted: d((x) => x.tupInserted),
    tupUpdated: d((x) => x.tupUpdated),
    tupDeleted: d((x) => x.tupDeleted),
    conflicts: d((x) => x.conflicts),
    tempFiles: d((x) => x.tempFiles),
    tempBytes: d((x) => x.tempBytes),
    deadlocks: d((x) => x.deadlocks),
    blkReadMs: d((x) => x.blkReadMs),
    blkWriteMs: d((x) => x.blkWriteMs),
    numBackends: after.numBackends,
  };
}

/** Cache hit ratios: cumulative before/after, and over the window (database, heap, index). */
export function cacheHitRatios(
  dbBefore: DatabaseCounters | null,
  dbAfter: DatabaseCounters | null,
  tablesBefore: TableCounters[] | null,
  tablesAfter: TableCounters[] | null,
): CacheHitRatios {
  const window = dbBefore && dbAfter ? databaseDelta(dbBefore, dbAfter) : null;
  let tableWindow: number | null = null;
  let indexWindow: number | null = null;
  if (tablesBefore && tablesAfter) {
    const deltas = tableDeltas(tablesBefore, tablesAfter);
    const previous = new Map(tablesBefore.map((t) => [t.relid, t]));
    let idxHit = 0;
    let idxRead = 0;
    for (const t of tablesAfter) {
      const old = previous.get(t.relid);
      idxHit += Math.max(0, t.idxBlksHit - (old?.idxBlksHit ?? 0));
      idxRead += Math.max(0, t.idxBlksRead - (old?.idxBlksRead ?? 0));
    }
    tableWindow = hitRatio(
      deltas.reduce((s, t) => s + t.heapBlksHit, 0),
      deltas.reduce((s, t) => s + t.heapBlksRead, 0),
    );
    indexWindow = hitRatio(idxHit, idxRead);
  }
  return {
    before: dbBefore ? hitRatio(dbBefore.blksHit, dbBefore.blksRead) : null,
    after: dbAfter ? hitRatio(dbAfter.blksHit, dbAfter.blksRead) : null,
    window: window ? hitRatio(window.blksHit, window.blksRead) : null,
    tableWindow,
    indexWindow,
  };
}
