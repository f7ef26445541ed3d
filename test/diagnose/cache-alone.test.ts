// cache-miss judged per endpoint in a run of endpoints alone (profile, isolation): an endpoint's own seconds'
// hits against its own repeated requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import type { LoadFacts } from '../../src/result/types.js';
import { cacheAloneByEndpoint } from '../../src/diagnose/rules/cache-alone.js';
import { makeResult, probe } from './helpers.js';
import { redisInfo } from './scenarios.js';

const HOME = 'GET /home/:pub';
const ITEM = 'GET /items/:id';
const SECONDS = 20;

/** HOME alone in seconds 0–9 (10/s over 15 keys), ITEM alone in 10–19 (20/s, one repeat in ten). */
function profileRun(homeHitsPerRepeat: number, lookupsPerRequest = 2, edgeShortfall = 0) {
  const homeReq = Array.from({ length: SECONDS }, (_, i) => (i < 10 ? 10 : 0));
  const itemReq = Array.from({ length: SECONDS }, (_, i) => (i >= 10 ? 20 : 0));
  const homeRep = homeReq.map((n, i) => (i === 0 ? 0 : i === 1 ? 5 : n));
  const itemRep = itemReq.map((n) => n / 10);
  // Two lookups per request: the page key (hits only on a repeat, when the cache works) and a key that is
  // never cached (always a miss). ITEM's cache never hits either, but it repeated too few keys to be judged.
  const hits = homeReq.map((_, i) => homeRep[i]! * homeHitsPerRepeat);
  const misses = homeReq.map((n, i) => lookupsPerRequest * n - homeRep[i]! * homeHitsPerRepeat + 2 * itemReq[i]! - (i === 0 ? edgeShortfall : 0));
  const series = (reqs: number[], reps: number[]) => ({ requests: reqs, repeats: reps, inFlight: reqs.map((n) => n / 100) });
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const entry = (reqs: number[], reps: number[]) => ({
    requests: total(reqs), repeats: total(reps), distinctKeys: total(reqs) - total(reps), idealHitRatio: total(reps) / total(reqs),
    untracked: 0, capped: false, keySource: 'url' as const, meanInFlight: 0.1, series: series(reqs, reps),
  });
  const loadFacts: LoadFacts = {
    intervalMs: 1000,
    t: Array.from({ length: SECONDS }, (_, i) => i * 1000),
    endpoints: { [HOME]: entry(homeReq, homeRep), [ITEM]: entry(itemReq, itemRep) },
    merge: { parts: 1, exact: true },
  };
  const lookups = total(hits) + total(misses);
  const redis = probe(
    'redis',
    { 'redis.hits_per_s': hits, 'redis.misses_per_s': misses, 'redis.ops_per_s': hits.map((h, i) => h + misses[i]!) },
    { info: redisInfo({ keyspaceHits: total(hits), keyspaceMisses: total(misses) }), commandStats: [{ command: 'get', calls: lookups, usec: lookups * 5 }], slowlog: [] },
  );
  return makeResult({ [HOME]: { requests: homeReq, serviceMeanMs: 20 }, [ITEM]: { requests: itemReq, serviceMeanMs: 3 } }, [redis], { loadFacts });
}

/** cacheAloneByEndpoint on a profile run's evidence (the rule's input, built by hand). */
function cacheAloneByEndpointOf(r: ReturnType<typeof profileRun>) {
  const input = { result: r, demand: { method: 'profile' } } as unknown as Parameters<typeof cacheAloneByEndpoint>[0];
  input.probes = { redis: r.probes!.find((p) => p.probe === 'redis') } as never;
  return cacheAloneByEndpoint(input)!;
}

test("each endpoint's own seconds: its hits and misses, its requests and repeats", () => {
  const rows = cacheAloneByEndpointOf(profileRun(0));
  const home = rows.find((x) => x.endpoint === HOME)!;
  assert.deepEqual([home.requests, home.repeats, home.hits, home.misses], [100, 85, 0, 200]);
});

test('alone, an endpoint whose repeated keys never hit is a broken cache on it; one whose hits cover its repeats is not', () => {
  const broken = diagnose(profileRun(0)).findings.filter((f) => f.rule === 'cache-miss-alone');
  assert.deepEqual(broken.map((f) => [f.endpoint, f.severity]), [[HOME, 'high']], JSON.stringify(broken.map((f) => f.title)));
  assert.match(broken[0]!.title, /0 hits for 85 repeated requests/);
  // Every repeat hits (its other lookup still misses, halving the ratio): the cache works.
  const healthy = diagnose(profileRun(1)).findings.filter((f) => f.rule === 'cache-miss-alone');
  assert.deepEqual(healthy, []);
  // ITEM repeated 20 keys (fewer than cacheMiss.minRepeats) and none hit: too few to judge, in both runs.
  assert.ok(!broken.some((f) => f.endpoint === ITEM));
  const item = cacheAloneByEndpointOf(profileRun(0)).find((x) => x.endpoint === ITEM)!;
  assert.deepEqual([item.repeats, item.hits], [20, 0]);
});

test('one lookup per request, a few short at the edge of its seconds alone (counted per Redis sample, not per completion): still judged', () => {
  // newsroom's home page in a diagnose isolation: 69 requests, one GET each under a key never written, no hit.
  const broken = diagnose(profileRun(0, 1, 2)).findings.filter((f) => f.rule === 'cache-miss-alone');
  assert.deepEqual(broken.map((f) => f.endpoint), [HOME], JSON.stringify(broken.map((f) => f.title)));
  // Far fewer lookups than requests: the endpoint does not look the cache up on every request; not judged.
  assert.deepEqual(diagnose(profileRun(0, 0.5)).findings.filter((f) => f.rule === 'cache-miss-alone').map((f) => f.endpoint), []);
});
