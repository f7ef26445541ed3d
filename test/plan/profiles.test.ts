import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandProfile, sizeVUs } from '../../src/plan/index.js';

describe('expandProfile', () => {
  it('smoke: one VU for 30s', () => {
    assert.deepEqual(expandProfile({ name: 'smoke' }), {
      name: 'smoke',
      scenario: { executor: 'constant-vus', vus: 1, duration: '30s' },
      abortOnFail: false,
      peakRate: 0,
    });
  });

  it('load: ramp to the rate over 1m, hold 5m', () => {
    const e = expandProfile({ name: 'load', rate: 100 });
    assert.deepEqual(e.scenario, {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      stages: [
        { duration: '1m', target: 100 },
        { duration: '5m', target: 100 },
      ],
      preAllocatedVUs: 10,
      maxVUs: 100,
    });
    assert.equal(e.peakRate, 100);
  });

  it('stress: steps at 1×, 2×, 3×, 5×', () => {
    const e = expandProfile({ name: 'stress', rate: 10, duration: '1m' });
    assert.equal(e.scenario.executor, 'ramping-arrival-rate');
    if (e.scenario.executor !== 'ramping-arrival-rate') return;
    assert.deepEqual(
      e.scenario.stages.map((s) => [s.duration, s.target]),
      [['1m', 10], ['1m', 10], ['30s', 20], ['1m', 20], ['30s', 30], ['1m', 30], ['30s', 50], ['1m', 50]],
    );
    assert.equal(e.peakRate, 50);
  });

  it('spike: baseline, sudden 5× jump, back, recovery', () => {
    const e = expandProfile({ name: 'spike', rate: 20 });
    if (e.scenario.executor !== 'ramping-arrival-rate') assert.fail('expected ramping-arrival-rate');
    assert.deepEqual(
      e.scenario.stages.map((s) => [s.duration, s.target]),
      [['10s', 20], ['1m', 20], ['5s', 100], ['1m', 100], ['5s', 20], ['1m', 20]],
    );
    assert.equal(expandProfile({ name: 'spike', rate: 20, factor: 3 }).peakRate, 60);
  });

  it('soak: ramp 2m, hold 1h', () => {
    const e = expandProfile({ name: 'soak', rate: 5, rampUp: '30s' });
    if (e.scenario.executor !== 'ramping-arrival-rate') assert.fail('expected ramping-arrival-rate');
    assert.deepEqual(e.scenario.stages, [
      { duration: '30s', target: 5 },
      { duration: '1h', target: 5 },
    ]);
  });

  it('breakpoint: linear ramp to 10× over 10m, aborting on thresholds', () => {
    const e = expandProfile({ name: 'breakpoint', rate: 50 });
    if (e.scenario.executor !== 'ramping-arrival-rate') assert.fail('expected ramping-arrival-rate');
    assert.deepEqual(e.scenario.stages, [{ duration: '10m', target: 500 }]);
    assert.equal(e.abortOnFail, true);
    assert.equal(e.scenario.maxVUs, 500);
  });

  it('sizes VUs from the peak rate, honouring explicit numbers', () => {
    assert.deepEqual(sizeVUs(10, {}), { preAllocatedVUs: 5, maxVUs: 50 });
    assert.deepEqual(sizeVUs(2000, {}), { preAllocatedVUs: 200, maxVUs: 2000 });
    assert.deepEqual(sizeVUs(2000, { preAllocatedVUs: 300, maxVUs: 100 }), { preAllocatedVUs: 300, maxVUs: 300 });
  });
});
