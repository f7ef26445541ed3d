/**
 * The count identity: a statement or command run once per request of one endpoint has that endpoint's count
 * of calls, which decides its owner where queueing leaves the per-second series to whoever was busy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDemands } from '../../src/diagnose/index.js';
import { changesOrLocks, isWriteStatement, oncePerRequestOwner, statementFamilies, statementFamilyKey } from '../../src/diagnose/count-identity.js';
import { makeResult, pgData, probe, statement } from './helpers.js';

test('one endpoint with the count of calls owns them; none or several decide nothing', () => {
  const served = [{ endpoint: 'GET /a', requests: 472 }, { endpoint: 'GET /b', requests: 408 }, { endpoint: 'GET /c', requests: 919 }];
  assert.equal(oncePerRequestOwner(472, served)?.endpoint, 'GET /a');
  // Within half a percent (a request still queued at the window's end).
  assert.equal(oncePerRequestOwner(470, served)?.endpoint, 'GET /a');
  assert.equal(oncePerRequestOwner(460, served)?.endpoint, undefined);
  assert.equal(oncePerRequestOwner(0, served)?.endpoint, undefined);
  // Two endpoints with that count: a coincidence that decides nothing.
  assert.equal(oncePerRequestOwner(477, [{ endpoint: 'GET /x', requests: 477 }, { endpoint: 'GET /y', requests: 478 }])?.endpoint, undefined);
});

test('behind a queue, a statement with one endpoint\'s count of calls is that endpoint\'s, whatever the per-second series say', () => {
  // Seen on hiring past capacity: a 62 ms statement of GET /teams/:id/queue ran 472 times, as many as that
  // endpoint served, but its calls per second followed the notifications endpoint's completions (the queue
  // decided when each ran) and the regression charged it there.
  const notifications = [30, 45, 38, 52, 41, 47, 36, 50, 44, 25];
  const queue = [47, 47, 47, 47, 47, 47, 47, 47, 47, 49];
  const calls = notifications.map((n) => n * 1.16);
  const total = queue.reduce((a, b) => a + b, 0);
  const build = (totalCalls: number) => {
    const pg = pgData({
      statements: [statement('9', 'select * from recruiter_queues where team_id = $1', totalCalls, 62)],
      statementSeries: [{ queryid: '9', toplevel: true, callsPerS: calls, execMsPerS: calls.map((c) => c * 62) }],
    });
    return makeResult(
      { 'GET /recruiters/:id/notifications': { requests: notifications, serviceMeanMs: 1500 }, 'GET /teams/:id/queue': { requests: queue, serviceMeanMs: 3000 } },
      [probe('postgres', { 'pg.calls_per_s': calls, 'pg.exec_ms_per_s': calls.map((c) => c * 62) }, pg as unknown as Record<string, unknown>)],
    );
  };
  const owners = computeDemands(build(total)).statements.filter((s) => s.queryid === '9');
  assert.deepEqual(owners.map((s) => [s.endpoint, s.byCount]), [['GET /teams/:id/queue', true]], JSON.stringify(owners));
  assert.ok(Math.abs(owners[0]!.callsPerRequest - 1) < 1e-9);
  assert.ok(Math.abs(owners[0]!.execMsPerRequest - 62) < 1, `${owners[0]!.execMsPerRequest}`);
  // A total that matches no endpoint's count leaves the regression's answer.
  const fitted = computeDemands(build(total + 40)).statements.filter((s) => s.queryid === '9');
  assert.equal(fitted[0]?.endpoint, 'GET /recruiters/:id/notifications');
  assert.equal(fitted[0]?.byCount, undefined);
});

test('with more endpoints than seconds, the counts still name the owner of a statement, with or without a series', () => {
  // Seen on newsroom (18 endpoints, ~10 per-second rows): the regression needs endpoints + 1 rows, so no
  // statement had an owner and every database finding named no endpoint.
  const seconds = 4;
  const endpoints: Record<string, { requests: number[]; serviceMeanMs: number }> = {};
  // Requests last longer than the 30 ms statement one of them runs (a request holds its own calls).
  for (let k = 0; k < 6; k++) endpoints[`GET /e${k}`] = { requests: Array.from({ length: seconds }, () => 10 + 3 * k), serviceMeanMs: 40 };
  const served = (k: number) => seconds * (10 + 3 * k);
  const perSecond = (k: number, ms: number) => Array.from({ length: seconds }, () => (10 + 3 * k) * ms);
  const pg = pgData({
    statements: [
      statement('1', 'select * from articles where slug = $1', served(4), 30),
      statement('2', 'select count(*) from comments', served(2), 5),
      statement('3', 'select * from tags', served(2) + served(3), 1),
    ],
    // Only the heaviest statement has a series (the probe keeps series for the top statements).
    statementSeries: [{ queryid: '1', toplevel: true, callsPerS: perSecond(4, 1), execMsPerS: perSecond(4, 30) }],
  });
  const dbMs = Array.from({ length: seconds }, (_, i) => perSecond(4, 30)[i]! + perSecond(2, 5)[i]! + perSecond(2, 1)[i]! + perSecond(3, 1)[i]!);
  const model = computeDemands(makeResult(endpoints, [probe('postgres', { 'pg.exec_ms_per_s': dbMs }, pg as unknown as Record<string, unknown>)]));
  const owners = model.statements.map((s) => [s.queryid, s.endpoint, s.byCount, Math.round(s.execMsPerRequest)]);
  // The shared statement (as many calls as two endpoints together) decides nothing: it stays unattributed.
  assert.deepEqual(owners.sort(), [['1', 'GET /e4', true, 30], ['2', 'GET /e2', true, 5]], JSON.stringify(owners));
  const db = Object.fromEntries(model.demands.map((d) => [d.endpoint, d.dbMs]));
  assert.equal(Math.round(db['GET /e4']!), 30);
  assert.equal(Math.round(db['GET /e2']!), 5);
  // Endpoints the counts gave nothing, with no regression to estimate them: unknown, not zero.
  assert.equal(db['GET /e0'], undefined);
  // What the counts gave is a lower bound of an endpoint's database time: it bounds no throughput.
  const e4 = model.demands.find((d) => d.endpoint === 'GET /e4')!;
  assert.equal(e4.maxThroughput, undefined);
  assert.notEqual(e4.bottleneck, 'db');
});

test('a statement the counts gave an endpoint, without a series, is taken out of the remainder the regression splits', () => {
  // 8 seconds, 3 endpoints: the remainder's regression runs. Statement 1 (no series) ran once per request of
  // GET /a at 10 ms; the rest of the database time is 2 ms per request of GET /b.
  const a = [10, 14, 9, 16, 11, 13, 8, 15];
  const b = [20, 12, 18, 9, 22, 14, 17, 11];
  const c = [5, 7, 6, 9, 4, 8, 6, 5];
  const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
  const pg = pgData({ statements: [statement('1', 'select * from a where id = $1', sum(a), 10), statement('2', 'select * from b', sum(b) + 3, 2)], statementSeries: [] });
  const dbMs = a.map((n, i) => 10 * n + 2 * b[i]!);
  const model = computeDemands(
    makeResult({ 'GET /a': { requests: a }, 'GET /b': { requests: b }, 'GET /c': { requests: c } }, [probe('postgres', { 'pg.exec_ms_per_s': dbMs }, pg as unknown as Record<string, unknown>)]),
  );
  const db = Object.fromEntries(model.demands.map((d) => [d.endpoint, d.dbMs]));
  // Counted once (its statement), not twice (its statement and the remainder's share of it).
  assert.ok(Math.abs(db['GET /a']! - 10) < 0.5, JSON.stringify(db));
  assert.ok(Math.abs(db['GET /b']! - 2) < 0.5, JSON.stringify(db));
  assert.ok((db['GET /c'] ?? 0) < 0.5, JSON.stringify(db));
});

test('two endpoints within the tolerance: the one whose requests are too short to hold the call is not the owner', () => {
  // voyage: a 54 ms scan run 90 times; GET /travellers/:id/bookings served 90 requests (70 ms mean), GET /deals 89 (18 ms).
  const served = [
    { endpoint: 'GET /travellers/:id/bookings', requests: 90, serviceTime: { mean: 70 } },
    { endpoint: 'GET /deals', requests: 89, serviceTime: { mean: 18 } },
  ];
  assert.equal(oncePerRequestOwner(90, served), undefined, 'the counts alone decide nothing');
  assert.equal(oncePerRequestOwner(90, served, 54)?.endpoint, 'GET /travellers/:id/bookings');
  // A call shorter than both requests leaves the tie a tie.
  assert.equal(oncePerRequestOwner(90, served, 2), undefined);
});

test('variants of one statement (a bulk insert\'s row counts, an IN list\'s lengths) are one family for the count identity', () => {
  const insert = (rows: number) => `INSERT INTO "tickets" ("id","order_id","code") VALUES ${Array.from({ length: rows }, (_, i) => `(DEFAULT,$${2 * i + 1},$${2 * i + 2})`).join(',')} RETURNING "id"`;
  assert.equal(statementFamilyKey(insert(1)), statementFamilyKey(insert(3)));
  assert.equal(statementFamilyKey('SELECT * FROM t WHERE id IN ($1, $2, $3) AND a = $4'), statementFamilyKey('SELECT * FROM t WHERE id IN ($1) AND a = $2'));
  assert.notEqual(statementFamilyKey('SELECT * FROM t WHERE id = $1'), statementFamilyKey('SELECT * FROM u WHERE id = $1'));
  // The numbering outside a list is the statement's own (bikeshare: a constant NULL became $2).
  assert.notEqual(statementFamilyKey('UPDATE docks SET bike_id = $1 WHERE id = $2'), statementFamilyKey('UPDATE docks SET bike_id = $2 WHERE id = $1'));
  // A function call inside a row is part of the row.
  assert.equal(statementFamilyKey("INSERT INTO e (a, b) VALUES ($1, now()), ($2, now())"), statementFamilyKey("INSERT INTO e (a, b) VALUES ($1, now())"));
  assert.deepEqual([...statementFamilies([{ queryid: '1', query: insert(1) }, { queryid: '2', query: insert(2) }, { queryid: '3', query: 'SELECT 1' }]).values()].map((m) => m.map((x) => x.queryid)), [['1', '2']]);

  // Seen on venue: four variants of a ticket insert ran 35, 29, 24 and 21 times — together the 109 requests of
  // POST /orders — and the first two matched, by coincidence, the 35 and 29 requests of two GET endpoints.
  const seconds = 4;
  const perSecond = (n: number) => Array.from({ length: seconds }, () => n / seconds);
  const pg = pgData({
    statements: [35, 29, 24, 21].map((calls, i) => statement(String(i + 1), insert(i + 1), calls, 0.1)),
  });
  const model = computeDemands(makeResult(
    { 'POST /orders': { requests: perSecond(108), serviceMeanMs: 600 }, 'GET /orders/:id': { requests: perSecond(36), serviceMeanMs: 5 }, 'GET /events/:id': { requests: perSecond(28), serviceMeanMs: 5 } },
    [probe('postgres', { 'pg.exec_ms_per_s': perSecond(10) }, pg as unknown as Record<string, unknown>)],
  ));
  const owners = model.statements.filter((s) => ['1', '2', '3', '4'].includes(s.queryid));
  assert.deepEqual(owners.map((s) => [s.queryid, s.endpoint, s.byCount]), [['1', 'POST /orders', true], ['2', 'POST /orders', true], ['3', 'POST /orders', true], ['4', 'POST /orders', true]], JSON.stringify(owners));
  assert.ok(Math.abs(owners.reduce((a, s) => a + s.callsPerRequest, 0) - 109 / 108) < 1e-9);
});

test('a tie for a write goes to the one endpoint whose method is not safe (RFC 9110 §9.2.1); reads stay ties', () => {
  // Seen on bikeshare: INSERT INTO trips ran 40 times; POST /trips served 40 requests and GET /riders/:id 39.
  const served = [{ endpoint: 'POST /trips', requests: 40 }, { endpoint: 'GET /riders/:id', requests: 39 }, { endpoint: 'GET /map', requests: 69 }];
  assert.equal(oncePerRequestOwner(40, served, undefined, { writes: true })?.endpoint, 'POST /trips');
  assert.equal(oncePerRequestOwner(40, served)?.endpoint, undefined);
  // A GET alone with the count still owns a write (a view counter).
  assert.equal(oncePerRequestOwner(69, served, undefined, { writes: true })?.endpoint, 'GET /map');
  // Two unsafe methods tied: still a coincidence.
  assert.equal(oncePerRequestOwner(40, [...served, { endpoint: 'PUT /x', requests: 41 }], undefined, { writes: true })?.endpoint, undefined);
  assert.equal(isWriteStatement('INSERT INTO trips (a) VALUES ($1)'), true);
  assert.equal(isWriteStatement('  update docks set bike_id = $1'), true);
  assert.equal(isWriteStatement('WITH moved AS (SELECT id FROM a) DELETE FROM b USING moved'), true);
  assert.equal(isWriteStatement('SELECT * FROM trips FOR UPDATE'), false);
});

test('a write the per-second fit cannot explain (R² ≤ 0) is fitted on the unsafe-method endpoints; one it explains keeps its GET', () => {
  // Seen on bistro past capacity: the reservations' LOCK TABLE ran when the queue let it, so its calls per
  // second followed no endpoint's (R² −8.6) and the fit gave it to the menu GET, the busiest endpoint.
  const menu = [80, 81, 82, 83, 84, 85, 86, 87, 88, 89];
  const reservations = [20, 22, 24, 26, 28, 30, 32, 34, 36, 40];
  const build = (query: string, callsPerS: number[]) => {
    const total = callsPerS.reduce((a, b) => a + b, 0);
    const pg = pgData({
      statements: [statement('7', query, total, 250)],
      statementSeries: [{ queryid: '7', toplevel: true, callsPerS, execMsPerS: callsPerS.map((c) => c * 250) }],
    });
    const result = makeResult(
      { 'GET /restaurants/:id/menu': { requests: menu, serviceMeanMs: 900 }, 'POST /reservations': { requests: reservations, serviceMeanMs: 1200 } },
      [probe('postgres', { 'pg.calls_per_s': callsPerS, 'pg.exec_ms_per_s': callsPerS.map((c) => c * 250) }, pg as unknown as Record<string, unknown>)],
    );
    // Behind a queue: the run's p95 is seconds.
    result.totals.responseTime = { ...result.totals.responseTime, p95: 2400 };
    return result;
  };
  // Calls falling while both endpoints' rates rise: no fit on the rates explains them better than their mean.
  const queued = [31, 29, 27, 26, 24, 23, 21, 20, 18, 16];
  const owners = (query: string, calls: number[]) => computeDemands(build(query, calls)).statements.filter((s) => s.queryid === '7').map((s) => [s.endpoint, s.byMethod]);
  assert.deepEqual(owners('LOCK TABLE reservations IN SHARE ROW EXCLUSIVE MODE', queued), [['POST /reservations', true]]);
  // A read with the same calls keeps the fit's answer: the method says nothing about who reads.
  assert.deepEqual(owners('SELECT * FROM reservations WHERE restaurant_id = $1', queued), [['GET /restaurants/:id/menu', undefined]]);
  // A write the fit does explain stays with its GET (a GET that writes, e.g. a view counter).
  assert.deepEqual(owners('INSERT INTO menu_views (restaurant_id) VALUES ($1)', menu.map((n) => n * 0.5)), [['GET /restaurants/:id/menu', undefined]]);
  // A run that keeps up (p95 well under half a second): a write the fit gave a GET stays there, whatever its R².
  const keptUp = build('INSERT INTO menu_views (restaurant_id) VALUES ($1)', queued);
  for (const e of keptUp.endpoints) e.serviceTime = { ...e.serviceTime, mean: 5 };
  keptUp.totals.responseTime = { ...keptUp.totals.responseTime, p95: 20 };
  assert.deepEqual(computeDemands(keptUp).statements.filter((s) => s.queryid === '7').map((s) => [s.endpoint, s.byMethod]), [['GET /restaurants/:id/menu', undefined]]);
  assert.equal(changesOrLocks('LOCK TABLE reservations IN SHARE ROW EXCLUSIVE MODE'), true);
  assert.equal(changesOrLocks('SELECT * FROM counters WHERE id = $1 FOR KEY SHARE'), true);
  assert.equal(changesOrLocks('SELECT * FROM counters WHERE id = $1 FOR NO KEY UPDATE'), true);
  assert.equal(changesOrLocks('SELECT * FROM counters WHERE id = $1'), false);
});
