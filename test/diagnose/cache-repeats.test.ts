// A cache judged per endpoint: the keyspace's misses per second fitted on each user endpoint's first touches
// and repeats name the endpoint that misses its repeats, where the cache judged as a whole looks cold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDemands, diagnose } from '../../src/diagnose/index.js';
import { probeSet } from '../../src/diagnose/evidence.js';
import { repeatMissesByEndpoint } from '../../src/diagnose/rules/cache-repeats.js';
import { build, healthyParts, loadFactsWith, redisInfo, type ScenarioParts } from './scenarios.js';

const ORDERS = 'GET /api/orders';
const PRODUCTS = 'GET /api/products/:id';


/**
 * Both endpoints look one key up per request (cache-aside). Products' repeats hit; orders' repeats hit only
 * when `ordersBroken` is false. Orders repeat few keys (15 % once warm), products many (90 %).
 */
function scenario(ordersBroken: boolean, options: { fills?: boolean; ordersReadSet?: boolean } = {}): ScenarioParts {
  const p = healthyParts(3);
  const share = (endpoint: string, i: number) => (endpoint === ORDERS ? 0.15 : 0.9) * Math.min(1, i / 15);
  const lf = loadFactsWith(p, share);
  const orders = lf.endpoints[ORDERS]!.series;
  const products = lf.endpoints[PRODUCTS]!.series;
  const missesPerS = orders.requests.map((n, i) => (ordersBroken ? n : n - orders.repeats[i]!) + products.requests[i]! - products.repeats[i]!);
  const lookupsPerS = orders.requests.map((n, i) => n + products.requests[i]!);
  const misses = missesPerS.reduce((a, b) => a + b, 0);
  const lookups = lookupsPerS.reduce((a, b) => a + b, 0);
  // With `ordersReadSet`, orders' one Redis read a request is a SCARD of a set, not a cached value: nothing
  // fills its misses. Products also record each view (one SET a request), so the keyspace's writes outnumber
  // orders' misses and the fills do not decide.
  const ordersLookups = orders.requests.reduce((a, b) => a + b, 0);
  const writesPerS = options.ordersReadSet ? products.requests.map((n, i) => 2 * n - products.repeats[i]!) : missesPerS;
  const writes = writesPerS.reduce((a, b) => a + b, 0);
  p.redis!.series = {
    'redis.ops_per_s': lookupsPerS.map((n, i) => n + writesPerS[i]!),
    'redis.hits_per_s': lookupsPerS.map((n, i) => n - missesPerS[i]!),
    'redis.misses_per_s': missesPerS,
  };
  const reads = options.ordersReadSet
    ? [{ command: 'get', calls: lookups - ordersLookups, usec: (lookups - ordersLookups) * 5 }, { command: 'scard', calls: ordersLookups, usec: ordersLookups * 5 }]
    : [{ command: 'get', calls: lookups, usec: lookups * 5 }];
  p.redis!.data = {
    info: redisInfo({ keyspaceHits: lookups - misses, keyspaceMisses: misses }),
    commandStats: [...reads, ...(options.fills === false ? [] : [{ command: 'set', calls: writes, usec: writes * 6 }])],
    slowlog: [],
  };
  p.patch = { loadFacts: lf };
  return p;
}

test('the fit gives each user its misses per repeated request: about 1 where every repeat misses, about 0 where they hit', () => {
  const result = build(scenario(true));
  const probes = probeSet(result);
  const fit = repeatMissesByEndpoint({ result, probes, demand: computeDemands(result, probes) }, [ORDERS, PRODUCTS]);
  const orders = fit.find((m) => m.endpoint === ORDERS)!;
  const products = fit.find((m) => m.endpoint === PRODUCTS)!;
  assert.ok(Math.abs(orders.perRepeat - 1) < 0.1, `orders ${orders.perRepeat}`);
  assert.ok(products.perRepeat < 0.1, `products ${products.perRepeat}`);
  assert.ok(Math.abs(orders.perFirstTouch - 1) < 0.1 && Math.abs(products.perFirstTouch - 1) < 0.1, `first touches ${orders.perFirstTouch} ${products.perFirstTouch}`);
});

test('one endpoint missing its repeats is named where the cache as a whole looks cold, and the healthy one is not', () => {
  const findings = diagnose(build(scenario(true))).findings.filter((f) => f.category === 'cache-miss');
  const whole = findings.find((f) => f.id === 'cache-miss:hit-ratio');
  assert.equal(whole?.severity, 'info', 'the cache as a whole looks cold');
  const named = findings.filter((f) => f.metrics?.missesRepeatsOf);
  assert.deepEqual(named.map((f) => [f.metrics!.missesRepeatsOf, f.severity]), [[ORDERS, 'high']]);
  // The same service with both endpoints' repeats hitting: nothing beyond the cold note.
  const healthy = diagnose(build(scenario(false))).findings.filter((f) => f.category === 'cache-miss');
  assert.deepEqual(healthy.filter((f) => f.severity !== 'info').map((f) => f.id), []);
});

test('misses no request explains (another client, a timer) are the fit\'s constant, not the users\' repeats', () => {
  // A steady 50 requests/s whose first touches and repeats add up to a near constant, a working cache, and
  // 60 misses/s from elsewhere: without a constant of its own the fit gave the background to the repeats
  // (1.2 misses per repeated request, over half a first touch's 2.2).
  const p = healthyParts(3);
  for (const e of Object.values(p.endpoints)) e.requests = e.requests.map((_, i) => 50 + (i % 3) - 1);
  const lf = loadFactsWith(p, (_, i) => 0.9 * Math.min(1, i / 15));
  const products = lf.endpoints[PRODUCTS]!.series;
  p.redis!.series = {
    'redis.ops_per_s': products.requests.map((n) => n),
    'redis.hits_per_s': products.repeats.map((n) => n),
    'redis.misses_per_s': products.requests.map((n, i) => n - products.repeats[i]! + 60),
  };
  p.patch = { loadFacts: lf };
  const result = build(p);
  const probes = probeSet(result);
  const [fit] = repeatMissesByEndpoint({ result, probes, demand: computeDemands(result, probes) }, [PRODUCTS]);
  assert.ok(fit && fit.perRepeat < 0.1, `misses per repeat ${fit?.perRepeat}`);
  assert.ok(Math.abs(fit.perFirstTouch - 1) < 0.1, `misses per first touch ${fit.perFirstTouch}`);
});

test('lookups whose misses nothing fills are not a cache: a key looked up by design and never written is no broken cache', () => {
  // Every orders lookup misses, first touch or repeat, and nothing is ever written back (a flag checked per request).
  const findings = diagnose(build(scenario(true, { fills: false }))).findings;
  assert.deepEqual(findings.filter((f) => f.metrics?.missesRepeatsOf).map((f) => f.id), []);
});

test('misses of an endpoint that reads no cached value (a SCARD of an absent set on every request) are not a cache missing repeats', () => {
  // The same misses as the broken orders cache, but orders' one command a request is a SCARD (its calls are
  // orders' requests, the count identity): a repeated request reads no cached value, so it misses no cache.
  const findings = diagnose(build(scenario(true, { ordersReadSet: true }))).findings;
  assert.deepEqual(findings.filter((f) => f.metrics?.missesRepeatsOf).map((f) => f.id), []);
  // The endpoint's Redis commands are the fit's estimate, with its standard error.
  const result = build(scenario(true, { ordersReadSet: true }));
  const orders = computeDemands(result, probeSet(result)).demands.find((d) => d.endpoint === ORDERS);
  assert.ok(orders?.redisCommands !== undefined && orders.stdError?.redisCommands !== undefined, `orders' commands ${JSON.stringify(orders)}`);
});

test('an endpoint with fewer repeats than cacheMiss.minRepeats is not judged', () => {
  const p = scenario(true);
  const facts = p.patch!.loadFacts!;
  // Keep 20 of the orders' repeats: the rest become first touches (which miss anyway).
  const series = facts.endpoints[ORDERS]!.series;
  let kept = 0;
  series.repeats = series.repeats.map((n) => {
    const take = Math.min(n, Math.max(0, 20 - kept));
    kept += take;
    return take;
  });
  facts.endpoints[ORDERS]!.repeats = kept;
  const findings = diagnose(build(p)).findings;
  assert.deepEqual(findings.filter((f) => f.metrics?.missesRepeatsOf === ORDERS).map((f) => f.id), []);
});

test("the statement the endpoint's misses fall through to (its calls equal the fitted misses) is linked, so the cache ranks before it", () => {
  // Orders run their statement once per request, and every orders request misses: its calls equal the misses.
  const [f] = diagnose(build(scenario(true))).findings.filter((x) => x.metrics?.missesRepeatsOf === ORDERS);
  assert.ok(f, 'the orders endpoint is named');
  const linked = f.explains ?? [];
  assert.deepEqual(linked.find((e) => e.category === 'inefficient-query')?.ids, ['inefficient-query:101']);
  assert.deepEqual(linked.find((e) => e.category === 'missing-index')?.statements, ['SELECT id, total FROM orders WHERE customer_id = $1 ORDER BY id DESC LIMIT $2']);
  assert.ok(f.evidence.some((e) => e.label === 'statement run once per cache miss (its calls equal the misses)'), 'the statement is shown');
});
