// cache-miss judged per cache from the service's own hit/miss counters: the count identity ties a cache to the
// endpoint that looks it up once per request, and that endpoint's repeats are the ideal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import type { LoadFacts } from '../../src/result/types.js';
import type { AppCacheSummary } from '../../src/probes/prometheus/types.js';
import { makeResult, probe } from './helpers.js';

const MENU = 'GET /restaurants/:id/menu';
const ITEM = 'GET /menu-items/:id';
const SECONDS = 10;

/** A mixed run: MENU 12/s over 20 keys (repeats all but the first 20), ITEM 20/s over 1,200 keys; the app counts its caches. */
function mixedRun(caches: AppCacheSummary[], others: Record<string, number> = {}) {
  const menuReq = new Array<number>(SECONDS).fill(12);
  const itemReq = new Array<number>(SECONDS).fill(20);
  const menuRep = menuReq.map((n, i) => (i === 0 ? 0 : i === 1 ? 4 : n));
  const itemRep = itemReq.map((n, i) => (i < 3 ? 0 : 3));
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const entry = (reqs: number[], reps: number[]) => ({
    requests: total(reqs), repeats: total(reps), distinctKeys: total(reqs) - total(reps), idealHitRatio: total(reps) / total(reqs),
    untracked: 0, capped: false, keySource: 'url' as const, meanInFlight: 0.1, series: { requests: reqs, repeats: reps, inFlight: reqs.map(() => 0.1) },
  });
  const loadFacts: LoadFacts = {
    intervalMs: 1000,
    t: Array.from({ length: SECONDS }, (_, i) => i * 1000),
    endpoints: { [MENU]: entry(menuReq, menuRep), [ITEM]: entry(itemReq, itemRep) },
    merge: { parts: 1, exact: true },
  };
  const prometheus = probe('prometheus', { cpuPercent: new Array<number>(SECONDS).fill(20) }, { url: 'x', scrapes: SECONDS, failedScrapes: 0, families: [], pools: [], http: [], caches });
  // Other endpoints, with `n` requests in the run, outside the load facts' cache users.
  const extra = Object.fromEntries(Object.entries(others).map(([e, n]) => [e, { requests: Array.from({ length: SECONDS }, (_, i) => (i === 0 ? n - 12 * (SECONDS - 1) : 12)), serviceMeanMs: 5 }]));
  return makeResult({ [MENU]: { requests: menuReq, serviceMeanMs: 12 }, [ITEM]: { requests: itemReq, serviceMeanMs: 4 }, ...extra }, [prometheus], { loadFacts });
}

const counter = (cache: string, hits: number, misses: number): AppCacheSummary => ({ metric: 'bistro_cache_requests_total', labels: { cache }, hits, misses });

test("a counted cache whose lookups equal one endpoint's requests is judged on that endpoint's repeats", () => {
  // 120 menu requests, 100 repeats; the menu cache is read under one key and written under another: no hit.
  const broken = diagnose(mixedRun([counter('menu', 0, 120), counter('items', 30, 170)])).findings.filter((f) => f.rule === 'cache-miss-counter');
  assert.deepEqual(broken.map((f) => [f.endpoint, f.severity, f.attribution]), [[MENU, 'high', 'direct']], JSON.stringify(broken.map((f) => f.title)));
  assert.match(broken[0]!.title, /GET \/restaurants\/:id\/menu misses the cache on keys that repeat: 0 hits for 100 repeated requests \(its cache bistro_cache_requests_total\{cache="menu"\}/);
  assert.ok(broken[0]!.evidence.some((e) => e.label === 'cache misses' && e.value === 120 && /bistro_cache_requests_total/.test(e.source)));
});

test('a counted cache whose hits cover its repeats is not broken; one no endpoint or several match is not judged', () => {
  const healthy = diagnose(mixedRun([counter('menu', 100, 20)])).findings.filter((f) => f.rule === 'cache-miss-counter');
  assert.deepEqual(healthy, []);
  // 240 lookups: two per menu request, or one per request of both endpoints? The identity decides nothing.
  const unmatched = diagnose(mixedRun([counter('menu', 0, 240)])).findings.filter((f) => f.rule === 'cache-miss-counter');
  assert.deepEqual(unmatched, []);
  // ITEM's cache (200 lookups for its 200 requests) repeated 21 keys, too few to judge.
  assert.deepEqual(diagnose(mixedRun([counter('items', 0, 200)])).findings.filter((f) => f.rule === 'cache-miss-counter'), []);
});

test("an endpoint a request away is a coincidence: the nearest count owns the lookups; two as near decide nothing", () => {
  const near = diagnose(mixedRun([counter('menu', 0, 120)], { 'GET /orders/:id': 121 })).findings.filter((f) => f.rule === 'cache-miss-counter');
  assert.deepEqual(near.map((f) => f.endpoint), [MENU]);
  // 119 lookups: MENU (120) and GET /orders/:id (118) are each one away.
  const tie = diagnose(mixedRun([counter('menu', 0, 119)], { 'GET /orders/:id': 118 })).findings.filter((f) => f.rule === 'cache-miss-counter');
  assert.deepEqual(tie, []);
});
