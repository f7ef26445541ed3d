/**
 * PostgreSQL rules read the statement's shape (parsed SQL) with the plan: ORDER BY … LIMIT on an unindexed
 * sort column is a missing index; a per-request count(DISTINCT …) is a query to change, not work_mem; N+1 is
 * one finding per endpoint; a low buffer-cache hit ratio caused by missing indexes ranks after them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, loadSqlParser } from '../../src/diagnose/index.js';
import { regexShape, statementShape, sortKeysOnTable } from '../../src/diagnose/sql.js';
import type { ExplainData } from '../../src/diagnose/explain-types.js';
import type { Finding } from '../../src/result/types.js';
import { build, healthyParts, N } from './scenarios.js';
import { probe, statement, table } from './helpers.js';

const describe = (fs: Finding[]) => fs.map((f) => `${f.category}/${f.severity}/${f.endpoint ?? '-'}: ${f.title}`).join('\n');

const SORTED = 'SELECT b.id, b.title FROM books b ORDER BY b.published_at DESC LIMIT $1';

/** `GET /api/orders` lists books newest first; the books table has no index on published_at. */
function sortedListParts() {
  const p = healthyParts();
  const list = p.endpoints['GET /api/orders']!.requests;
  const calls = list.reduce((a, b) => a + b, 0);
  p.endpoints['GET /api/orders']!.serviceMeanMs = 60;
  p.pg.statements.push(statement('301', SORTED, calls, 45, { shareOfExecTime: 0.9 }));
  p.pg.statementSeries.push({ queryid: '301', toplevel: true, callsPerS: list.map((x) => x), execMsPerS: list.map((x) => x * 45) });
  p.pg.tables.push(table('books', { seqScan: calls, seqTupRead: calls * 300_000, idxScan: 0, nLiveTup: { before: 300_000, after: 300_000 }, heapBlksRead: 80_000 }));
  return p;
}

const explain = (statements: ExplainData['statements']) => probe('explain', {}, { statements } as unknown as Record<string, unknown>);

test('the parser reads sort keys, LIMIT and DISTINCT aggregates; the regex fallback agrees on simple statements', async () => {
  // The regex reader directly: another test file in the same process may have loaded the parser already.
  const regex = regexShape(SORTED)!;
  assert.equal(regex.parsedBy, 'regex');
  assert.deepEqual(sortKeysOnTable(regex, 'books'), ['published_at']);
  await loadSqlParser();
  const parsed = statementShape(SORTED)!;
  assert.equal(parsed.parsedBy, 'libpg-query');
  assert.equal(parsed.limit, true);
  assert.deepEqual(sortKeysOnTable(parsed, 'books'), ['published_at']);
  assert.deepEqual(statementShape('SELECT count(DISTINCT "author_id") FROM books WHERE genre = $1')!.distinctAggregates, [{ func: 'count', columns: ['author_id'] }]);
  // A sort key on another table of a join is not this table's.
  assert.deepEqual(sortKeysOnTable(statementShape('SELECT * FROM books b JOIN authors a ON a.id = b.author_id ORDER BY a.name LIMIT 10')!, 'books'), []);
});

test('missing-index: ORDER BY col LIMIT n over a sequential scan names the sort column (plan: Sort under Limit)', async () => {
  await loadSqlParser();
  const p = sortedListParts();
  const result = build(p);
  result.probes!.push(explain([{ queryid: '301', query: SORTED, ok: true, totalCost: 9000, seqScans: [{ schema: 'public', relation: 'books', filter: null, filterColumns: [], planRows: 300_000, totalCost: 8000 }], indexes: [], sorts: [{ schema: 'public', relation: 'books', sortKey: ['b.published_at DESC'], underLimit: true }] }]));
  const d = diagnose(result);
  const f = d.findings.find((x) => x.category === 'missing-index' && x.id.includes('books'));
  assert.ok(f, describe(d.findings));
  assert.equal(f.id, 'missing-index:public.books(published_at)');
  assert.match(f.recommendation.sql!, /\(published_at\)/);
  assert.equal(f.endpoint, 'GET /api/orders');
  assert.equal(f.attribution, 'mixed-estimate');
  assert.equal(f.confidence, 0.9);
  // Without EXPLAIN the parsed ORDER BY … LIMIT still names it, with less confidence.
  const bare = diagnose(build(sortedListParts())).findings.find((x) => x.category === 'missing-index' && x.id.includes('books'));
  assert.equal(bare?.id, 'missing-index:public.books(published_at)');
  assert.ok(bare!.confidence < 0.9);
});

test('a low buffer-cache hit ratio caused by a missing index links to it and ranks after it', async () => {
  await loadSqlParser();
  const p = sortedListParts();
  p.pg.cacheHit = { before: 0.99, after: 0.9, window: 0.9, tableWindow: 0.9, indexWindow: 0.99 };
  p.pg.databaseStats = { ...p.pg.databaseStats!, blksRead: 100_000, blksHit: 900_000 };
  p.pgSeries['pg.blks_read_per_s'] = Array.from({ length: N }, () => 100_000 / N);
  const d = diagnose(build(p));
  const cache = d.findings.find((x) => x.id.startsWith('db-cache-hit'));
  const index = d.findings.find((x) => x.id === 'missing-index:public.books(published_at)');
  assert.ok(cache && index, describe(d.findings));
  assert.deepEqual(cache.causedBy, [index.id]);
  assert.ok(d.findings.indexOf(index) < d.findings.indexOf(cache), describe(d.findings));
});

test('count(DISTINCT …) on every list request is a query to change, not work_mem', async () => {
  await loadSqlParser();
  const p = healthyParts();
  const list = p.endpoints['GET /api/orders']!.requests;
  const calls = list.reduce((a, b) => a + b, 0);
  const q = 'SELECT count(DISTINCT author_id) FROM books WHERE genre_id = $1';
  p.pg.statements.push(statement('401', q, calls, 9, { shareOfExecTime: 0.7, tempBlksWritten: calls * 40 }));
  p.pg.statementSeries.push({ queryid: '401', toplevel: true, callsPerS: list.map((x) => x), execMsPerS: list.map((x) => x * 9) });
  const sortSpill = 'SELECT * FROM orders WHERE created_at > $1 ORDER BY total';
  p.pg.statements.push(statement('402', sortSpill, 200, 3, { shareOfExecTime: 0.1, tempBlksWritten: 2000 }));
  const d = diagnose(build(p));
  const f = d.findings.find((x) => x.category === 'inefficient-query' && x.id === 'inefficient-query:401');
  assert.ok(f, describe(d.findings));
  assert.match(f.title, /count\(DISTINCT author_id\)/);
  assert.match(f.recommendation.text, /counter table|materialized view|estimate/);
  assert.ok(!d.findings.some((x) => x.id === 'work-mem-spill:work_mem:401'), describe(d.findings));
  // A sort that really spills, without a DISTINCT aggregate, is still a work_mem finding.
  assert.ok(d.findings.some((x) => x.id === 'work-mem-spill:work_mem:402'), describe(d.findings));
  // Requests that spend their second elsewhere (a pool queue) barely wait on it: as severe as the latency it explains.
  p.endpoints['GET /api/orders']!.serviceMeanMs = 1000;
  const waited = diagnose(build(p)).findings.find((x) => x.id === 'inefficient-query:401');
  assert.equal(waited?.severity, 'low', describe(diagnose(build(p)).findings));
});

test('n-plus-one: one endpoint looping over several statements is one finding with each statement as evidence', async () => {
  await loadSqlParser();
  const p = healthyParts();
  const list = p.endpoints['GET /api/orders']!.requests;
  p.endpoints['GET /api/orders']!.serviceMeanMs = 40;
  for (let k = 0; k < 10; k++) {
    const id = String(500 + k);
    const calls = list.reduce((a, b) => a + b, 0) * 6;
    p.pg.statements.push(statement(id, `SELECT * FROM relation_${k} WHERE book_id = $1`, calls, 0.2));
    p.pg.statementSeries.push({ queryid: id, toplevel: true, callsPerS: list.map((x) => x * 6), execMsPerS: list.map((x) => x * 6 * 0.2) });
  }
  const d = diagnose(build(p));
  const n1 = d.findings.filter((x) => x.category === 'n-plus-one');
  assert.equal(n1.length, 1, describe(d.findings));
  assert.equal(n1[0]!.endpoint, 'GET /api/orders');
  assert.equal(n1[0]!.evidence.filter((e) => e.label.startsWith('statement (')).length, 10);
  const calls = n1[0]!.evidence.find((e) => e.label === 'repeated calls per request (all statements)')!.value as number;
  assert.ok(Math.abs(calls - 60) < 3, `calls ${calls}`);
  // 60 calls × (0.2 ms + 0.3 ms round trip) = 30 ms of 40: most of the latency.
  assert.ok(n1[0]!.impact > 0.6, `impact ${n1[0]!.impact}`);
});

test('EXPLAIN summary: a Sort over a (parallel) sequential scan under a Limit is a top-N sort', async () => {
  const { summarizePlan } = await import('../../src/diagnose/explain.js');
  const scan = { 'Node Type': 'Parallel Seq Scan', 'Relation Name': 'books', Schema: 'public', 'Total Cost': 100, 'Plan Rows': 1000 };
  const plan = { 'Node Type': 'Limit', Plans: [{ 'Node Type': 'Gather Merge', Plans: [{ 'Node Type': 'Sort', 'Sort Key': ['b.published_at DESC'], Plans: [scan] }] }] };
  assert.deepEqual(summarizePlan(plan as never).sorts, [{ schema: 'public', relation: 'books', sortKey: ['b.published_at DESC'], underLimit: true }]);
  // Without a Limit the whole sorted set is wanted: an index in sort order helps far less.
  assert.equal(summarizePlan(plan.Plans[0] as never).sorts![0]!.underLimit, false);
});

test('EXPLAIN of normalized statements: typed literals become casts, date arithmetic gets an integer parameter', async () => {
  const { plannableText } = await import('../../src/diagnose/explain.js');
  assert.equal(plannableText("SELECT 1 FROM e WHERE created_at >= now() - interval $5;"), 'SELECT 1 FROM e WHERE created_at >= now() - $5::interval');
  assert.equal(plannableText('SELECT 1 FROM e WHERE value_date >= current_date - $2 AND d = DATE $3'), 'SELECT 1 FROM e WHERE value_date >= current_date - $2::int AND d = $3::date');
  // Already typed, or nothing to fix: unchanged.
  assert.equal(plannableText('SELECT 1 FROM e WHERE value_date >= current_date - $2::int'), 'SELECT 1 FROM e WHERE value_date >= current_date - $2::int');
  assert.equal(plannableText('SELECT * FROM orders WHERE customer_id = $1'), 'SELECT * FROM orders WHERE customer_id = $1');
});

test('EXPLAIN summary: a filtered index access on the inner side of a Nested Loop runs once per outer row', async () => {
  const { summarizePlan } = await import('../../src/diagnose/explain.js');
  const inner = { 'Node Type': 'Index Scan', 'Relation Name': 'bookings', Schema: 'public', 'Index Name': 'bookings_event_idx', 'Index Cond': '(b.event_id = e.id)', Filter: "(b.status = 'confirmed'::text)", 'Plan Rows': 10 };
  const outer = { 'Node Type': 'Seq Scan', 'Relation Name': 'events', Schema: 'public', Filter: '(e.venue_id = $2)', 'Plan Rows': 150, 'Total Cost': 10 };
  const plan = { 'Node Type': 'Aggregate', Plans: [{ 'Node Type': 'Nested Loop', Plans: [outer, inner] }] };
  const s = summarizePlan(plan as never);
  assert.deepEqual(s.indexScans, [{ schema: 'public', relation: 'bookings', index: 'bookings_event_idx', indexCondColumns: ['event_id'], filter: "(b.status = 'confirmed'::text)", equalityColumns: ['status'], planRows: 10, loops: 150 }]);
  assert.equal(s.seqScans[0]!.loops, 1);
});

test("a table's filter columns are its own: another table's column in a join's WHERE is not indexed on it", async () => {
  const { filterColumnsOn, loadSqlParser } = await import('../../src/diagnose/sql.js');
  await loadSqlParser();
  const join = 'SELECT p.id, avg(r.rating) FROM products p LEFT JOIN reviews r ON r.product_id = p.id WHERE p.category_id = $1 GROUP BY p.id';
  assert.deepEqual(filterColumnsOn(join, 'reviews'), []);
  assert.deepEqual(filterColumnsOn(join, 'products'), [{ column: 'category_id', op: 'eq' }]);
  // One table: unqualified columns are its own.
  assert.deepEqual(filterColumnsOn('SELECT * FROM orders WHERE customer_id = $1 AND created_at > $2', 'orders'), [{ column: 'customer_id', op: 'eq' }, { column: 'created_at', op: 'range' }]);
});
