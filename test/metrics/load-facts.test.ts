import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadFactsRecorder, mergeLoadFacts, hashRequestKey } from '../../src/metrics/load-facts.js';
import { buildLoadFacts } from '../../src/metrics/load-facts-build.js';
import { createRecorder, mergeSnapshots, buildResultMetrics } from '../../src/metrics/index.js';

const key = (path: string) => hashRequestKey('GET', path);

test('repeats count requests whose key was seen earlier; series is the warm-up curve', () => {
  const rec = new LoadFactsRecorder();
  const ep = rec.endpoint('GET /items/:id');
  // Second 0: keys 1,2,3 (all first touches); second 1: 1,2,4 (two repeats); second 2: 1,1 (two repeats).
  for (const [p, at] of [['/items/1', 100], ['/items/2', 200], ['/items/3', 300], ['/items/1', 1100], ['/items/2', 1200], ['/items/4', 1300], ['/items/1', 2100], ['/items/1', 2200]] as const) {
    ep.note(key(p), at - 10, at, false);
  }
  const facts = buildLoadFacts(rec.snapshot(), 3000, 1);
  const e = facts.endpoints['GET /items/:id']!;
  assert.equal(e.requests, 8);
  assert.equal(e.repeats, 4);
  assert.equal(e.distinctKeys, 4);
  assert.equal(e.idealHitRatio, 0.5);
  assert.deepEqual(e.series.repeats, [0, 2, 2]);
  assert.deepEqual(e.series.requests, [3, 3, 2]);
  assert.equal(e.keySource, 'url');
});

test('in-flight is request time overlapping each interval over its length (Little)', () => {
  const rec = new LoadFactsRecorder();
  const ep = rec.endpoint('GET /slow');
  // One request from 500 ms to 2500 ms: half of second 0, all of second 1, half of second 2.
  ep.note(key('/slow'), 500, 2500, false);
  // Ten 90 ms requests inside second 2 → +0.9 in-flight there.
  for (let i = 0; i < 10; i++) ep.note(key('/slow'), 2000 + i * 100, 2090 + i * 100, false);
  const e = buildLoadFacts(rec.snapshot(), 2900, 1).endpoints['GET /slow']!;
  assert.deepEqual(e.series.inFlight, [0.5, 1, 1.4]);
  assert.equal(e.meanInFlight, 1);
});

test('merging parts: a key first touched by two parts is a repeat in the later one', () => {
  const a = new LoadFactsRecorder();
  const b = new LoadFactsRecorder();
  a.endpoint('E').note(key('/x'), 0, 500, false); // first touch overall
  b.endpoint('E').note(key('/x'), 1000, 1500, false); // a first touch in b, a repeat overall
  b.endpoint('E').note(key('/y'), 1000, 1600, false);
  a.endpoint('E').note(key('/y'), 2000, 2100, false); // b touched /y first
  const merged = mergeLoadFacts([a.snapshot(), b.snapshot()])!;
  const e = buildLoadFacts(merged, 3000, 2).endpoints['E']!;
  assert.equal(e.requests, 4);
  assert.equal(e.repeats, 2);
  assert.deepEqual(e.series.repeats, [0, 1, 1]);
  assert.equal(e.distinctKeys, 2);
});

test('the key bound counts unknown requests as untracked and marks the facts inexact', () => {
  const rec = new LoadFactsRecorder({ maxKeysPerEndpoint: 2 });
  const ep = rec.endpoint('E');
  for (const [i, p] of ['/1', '/2', '/3', '/1', '/3'].entries()) ep.note(key(p), i * 20, i * 20 + 10, false);
  const facts = buildLoadFacts(rec.snapshot(), 1000, 1);
  const e = facts.endpoints['E']!;
  assert.equal(e.repeats, 1); // only /1 is remembered and repeated
  assert.equal(e.untracked, 2); // /3 twice: cannot tell
  assert.equal(e.capped, true);
  assert.equal(facts.merge.exact, false);
});

test('long runs coarsen the series instead of growing without bound', () => {
  const rec = new LoadFactsRecorder({ maxSlots: 4 });
  const ep = rec.endpoint('E');
  for (let s = 0; s < 8; s++) ep.note(key(`/${s % 2}`), s * 1000 + 100, s * 1000 + 200, false);
  const snap = rec.snapshot();
  assert.equal(snap.slotMs, 2000);
  assert.deepEqual(snap.endpoints['E']!.requests, [2, 2, 2, 2]);
  assert.deepEqual(snap.endpoints['E']!.repeats, [0, 2, 2, 2]);
});

test('the recorder carries the facts through snapshot, merge and build', () => {
  const parts = [0, 1].map(() => createRecorder({ runStartMs: 1000 }));
  for (const [i, r] of parts.entries()) {
    const h = r.endpoint('s', 'GET', 'GET /a/:id');
    for (const [j, id] of [1, 2, 1].entries()) {
      h.record(200, undefined, 1000, 1000, 900, 0, 10, 10);
      h.noteLoad!(key(`/a/${id}`), 1000 + i * 100 + j * 10 + 50, 1000 + i * 100 + j * 10 + 51, false);
    }
  }
  const merged = mergeSnapshots(parts.map((p) => p.snapshot()));
  const m = buildResultMetrics(merged, { durationMs: 1000 });
  const e = m.loadFacts!.endpoints['GET /a/:id']!;
  assert.equal(e.requests, 6);
  // Each part: one repeat of /a/1; across parts /a/1 and /a/2 were first touched by part 0.
  assert.equal(e.repeats, 4);
  assert.equal(m.loadFacts!.merge.parts, 2);
});

test('the hash separates method and path and spreads close keys', () => {
  assert.notEqual(hashRequestKey('GET', '/a'), hashRequestKey('POST', '/a'));
  const seen = new Set<number>();
  for (let i = 0; i < 100_000; i++) seen.add(hashRequestKey('GET', `/items/${i}`));
  assert.equal(seen.size, 100_000);
  for (const h of seen) assert.ok(h >= 0 && h < 2 ** 52 && Number.isInteger(h));
});

test('a perfect cache hits only keys already fetched: duplicates sent while the first is in flight, or after it failed, are first touches', () => {
  const rec = new LoadFactsRecorder();
  const ep = rec.endpoint('GET /items/:id');
  // Past capacity: /1 is sent at 0 and takes 3 s; two more /1 are sent at 1 s and 2 s, before it completes.
  ep.note(key('/items/1'), 0, 3000, false);
  ep.note(key('/items/1'), 1000, 3100, false);
  ep.note(key('/items/1'), 2000, 3200, false);
  // Sent after the first fetch completed: a cache could hit it.
  ep.note(key('/items/1'), 3050, 3300, false);
  // /2 fails (a timeout): nothing was fetched, so the next /2 is a first touch, and the one after it a repeat.
  ep.note(key('/items/2'), 0, 1000, false, false);
  ep.note(key('/items/2'), 1500, 1600, false);
  ep.note(key('/items/2'), 1700, 1800, false);
  const e = buildLoadFacts(rec.snapshot(), 4000, 1).endpoints['GET /items/:id']!;
  assert.equal(e.requests, 7);
  assert.equal(e.repeats, 2);
  assert.equal(e.distinctKeys, 2);
});
