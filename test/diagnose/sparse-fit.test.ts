import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sparseNnls } from '../../src/diagnose/sparse-fit.js';
import { rng } from './helpers.js';

/** Per-second request counts of `endpoints` endpoints in a uniform mix at `rate` req/s, for `seconds` s. */
function mixedCounts(seed: number, seconds: number, endpoints: number, rate: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: seconds }, () => {
    const row = new Array<number>(endpoints).fill(0);
    for (let i = 0; i < rate; i++) row[Math.floor(r() * endpoints)]!++;
    return row;
  });
}

/**
 * Share of a second's calls counted in the next second: the probe samples pg_stat_statements tens of
 * milliseconds off the generator's interval boundary (sampling takes 5–30 ms), so a few per cent; 10 % is harsh.
 */
const SHIFT = 0.1;

/** Calls of a statement issued `perRequest` times by each endpoint in `owners`, with requests straddling sample boundaries. */
function statementCalls(counts: number[][], owners: Record<number, number>, seed: number): number[] {
  const r = rng(seed);
  return counts.map((row, i) => {
    let calls = 0;
    for (const [k, per] of Object.entries(owners)) {
      // A request straddling a sample boundary has its calls counted in the neighbouring second: move up to SHIFT of them.
      const here = row[Number(k)]! * per;
      const moved = Math.round(here * SHIFT * r());
      const fromPrev = i > 0 ? Math.round(counts[i - 1]![Number(k)]! * per * SHIFT * r()) : 0;
      calls += here - moved + fromPrev;
    }
    return calls;
  });
}

test('a statement of one endpoint in a 12 s mixed run over 10 endpoints is attributed to it alone', () => {
  let right = 0;
  const trials = 40;
  for (let seed = 1; seed <= trials; seed++) {
    const counts = mixedCounts(seed, 12, 10, 40);
    const calls = statementCalls(counts, { 3: 1 }, seed + 100);
    const fit = sparseNnls(counts, calls);
    if (fit.selected.length === 1 && fit.selected[0] === 3 && Math.abs(fit.x[3]! - 1) < 0.3) right++;
  }
  assert.ok(right >= 0.9 * trials, `${right}/${trials} trials attributed to the owner alone`);
});

test('an N+1 statement (20 calls per request) and a statement shared by two endpoints keep their owners', () => {
  const counts = mixedCounts(7, 30, 10, 40);
  const n1 = sparseNnls(counts, statementCalls(counts, { 5: 20 }, 8));
  assert.deepEqual(n1.selected, [5]);
  assert.ok(Math.abs(n1.x[5]! - 20) < 2, `${n1.x[5]}`);
  const shared = sparseNnls(counts, statementCalls(counts, { 1: 1, 8: 2 }, 9));
  assert.deepEqual([...shared.selected].sort(), [1, 8]);
  assert.ok(Math.abs(shared.x[8]! - 2) < 0.5 && Math.abs(shared.x[1]! - 1) < 0.5, JSON.stringify(shared.x));
});

test('no signal selects nothing; an exact fit does not blow up', () => {
  const counts = mixedCounts(3, 12, 4, 20);
  assert.deepEqual(sparseNnls(counts, counts.map(() => 0)).selected, []);
  const exact = sparseNnls(counts, counts.map((row) => 2 * row[2]!));
  assert.deepEqual(exact.selected, [2]);
  assert.ok(Math.abs(exact.x[2]! - 2) < 1e-6);
});
