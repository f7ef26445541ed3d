import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseInstallation } from '../../src/probes/postgres/status.js';
import { statementDeltas, tableDeltas, toSettings } from '../../src/probes/postgres/deltas.js';
import type { StatementCounters, TableCounters } from '../../src/probes/postgres/queries.js';
import { redactConnection as redactTarget } from '../../src/store/index.js';
import { SeriesBuilder, counterDelta, hitRatio, ratePerSecond } from '../../src/probes/util/series.js';
import { ProbeErrorLog } from '../../src/probes/util/sampling.js';

function stmt(key: string, calls: number, execMs: number, extra: Partial<StatementCounters> = {}): StatementCounters {
  return {
    key,
    queryid: key.split(':')[0],
    user: 'app',
    toplevel: true,
    calls,
    totalExecMs: execMs,
    totalPlanMs: 0,
    rows: calls,
    sharedBlksHit: calls * 3,
    sharedBlksRead: calls,
    sharedBlksDirtied: 0,
    tempBlksWritten: 0,
    blkReadMs: 0,
    ...extra,
  };
}

function table(relid: string, seqScan: number, extra: Partial<TableCounters> = {}): TableCounters {
  return {
    relid, schema: 'public', name: `t${relid}`, seqScan, seqTupRead: seqScan * 10, idxScan: null, idxTupFetch: null,
    nTupIns: 0, nTupUpd: 0, nTupDel: 0, nTupHotUpd: 0, nLiveTup: 100, nDeadTup: 0, nModSinceAnalyze: 0, relTuples: 100,
    lastVacuumAt: null, lastAutovacuumAt: null, lastAnalyzeAt: null, lastAutoanalyzeAt: null,
    vacuumCount: 0, autovacuumCount: 0, analyzeCount: 0, autoanalyzeCount: 0,
    heapBlksRead: 0, heapBlksHit: 0, idxBlksRead: 0, idxBlksHit: 0, reloptions: [], sizeBytes: 8192, totalSizeBytes: 8192, sizeSource: 'exact',
    ...extra,
  };
}

describe('redactTarget', () => {
  it('removes passwords from URLs and key/value strings', () => {
    assert.equal(redactTarget('postgres://app:s3cret@db:5432/shop'), 'postgres://app:***@db:5432/shop');
    assert.equal(redactTarget('redis://:pw@127.0.0.1:6379/0'), 'redis://:***@127.0.0.1:6379/0');
    assert.equal(redactTarget('postgresql://db/shop?user=a&password=x'), 'postgresql://db/shop?user=a&password=***');
    assert.equal(redactTarget("host=db password='a b' user=app"), 'host=db password=*** user=app');
    assert.equal(redactTarget('postgres://db:5432/shop'), 'postgres://db:5432/shop');
  });
});

describe('series helpers', () => {
  it('keeps columns aligned with t and nulls failed samples', () => {
    const s = new SeriesBuilder({ a: '1/s', b: 'ms' });
    s.add(0, { a: 1 });
    s.addFailure(1000.4);
    s.add(2000, { a: 3, b: Number.NaN });
    assert.deepEqual(s.build(), { t: [0, 1000, 2000], values: { a: [1, null, 3], b: [null, null, null] }, units: { a: '1/s', b: 'ms' } });
  });

  it('turns counters into rates and deltas, refusing resets', () => {
    assert.equal(ratePerSecond(10, 30, 2000), 10);
    assert.equal(ratePerSecond(undefined, 30, 2000), null);
    assert.equal(ratePerSecond(30, 10, 2000), null);
    assert.deepEqual(counterDelta(5, 8), { delta: 3, reset: false });
    assert.deepEqual(counterDelta(5, 2), { delta: 2, reset: true });
    assert.equal(hitRatio(0, 0), null);
    assert.equal(hitRatio(3, 1), 0.75);
  });

  it('bounds the error log', () => {
    const log = new ProbeErrorLog(2);
    log.record(1, new Error('a'));
    log.record(2, new Error('a'));
    log.record(3, new Error('b'));
    log.record(4, new Error('c'));
    assert.equal(log.count, 4);
    assert.deepEqual(log.list().map((e) => e.message), ['a', 'b', '2 more failure(s) not listed (repeats or over the limit)']);
  });
});

describe('postgres deltas', () => {
  it('diffs statements, drops the probe\'s own, and flags new and reset entries', () => {
    const before = [stmt('1:app:t', 10, 100, { query: 'SELECT 1' }), stmt('2:app:t', 50, 500), stmt('9:app:t', 1, 1)];
    const after = [
      stmt('1:app:t', 30, 400),
      stmt('2:app:t', 5, 50),
      stmt('3:app:t', 4, 100, { query: 'SELECT new' }),
      stmt('9:app:t', 9, 9),
      stmt('8:app:t', 2, 2, { query: 'SELECT /* tuneup-probe */ 1' }),
      stmt('7:app:f', 3, 90, { toplevel: false }),
    ];
    const { statements, totals } = statementDeltas(before, after, new Set(['9:app:t']), new Map([['1:app:t', 'SELECT 1']]));
    assert.deepEqual(statements.map((s) => s.queryid), ['1', '3', '7', '2']);
    const first = statements[0];
    assert.equal(first.calls, 20);
    assert.equal(first.totalExecMs, 300);
    assert.equal(first.meanExecMs, 15);
    assert.equal(first.query, 'SELECT 1');
    assert.equal(first.cacheHitRatio, 0.75);
    assert.equal(statements[1].isNew, true);
    assert.equal(statements[3].resetDuringRun, true);
    assert.equal(statements[3].calls, 5);
    // Nested statements are not added to the totals: their time is inside their caller's.
    assert.deepEqual(totals, { calls: 29, totalExecMs: 450, statements: 3 });
    assert.equal(first.shareOfExecTime, 300 / 450);
  });

  it('diffs tables and reads autovacuum_enabled', () => {
    const [t] = tableDeltas([table('1', 5, { idxScan: 2 })], [table('1', 12, { idxScan: 7, reloptions: ['autovacuum_enabled=false'] })]);
    assert.equal(t.seqScan, 7);
    assert.equal(t.idxScan, 5);
    assert.equal(t.autovacuumEnabled, false);
    assert.equal(t.resetDuringRun, false);
  });

  it('converts settings to bytes and ms', () => {
    const s = toSettings([
      { name: 'shared_buffers', setting: '16384', unit: '8kB', context: 'postmaster', source: 'default' },
      { name: 'work_mem', setting: '4096', unit: 'kB', context: 'user', source: 'default' },
      { name: 'statement_timeout', setting: '0', unit: 'ms', context: 'user', source: 'default' },
      { name: 'autovacuum_naptime', setting: '60', unit: 's', context: 'sighup', source: 'default' },
      { name: 'autovacuum_work_mem', setting: '-1', unit: 'kB', context: 'sighup', source: 'default' },
      { name: 'random_page_cost', setting: '4', unit: null, context: 'user', source: 'default' },
    ]);
    assert.equal(s.shared_buffers.bytes, 128 * 1024 * 1024);
    assert.equal(s.work_mem.bytes, 4 * 1024 * 1024);
    assert.equal(s.statement_timeout.ms, 0);
    assert.equal(s.autovacuum_naptime.ms, 60_000);
    assert.equal(s.autovacuum_work_mem.bytes, null);
    assert.equal(s.random_page_cost.bytes, null);
  });

  it('explains how to enable pg_stat_statements in each missing state', () => {
    const missing = diagnoseInstallation({ extensionVersion: null, availableVersion: null, preloaded: false, track: null }, 'shop');
    assert.match(missing?.enable ?? '', /contrib/);
    const notPreloaded = diagnoseInstallation({ extensionVersion: null, availableVersion: '1.10', preloaded: false, track: null }, 'shop');
    assert.match(notPreloaded?.enable ?? '', /shared_preload_libraries.*restart.*CREATE EXTENSION pg_stat_statements/);
    const notCreated = diagnoseInstallation({ extensionVersion: null, availableVersion: '1.10', preloaded: true, track: 'top' }, 'shop');
    assert.equal(notCreated?.enable, 'Run in database "shop": CREATE EXTENSION pg_stat_statements;');
    assert.equal(diagnoseInstallation({ extensionVersion: '1.10', availableVersion: '1.10', preloaded: true, track: 'top' }, 'shop'), null);
  });
});
