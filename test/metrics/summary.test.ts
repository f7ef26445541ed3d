import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCompactHistogram, createHistogram } from '../../src/metrics/hdr.js';
import { decodeForReading } from '../../src/metrics/intervals.js';
import { encodeHistogram } from '../../src/metrics/hdr.js';
import { summarize } from '../../src/metrics/summary.js';
import { prng } from './fixtures.js';
import type { Histogram } from '../../src/metrics/hdr.js';

/** HDR's highest equivalent value (public on the JS histogram class, absent from the interface type). */
const highest = (h: Histogram, v: number): number => (h as unknown as { highestEquivalentValue(v: number): number }).highestEquivalentValue(v);

test('summarize reproduces hdr-histogram-js percentiles, mean and stddev exactly', () => {
  const rnd = prng(11);
  for (const size of [1, 2, 7, 100, 2_000]) {
    for (const make of [createHistogram, createCompactHistogram]) {
      const h = make();
      for (let i = 0; i < size; i++) h.recordValue(Math.round(50 * Math.exp(rnd() * 10)));
      const s = summarize(h);
      assert.equal(s.count, size);
      for (const [p, v] of [[50, s.p50], [90, s.p90], [95, s.p95], [99, s.p99], [99.9, s.p999], [100, s.p100]] as const) {
        assert.equal(v, h.getValueAtPercentile(p), `p${p} of ${size}`);
      }
      assert.equal(s.mean, h.mean);
      assert.ok(Math.abs(s.stddev - h.stdDeviation) <= 1e-9 * Math.max(1, h.stdDeviation), `stddev ${s.stddev} vs ${h.stdDeviation}`);
      assert.equal(s.max, highest(h, h.maxValue));
      assert.ok(s.min <= h.minNonZeroValue && s.min >= h.minNonZeroValue * 0.999);
    }
  }
});

test('summarize gives identical results before and after an encode/decode round trip', () => {
  const rnd = prng(5);
  const h = createCompactHistogram();
  for (let i = 0; i < 10_000; i++) h.recordValue(Math.round(200 + rnd() * 150_000));
  assert.deepEqual(summarize(decodeForReading(encodeHistogram(h))), summarize(h));
});

test('summarize counts zeros in the minimum and is all zeros when empty', () => {
  const h = createCompactHistogram();
  assert.deepEqual(Object.values(summarize(h)), new Array(11).fill(0));
  h.recordValueWithCount(0, 9);
  h.recordValue(4_000);
  const s = summarize(h);
  assert.equal(s.min, 0);
  assert.equal(s.p50, 0);
  assert.equal(s.p100, highest(h, 4_000));
  assert.equal(s.count, 10);
});
