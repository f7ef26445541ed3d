import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../src/compare/compare.js';
import { evaluateGoals, parseChange, parseGoals } from '../../src/compare/goals.js';
import { parseFraction, parseGoalFlags, parsePrimaryFlag, parseThresholdFlags } from '../../src/compare/options.js';
import { runsWithP95 } from './fixtures/runs.js';

const BEFORE = [100, 102, 98, 101, 99];

test('parseChange and parseGoals (list and map spellings)', () => {
  assert.equal(parseChange('-20%'), -0.2);
  assert.equal(parseChange('+30 %'), 0.3);
  assert.equal(parseChange('-0.5'), -0.5);
  assert.throws(() => parseChange('20%'), { code: 'TUNEUP_GOAL_INVALID' });
  assert.throws(() => parseChange('-100%'), { code: 'TUNEUP_GOAL_INVALID' });
  assert.deepEqual(parseGoals({ p95: '-20%', 'p95 GET /api/orders/:id': '-30%', throughput: '+30%' }), [
    { metric: 'p95', change: '-20%' },
    { metric: 'p95', change: '-30%', endpoint: 'GET /api/orders/:id' },
    { metric: 'throughput', change: '+30%' },
  ]);
  assert.deepEqual(parseGoals([{ metric: 'errors_5xx', change: '-50%' }]), [{ metric: 'errors_5xx', change: '-50%' }]);
  assert.deepEqual(parseGoals(undefined), []);
  assert.throws(() => parseGoals({ p42: '-20%' }), (e: { code?: string; location?: string }) => e.code === 'TUNEUP_GOAL_INVALID' && e.location === 'goals.p42');
  assert.throws(() => parseGoals([{ metric: 'p95' }]), { code: 'TUNEUP_GOAL_INVALID' });
});

test('goals: met, not met and undetermined follow the interval', () => {
  const c = compareRuns(runsWithP95('a', BEFORE, 0), runsWithP95('b', [60, 61, 59, 62, 58], 1));
  const [met, notMet, straddle, missing, tp] = evaluateGoals(
    [
      { metric: 'p95', change: '-20%' },
      { metric: 'p95', change: '-60%' },
      { metric: 'p95', change: '-40%' },
      { metric: 'p95', endpoint: 'GET /x', change: '-10%' },
      { metric: 'throughput', change: '+30%' },
    ],
    c,
  );
  assert.equal(met.status, 'met');
  assert.ok(met.intervalPercent![1] <= -20);
  assert.equal(notMet.status, 'not-met');
  assert.equal(straddle.status, 'undetermined', JSON.stringify(straddle));
  assert.match(straddle.reason, /straddles/);
  assert.equal(missing.status, 'undetermined');
  assert.equal(missing.observedPercent, null);
  assert.equal(tp.status, 'not-met');
});

test('goals are undetermined when a guardrail made the comparison inconclusive', () => {
  const c = compareRuns(runsWithP95('a', BEFORE, 0), runsWithP95('b', [60, 61, 59, 62, 58], 1, { saturated: true }));
  const [g] = evaluateGoals([{ metric: 'p95', change: '-20%' }], c);
  assert.equal(g.status, 'undetermined');
  assert.match(g.reason, /generator-saturated/);
});

test('option parsers', () => {
  assert.deepEqual(parseThresholdFlags(['p95=5%', 'p99=0.1', 'throughput=2']), { p95: 0.05, p99: 0.1, throughput: 0.02 });
  assert.throws(() => parseThresholdFlags(['p95']), { code: 'TUNEUP_OPTION_INVALID' });
  assert.throws(() => parseFraction('150%', '--threshold'), { code: 'TUNEUP_OPTION_INVALID' });
  assert.deepEqual(parsePrimaryFlag('p99'), { metric: 'p99', endpoint: null });
  assert.deepEqual(parsePrimaryFlag('p95:GET /api/orders/:id'), { metric: 'p95', endpoint: 'GET /api/orders/:id' });
  assert.throws(() => parsePrimaryFlag('mean'), { code: 'TUNEUP_OPTION_INVALID' });
  assert.deepEqual(parseGoalFlags(['p95=-20%', 'p95:GET /a/:id=-30%']), [
    { metric: 'p95', change: '-20%' },
    { metric: 'p95', change: '-30%', endpoint: 'GET /a/:id' },
  ]);
});
