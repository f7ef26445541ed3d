// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { startRedis, type TestRedis } from '../harness/redis.js';
import { analyzeDatabase, analyzeRedis } from '../../src/diagnose/snapshot.js';
import { enrichWithExplain, isExplainable } from '../../src/diagnose/explain.js';
import { diagnose } from '../../src/diagnose/index.js';
import type { ExplainData } from '../../src/diagnose/explain-types.js';
import { makeResult, pgData, probe, statement, table } from './helpers.js';

let db: TestPostgres;

before(async () => {
  db = await startPostgres();
  // Everything through one session that is closed at the end: a backend flushes its statistics when it exits.
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  // Planted faults: a 30k-row table without an index on its filter column, a redundant index,
  // a bloated table with autovacuum off, a sequence near its limit.
  await c.query(`CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL, total numeric NOT NULL, status text NOT NULL)`);
  await c.query(`INSERT INTO orders (customer_id, total, status) SELECT g % 3000, g % 97, CASE WHEN g % 5 = 0 THEN 'paid' ELSE 'open' END FROM generate_series(1, 30000) g`);
  await c.query(`CREATE TABLE items (id serial PRIMARY KEY, order_id int, sku text)`);
  await c.query(`CREATE INDEX items_order_id ON items (order_id)`);
  await c.query(`CREATE INDEX items_order_id_sku ON items (order_id, sku)`);
  await c.query(`CREATE TABLE events (id int PRIMARY KEY, n int) WITH (autovacuum_enabled = false)`);
  await c.query(`INSERT INTO events SELECT g, 0 FROM generate_series(1, 20000) g`);
  await c.query(`UPDATE events SET n = n + 1`);
  await c.query(`CREATE SEQUENCE ticket_seq AS integer`);
  await c.query(`SELECT setval('ticket_seq', 2100000000)`);
  // Card entries over a year, indexed by day only: a merchant's last 30 days are read through the day index.
  await c.query(`CREATE TABLE entries (id serial PRIMARY KEY, merchant_id int NOT NULL, value_date date NOT NULL, amount int NOT NULL)`);
  await c.query(`INSERT INTO entries (merchant_id, value_date, amount) SELECT g % 1500, current_date - (g % 365), g % 100 FROM generate_series(1, 120000) g`);
  await c.query(`CREATE INDEX entries_value_date_idx ON entries (value_date)`);
  await c.query(`ANALYZE orders`);
  await c.query(`ANALYZE entries`);
  // Drive sequential scans.
  for (let i = 0; i < 30; i++) await c.query('SELECT * FROM orders WHERE customer_id = $1', [i]);
  await c.query('SELECT 1 FROM orders WHERE id = 1');
  await c.end();
  await new Promise((r) => setTimeout(r, 300));
});

after(async () => {
  await db?.stop();
});

test('analyzeDatabase finds the planted faults on a real PostgreSQL', async () => {
  const findings = await analyzeDatabase(db.url, { minUnusedIndexBytes: 0 });
  const ids = findings.map((f) => f.id);
  assert.ok(ids.includes('missing-index:public.orders'), ids.join('\n'));
  assert.ok(ids.includes('duplicate-index:public.items_order_id'), ids.join('\n'));
  assert.ok(!ids.includes('duplicate-index:public.items_order_id_sku'), 'the covering index stays');
  assert.ok(ids.includes('sequence-near-limit:public.ticket_seq'), ids.join('\n'));
  const bloat = findings.find((f) => f.id === 'table-bloat:public.events');
  assert.ok(bloat, ids.join('\n'));
  assert.equal(bloat.severity, 'medium', 'autovacuum disabled');
  assert.match(bloat.recommendation.sql!, /RESET \(autovacuum_enabled\)/);
  assert.ok(ids.some((id) => id.startsWith('unused-index:')));
  assert.ok(!findings.some((f) => f.rule === 'snapshot-check-failed'), JSON.stringify(findings.filter((f) => f.rule === 'snapshot-check-failed')));
  // Ranked: the sequence about to overflow comes before housekeeping.
  assert.equal(findings[0]!.rule, 'sequence-near-limit');
});

test('analyzeDatabase reports an unreachable server as TUNEUP_PG_CONNECT with a hint', async () => {
  await assert.rejects(analyzeDatabase('postgresql://postgres@127.0.0.1:1/x'), (err: { code?: string; hint?: string }) => err.code === 'TUNEUP_PG_CONNECT' && !!err.hint);
});

test('enrichWithExplain plans statements in a rolled-back transaction and feeds the missing-index rule', async () => {
  const seq = statement('1', 'SELECT * FROM orders WHERE customer_id = $1', 3000, 4, { shareOfExecTime: 0.9 });
  const bad = statement('2', 'SELECT * FROM no_such_table WHERE id = $1', 100, 1);
  const write = statement('3', 'UPDATE orders SET total = total + $1 WHERE status = $2', 100, 1);
  const data = pgData({ statements: [seq, bad, write], tables: [table('orders', { seqScan: 3000, seqTupRead: 3000 * 30000, idxScan: 0, nLiveTup: { before: 30000, after: 30000 } })] });
  const result = makeResult({ 'GET /orders': { requests: new Array(30).fill(100), serviceMeanMs: 6 } }, [probe('postgres', {}, data as unknown as Record<string, unknown>)]);
  const enriched = await enrichWithExplain(result, db.url);
  const ev = enriched.probes!.find((p) => p.probe === 'explain')!;
  const ex = ev.data as unknown as ExplainData;
  const s1 = ex.statements.find((s) => s.queryid === '1')!;
  assert.equal(s1.ok, true, s1.error);
  assert.equal(s1.seqScans[0]!.relation, 'orders');
  assert.deepEqual(s1.seqScans[0]!.filterColumns, ['customer_id']);
  assert.equal(ex.statements.find((s) => s.queryid === '2')!.ok, false);
  assert.equal(ex.statements.find((s) => s.queryid === '3')!.ok, true);
  // Nothing was executed: the UPDATE was only planned, and rolled back anyway.
  const [row] = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM orders WHERE total = 96`);
  assert.equal(row!.n, '309');
  assert.equal(result.probes!.some((p) => p.probe === 'explain'), false, 'the input result is not mutated');
  const f = diagnose(enriched).findings.find((x) => x.category === 'missing-index')!;
  assert.equal(f.recommendation.sql, 'CREATE INDEX CONCURRENTLY ON public.orders (customer_id);');
  assert.ok(f.confidence >= 0.9);
  assert.equal(isExplainable('BEGIN'), false);
  assert.equal(isExplainable('SELECT 1; DROP TABLE orders'), false);
});

test('enrichWithExplain records an index access that filters on a column the index lacks', async () => {
  const sql = 'SELECT value_date, count(*) FROM entries WHERE merchant_id = $1 AND value_date >= current_date - 30 GROUP BY 1';
  const data = pgData({ statements: [statement('7', sql, 500, 3, { shareOfExecTime: 0.9 })], tables: [] });
  const result = makeResult({ 'GET /merchants/:id': { requests: new Array(30).fill(10), serviceMeanMs: 6 } }, [probe('postgres', {}, data as unknown as Record<string, unknown>)]);
  const ex = (await enrichWithExplain(result, db.url)).probes!.find((p) => p.probe === 'explain')!.data as unknown as ExplainData;
  const s7 = ex.statements.find((s) => s.queryid === '7')!;
  assert.equal(s7.ok, true, s7.error);
  assert.equal(s7.indexScans?.length, 1, JSON.stringify(s7));
  const scan = s7.indexScans![0]!;
  assert.equal(scan.relation, 'entries');
  assert.equal(scan.index, 'entries_value_date_idx');
  assert.deepEqual(scan.indexCondColumns, ['value_date']);
  assert.deepEqual(scan.equalityColumns, ['merchant_id']);
  assert.ok(scan.planRows < 100, `planRows ${scan.planRows}`);
});

test('enrichWithExplain plans statements as pg_stat_statements normalizes them (typed literals, date arithmetic)', async () => {
  const normalized = [
    'SELECT count(*) FROM entries WHERE merchant_id = $1 AND value_date >= current_date - $2',
    'SELECT count(*) FROM entries WHERE merchant_id = $1 AND value_date >= now() - interval $2',
  ];
  const data = pgData({ statements: normalized.map((q, i) => statement(String(20 + i), q, 500, 3, { shareOfExecTime: 0.4 })), tables: [] });
  const result = makeResult({ 'GET /merchants/:id': { requests: new Array(30).fill(10), serviceMeanMs: 6 } }, [probe('postgres', {}, data as unknown as Record<string, unknown>)]);
  const ex = (await enrichWithExplain(result, db.url)).probes!.find((p) => p.probe === 'explain')!.data as unknown as ExplainData;
  for (const s of ex.statements) assert.equal(s.ok, true, `${s.query}: ${s.error}`);
});

test('enrichWithExplain estimates what each filter column keeps for the constants pg_qualstats saw, and leaves no extension behind', async () => {
  // Trips of which 99 % are completed: `status = 'completed'` keeps nearly every row it judges.
  await db.query(`CREATE TABLE trips (id serial PRIMARY KEY, status text NOT NULL, rider_id int NOT NULL, started_at timestamptz NOT NULL)`);
  await db.query(`INSERT INTO trips (status, rider_id, started_at) SELECT CASE WHEN g % 100 = 0 THEN 'open' ELSE 'completed' END, g % 5000, now() - (g % 60) * interval '1 day' FROM generate_series(1, 20000) g`);
  await db.query('ANALYZE trips');
  const weekly = "SELECT count(*) FROM trips t WHERE t.status = 'completed' AND t.started_at::date >= current_date - 7";
  const byRider = 'SELECT count(*) FROM trips WHERE rider_id = $1';
  for (let i = 0; i < 5; i++) {
    await db.query(weekly);
    await db.query(byRider, [i]);
  }
  const ids = await db.query<{ queryid: string; query: string }>(`SELECT queryid::text AS queryid, query FROM pg_stat_statements WHERE query LIKE '%FROM trips%' AND query NOT LIKE '%pg_stat_statements%'`);
  const idOf = (text: string) => ids.find((r) => r.query.includes(text))!;
  const weeklyRow = idOf('started_at::date');
  const byRiderRow = idOf('rider_id =');
  assert.ok(weeklyRow && byRiderRow, JSON.stringify(ids));
  const data = pgData({ statements: [statement(weeklyRow.queryid, weeklyRow.query, 500, 3, { shareOfExecTime: 0.6 }), statement(byRiderRow.queryid, byRiderRow.query, 500, 3, { shareOfExecTime: 0.3 })], tables: [] });
  const result = makeResult({ 'GET /stats': { requests: new Array(30).fill(10), serviceMeanMs: 6 } }, [probe('postgres', {}, data as unknown as Record<string, unknown>)]);
  const ex = (await enrichWithExplain(result, db.url)).probes!.find((p) => p.probe === 'explain')!.data as unknown as ExplainData;
  assert.equal(ex.qualsUnavailable, undefined);
  const status = ex.quals?.find((q) => q.queryid === weeklyRow.queryid && q.column === 'status');
  assert.ok(status, JSON.stringify(ex.quals));
  assert.equal(status.relation, 'trips');
  assert.deepEqual(status.comparisons, ["= 'completed'::text"]);
  assert.ok(status.keptShare > 0.97, `status keeps ${status.keptShare}`);
  // A parameter's values are constants to pg_qualstats too: one rider is a few rows of 20,000.
  const rider = ex.quals?.find((q) => q.queryid === byRiderRow.queryid && q.column === 'rider_id');
  assert.ok(rider && rider.keptShare < 0.01, JSON.stringify(ex.quals));
  // The extension was created only inside a transaction that was rolled back.
  const [ext] = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_extension WHERE extname = 'pg_qualstats'");
  assert.equal(ext!.n, '0');
});

let redis: TestRedis | undefined;
after(async () => {
  await redis?.stop();
});

test('analyzeRedis reports a low hit ratio, evictions and KEYS in the slow log', async () => {
  redis = await startRedis({ config: { maxmemory: '2mb', 'maxmemory-policy': 'allkeys-lru', 'slowlog-log-slower-than': '0' } });
  const { createClient } = await import('redis');
  const c = createClient({ url: redis.url });
  await c.connect();
  for (let i = 0; i < 150; i++) await c.get(`missing:${i}`);
  await c.set('hit', '1');
  for (let i = 0; i < 10; i++) await c.get('hit');
  const big = 'x'.repeat(10_000);
  for (let i = 0; i < 400; i++) await c.set(`big:${i}`, big);
  await c.keys('*');
  c.destroy();
  const findings = await analyzeRedis(redis.url, { overrides: { 'cacheSlow.slowlogMs': 0 } });
  const ids = findings.map((f) => f.id);
  assert.ok(ids.includes('cache-miss:hit-ratio'), ids.join('\n'));
  assert.ok(ids.includes('cache-eviction:evictions'), ids.join('\n'));
  const keys = findings.find((f) => f.id === 'cache-slow-command:keys');
  assert.ok(keys, ids.join('\n'));
  assert.equal(keys.severity, 'high');
});
