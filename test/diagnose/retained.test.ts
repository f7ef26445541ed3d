/**
 * Placing a memory growth by the memory round: what each endpoint keeps alone (the climb of the heap's
 * old generation over its step's second half), and the placement on the endpoint that owns the growth.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/result/types.js';
import { climbOver, placeMemoryGrowth, retainedAlone } from '../../src/diagnose/experiment/retained.js';
import { confirmFindings, isMemorySuspect, isUnplaced, type IsolatedOutcome } from '../../src/diagnose/experiment/confirm.js';
import { makeResult, probe } from './helpers.js';
import { renderExperimentSummary } from '../../src/report/experiment-text.js';

const MB = 1024 * 1024;

/**
 * Three 8 s steps (a, leak, b), 20 requests per second each. What the leak's requests keep reaches the
 * old generation 3 s late (promotion after two scavenges), so the first 3 s of step b still climb; a
 * major collection frees older garbage in step b. The total heap is a scavenge sawtooth.
 */
function memoryRound(leakMbPerS: number) {
  const steps = ['GET /a', 'GET /leak', 'GET /b'];
  const seconds = 24;
  const endpoints = Object.fromEntries(steps.map((e, k) => [e, { requests: Array.from({ length: seconds }, (_, i) => (Math.floor(i / 8) === k ? 20 : 0)) }]));
  let old = 80 * MB;
  const oldGeneration: number[] = [];
  const heap: number[] = [];
  for (let i = 0; i < seconds; i++) {
    if (i >= 8 + 3 && i < 16 + 3) old += leakMbPerS * MB;
    if (i === 20) old -= 30 * MB;
    oldGeneration.push(old);
    heap.push(old + (i % 2 === 0 ? 15 * MB : 2 * MB));
  }
  return makeResult(endpoints, [probe('prometheus', { heapUsedBytes: heap, heapOldUsedBytes: oldGeneration })]);
}

test('climbOver: the sum of the rises whose later sample lies in the window; falls left out', () => {
  const series = [[0, 5], [1, 9], [2, 6], [3, 8], [4, 7]] as const;
  assert.equal(climbOver(series, 0, 4), 4 + 2);
  assert.equal(climbOver(series, 2, 4), 2);
  assert.equal(climbOver(series, 10, 20), undefined, 'no sample in the window');
});

test('retainedAlone: judged on the second half of each step, where the step before it no longer promotes', () => {
  const out = retainedAlone(memoryRound(1), ['GET /a', 'GET /leak', 'GET /b']);
  const leak = out.get('GET /leak')!;
  assert.equal(leak.requests, 80, 'the last 4 s of the step');
  assert.equal(leak.seconds, 4);
  assert.ok(Math.abs(leak.oldGenerationBytes! - 4 * MB) <= 1 * MB, `leak kept ${leak.oldGenerationBytes! / MB} MB`);
  assert.equal(out.get('GET /a')!.oldGenerationBytes, 0);
  assert.equal(out.get('GET /b')!.oldGenerationBytes, 0, 'the leak promoted late and the collection fall in step b are not its own');
  assert.equal(out.get('GET /a')!.rssBytes, undefined, 'RSS was not sampled');
  const bare = retainedAlone(makeResult({ 'GET /a': { requests: [1, 1] } }), ['GET /a']).get('GET /a');
  assert.equal(bare?.oldGenerationBytes, undefined, 'no memory series: only the requests');
});

function growth(mbPerMin: number): Finding {
  return {
    id: 'memory-growth:heapUsedBytes',
    rule: 'memory-growth',
    category: 'memory-growth',
    severity: 'medium',
    title: 'Memory grows',
    summary: '',
    evidence: [],
    metrics: { memoryGrowthMBPerMin: mbPerMin },
    recommendation: { text: 'snapshot' },
    confidence: 0.75,
    impact: 0.3,
  };
}

/** An endpoint of the memory round that kept `keptKbPerRequest` alone and ran at `mixedRps` in the mixed run. */
const alone = (endpoint: string, keptKbPerRequest: number, mixedRps: number): IsolatedOutcome => ({
  endpoint,
  status: 'ran',
  findings: [],
  statements: [],
  retained: { oldGenerationBytes: keptKbPerRequest * 1024 * 100, rssBytes: 0, requests: 100, seconds: 8 },
  mixedRps,
});

test('a memory growth is the memory round\'s suspect, not the short isolation\'s', () => {
  assert.equal(isMemorySuspect(growth(6)), true);
  assert.equal(isMemorySuspect({ ...growth(6), severity: 'low' }), false);
  assert.equal(isMemorySuspect({ ...growth(6), endpoint: 'GET /a' }), false);
  assert.equal(isUnplaced(growth(6)), false);
});

test('the endpoint keeping most above the typical endpoint, at its mixed rate, is named; every part is evidence', () => {
  // Typical endpoint: 2 KB per request (median). GET /leak keeps 10 KB more × 10 req/s = 100 KB/s of a 6 MB/min (102 KB/s) growth.
  const outcomes = [alone('GET /a', 2, 30), alone('GET /leak', 12, 10), alone('GET /b', 1, 30), alone('GET /c', 2, 20)];
  const [placed] = confirmFindings([growth(6)], [], outcomes);
  assert.equal(placed!.endpoint, 'GET /leak');
  assert.equal(placed!.confirmation?.status, 'confirmed');
  assert.equal(placed!.confirmation?.shownBy, 'GET /leak');
  assert.equal(placed!.severity, 'medium');
  assert.match(placed!.confirmation!.reason!, /GET \/leak alone kept 12 KB per request in the old generation, 10 KB above the typical endpoint's: at its mixed rate 98 % of the mixed run's growth/);
  assert.deepEqual(placed!.confirmation!.evidence.slice(0, 3).map((e) => e.label), ["mixed run's growth", 'typical endpoint alone (median, old generation)', 'kept alone: GET /leak']);
  assert.equal(placed!.confirmation!.evidence.length, 6);
});

test('no owner: an excess short of the growth, or no majority, stays not tested; all ran and little promoted refutes', () => {
  // The same leak against a 20 MB/min growth (341 KB/s): 29 %.
  const [short] = confirmFindings([growth(20)], [], [alone('GET /a', 2, 30), alone('GET /leak', 12, 10), alone('GET /b', 1, 30), alone('GET /c', 2, 20)]);
  assert.equal(short!.confirmation?.status, 'not-tested');
  assert.equal(short!.severity, 'medium');
  assert.equal(short!.endpoint, undefined);
  assert.match(short!.confirmation!.reason!, /GET \/leak keeps the most above the typical endpoint, but only 29 % of the mixed run's growth/);
  // Two endpoints keep alike: no majority.
  const [split] = confirmFindings([growth(6)], [], [alone('GET /a', 8, 10), alone('GET /b', 8, 10), alone('GET /c', 1, 30), alone('GET /d', 1, 30)]);
  assert.equal(split!.confirmation?.status, 'not-tested');
  assert.match(split!.confirmation!.reason!, /no endpoint keeps most of what the endpoints keep above the typical one/);
  // Together 12 KB/s, garbage included, of a 102 KB/s growth, every endpoint run: requests do not drive it.
  const [warmUp] = confirmFindings([growth(6)], [], [alone('GET /a', 0.2, 30), alone('GET /b', 0.2, 30)]);
  assert.equal(warmUp!.confirmation?.status, 'refuted');
  assert.equal(warmUp!.severity, 'low');
  // … but with an endpoint not run, it may be that one's.
  const untried: IsolatedOutcome = { endpoint: 'GET /c', status: 'not-tested', reason: 'over the isolation budget', findings: [], statements: [] };
  const [open] = confirmFindings([growth(6)], [], [alone('GET /a', 0.2, 30), alone('GET /b', 0.2, 30), untried]);
  assert.equal(open!.confirmation?.status, 'not-tested');
  assert.match(open!.confirmation!.reason!, /not run alone: GET \/c/);
  assert.equal(placeMemoryGrowth(growth(6), []).confirmation?.reason, 'the memory round did not run');
});

test('without V8 heap spaces the parts are read in RSS', () => {
  const rssOnly = (endpoint: string, kb: number, rps: number): IsolatedOutcome => ({ endpoint, status: 'ran', findings: [], statements: [], retained: { rssBytes: kb * 1024 * 100, requests: 100, seconds: 8 }, mixedRps: rps });
  // Growth 30 MB/min = 512 KB/s; GET /leak keeps 39 KB above the typical 1 KB × 10 req/s = 390 KB/s.
  const placed = placeMemoryGrowth(growth(30), [rssOnly('GET /a', 1, 30), rssOnly('GET /leak', 40, 10), rssOnly('GET /b', 1, 30)]);
  assert.equal(placed.endpoint, 'GET /leak');
  assert.match(placed.confirmation!.reason!, /in the RSS/);
});

test('the terminal summary lists the memory round: what each endpoint kept, or why it was not tested', () => {
  const result = makeResult({ 'GET /leak': { requests: [10, 10] } }, [], {
    findings: [],
    experiment: {
      steps: [],
      knee: { status: 'not-reached', reasons: [] },
      chosenRate: 20,
      chosenBy: 'plan',
      isolation: [],
      memory: [
        { endpoint: 'GET /leak', findingIds: ['memory-growth:heapUsedBytes'], status: 'ran', rate: 10, durationMs: 16_000, requests: 160, retained: { oldGenerationBytes: 12 * 1024 * 80, rssBytes: 0, requests: 80, seconds: 8 } },
        { endpoint: 'GET /b', findingIds: ['memory-growth:heapUsedBytes'], status: 'not-tested', reason: 'over the isolation budget (--max-isolations 7)' },
      ],
      durationMs: 60_000,
    },
  });
  const text = renderExperimentSummary(result, { color: false });
  assert.match(text, /memory: GET \/leak at 10\/s for 16 s: kept 12 KB per request \(old generation\)/);
  assert.match(text, /memory: GET \/b not tested: over the isolation budget/);
});
