import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTuneupError } from '../../src/errors.js';
import { profileStepsPlan, resolvePlan } from '../../src/plan/index.js';
import { ownStepLoad } from '../../src/plan/profile-steps.js';

const plan = () =>
  resolvePlan({
    env: {},
    raw: {
      baseUrl: 'http://127.0.0.1:9',
      requests: [{ path: '/' }],
      scenarios: {
        slow: { executor: 'constant-arrival-rate', rate: 3, timeUnit: '1s', duration: '30s', preAllocatedVUs: 5 },
        fast: { executor: 'constant-arrival-rate', rate: 600, timeUnit: '1m', duration: '30s', preAllocatedVUs: 5 },
        ramp: { executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', preAllocatedVUs: 5, stages: [{ duration: '10s', target: 40 }, { duration: '30s', target: 40 }] },
        closed: { executor: 'ramping-vus', startVUs: 1, stages: [{ duration: '5s', target: 4 }, { duration: '5s', target: 0 }] },
      },
    },
  });

test("each step runs at its scenario's own load by default, not one fixed rate", () => {
  const stepped = profileStepsPlan(plan(), { stepMs: 5_000, gapMs: 1_000 });
  const by = Object.fromEntries(stepped.scenarios.map((s) => [s.name, s]));
  assert.equal(by.slow!.executor, 'constant-arrival-rate');
  assert.equal((by.slow as { rate: number }).rate, 3);
  // 600 per minute is 10 per second.
  assert.equal((by.fast as { rate: number }).rate, 10);
  // Ramp 0→40 over 10 s then 40 for 30 s: time-weighted mean (20·10 + 40·30) / 40 = 35.
  assert.equal((by.ramp as { rate: number }).rate, 35);
  // A closed-model scenario keeps its own VUs (a closed loop cannot overload the service).
  assert.equal(by.closed!.executor, 'constant-vus');
  assert.equal((by.closed as { vus: number }).vus, 4);
  // One scenario per step, in order, separated by the gap.
  assert.deepEqual(stepped.scenarios.map((s) => s.startTimeMs), [0, 6_000, 12_000, 18_000]);
  assert.deepEqual(stepped.thresholds, []);
});

test('--rate runs every step at that rate', () => {
  const stepped = profileStepsPlan(plan(), { stepMs: 5_000, gapMs: 1_000, rate: 20 });
  assert.ok(stepped.scenarios.every((s) => s.executor === 'constant-arrival-rate' && s.rate === 20));
});

test('a non-positive rate is refused', () => {
  assert.throws(() => profileStepsPlan(plan(), { stepMs: 5_000, gapMs: 1_000, rate: 0 }), (e) => isTuneupError(e) && e.code === 'TUNEUP_OPTION_INVALID');
  const ramp = plan().scenarios.find((s) => s.name === 'ramp')!;
  assert.deepEqual(ownStepLoad(ramp), { rate: 35 });
});
