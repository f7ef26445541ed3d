/**
 * memory-growth is judged by slope, fit, size and shape, not by a minimum run length: a fast linear leak
 * in a 30 s run is reported; warm-up that flattens and a GC sawtooth are not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import { makeResult, probe, rng } from './helpers.js';

const N = 30;
const MB = 1024 * 1024;

function run(rss: number[], heap?: number[]) {
  const reqs = Array.from({ length: N }, () => 100);
  return makeResult({ 'GET /x': { requests: reqs } }, [
    probe('process', { rssBytes: rss, cpuPercent: reqs.map(() => 20) }),
    ...(heap ? [probe('prometheus', { heapUsedBytes: heap })] : []),
  ]);
}

const memoryFindings = (r: ReturnType<typeof run>) => diagnose(r, { rules: ['memory-growth'] }).findings;

test('a ~3 MB/s near-linear RSS and heap growth in a 30 s run is reported', () => {
  const r = rng(5);
  const rss = Array.from({ length: N }, (_, i) => 120 * MB + i * 3 * MB + (r() - 0.5) * 0.5 * MB);
  const heap = Array.from({ length: N }, (_, i) => 40 * MB + i * 2.8 * MB + (r() - 0.5) * 0.5 * MB);
  const [f] = memoryFindings(run(rss, heap));
  assert.ok(f, 'no memory-growth finding');
  assert.equal(f.category, 'memory-growth');
  const rate = f.evidence.find((e) => e.label === 'growth rate')!.value as number;
  assert.ok(rate > 150 && rate < 190, `rate ${rate} MB/min`);
  // 4 GB host (helper), ~200 MB used, 168–180 MB/min: exhausted in about 20 minutes → high.
  const minutes = f.evidence.find((e) => e.label === 'time to exhaust host memory')!.value as number;
  assert.ok(minutes > 15 && minutes < 25, `minutes ${minutes}`);
  assert.equal(f.severity, 'high');
});

test('warm-up growth that flattens towards a plateau is not a leak', () => {
  // Caches filling: +60 MB approaching a plateau with a 6 s time constant.
  const rss = Array.from({ length: N }, (_, i) => 120 * MB + 60 * MB * (1 - Math.exp(-i / 6)));
  assert.deepEqual(memoryFindings(run(rss)), []);
  // The same shape on the heap.
  const heap = Array.from({ length: N }, (_, i) => 30 * MB + 40 * MB * (1 - Math.exp(-i / 6)));
  assert.deepEqual(memoryFindings(run(rss.map(() => 150 * MB), heap)), []);
});

test('a GC sawtooth on the heap is judged by its floor: flat floor, no finding; a rising floor is a leak', () => {
  // Garbage grows the heap 4 MB/s, a major GC every 6 s returns it to the same floor.
  const sawtooth = Array.from({ length: N }, (_, i) => 40 * MB + (i % 6) * 4 * MB);
  const flatRss = Array.from({ length: N }, () => 150 * MB);
  assert.deepEqual(memoryFindings(run(flatRss, sawtooth)), []);
  // The same sawtooth whose floor rises 6 MB each collection (1 MB/s retained).
  const leaking = sawtooth.map((v, i) => v + Math.floor(i / 6) * 6 * MB);
  const [f] = memoryFindings(run(flatRss, leaking));
  assert.ok(f, 'no finding on a rising floor');
  assert.equal(f.id, 'memory-growth:heapUsedBytes');
  assert.match(f.summary, /after each major GC/);
});

test('a short, small or noisy growth stays below the bar', () => {
  const r = rng(9);
  // 2 MB over the run: below memory.minGrowthMB.
  assert.deepEqual(memoryFindings(run(Array.from({ length: N }, (_, i) => 120 * MB + i * 0.08 * MB))), []);
  // Noise without a trend.
  assert.deepEqual(memoryFindings(run(Array.from({ length: N }, () => 120 * MB + (r() - 0.5) * 20 * MB))), []);
});

test('a straight-line growth judged on under memory.minJudgedS is low: a fresh process warms up on a line too', () => {
  // A 10 s run: 8 s judged after the warm-up fifth, 2 MB/s on a clean line (what a freshly started service's warm-up looks like).
  const short = (n: number) => {
    const reqs = Array.from({ length: n }, () => 100);
    const rss = Array.from({ length: n }, (_, i) => 120 * MB + i * 2 * MB);
    return makeResult({ 'GET /x': { requests: reqs } }, [probe('process', { rssBytes: rss, cpuPercent: reqs.map(() => 20) })]);
  };
  const [f] = diagnose(short(11), { rules: ['memory-growth'] }).findings;
  assert.ok(f, 'still said');
  assert.equal(f.severity, 'low');
  assert.match(f.title, /over only 8 s/);
  assert.match(f.summary, /run at least 21 s to confirm/);
  // The same line over a 24 s run (19 s judged) is medium or above.
  const [long] = diagnose(short(24), { rules: ['memory-growth'] }).findings;
  assert.ok(long && long.severity !== 'low', JSON.stringify(long?.severity));
});

test('a short stretch is judged like any other when the service served the same load just before (diagnose\'s ramp)', () => {
  const reqs = Array.from({ length: 11 }, () => 100);
  const rss = Array.from({ length: 11 }, (_, i) => 120 * MB + i * 2 * MB);
  const result = makeResult({ 'GET /x': { requests: reqs } }, [probe('process', { rssBytes: rss, cpuPercent: reqs.map(() => 20) })]);
  const severity = (precededByLoadMs?: number) => diagnose({ ...result, precededByLoadMs }, { rules: ['memory-growth'] }).findings[0]?.severity;
  assert.equal(severity(undefined), 'low');
  // A 70 s capacity ramp of the same mix: past the warm-up.
  assert.notEqual(severity(70_000), 'low');
  assert.ok(severity(70_000));
  // A few seconds of load before are not a warm-up.
  assert.equal(severity(5_000), 'low');
});

test('the heap is judged by its old generation\'s floors when the service exports heap spaces: promotion between major collections is no leak', () => {
  const flatRss = Array.from({ length: N }, () => 220 * MB);
  const withOld = (old: number[]) => {
    const reqs = Array.from({ length: N }, () => 100);
    // The heap as a whole: the old generation plus a young generation filled and emptied by scavenges.
    const heap = old.map((v, i) => v + (i % 3) * 5 * MB);
    return makeResult({ 'GET /x': { requests: reqs } }, [
      probe('process', { rssBytes: flatRss, cpuPercent: reqs.map(() => 20) }),
      probe('prometheus', { heapUsedBytes: heap, heapOldUsedBytes: old }),
    ]);
  };
  const findings = (old: number[]) => diagnose(withOld(old), { rules: ['memory-growth'] }).findings;
  // Promotion of 0.5 MB/s and no major collection in the run: the old generation climbs on a line, live or not
  // (the whole heap's floor after each scavenge climbs with it). No major GC to judge by: a low note, "run longer".
  const [unsettled, ...more] = findings(Array.from({ length: N }, (_, i) => 30 * MB + i * 0.5 * MB));
  assert.equal(more.length, 0, 'one note');
  assert.equal(unsettled?.severity, 'low');
  assert.match(unsettled!.title, /no major collection ran/);
  // One major collection that took back most of the climb before it shows the climb to be garbage: nothing to
  // say when the level stays there.
  assert.deepEqual(findings(Array.from({ length: N }, (_, i) => 30 * MB + (i < 20 ? i * 0.5 * MB : 0))), []);
  // The climb after such a collection is judged on its own: growing again on a line, it is still unsettled.
  const after = findings(Array.from({ length: N }, (_, i) => 30 * MB + (i < 12 ? i : i - 12) * 0.5 * MB));
  assert.equal(after[0]?.severity, 'low');
  assert.match(after[0]!.title, /no major collection ran/);
  // One that freed little of it (most of the climb is live) leaves it unsettled: still the low note.
  assert.equal(findings(Array.from({ length: N }, (_, i) => 30 * MB + i * 0.5 * MB - (i >= 15 ? 1 * MB : 0)))[0]?.severity, 'low');
  // The same promotion with a major collection every 7 s back to the same level: garbage, no finding.
  assert.deepEqual(findings(Array.from({ length: N }, (_, i) => 30 * MB + (i % 7) * 1.5 * MB)), []);
  // Each collection returns 3 MB higher than the one before (0.43 MB/s kept): a leak, judged on the floors.
  const [f] = findings(Array.from({ length: N }, (_, i) => 30 * MB + (i % 7) * 1.5 * MB + Math.floor(i / 7) * 3 * MB));
  assert.ok(f, 'no finding on a rising old-generation floor');
  assert.equal(f.id, 'memory-growth:heapOldUsedBytes');
  assert.match(f.summary, /after each major GC/);
  assert.equal(f.evidence[0]!.source, 'nodejs_heap_space_size_used_bytes (old generation)');
});

test('RSS is judged beyond the heap\'s high-water mark: pages committed for the heap\'s rising peaks are the heap\'s', () => {
  // A fresh process sizing its heap: the garbage peaks rise 0.5 MB/s and V8 commits pages for them (RSS climbs
  // in step), while each scavenge returns the heap to the same floor — nothing is kept.
  const peaks = Array.from({ length: N }, (_, i) => 60 * MB + i * 0.5 * MB);
  const heap = peaks.map((p, i) => (i % 3 === 2 ? p : 40 * MB));
  const rss = peaks.map((p) => p + 150 * MB);
  assert.deepEqual(memoryFindings(run(rss, heap)), []);
  // The same RSS climb with the heap's peaks flat is memory the heap does not hold: off-heap.
  const flatHeap = Array.from({ length: N }, (_, i) => (i % 3 === 2 ? 60 * MB : 40 * MB));
  const [f] = memoryFindings(run(rss, flatHeap));
  assert.ok(f, 'no finding on off-heap growth');
  assert.equal(f.id, 'memory-growth:rssBytes');
  assert.match(f.summary, /beyond the heap's high-water mark/);
  assert.match(f.summary, /off-heap/);
});

test('a release of pages starts the heap\'s high-water mark again: RSS climbing back under the start-up peak is the heap\'s', () => {
  // Start-up: the heap peaks at 80 MB, then V8 hands those pages back (RSS 230 → 165 MB at 2 s). The heap's
  // garbage peaks then rise again from 55 MB, 0.6 MB/s, never back to 80, and RSS climbs with them; every
  // collection returns the heap to the same 45 MB floor: nothing is kept.
  const heapPeaks = Array.from({ length: N }, (_, i) => (i < 2 ? 80 * MB : 55 * MB + i * 0.6 * MB));
  const heap = heapPeaks.map((p, i) => (i % 3 === 2 || i < 2 ? p : 45 * MB));
  const rss = heapPeaks.map((p, i) => (i < 2 ? 230 * MB : p + 110 * MB));
  assert.deepEqual(memoryFindings(run(rss, heap)), []);
});
