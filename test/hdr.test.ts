import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHistogram, decodeHistogram, encodeHistogram, mergeHistograms, recordMicros, trendStats } from '../src/metrics/hdr.js';

test('histograms merge exactly after a round trip through base64', () => {
  const a = createHistogram();
  const b = createHistogram();
  for (let i = 1; i <= 1000; i++) recordMicros(a, i * 1000); // 1..1000 ms
  for (let i = 1001; i <= 2000; i++) recordMicros(b, i * 1000);
  const merged = mergeHistograms([encodeHistogram(a), encodeHistogram(b)]);
  const stats = trendStats(merged);
  assert.equal(stats.count, 2000);
  assert.ok(Math.abs(stats.p50 - 1000) / 1000 < 0.001, `p50 ${stats.p50}`);
  assert.ok(Math.abs(stats.p99 - 1980) / 1980 < 0.001, `p99 ${stats.p99}`);
  assert.equal(trendStats(decodeHistogram(encodeHistogram(a))).count, 1000);
  assert.equal(encodeHistogram(createHistogram()), '');
});
