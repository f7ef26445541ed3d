import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCompactHistogram, encodeHistogram, mergeHistograms } from '../../src/metrics/hdr.js';
import { LiveMetric, SPARSE_LIMIT } from '../../src/metrics/metric.js';
import { summarize } from '../../src/metrics/summary.js';
import { prng } from './fixtures.js';

test('a trend gives the same histogram whether it is still sparse or already compact', () => {
  const rnd = prng(21);
  for (const n of [1, 10, SPARSE_LIMIT - 1, SPARSE_LIMIT, SPARSE_LIMIT + 1, 5_000]) {
    const m = new LiveMetric('t', 'trend', 'ms', {});
    const reference = createCompactHistogram();
    for (let i = 0; i < n; i++) {
      const v = i % 17 === 0 ? 0 : Math.round(Math.exp(rnd() * 20));
      m.recordUs(v);
      reference.recordValue(v);
    }
    const h = m.trendHistogram();
    assert.equal(m.samples(), n);
    // Same counts in every slot (copied into equal-sized histograms, since the
    // encoding header also records how far each one has grown).
    assert.equal(encodeHistogram(mergeHistograms([h])), encodeHistogram(mergeHistograms([reference])), `n=${n}`);
    assert.deepEqual(summarize(h), summarize(reference), `n=${n}`);
  }
});

test('a value beyond 2^31 µs switches a small trend to the compact histogram without loss', () => {
  const m = new LiveMetric('t', 'trend', 'ms', {});
  m.recordUs(1_000);
  m.recordUs(3_000_000_000);
  const s = summarize(m.trendHistogram());
  assert.equal(s.count, 2);
  assert.ok(Math.abs(s.p100 - 3_000_000_000) / 3e9 < 0.001);
});
