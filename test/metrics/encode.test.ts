import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hdr from 'hdr-histogram-js';
import { encodeFast } from '../../src/metrics/encode.js';
import { createCompactHistogram, createHistogram, encodeHistogram } from '../../src/metrics/hdr.js';
import { recordValue } from '../../src/metrics/fast-record.js';
import { prng } from './fixtures.js';

test('encodeFast writes V2 compressed histograms the library decodes to the same counts', () => {
  const rnd = prng(9);
  for (const make of [createCompactHistogram, createHistogram]) {
    for (const size of [1, 3, 100, 20_000]) {
      const h = make();
      for (let i = 0; i < size; i++) recordValue(h, Math.floor(Math.exp(rnd() * 21)));
      if (size === 3) h.recordValueWithCount(0, 5); // zeros at index 0
      const encoded = encodeFast(h);
      assert.ok(encoded.startsWith('HISTFAAA'), encoded.slice(0, 12));
      const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
      assert.equal(decoded.totalCount, h.totalCount);
      assert.equal(encodeHistogram(decoded), encodeHistogram(h), `same counts, size ${size}`);
      for (const p of [0, 50, 99, 100]) assert.equal(decoded.getValueAtPercentile(p), h.getValueAtPercentile(p));
      // Any compression level gives the same histogram.
      assert.equal(encodeHistogram(hdr.decodeFromCompressedBase64(encodeFast(h, 9), 32, false)), encodeHistogram(h));
    }
  }
  assert.equal(encodeFast(createCompactHistogram()), '');
});
