/**
 * A filter that compares only expressions of a table's columns — a cast (`(started_at)::date`), a function
 * (`lower(email)`) — cannot use an index on those columns: the full scans it causes are a query to change
 * (inefficient-query), not a missing index. A cast to text of a varchar column is still the column.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, loadSqlParser } from '../../src/diagnose/index.js';
import { columnsInFilter, comparesOnlyExpressions, equalityColumnsInFilter } from '../../src/diagnose/plan-filter.js';
import type { ExplainData } from '../../src/diagnose/explain-types.js';
import type { Finding } from '../../src/result/types.js';
import { build, healthyParts } from './scenarios.js';
import { probe, statement, table } from './helpers.js';

const describe = (fs: Finding[]) => fs.map((f) => `${f.category}/${f.severity}/${f.endpoint ?? '-'}: ${f.title}`).join('\n');

test('plan filters: plain columns (text casts of varchar included) versus expressions of columns', () => {
  assert.deepEqual(columnsInFilter("((o.customer_id = $1) AND ((o.status)::text = 'paid'::text))"), ['customer_id', 'status']);
  assert.deepEqual(columnsInFilter('((email)::character varying = $1)'), ['email']);
  assert.deepEqual(columnsInFilter("((created_at >= (now() - '7 days'::interval)) AND (account_id = 5))"), ['account_id', 'created_at']);
  // A cast to another type computes a new value; `date` after `::` is a type, not a column.
  assert.deepEqual(columnsInFilter('((t.started_at)::date >= (CURRENT_DATE - 7))'), []);
  assert.deepEqual(columnsInFilter('((qty)::numeric > 5.5)'), []);
  assert.deepEqual(columnsInFilter('(lower((email)::text) = lower($1))'), []);
  assert.deepEqual(equalityColumnsInFilter('((t.started_at)::date = CURRENT_DATE)'), []);

  assert.equal(comparesOnlyExpressions('((t.started_at)::date >= (CURRENT_DATE - 7))'), true);
  assert.equal(comparesOnlyExpressions('(COALESCE(harbour_id, $1) = $1)'), true);
  assert.equal(comparesOnlyExpressions("((data ->> 'k'::text) = 'v'::text)"), true);
  assert.equal(comparesOnlyExpressions('(reference = $1)'), false);
  // A pattern match is no plain comparison: a B-tree on the column serves only a constant prefix (PostgreSQL manual).
  assert.deepEqual(columnsInFilter('(products.active AND (products.name ~~* $1))'), []);
  assert.equal(comparesOnlyExpressions('(products.active AND (products.name ~~* $1))'), true);
  assert.deepEqual(columnsInFilter("((sku ~~ 'A%'::text) AND (store_id = $1))"), ['store_id']);
  // No comparison at all: a boolean or IS NULL filter is not an expression the query could rewrite.
  assert.equal(comparesOnlyExpressions('(NOT archived)'), false);
  assert.equal(comparesOnlyExpressions('(deleted_at IS NULL)'), false);
});

test('plan filters: quoted identifiers (an ORM\'s quoted aliases, camelCase columns) are columns too', () => {
  // Sequelize aliases every table: EXPLAIN prints `("Order".customer_id = $1)`, which is the plain column.
  assert.deepEqual(columnsInFilter('("Order".customer_id = $1)'), ['customer_id']);
  assert.equal(comparesOnlyExpressions('("Order".customer_id = $1)'), false);
  // A quoted column keeps its case (it is case-sensitive); a doubled quote is one quote.
  assert.deepEqual(equalityColumnsInFilter('(("Payment"."riderId" = $1) AND ((status)::text = \'ok\'::text))'), ['riderId', 'status']);
  assert.deepEqual(columnsInFilter('("we""ird".x > 1)'), ['x']);
  // Quoting does not make an expression a column.
  assert.equal(comparesOnlyExpressions('(lower(("User".email)::text) = $1)'), true);
  assert.equal(comparesOnlyExpressions('(COALESCE("Berth".harbour_id, $1) = $1)'), true);
});

const WEEKLY = 'SELECT count(*) FROM trips t WHERE t.district = $1 AND t.started_at::date >= current_date - $2';
const WEEKLY_FILTER = '(((t.started_at)::date >= (CURRENT_DATE - 7)) AND (t.district = $1))';

/** `GET /api/orders` runs a weekly count over trips; the plan seq-scans trips with `filter`. */
function weeklyParts() {
  const p = healthyParts();
  const list = p.endpoints['GET /api/orders']!.requests;
  const calls = list.reduce((a, b) => a + b, 0);
  p.endpoints['GET /api/orders']!.serviceMeanMs = 60;
  p.pg.statements.push(statement('401', WEEKLY, calls, 45, { shareOfExecTime: 0.9, rows: calls }));
  p.pg.statementSeries.push({ queryid: '401', toplevel: true, callsPerS: list.map((x) => x), execMsPerS: list.map((x) => x * 45) });
  p.pg.tables.push(table('trips', { seqScan: calls, seqTupRead: calls * 400_000, idxScan: 0, nLiveTup: { before: 400_000, after: 400_000 }, heapBlksRead: 80_000 }));
  return p;
}

/** The plan, with the filter columns an enrichment before 2026-12-06 stored (a cast counted as the column): the rules read the filter again. */
const explain = (filter: string, storedColumns: string[]): ExplainData['statements'] => [
  { queryid: '401', query: WEEKLY, ok: true, totalCost: 9000, seqScans: [{ schema: 'public', relation: 'trips', filter, filterColumns: storedColumns, planRows: 50, totalCost: 8000 }], indexes: [], sorts: [] },
];

test('a scan whose filter compares only a cast of the column is an inefficient query, not a missing index on it', async () => {
  await loadSqlParser();
  const castOnly = '((t.started_at)::date >= (CURRENT_DATE - 7))';
  const result = build(weeklyParts());
  result.probes!.push(probe('explain', {}, { statements: explain(castOnly, ['started_at']) } as unknown as Record<string, unknown>));
  const d = diagnose(result);
  assert.equal(d.findings.find((f) => f.category === 'missing-index' && f.id.includes('trips')), undefined, describe(d.findings));
  const f = d.findings.find((x) => x.category === 'inefficient-query');
  assert.ok(f, describe(d.findings));
  assert.equal(f.endpoint, 'GET /api/orders');
  assert.match(f.title, /Filter on an expression reads trips in full/);
  assert.ok(f.evidence.some((e) => e.value === castOnly), JSON.stringify(f.evidence));
  assert.match(f.recommendation.text, /bare column/);
});

test('a plain column beside the expression still names the missing index on that column', async () => {
  await loadSqlParser();
  const result = build(weeklyParts());
  result.probes!.push(probe('explain', {}, { statements: explain(WEEKLY_FILTER, ['district', 'started_at']) } as unknown as Record<string, unknown>));
  const d = diagnose(result);
  const f = d.findings.find((x) => x.category === 'missing-index' && x.id.includes('trips'));
  assert.ok(f, describe(d.findings));
  assert.equal(f.id, 'missing-index:public.trips(district)');
});

const COMPLETED_WEEK = "((t.status = 'completed'::text) AND ((t.started_at)::date >= (CURRENT_DATE - 7)))";

/** The weekly scan, its comparison on `status` estimated to remove `filteredShare` of trips. */
function measured(filteredShare: number | undefined) {
  const result = build(weeklyParts());
  const data: ExplainData = {
    statements: explain(COMPLETED_WEEK, ['status']),
    ...(filteredShare === undefined ? { qualsUnavailable: 'pg_qualstats is not in shared_preload_libraries' } : { quals: [{ queryid: '401', schema: 'public', relation: 'trips', column: 'status', comparisons: ["= 'completed'::text"], occurrences: 40, keptShare: 1 - filteredShare }] }),
  };
  result.probes!.push(probe('explain', {}, data as unknown as Record<string, unknown>));
  return diagnose(result);
}

test('a plain column measured to keep most rows does not make the scan a missing index: the expression beside it is the query to change', async () => {
  await loadSqlParser();
  // 99 % of trips are completed: the equality keeps nearly every row, so an index on status would go unused.
  const d = measured(0.01);
  assert.equal(d.findings.find((f) => f.category === 'missing-index' && f.id.includes('trips')), undefined, describe(d.findings));
  const f = d.findings.find((x) => x.category === 'inefficient-query');
  assert.ok(f, describe(d.findings));
  assert.equal(f.endpoint, 'GET /api/orders');
  assert.match(f.title, /Filter on an expression reads trips in full/);
  assert.match(f.summary, /status = 'completed'::text keeps 99 % of the rows/);
  assert.ok(f.evidence.some((e) => /pg_qualstats/.test(e.source) && e.value === 0.99), JSON.stringify(f.evidence));
  assert.match(f.recommendation.text, /bare column/);
  assert.match(f.recommendation.text, /An index on status would not be used/);
});

test('a plain column measured to be selective, or not measured at all, is still the missing index', async () => {
  await loadSqlParser();
  for (const share of [0.95, 0.3, undefined]) {
    const d = measured(share);
    const f = d.findings.find((x) => x.category === 'missing-index' && x.id.includes('trips'));
    assert.ok(f, `${share}: ${describe(d.findings)}`);
    assert.equal(f.id, 'missing-index:public.trips(status)');
    // Not estimated: the finding says so, and how to let tuneup estimate it.
    const unestimated = f.evidence.find((e) => e.source === 'pg_qualstats');
    if (share === undefined) assert.match(String(unestimated?.value), /not estimated: pg_qualstats is not in shared_preload_libraries; .*postgresql-<major>-pg-qualstats/);
    else assert.equal(unestimated, undefined);
  }
});

test('a filter on unselective columns alone, with no expression, is a query that reads too much', async () => {
  await loadSqlParser();
  const result = build(weeklyParts());
  const data: ExplainData = {
    statements: explain("(t.status = 'completed'::text)", ['status']),
    quals: [{ queryid: '401', schema: 'public', relation: 'trips', column: 'status', comparisons: ["= 'completed'::text"], occurrences: 40, keptShare: 0.98 }],
  };
  result.probes!.push(probe('explain', {}, data as unknown as Record<string, unknown>));
  const d = diagnose(result);
  assert.equal(d.findings.find((f) => f.category === 'missing-index' && f.id.includes('trips')), undefined, describe(d.findings));
  const f = d.findings.find((x) => x.category === 'inefficient-query');
  assert.ok(f, describe(d.findings));
  assert.match(f.title, /Filter that keeps most rows reads trips in full/);
  assert.doesNotMatch(f.recommendation.text, /bare column/);
});

test('a column that keeps most rows is left out of the index proposed for a selective one beside it', async () => {
  await loadSqlParser();
  const result = build(weeklyParts());
  const data: ExplainData = {
    statements: explain("((t.status = 'completed'::text) AND (t.district = $1))", ['status', 'district']),
    quals: [{ queryid: '401', schema: 'public', relation: 'trips', column: 'status', comparisons: ["= 'completed'::text"], occurrences: 40, keptShare: 0.99 }],
  };
  result.probes!.push(probe('explain', {}, data as unknown as Record<string, unknown>));
  const d = diagnose(result);
  const f = d.findings.find((x) => x.category === 'missing-index' && x.id.includes('trips'));
  assert.ok(f, describe(d.findings));
  assert.equal(f.id, 'missing-index:public.trips(district)');
});

test('statistics reset (a database created from a template): the planner\'s row count sizes the table, so its full scans are still judged', async () => {
  await loadSqlParser();
  const castOnly = '((t.started_at)::date >= (CURRENT_DATE - 7))';
  const run = (relTuples: number | undefined) => {
    const p = weeklyParts();
    // n_live_tup counts only the rows inserted since the reset: none on a table only read.
    const trips = p.pg.tables.find((t) => t.name === 'trips')!;
    trips.nLiveTup = { before: 0, after: 0 };
    if (relTuples === undefined) delete trips.relTuples;
    else trips.relTuples = relTuples;
    const result = build(p);
    result.probes!.push(probe('explain', {}, { statements: explain(castOnly, []) } as unknown as Record<string, unknown>));
    return diagnose(result).findings.find((x) => x.category === 'inefficient-query');
  };
  const f = run(400_000);
  assert.ok(f, 'an inefficient-query finding');
  assert.match(f.title, /Filter on an expression reads trips in full/);
  // Without the planner's count (never analyzed, -1) nothing says the table is large.
  assert.match(run(-1)?.title ?? 'none', /^(none|Slow statement)/);
});

test('a pattern match (ILIKE, LIKE) that reads the table in full is an inefficient query served by a trigram index, not a missing B-tree index', async () => {
  await loadSqlParser();
  for (const [filter, operand] of [['((t.district)::text ~~* $1)', 'district'], ['(lower((t.district)::text) ~~ $1)', 'lower(district)']] as const) {
    const result = build(weeklyParts());
    result.probes!.push(probe('explain', {}, { statements: explain(filter, ['district']) } as unknown as Record<string, unknown>));
    const d = diagnose(result);
    assert.equal(d.findings.find((f) => f.category === 'missing-index' && f.id.includes('trips')), undefined, describe(d.findings));
    const f = d.findings.find((x) => x.category === 'inefficient-query');
    assert.ok(f, describe(d.findings));
    assert.match(f.title, /Pattern match \(LIKE\/ILIKE\) reads trips in full/);
    assert.match(f.summary, /no B-tree index can serve it/);
    assert.ok(f.recommendation.text.includes(`USING gin (${operand} gin_trgm_ops)`), f.recommendation.text);
  }
});

const RANKED = 'SELECT pct FROM (SELECT district, percent_rank() OVER (ORDER BY avg(fare)) AS pct FROM trips GROUP BY district) ranked WHERE district = $1';

/** A plan of statement `queryid` that reads trips by one sequential scan with `filter`. */
const wholeScan = (queryid: string, query: string, filter: string | null): ExplainData['statements'][number] => ({
  queryid, query, ok: true, totalCost: 9000, seqScans: [{ schema: 'public', relation: 'trips', filter, filterColumns: [], planRows: 400_000, totalCost: 8000 }], indexes: [], sorts: [],
});

/** `GET /api/orders` runs `query` on trips (the weekly scenario's statement 401); the plan reads trips with `planFilter`, or is not known. */
function tripsRun(query: string, planFilter: string | null, withPlan = true) {
  const p = weeklyParts();
  p.pg.statements[p.pg.statements.length - 1]!.query = query;
  const result = build(p);
  if (withPlan) result.probes!.push(probe('explain', {}, { statements: [wholeScan('401', query, planFilter)] } as unknown as Record<string, unknown>));
  return diagnose(result).findings;
}

test('a condition the text has and the plan does not apply at the scan (a window over the whole table) is an inefficient query, not a missing index', async () => {
  await loadSqlParser();
  const findings = tripsRun(RANKED, null);
  assert.equal(findings.find((f) => f.category === 'missing-index' && f.id.includes('trips')), undefined, describe(findings));
  const f = findings.find((x) => x.category === 'inefficient-query');
  assert.ok(f, describe(findings));
  assert.equal(f.endpoint, 'GET /api/orders');
  assert.equal(f.id, 'inefficient-query:401');
  assert.match(f.title, /Condition above the scan \(district\) reads trips in full/);
  assert.match(f.summary, /applies above the scan/);
  assert.ok(f.evidence.some((e) => e.label === 'filter on trips (none at the scan)' && /district/.test(String(e.value))), JSON.stringify(f.evidence));
  assert.match(f.recommendation.text, /before the aggregate or window/);
});

test('the same text is still a missing index when the plan filters at the scan, or when no plan is known', async () => {
  await loadSqlParser();
  for (const findings of [tripsRun(RANKED, '(district = $1)'), tripsRun(RANKED, null, false)]) {
    const f = findings.find((x) => x.category === 'missing-index' && x.id.includes('trips'));
    assert.ok(f, describe(findings));
    assert.equal(f.id, 'missing-index:public.trips(district)');
  }
});

test('a comparison with a subquery is planned as a join, which an index on the column serves: still a missing index', async () => {
  await loadSqlParser();
  // A hash semi join reads trips whole with no filter; an index on rider_id lets a nested loop read only the riders' trips.
  const findings = tripsRun('SELECT t.* FROM trips t WHERE t.rider_id IN (SELECT r.id FROM riders r WHERE r.status = $1)', null);
  const f = findings.find((x) => x.category === 'missing-index' && x.id.includes('trips'));
  assert.ok(f, describe(findings));
  assert.equal(f.id, 'missing-index:public.trips(rider_id)');
  assert.equal(findings.find((x) => /Condition above the scan/.test(x.title)), undefined, describe(findings));
});

test('a table read twice (a self-join) is not judged by its unfiltered read: the other read may apply the condition', async () => {
  await loadSqlParser();
  const findings = tripsRun('SELECT b.* FROM trips a JOIN trips b ON b.district = a.district WHERE a.id = $1', null);
  assert.equal(findings.find((x) => /Condition above the scan/.test(x.title)), undefined, describe(findings));
});

test('the text does not stand in for a plan that shows the condition above the scan, whichever statement on the table is heaviest', async () => {
  await loadSqlParser();
  const p = weeklyParts();
  const ranked = p.pg.statements[p.pg.statements.length - 1]!;
  ranked.query = RANKED;
  // A heavier statement reads trips whole with no condition at all, so the table is judged on the text fallback.
  const TOTAL = 'SELECT count(*) FROM trips';
  p.pg.statements.push(statement('402', TOTAL, ranked.calls, 90, { shareOfExecTime: 0.5, rows: ranked.calls }));
  const result = build(p);
  result.probes!.push(probe('explain', {}, { statements: [wholeScan('401', RANKED, null), wholeScan('402', TOTAL, null)] } as unknown as Record<string, unknown>));
  const findings = diagnose(result).findings;
  assert.equal(findings.find((x) => x.id === 'missing-index:public.trips(district)'), undefined, describe(findings));
});
