/**
 * The capacity search as pure step outcomes: a modelled service whose
 * capacity is known (a step is sustained iff its rate is at or below the
 * capacity, optionally with run-to-run noise) is driven through
 * nextCapacityStep, and the estimate must bracket the capacity; repeats must
 * be interleaved and counted per rate; the estimate's rules are checked on
 * hand-made tallies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNEE_SEARCH_DEFAULTS, type JudgedStep, type KneeSearchOptions } from '../../src/capacity/knee.js';
import { estimateCapacity, nextCapacityStep, REPEAT_DEFAULTS, repeatGrid, tallyRates, type CapacityPhase } from '../../src/capacity/search.js';

const SEARCH: KneeSearchOptions = { ...KNEE_SEARCH_DEFAULTS, startRate: 10, maxSteps: 10, bisections: 3 };

function judged(rate: number, sustained: boolean, phase: CapacityPhase, achieved = rate): JudgedStep<CapacityPhase> {
  return {
    offeredRate: rate,
    achievedRate: achieved,
    windowSeconds: 4,
    p50Ms: 5,
    p95Ms: sustained ? 10 : 900,
    errorRate: 0,
    droppedIterations: 0,
    offeredIterations: rate * 5,
    latencyGrowthMs: sustained ? 0 : 500,
    phase,
    sustained,
    reasons: sustained ? [] : ['throughput short'],
  };
}

/** Drive the search against a service of capacity `k`; `capacityOf(i)` may vary it per run (noise). */
function simulate(k: number, capacityOf: (i: number) => number = () => k) {
  const steps: JudgedStep<CapacityPhase>[] = [];
  for (let i = 0; i < 100; i++) {
    const next = nextCapacityStep(steps, SEARCH, REPEAT_DEFAULTS);
    if (next.done) break;
    const cap = capacityOf(i);
    steps.push(judged(next.rate, next.rate <= cap, next.phase, Math.min(next.rate, cap)));
  }
  return steps;
}

test('search: ramp, bisection, then every grid rate repeated to 3 runs; the estimate brackets the capacity', () => {
  const steps = simulate(237);
  assert.ok(steps.length < 40, `${steps.length} steps`);
  const phases = steps.map((s) => s.phase);
  assert.equal(phases[0], 'ramp');
  assert.ok(phases.indexOf('repeat') > phases.lastIndexOf('bisect'), 'repeats come after the bisection');
  const e = estimateCapacity(steps);
  assert.equal(e.status, 'found');
  assert.ok(e.rate! <= 237 && e.upper! > 237, `${e.rate}..${e.upper}`);
  assert.ok(e.upper! / e.rate! < 1.1, 'three bisections from ×2 bracket within 10 %');
  const grid = e.tallies.filter((t) => t.rate >= e.rate! && t.rate <= e.upper!);
  assert.ok(grid.every((t) => t.runs >= 3), JSON.stringify(e.tallies));
  assert.ok(Math.abs(e.saturatedThroughput!.mean - 237) < 1e-9, 'failed steps finish at the capacity');
});

test('search: repeats are interleaved — every grid rate gets its second run before any gets its third', () => {
  const steps = simulate(237);
  const grid = [...new Set(steps.filter((s) => s.phase === 'repeat').map((s) => s.offeredRate))];
  assert.ok(grid.length >= 3);
  const runs = new Map<number, number>(grid.map((r) => [r, 0]));
  for (const s of steps) {
    if (s.phase === 'repeat') {
      const fewest = Math.min(...runs.values());
      assert.equal(runs.get(s.offeredRate), fewest, `${s.offeredRate}/s ran while another rate had fewer runs`);
    }
    if (runs.has(s.offeredRate)) runs.set(s.offeredRate, runs.get(s.offeredRate)! + 1);
  }
  assert.ok([...runs.values()].every((n) => n === 3));
});

test('search: a noisy service (capacity 200 ± 5 % per run) gives a bracket around 200, with the lower rate below the dips', () => {
  const noise = [1.03, 0.96, 1.01, 0.97, 1.04, 0.99, 1.02, 0.95, 1.0, 1.05];
  const steps = simulate(200, (i) => 200 * noise[i % noise.length]!);
  const e = estimateCapacity(steps);
  assert.ok(e.rate !== undefined && e.rate >= 150 && e.rate <= 210, `rate ${e.rate}`);
  assert.ok(e.upper === undefined || e.upper > e.rate!);
  for (const t of e.tallies.filter((x) => x.rate <= e.rate!)) assert.ok(t.rate === e.rate ? t.sustained === t.runs : true);
});

test('search: when the lowest grid rate fails in a repeat, a lower rate is added (at most twice)', () => {
  const knee = { status: 'found' as const, sustainedRate: 100, failedRate: 121, reasons: [] };
  const steps = [judged(100, true, 'ramp'), judged(121, false, 'bisect'), judged(100, false, 'repeat')];
  const grid = repeatGrid(knee, steps, REPEAT_DEFAULTS);
  assert.deepEqual(grid, [90.9, 100, 110, 121]);
  const worse = [...steps, judged(90.9, false, 'repeat')];
  assert.equal(repeatGrid(knee, worse, REPEAT_DEFAULTS).length, 5);
  const worst = [...worse, judged(82.6, false, 'repeat')];
  assert.equal(repeatGrid(knee, worst, REPEAT_DEFAULTS).length, 5, 'no more than maxExtensions rates added');
});

test('search: no repeats when the ramp never failed (not-reached) or failed from the start', () => {
  const allGood = simulate(1e9);
  assert.ok(allGood.every((s) => s.phase === 'ramp'));
  assert.equal(estimateCapacity(allGood).status, 'not-reached');
  const allBad = simulate(0.1);
  assert.ok(allBad.every((s) => s.phase === 'ramp'));
  const e = estimateCapacity(allBad);
  assert.equal(e.status, 'below-start');
  assert.equal(e.rate, undefined);
});

test('estimateCapacity: highest rate sustained in all runs, below a rate failing in all; notes a flaky lower rate', () => {
  const steps = [
    judged(80, true, 'ramp'),
    judged(80, false, 'repeat'),
    judged(90, true, 'repeat'),
    judged(90, true, 'repeat'),
    judged(100, true, 'repeat'),
    judged(100, false, 'repeat'),
    judged(110, false, 'repeat'),
    judged(120, true, 'repeat'), // a lucky pass above a rate that always fails does not count
    judged(120, false, 'repeat'),
  ];
  const e = estimateCapacity(steps);
  assert.equal(e.rate, 90);
  assert.equal(e.upper, 100);
  assert.match(e.notes.join(' '), /80\/s: 1 of 2/);
  assert.deepEqual(tallyRates(steps).map((t) => [t.rate, t.runs, t.sustained]), [[80, 2, 1], [90, 2, 2], [100, 2, 1], [110, 1, 0], [120, 2, 1]]);
});
