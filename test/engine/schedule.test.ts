import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrivalOffsets, meanRatePerSecond, rateAt, vusAt, vuSteps } from '../../src/engine/schedule.js';
import {
  equalSegment,
  FULL_SEGMENT,
  ownsIteration,
  parseSegment,
  scaleInt,
  splitSegments,
  stripeOffsets,
  stripePosition,
  subSegment,
} from '../../src/engine/segments.js';
import { sharedIterationsShare } from '../../src/engine/executors/shared-iterations.js';
import { openPoolShare } from '../../src/engine/executors/pool.js';

const close = (a: number, b: number, eps = 1e-6): boolean => Math.abs(a - b) < eps;

describe('arrivalOffsets', () => {
  it('constant rate: exact intended times starting at 0, rate × duration iterations', () => {
    const offsets = [...arrivalOffsets(10, [{ durationMs: 1000, target: 10 }], 1000)];
    assert.equal(offsets.length, 10);
    offsets.forEach((t, i) => assert.ok(close(t, i * 100), `offset ${i} = ${t}`));
  });

  it('timeUnit scales the rate: 3 per 200 ms over 1 s is 15 iterations every 66.67 ms', () => {
    const offsets = [...arrivalOffsets(3, [{ durationMs: 1000, target: 3 }], 200)];
    assert.equal(offsets.length, 15);
    offsets.forEach((t, i) => assert.ok(close(t, (i * 200) / 3), `offset ${i} = ${t}`));
  });

  it('linear ramp 0 → 10/s over 10 s: the k-th arrival where ∫rate = k (t = √(2k)), 50 in total', () => {
    const offsets = [...arrivalOffsets(0, [{ durationMs: 10_000, target: 10 }], 1000)];
    assert.equal(offsets.length, 50);
    offsets.forEach((t, k) => assert.ok(close(t, Math.sqrt(2 * k) * 1000, 1e-3), `arrival ${k} at ${t}`));
  });

  it('multi-stage: ramp up, hold, ramp down; counts and monotonic times', () => {
    const stages = [
      { durationMs: 2000, target: 20 },
      { durationMs: 1000, target: 20 },
      { durationMs: 2000, target: 0 },
    ];
    const offsets = [...arrivalOffsets(0, stages, 1000)];
    // ∫ = 20 + 20 + 20 = 60 arrivals
    assert.equal(offsets.length, 60);
    for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i]! > offsets[i - 1]!);
    assert.ok(offsets[offsets.length - 1]! < 5000);
    // The hold stage carries 20 arrivals every 50 ms from t = 2000.
    const hold = offsets.filter((t) => t >= 2000 && t < 3000);
    assert.equal(hold.length, 20);
    hold.forEach((t, i) => assert.ok(close(t, 2000 + i * 50, 1e-6)));
    assert.ok(close(meanRatePerSecond(0, stages, 1000), 12));
  });

  it('rateAt follows the stages and is 0 outside', () => {
    const stages = [{ durationMs: 1000, target: 100 }];
    assert.equal(rateAt(0, stages, 500), 50);
    assert.equal(rateAt(0, stages, 1000), 0);
    assert.equal(rateAt(0, stages, -1), 0);
  });
});

describe('ramping-vus', () => {
  const stages = [
    { durationMs: 1000, target: 4 },
    { durationMs: 1000, target: 4 },
    { durationMs: 1000, target: 0 },
  ];
  it('vusAt: 0 → 4 adds one VU every 250 ms, holds, then removes one every 250 ms', () => {
    const at = (t: number): number => vusAt(0, stages, t);
    assert.deepEqual([0, 249, 250, 500, 999, 1000, 1999].map(at), [0, 0, 1, 2, 3, 4, 4]);
    assert.deepEqual([2000, 2249, 2250, 2500, 2750, 2999].map(at), [4, 4, 3, 2, 1, 1]);
    assert.equal(at(3000), 0);
  });

  it('vuSteps lists every change, consistent with vusAt', () => {
    const steps = vuSteps(0, stages);
    assert.deepEqual(
      steps.map((s) => [s.t, s.vus]),
      [
        [0, 0],
        [250, 1],
        [500, 2],
        [750, 3],
        [1000, 4],
        [2250, 3],
        [2500, 2],
        [2750, 1],
        [3000, 0],
      ],
    );
    for (const s of steps.slice(0, -1)) assert.equal(vusAt(0, stages, s.t), s.vus);
  });

  it('startVUs and a zero-length stage jump at once', () => {
    const steps = vuSteps(2, [{ durationMs: 0, target: 5 }, { durationMs: 1000, target: 5 }]);
    assert.deepEqual(steps.map((s) => [s.t, s.vus]), [[0, 5]]);
  });
});

describe('execution segments', () => {
  it('parses i/n and a:b', () => {
    const s = parseSegment('2/8');
    assert.deepEqual([s.from, s.to, s.index, s.count], [{ num: 1, den: 8 }, { num: 1, den: 4 }, 1, 8]);
    const t = parseSegment('1/3:2/3');
    assert.deepEqual([t.from, t.to, t.index, t.count], [{ num: 1, den: 3 }, { num: 2, den: 3 }, 1, 3]);
    assert.throws(() => parseSegment('9/8'), { code: 'TUNEUP_OPTION_INVALID' });
    assert.throws(() => parseSegment('0.5:0.2'), { code: 'TUNEUP_OPTION_INVALID' });
  });

  it('integer options scale so the parts sum to the whole', () => {
    for (const n of [2, 3, 7, 8]) {
      const parts = splitSegments(n);
      for (const v of [0, 1, 5, 10, 99, 1000]) {
        assert.equal(parts.reduce((a, s) => a + scaleInt(v, s), 0), v, `v=${v} n=${n}`);
      }
    }
    assert.equal(scaleInt(10, equalSegment(0, 2)), 5);
    assert.equal(scaleInt(7, FULL_SEGMENT), 7);
  });

  it('striped offsets: every iteration in exactly one segment, interleaved, union = whole', () => {
    const whole = [...arrivalOffsets(100, [{ durationMs: 1000, target: 100 }], 1000)];
    const parts = splitSegments(3).map((s) => [...stripeOffsets(whole, s)]);
    assert.equal(parts.reduce((a, p) => a + p.length, 0), whole.length);
    assert.deepEqual(parts.flat().sort((a, b) => a - b), whole);
    // Interleaved: each segment has arrivals in every 100 ms window (no bursts of one segment).
    for (const p of parts) {
      for (let w = 0; w < 1000; w += 100) assert.ok(p.some((t) => t >= w && t < w + 100), `window ${w}`);
      assert.ok(Math.abs(p.length - whole.length / 3) <= 3, `share ${p.length}`);
    }
  });

  it('stripe positions are the van der Corput sequence', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(stripePosition), [0, 0.5, 0.25, 0.75, 0.125, 0.625]);
    assert.equal(ownsIteration(1, equalSegment(1, 2)), true);
    assert.equal(ownsIteration(1, equalSegment(0, 2)), false);
  });

  it('sub-segments of a segment partition it, with unique VU id slots', () => {
    const parent = parseSegment('2/4');
    const subs = [0, 1, 2].map((i) => subSegment(parent, i, 3));
    assert.deepEqual(subs[0]!.from, parent.from);
    assert.deepEqual(subs[2]!.to, parent.to);
    assert.equal(subs.reduce((a, s) => a + scaleInt(1200, s), 0), scaleInt(1200, parent));
    assert.deepEqual(subs.map((s) => [s.index, s.count]), [[3, 12], [4, 12], [5, 12]]);
  });

  it('shared-iterations and open pools split per segment', () => {
    const parts = splitSegments(4);
    const shares = parts.map((s) => sharedIterationsShare(3, 10, s));
    assert.equal(shares.reduce((a, s) => a + s.iterations, 0), 10);
    for (const s of shares) assert.ok(s.iterations === 0 || s.vus >= 1);
    const pools = splitSegments(2).map((s) => openPoolShare(10, 20, s));
    assert.deepEqual(pools, [{ preAllocated: 5, max: 10 }, { preAllocated: 5, max: 10 }]);
    assert.deepEqual(openPoolShare(1, 1, equalSegment(0, 2)), { preAllocated: 1, max: 1 });
  });
});
