/**
 * Three principles found on the depot corpus (docs/rules.md): an endpoint's database time is the sum of
 * its statements'; a top-N query (ORDER BY … LIMIT) keeps only the rows it returns, so an index that does
 * not give its order is an index that does not fit; and a low buffer hit ratio whose reads stay within
 * every relation's size may be first touches of a cold cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDemands, diagnose, loadSqlParser } from '../../src/diagnose/index.js';
import type { IndexDelta } from '../../src/probes/postgres/types.js';
import { statement, table } from './helpers.js';
import { build, healthyParts, N } from './scenarios.js';

test("an endpoint's database time is the sum of its statements', not a regression of the database's total", () => {
  const p = healthyParts();
  const list = p.endpoints['GET /api/orders']!.requests;
  const get = p.endpoints['GET /api/products/:id']!.requests;
  // The list statement is slow, and slower in the seconds the product page is busy (they share the
  // database's CPU): its time per second moves with the other endpoint's rate, its calls with its own only.
  const listMs = list.map((c, i) => c * (100 + 3 * (get[i]! - 80)));
  p.pg.statementSeries[0]!.execMsPerS = listMs;
  const getMs = get.map((c) => c * 0.15);
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  p.pgSeries['pg.exec_ms_per_s'] = listMs.map((m, i) => m + getMs[i]!);
  p.pg.statements[0] = statement('101', p.pg.statements[0]!.query, total(list), total(listMs) / total(list));
  const result = build(p);
  const model = computeDemands(result);
  const of = (e: string) => model.demands.find((d) => d.endpoint === e)!;
  const perRequest = (e: string) => model.statements.filter((s) => s.endpoint === e).reduce((a, s) => a + s.execMsPerRequest, 0);
  // The two agree by construction, and the list's time is the list endpoint's: none leaks to the product page.
  assert.ok(Math.abs(of('GET /api/orders').dbMs! - perRequest('GET /api/orders')) < 0.5, JSON.stringify(model.demands));
  assert.ok(Math.abs(of('GET /api/orders').dbMs! - total(listMs) / total(list)) / (total(listMs) / total(list)) < 0.1, JSON.stringify(model.demands));
  assert.ok(of('GET /api/products/:id').dbMs! < 5, JSON.stringify(model.demands));
});

test("database time of statements without a series of their own goes to the endpoints by a regression of the remainder", () => {
  const p = healthyParts();
  const get = p.endpoints['GET /api/products/:id']!.requests;
  // A third statement, 2 ms per product request, outside the probe's top statements (no series).
  p.pgSeries['pg.exec_ms_per_s'] = p.pgSeries['pg.exec_ms_per_s']!.map((v, i) => v! + get[i]! * 2);
  const model = computeDemands(build(p));
  const products = model.demands.find((d) => d.endpoint === 'GET /api/products/:id')!;
  assert.ok(Math.abs(products.dbMs! - 2.15) < 0.2, JSON.stringify(model.demands));
});

/** The backlog of the depot: `warehouse_id = $1 AND status = $2 ORDER BY ship_by LIMIT 50` through an index on warehouse_id. */
function backlogParts(o: { sql: string; rowsPerCall: number; indexColumns: string[]; filter?: string | null; equalityColumns?: string[] }) {
  const p = healthyParts();
  const calls = p.endpoints['GET /api/orders']!.requests.reduce((a, b) => a + b, 0);
  p.pg.tables[0] = table('orders', { seqScan: 0, seqTupRead: 0, idxScan: calls, nLiveTup: { before: 400_000, after: 400_000 } });
  p.pg.indexes = [{ schema: 'public', table: 'orders', name: 'orders_idx', columns: o.indexColumns, idxScan: calls } as IndexDelta];
  p.pg.statements[0] = statement('101', o.sql, calls, 100, { shareOfExecTime: 0.9, sharedBlksHit: calls * 5200, sharedBlksRead: 0, rows: calls * o.rowsPerCall });
  const result = build(p);
  result.probes!.push({
    probe: 'explain', target: 'postgres', ok: true, limitations: [], errors: [], series: { t: [], values: {}, units: {} }, overhead: { samples: 0, meanSampleMs: 0 },
    data: {
      statements: [{
        queryid: '101', query: o.sql, ok: true, totalCost: 11711, seqScans: [], indexes: ['orders_idx'], sorts: [],
        indexScans: [{ schema: 'public', relation: 'orders', index: 'orders_idx', indexCondColumns: o.indexColumns.filter((c) => c !== 'ship_by'), filter: o.filter === undefined ? '(orders.status = $2)' : o.filter, equalityColumns: o.equalityColumns ?? ['status'], planRows: 8333, loops: 1 }],
      }],
    },
  });
  return diagnose(result).findings.filter((f) => f.category === 'missing-index');
}

test('missing-index: a top-N query keeps only the rows it returns, and its index must give the order', async () => {
  await loadSqlParser();
  const topN = 'SELECT id, status, ship_by FROM orders WHERE warehouse_id = $1 AND status = $2 ORDER BY ship_by LIMIT $3';
  // 5,200 blocks a call to return 50 rows: the filtered access keeps 8,333 rows by the plan, but the query only 50.
  const [f] = backlogParts({ sql: topN, rowsPerCall: 50, indexColumns: ['warehouse_id'] });
  assert.ok(f, 'a top-N query reading 100× what it returns through an index that does not fit');
  assert.equal(f.recommendation.sql, 'CREATE INDEX CONCURRENTLY ON public.orders (status, warehouse_id, ship_by);');
  assert.match(f.title, /does not filter status or give the order of ship_by/);
  // The equality columns are all in the index but the order is not: every match is read, then sorted.
  const [sorted] = backlogParts({ sql: topN, rowsPerCall: 50, indexColumns: ['warehouse_id', 'status'], filter: null, equalityColumns: [] });
  assert.equal(sorted?.recommendation.sql, 'CREATE INDEX CONCURRENTLY ON public.orders (warehouse_id, status, ship_by);');
  // An index that gives the order after the equality columns fits: the first 50 come in order.
  assert.deepEqual(backlogParts({ sql: topN, rowsPerCall: 50, indexColumns: ['warehouse_id', 'status', 'ship_by'], filter: null, equalityColumns: [] }), []);
  // Without a LIMIT every match is returned: 8,333 rows for 5,200 blocks is an index doing its work.
  assert.deepEqual(backlogParts({ sql: topN.replace(' LIMIT $3', ''), rowsPerCall: 8333, indexColumns: ['warehouse_id', 'status'], filter: null, equalityColumns: [] }), []);
  // An aggregate reads every matching row whatever the LIMIT: the rows returned do not bound what it keeps.
  const grouped = 'SELECT ship_by, count(*) FROM orders WHERE warehouse_id = $1 AND status = $2 GROUP BY ship_by ORDER BY ship_by LIMIT $3';
  assert.deepEqual(backlogParts({ sql: grouped, rowsPerCall: 50, indexColumns: ['warehouse_id', 'status'], filter: null, equalityColumns: [] }), []);
});

test('a low buffer hit ratio whose reads stay within every relation\'s size is a cold cache; re-reads beyond it are a cache too small', () => {
  const cacheFinding = (tableReads: number, indexReads: number) => {
    const p = healthyParts();
    p.pg.cacheHit.window = 0.8;
    p.pg.databaseStats!.blksRead = tableReads + indexReads;
    // Reads spread evenly over the run: by their timing alone the working set does not fit.
    p.pgSeries['pg.blks_read_per_s'] = Array.from({ length: N }, () => (tableReads + indexReads) / N);
    // orders: 10,000 blocks of heap, its index 2,000.
    p.pg.tables[0] = { ...p.pg.tables[0]!, heapBlksRead: tableReads, sizeBytes: 10_000 * 8192 };
    p.pg.indexes = [{ schema: 'public', table: 'orders', name: 'orders_pkey', columns: ['id'], idxBlksRead: indexReads, sizeBytes: 2_000 * 8192 } as IndexDelta];
    return diagnose(build(p)).findings.find((x) => x.id === 'db-cache-hit:shared_buffers');
  };
  // 6,000 reads of a 10,000-block table and 1,500 of its 2,000-block index: each block may have been read once.
  const cold = cacheFinding(6_000, 1_500);
  assert.equal(cold?.severity, 'low');
  assert.match(cold!.title, /cold cache/);
  // 40,000 reads of the same table: at least 30,000 are blocks read again, evicted in between.
  const small = cacheFinding(40_000, 1_500);
  assert.equal(small?.severity, 'high');
  assert.ok(Math.abs((small!.evidence.find((e) => e.label.startsWith('re-reads'))?.value as number) - 30_000 / 41_500) < 0.001);
});

test('pool-saturation: a full pool whose connections execute statements on a saturated CPU is where the queue sits (low); a hold of the service\'s own stands', () => {
  const stats = (mean: number) => ({ n: N, mean, median: mean, p90: mean, max: mean, min: mean });
  const group = (mean: number) => ({ cpuPercent: stats(mean), cpuMsTotal: mean * 10 * N });
  const poolFinding = (o: { executingMsPerS: number; hostCpu: number; postgresCpu: number }) => {
    const p = healthyParts();
    p.pgSeries['pg.connections'] = new Array(N).fill(2);
    p.pgSeries['pg.active'] = new Array(N).fill(2);
    p.pg.activity.max.connections = 2;
    p.endpoints['GET /api/orders']!.serviceMeanMs = 120;
    p.endpoints['GET /api/products/:id']!.serviceMeanMs = 90;
    // Little's law on the database side: statement time per second is the connections executing.
    p.pgSeries['pg.exec_ms_per_s'] = new Array(N).fill(o.executingMsPerS);
    p.processData = {
      ...p.processData,
      host: { cores: 2, cpuPercent: stats(o.hostCpu), stealPercent: stats(0), generatorPid: 1, groups: { target: group(20), generator: group(10), postgres: group(o.postgresCpu), redis: group(1), other: group(o.hostCpu - o.postgresCpu - 31) } },
    };
    return diagnose(build(p)).findings.find((f) => f.category === 'pool-saturation');
  };
  // Both connections execute all the time, on a database using its two cores: more connections add nothing.
  const queue = poolFinding({ executingMsPerS: 2000, hostCpu: 195, postgresCpu: 185 });
  assert.equal(queue?.severity, 'low');
  assert.match(queue!.summary, /where the queue sits/);
  // The same pool on a database with idle cores: the pool is the limit, and the finding stands.
  assert.ok(['medium', 'high'].includes(poolFinding({ executingMsPerS: 2000, hostCpu: 90, postgresCpu: 60 })!.severity));
  // A host saturated by other processes (PostgreSQL at 60 %): contention, not the database's capacity.
  assert.ok(['medium', 'high'].includes(poolFinding({ executingMsPerS: 2000, hostCpu: 195, postgresCpu: 40 })!.severity));
  // A saturated host, but the connections mostly sit checked out without executing: the service's hold stands.
  assert.ok(['medium', 'high'].includes(poolFinding({ executingMsPerS: 200, hostCpu: 195, postgresCpu: 150 })!.severity));
});
