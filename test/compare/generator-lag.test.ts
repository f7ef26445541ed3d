// compare withholds a verdict for a limited generator only when its measured delays could explain the
// difference or hide one; otherwise the verdict stands with the delay as a note.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../src/compare/compare.js';
import { generatorContaminationMs } from '../../src/compare/guardrails.js';
import type { GeneratorHealth, RunResult } from '../../src/result/types.js';
import { runsWithP95 } from './fixtures/runs.js';

const BEFORE = [100, 101, 99, 100, 102];
const FASTER = [60, 61, 59, 62, 58];
const SAME = [100, 102, 99, 101, 100];

/** Mark run `i` of `runs` as limited by its generator with the given delays (ms). */
function limit(runs: RunResult[], i: number, delays: { lagP99: number; loopP99: number }, how: GeneratorHealth['limitedBy'] = 'generator-cpu'): RunResult[] {
  const r = runs[i]!;
  r.generator = {
    ...r.generator,
    saturated: how === 'generator-cpu',
    limitedBy: how,
    evidence: how === 'generator-cpu' ? [{ label: 'share of seconds with generator CPU > 90%', value: 80, unit: '%', limit: 50 }] : [],
    distortion: { share: 0.2, basis: 'start lag p99 / response time p99', limit: 0.1 },
    startLag: { mean: delays.lagP99 / 4, p50: delays.lagP99 / 5, p99: delays.lagP99 },
    eventLoopDelay: { p50: delays.loopP99 / 5, p99: delays.loopP99, max: delays.loopP99 * 2 },
  };
  return runs;
}

test('a 40 ms improvement stands when the generator\'s delays reach only 8 ms; the delay is a note', () => {
  const after = limit(runsWithP95('b', FASTER, 1), 2, { lagP99: 5, loopP99: 3 });
  const c = compareRuns(runsWithP95('a', BEFORE, 0), after);
  assert.equal(c.verdict, 'improved', JSON.stringify(c.reasons));
  assert.ok(c.warnings.some((w) => /generator's delays reach 8\.0 ms/.test(w) && /verdict stands/.test(w)), c.warnings.join('\n'));
});

test('the same improvement is withheld when the delays (55 ms) could account for it', () => {
  const after = limit(runsWithP95('b', FASTER, 1), 2, { lagP99: 50, loopP99: 5 });
  const c = compareRuns(runsWithP95('a', BEFORE, 0), after);
  assert.equal(c.verdict, 'inconclusive');
  const reason = c.reasons.find((r) => r.code === 'generator-saturated')!;
  assert.deepEqual(reason.runs, ['b3']);
  assert.match(reason.message, /within the 55\.0 ms/);
  assert.equal(c.rows.find((r) => r.primary)!.verdict, 'improved');
});

test('no change: withheld when the delays could hide a change of the noise threshold, kept when they cannot', () => {
  const small = compareRuns(runsWithP95('a', BEFORE, 0), limit(runsWithP95('b', SAME, 1), 0, { lagP99: 1, loopP99: 1 }, 'host-contention'));
  assert.equal(small.verdict, '~', JSON.stringify(small.reasons));
  assert.ok(small.warnings.some((w) => /cannot hide a change/.test(w)));
  const large = compareRuns(runsWithP95('a', BEFORE, 0), limit(runsWithP95('b', SAME, 1), 0, { lagP99: 20, loopP99: 5 }, 'host-contention'));
  assert.equal(large.verdict, 'inconclusive');
  assert.match(large.reasons.find((r) => r.code === 'generator-saturated')!.message, /could hide a change/);
});

test('contamination: start lag counts in response time only; results without a recorded lag keep the old refusal', () => {
  const [r] = limit(runsWithP95('x', [100], 0), 0, { lagP99: 10, loopP99: 4 });
  assert.equal(generatorContaminationMs(r!, 0.95, 'response'), 14);
  assert.equal(generatorContaminationMs(r!, 0.95, 'service'), 4);
  assert.equal(generatorContaminationMs(r!, 0.5, 'response'), 2 + 0.8);
  const legacy = runsWithP95('b', FASTER, 1, { saturated: true });
  const c = compareRuns(runsWithP95('a', BEFORE, 0), legacy);
  assert.equal(c.verdict, 'inconclusive');
  assert.match(c.reasons.find((x) => x.code === 'generator-saturated')!.message, /do not record their start lag/);
});
