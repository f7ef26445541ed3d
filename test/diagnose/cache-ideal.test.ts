// cache-miss judged against the ideal hit ratio of the load (the requests that repeated an earlier key):
// a cache that misses repeats is broken, one that misses first touches is cold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import type { LoadFacts } from '../../src/result/types.js';
import { build, healthyParts, loadFactsWith, redisInfo, type ScenarioParts } from './scenarios.js';

const CACHED = 'GET /api/products/:id';

/** Load facts where `share` of each second's requests repeated an earlier key (0 repeats in second 0: all cold). */
function facts(p: ScenarioParts, share: (i: number) => number): LoadFacts {
  return loadFactsWith(p, (_, i) => share(i));
}

/** Redis evidence with a measured hit ratio `ratio` on the cached endpoint's lookups, cache-aside writes on misses. */
function redisWith(p: ScenarioParts, ratio: number): void {
  const get = p.endpoints[CACHED]!.requests;
  const total = get.reduce((a, b) => a + b, 0);
  const hits = Math.round(total * ratio);
  p.redis!.series['redis.hits_per_s'] = get.map((n) => n * ratio);
  p.redis!.series['redis.misses_per_s'] = get.map((n) => n * (1 - ratio));
  p.redis!.data = {
    info: redisInfo({ keyspaceHits: hits, keyspaceMisses: total - hits }),
    commandStats: [{ command: 'get', calls: total, usec: total * 5 }, { command: 'set', calls: total - hits, usec: (total - hits) * 6 }],
    slowlog: [],
  };
}

/**
 * Both endpoints look the cache up (GET once per request): no single endpoint's requests equal the GET calls,
 * so the count identity names no user either, and the cache's users stay unknown.
 */
function sharedLookups(p: ScenarioParts): void {
  const all = Object.values(p.endpoints).reduce((a, e) => a + e.requests.reduce((x, y) => x + y, 0), 0);
  const stats = p.redis!.data.commandStats as { command: string; calls: number; usec: number }[];
  p.redis!.data.commandStats = stats.map((c) => (c.command === 'get' ? { ...c, calls: all, usec: all * 5 } : c));
}

function cacheMiss(p: ScenarioParts) {
  return diagnose(build(p)).findings.filter((f) => f.category === 'cache-miss');
}

test('cold: a cache that hits the repeats the load allowed is info, with the warm-up curve', () => {
  const p = healthyParts();
  // A key space larger than the run: 30 % of requests repeat a key; the cache hits 29 %: every first touch
  // misses, and one repeat in thirty (second by second, as the per-endpoint fit of the misses reads them).
  redisWith(p, 0.29);
  p.patch = { loadFacts: facts(p, (i) => (i === 0 ? 0 : 0.3)) };
  const series = p.patch.loadFacts!.endpoints[CACHED]!.series;
  p.redis!.series['redis.misses_per_s'] = series.requests.map((n, i) => n - series.repeats[i]! + series.repeats[i]! / 30);
  p.redis!.series['redis.hits_per_s'] = series.repeats.map((n) => (n * 29) / 30);
  const [f, ...rest] = cacheMiss(p);
  assert.ok(f, 'a cache-miss finding');
  assert.equal(rest.length, 0);
  assert.equal(f.severity, 'info');
  assert.match(f.title, /Cold cache/);
  assert.ok(f.evidence.some((e) => /warm-up curve/.test(e.label)));
  assert.deepEqual(f.endpoints, [CACHED]);
});

test('broken: repeats that miss are a broken cache, high below half of the ideal', () => {
  const p = healthyParts();
  redisWith(p, 0.2);
  p.patch = { loadFacts: facts(p, () => 0.8) };
  const [f] = cacheMiss(p);
  assert.equal(f!.severity, 'high');
  assert.match(f!.title, /misses repeated keys/);
  assert.equal(f!.endpoint, CACHED);
  const ideal = f!.evidence.find((e) => e.label.startsWith('ideal hit ratio of this load'));
  assert.ok(ideal && Math.abs((ideal.value as number) - 0.8) < 0.01);
});

test('broken but partly hitting: medium between half and the repeat-hit limit', () => {
  const p = healthyParts();
  redisWith(p, 0.7);
  p.patch = { loadFacts: facts(p, () => 0.9) };
  const [f] = cacheMiss(p);
  assert.equal(f!.severity, 'medium');
});

test('a load that repeats too few keys is not judged: info', () => {
  const p = healthyParts();
  redisWith(p, 0);
  p.patch = { loadFacts: facts(p, (i) => (i === 5 ? 0.1 : 0)) };
  const [f] = cacheMiss(p);
  assert.equal(f!.severity, 'info');
  assert.match(f!.title, /too few to judge/);
});

test('unique keys written once each are cache-aside on a cold cache, not a cache written on every read', () => {
  const p = healthyParts();
  // Every request is a first touch: a miss and a write each time is exactly what cache-aside does.
  redisWith(p, 0);
  p.patch = { loadFacts: facts(p, () => 0) };
  const found = cacheMiss(p);
  assert.ok(found.every((f) => f.severity === 'info' || f.severity === 'low'), JSON.stringify(found.map((f) => [f.id, f.severity])));
});

test('writes beyond the misses (a session SET, a write after a hit) are not rewrites: a cache whose hits cover the repeats works', () => {
  const p = healthyParts();
  const get = p.endpoints[CACHED]!.requests;
  const total = get.reduce((a, b) => a + b, 0);
  // 50 % repeats, 48 % hits; as many SETs as GETs — the misses' fills plus writes no read follows.
  p.redis!.series['redis.hits_per_s'] = get.map((n) => n * 0.48);
  p.redis!.series['redis.misses_per_s'] = get.map((n) => n * 0.52);
  p.redis!.data = {
    info: redisInfo({ keyspaceHits: Math.round(total * 0.48), keyspaceMisses: Math.round(total * 0.52) }),
    commandStats: [{ command: 'get', calls: total, usec: total * 5 }, { command: 'set', calls: total, usec: total * 6 }],
    slowlog: [],
  };
  p.patch = { loadFacts: facts(p, () => 0.5) };
  const found = cacheMiss(p);
  assert.ok(found.every((f) => f.severity === 'info' || f.severity === 'low'), JSON.stringify(found.map((f) => [f.id, f.severity, f.title])));
});

test('a cache that misses its repeats and fills each miss (a key that changes per request) is broken, high', () => {
  const p = healthyParts();
  const get = p.endpoints[CACHED]!.requests;
  const total = get.reduce((a, b) => a + b, 0);
  // 50 % of the requests repeat a key, yet nothing hits: every GET misses and is filled.
  p.redis!.series['redis.hits_per_s'] = get.map(() => 0);
  p.redis!.series['redis.misses_per_s'] = get.map((n) => n);
  p.redis!.data = {
    info: redisInfo({ keyspaceHits: 0, keyspaceMisses: total }),
    commandStats: [{ command: 'get', calls: total, usec: total * 5 }, { command: 'set', calls: total, usec: total * 6 }],
    slowlog: [],
  };
  p.patch = { loadFacts: facts(p, () => 0.5) };
  const [f] = cacheMiss(p);
  assert.equal(f!.severity, 'high');
  assert.match(f!.summary, /rewrites keys that repeat/);
});

test('a cache-miss finding never names an endpoint that does not touch Redis', () => {
  const p = healthyParts();
  // The misses move with GET /api/orders' rate (it never calls Redis); only the products endpoint sends commands.
  const list = p.endpoints['GET /api/orders']!.requests;
  const get = p.endpoints[CACHED]!.requests;
  p.redis!.series['redis.misses_per_s'] = list.map((n) => n * 1.5);
  p.redis!.series['redis.hits_per_s'] = get.map((n) => n * 0.1);
  const misses = list.reduce((a, b) => a + b, 0) * 1.5;
  const hits = get.reduce((a, b) => a + b, 0) * 0.1;
  p.redis!.data = {
    info: redisInfo({ keyspaceHits: hits, keyspaceMisses: misses }),
    commandStats: [{ command: 'get', calls: hits + misses, usec: 5 * (hits + misses) }, { command: 'set', calls: misses, usec: 6 * misses }],
    slowlog: [],
  };
  for (const withFacts of [false, true]) {
    p.patch = withFacts ? { loadFacts: facts(p, () => 0.8) } : {};
    const found = cacheMiss(p);
    assert.ok(found.length > 0);
    for (const f of found) {
      assert.ok(!(f.endpoints ?? []).includes('GET /api/orders'), `${f.id} names GET /api/orders: ${JSON.stringify(f.endpoints)}`);
      assert.notEqual(f.endpoint, 'GET /api/orders');
    }
  }
});

test("an unsafe method's repeated URL is not a repeated lookup: left out of the ideal unless the plan's cacheKey names it", () => {
  const judge = (method: string, keySource: 'url' | 'cache-key') => {
    const p = healthyParts();
    redisWith(p, 0.2);
    const lf = facts(p, () => 0.8);
    lf.endpoints[CACHED]!.keySource = keySource;
    p.patch = { loadFacts: lf };
    const result = build(p);
    result.endpoints.find((e) => e.endpoint === CACHED)!.method = method;
    return diagnose(result).findings.filter((f) => f.category === 'cache-miss');
  };
  // The same scenario as "broken" above, sent as POSTs to one URL: nothing says those lookups could hit.
  const post = judge('POST', 'url');
  assert.equal(post.some((f) => f.severity !== 'info' && f.severity !== 'low' && (f.endpoints ?? []).includes(CACHED) && /repeated keys/.test(f.title)), false, JSON.stringify(post.map((f) => [f.severity, f.title])));
  // With the plan's cacheKey the repeats are lookups whatever the method: broken, as for GET.
  const [keyed] = judge('POST', 'cache-key');
  assert.equal(keyed?.severity, 'high');
  const [get] = judge('GET', 'url');
  assert.equal(get?.severity, 'high');
});

test("with the cache's users unknown, a hit ratio at the bound of every lookup endpoint's repeats is low, below it loud", () => {
  // No command series: the cost model cannot name the endpoints that use Redis. Every request writes back a miss.
  const judged = (loadShare: number) => {
    const p = healthyParts();
    redisWith(p, 0.55);
    for (const c of ['redis.ops_per_s', 'redis.commands_per_s']) delete p.redis!.series[c];
    sharedLookups(p);
    p.patch = { loadFacts: facts(p, (i) => (i === 0 ? 0 : loadShare)) };
    return cacheMiss(p);
  };
  // The load's lookups repeated ~10 % of their keys and the cache hit 55 %: nothing shows a missed repeat.
  const [filling] = judged(0.1);
  assert.ok(filling);
  assert.equal(filling.severity, 'low', filling.title);
  assert.match(filling.summary, /its misses are first touches/);
  // The load repeated ~90 % and the cache hit 55 %: it misses repeats.
  const [broken] = judged(0.9);
  assert.ok(broken && ['medium', 'high'].includes(broken.severity), broken?.severity);
});

test("with the cache's users unknown, a hit ratio some set of users allows is not judged (low); below every endpoint's ideal it is", () => {
  // newsroom's healthy build (18 endpoints in 10 s, no regression to name the users): single endpoints allowed
  // 0–90 %, the bound over all of them 25 %, the cache hit 16 %. Here: orders repeat 5 % of their keys, products
  // 90 %; the bound over both is ~45 %.
  const judged = (hitRatio: number, ordersShare: number) => {
    const p = healthyParts();
    redisWith(p, hitRatio);
    for (const c of ['redis.ops_per_s', 'redis.commands_per_s']) delete p.redis!.series[c];
    sharedLookups(p);
    const lf = facts(p, (i) => (i === 0 ? 0 : 0.9));
    const orders = lf.endpoints['GET /api/orders']!;
    orders.series.repeats = orders.series.requests.map((n, i) => (i === 0 ? 0 : Math.round(n * ordersShare)));
    orders.repeats = orders.series.repeats.reduce((a, b) => a + b, 0);
    p.patch = { loadFacts: lf };
    return cacheMiss(p);
  };
  // 20 % hit: below 90 % of the bound, but a cache used by the orders endpoint alone could hit only ~5 %.
  const [open] = judged(0.2, 0.05);
  assert.ok(open);
  assert.equal(open.severity, 'low', open.title);
  assert.match(open.title, /not judged/);
  assert.ok(open.evidence.some((e) => /lowest ideal hit ratio of one lookup endpoint \(GET \/api\/orders\)/.test(e.label)), JSON.stringify(open.evidence));
  // 20 % hit where every endpoint's keys repeated at least 60 % of the time: whatever uses it, it misses repeats.
  const [broken] = judged(0.2, 0.6);
  assert.ok(broken && ['medium', 'high'].includes(broken.severity), broken?.title);
  // An endpoint of three requests, none repeated, says nothing of what the cache could hit: still broken.
  const p = healthyParts();
  redisWith(p, 0.2);
  for (const c of ['redis.ops_per_s', 'redis.commands_per_s']) delete p.redis!.series[c];
  sharedLookups(p);
  p.endpoints['GET /api/rare'] = { requests: p.endpoints[CACHED]!.requests.map((_, i) => (i < 3 ? 1 : 0)), serviceMeanMs: 3 };
  const lf = facts(p, (i) => (i === 0 ? 0 : 0.9));
  const orders = lf.endpoints['GET /api/orders']!;
  orders.series.repeats = orders.series.requests.map((n, i) => (i === 0 ? 0 : Math.round(n * 0.6)));
  orders.repeats = orders.series.repeats.reduce((a, b) => a + b, 0);
  const rare = lf.endpoints['GET /api/rare']!;
  rare.series.repeats = rare.series.requests.map(() => 0);
  rare.repeats = 0;
  p.patch = { loadFacts: lf };
  const [still] = cacheMiss(p);
  assert.ok(still && ['medium', 'high'].includes(still.severity), still?.title);
});

test('a cache whose hits cover the repeated requests missed no repeat, though lookups per request dilute its ratio', () => {
  const p = healthyParts();
  const get = p.endpoints[CACHED]!.requests;
  const total = get.reduce((a, b) => a + b, 0);
  p.patch = { loadFacts: facts(p, (i) => (i === 0 ? 0 : 0.3)) };
  const repeats = p.patch.loadFacts!.endpoints[CACHED]!.repeats;
  // Two lookups per request (the item, then its price): hits = the repeats, misses = every other lookup.
  const lookups = 2 * total;
  p.redis!.series['redis.hits_per_s'] = get.map((n) => (n * repeats) / total);
  p.redis!.series['redis.misses_per_s'] = get.map((n) => 2 * n - (n * repeats) / total);
  p.redis!.data = {
    info: redisInfo({ keyspaceHits: repeats, keyspaceMisses: lookups - repeats }),
    commandStats: [{ command: 'get', calls: lookups, usec: lookups * 5 }, { command: 'set', calls: total - repeats, usec: (total - repeats) * 6 }],
    slowlog: [],
  };
  const [f] = cacheMiss(p);
  assert.ok(f);
  assert.equal(f.severity, 'info', f.title);
  assert.match(f.title, /Cold cache/);
});

test('a broken cache is named where the repeated lookups are, not where misses are most numerous', () => {
  const p = healthyParts();
  const list = p.endpoints['GET /api/orders']!.requests;
  const get = p.endpoints[CACHED]!.requests;
  // Both endpoints read the cache once per request; the orders endpoint's keys rarely repeat (its misses are
  // first touches and move with its rate), the products endpoint's repeat 60 % of the time and miss too.
  p.redis!.series['redis.ops_per_s'] = list.map((n, i) => n + get[i]!);
  p.redis!.series['redis.misses_per_s'] = list.map((n, i) => 2 * n + 0.3 * get[i]!);
  p.redis!.series['redis.hits_per_s'] = get.map((n) => 0.05 * n);
  const lookups = [...list, ...get].reduce((a, b) => a + b, 0);
  const hits = get.reduce((a, b) => a + b, 0) * 0.05;
  p.redis!.data = {
    info: redisInfo({ keyspaceHits: hits, keyspaceMisses: lookups - hits }),
    commandStats: [{ command: 'get', calls: lookups, usec: lookups * 5 }, { command: 'set', calls: lookups - hits, usec: (lookups - hits) * 6 }],
    slowlog: [],
  };
  p.patch = { loadFacts: facts(p, (i) => (i === 0 ? 0 : 0.6)) };
  // The orders endpoint repeats a key now and then (5 %): it is among the repeaters, but far from the most.
  for (const e of Object.values(p.patch.loadFacts!.endpoints)) if (e !== p.patch.loadFacts!.endpoints[CACHED]) {
    e.series.repeats = e.series.requests.map((n, i) => (i === 0 ? 0 : Math.round(n * 0.05)));
    e.repeats = e.series.repeats.reduce((a, b) => a + b, 0);
  }
  const [f] = cacheMiss(p);
  assert.ok(f && ['medium', 'high'].includes(f.severity), f?.title);
  assert.equal(f.endpoint, CACHED, JSON.stringify(f.endpoints));
});

test("with no cost model for the cache's users, the count identity names them: GET run once per request of one endpoint", () => {
  // voyage's fare search (13 endpoints in 10 s, no regression): 128 GETs, 128 requests of GET /flights/search.
  const p = healthyParts();
  redisWith(p, 0.2);
  for (const c of ['redis.ops_per_s', 'redis.commands_per_s']) delete p.redis!.series[c];
  p.patch = { loadFacts: facts(p, (i) => (i === 0 ? 0 : 0.8)) };
  const [f] = cacheMiss(p);
  assert.ok(f);
  assert.equal(f.severity, 'high', f.title);
  assert.equal(f.endpoint, CACHED);
});

test('a broken cache ranks before the statement its misses fall through to (its calls equal the misses), which keeps its severity', () => {
  const p = healthyParts();
  redisWith(p, 0.2);
  p.patch = { loadFacts: facts(p, () => 0.8) };
  const misses = (p.redis!.data.info as { keyspaceMisses: number }).keyspaceMisses;
  // The miss path: a 40 ms statement, once per miss, the largest share of database time.
  const pg = p.pg as { statements: { queryid: string; calls: number; meanExecMs: number; totalExecMs: number; shareOfExecTime: number }[] };
  const slow = pg.statements[1]!;
  Object.assign(slow, { calls: misses, meanExecMs: 40, totalExecMs: misses * 40, shareOfExecTime: 0.95 });
  const findings = diagnose(build(p)).findings;
  const cache = findings.findIndex((f) => f.category === 'cache-miss');
  const statement = findings.findIndex((f) => f.id === `inefficient-query:${slow.queryid}`);
  assert.ok(cache >= 0 && statement >= 0, findings.map((f) => f.id).join(', '));
  assert.ok(cache < statement, findings.map((f) => `${f.id} ${f.severity}`).join(', '));
  assert.ok(['medium', 'high'].includes(findings[statement]!.severity));
  assert.deepEqual(findings[statement]!.causedBy, [findings[cache]!.id]);
});

test('only lookups name the cache users by count: a counter INCR once per request of one endpoint names nothing', () => {
  const p = healthyParts();
  redisWith(p, 0.2);
  for (const c of ['redis.ops_per_s', 'redis.commands_per_s']) delete p.redis!.series[c];
  sharedLookups(p);
  p.patch = { loadFacts: facts(p, (i) => (i === 0 ? 0 : 0.9)) };
  const orders = p.endpoints['GET /api/orders']!.requests.reduce((a, b) => a + b, 0);
  const stats = p.redis!.data.commandStats as { command: string; calls: number; usec: number }[];
  p.redis!.data.commandStats = [...stats, { command: 'incr', calls: orders, usec: orders * 3 }];
  const [f] = cacheMiss(p);
  assert.ok(f);
  assert.ok(!f.endpoints?.includes('GET /api/orders') || f.severity === 'low', `${f.severity}: ${f.title}`);
});

test('the miss-path link selects its statement by id: another slow statement keeps its own rank and severity', () => {
  const p = healthyParts();
  redisWith(p, 0.2);
  p.patch = { loadFacts: facts(p, () => 0.8) };
  const misses = (p.redis!.data.info as { keyspaceMisses: number }).keyspaceMisses;
  const pg = p.pg as { statements: { queryid: string; calls: number; meanExecMs: number; totalExecMs: number; shareOfExecTime: number }[] };
  // The orders list, not run once per miss, is slow on its own.
  const list = pg.statements[0]!;
  Object.assign(list, { meanExecMs: 45, totalExecMs: list.calls * 45, shareOfExecTime: 0.9 });
  assert.notEqual(list.calls, misses);
  const findings = diagnose(build(p)).findings;
  const other = findings.find((f) => f.id === `inefficient-query:${list.queryid}`);
  assert.ok(other, findings.map((f) => f.id).join(', '));
  assert.equal(other.causedBy, undefined);
});
