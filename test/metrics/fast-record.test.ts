import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCompactHistogram, createHistogram, encodeHistogram } from '../../src/metrics/hdr.js';
import { recordValue } from '../../src/metrics/fast-record.js';
import { prng } from './fixtures.js';

test('recordValue gives the same histogram as hdr-histogram-js recordValue', () => {
  const rnd = prng(3);
  const values = [0, 1, 2, 1023, 2047, 2048, 2049, 4095, 4096, 65_535, 1_000_000, 2 ** 31 - 2, 2 ** 31, 3_600_000_000, 5_000_000_000];
  for (let i = 0; i < 50_000; i++) values.push(Math.floor(Math.exp(rnd() * 22)));
  for (const make of [createCompactHistogram, createHistogram]) {
    const fast = make();
    const reference = make();
    for (const v of values) {
      recordValue(fast, v);
      reference.recordValue(v);
    }
    assert.equal(fast.totalCount, reference.totalCount);
    assert.equal(fast.maxValue, reference.maxValue);
    assert.equal(fast.minNonZeroValue, reference.minNonZeroValue);
    assert.equal(encodeHistogram(fast), encodeHistogram(reference));
  }
});
