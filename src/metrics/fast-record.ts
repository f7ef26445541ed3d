/**
 * A faster `recordValue` for tuneup's histogram configuration.
 *
 * hdr-histogram-js computes the counts index with `Math.pow`, `Math.log2`
 * and `Math.floor` on every record; profiling the recorder showed that
 * dominating the hot path. For our fixed configuration (lowest discernible
 * value 1, 3 significant digits → 2048 sub-buckets, 32-bit counts) the index
 * is two bit operations, as in the Java original:
 *
 *     bucket = 21 − clz32(value | 2047)
 *     index  = (bucket + 1)·1024 + (value >>> bucket) − 1024
 *
 * The fast path writes the same fields `recordValue` writes (count, total,
 * min, max); anything unusual (a value beyond the current array, which
 * needs the library's auto-resize, or ≥ 2³¹ µs) goes through `recordValue`.
 * A self-check at load time falls back to `recordValue` entirely if the
 * library's internals ever differ from what this relies on.
 *
 * @module
 */
import { createCompactHistogram, type Histogram } from './hdr.js';

/** The JsHistogram / TypedArrayHistogram fields the fast path touches. */
interface Internals {
  _counts: { [index: number]: number; length: number };
  _totalCount: number;
  countsArrayLength: number;
  maxValue: number;
  minNonZeroValue: number;
  subBucketHalfCountMagnitude: number;
  unitMagnitude: number;
  unitMagnitudeMask: number;
}

function fastRecord(histogram: Histogram, value: number): void {
  const h = histogram as unknown as Internals;
  if (value < 0x7fffffff) {
    const bucket = 21 - Math.clz32(value | 2047);
    const index = ((bucket + 1) << 10) + (value >>> bucket) - 1024;
    if (index < h.countsArrayLength) {
      h._counts[index]++;
      h._totalCount++;
      if (value > h.maxValue) h.maxValue = value;
      if (value !== 0 && value < h.minNonZeroValue) h.minNonZeroValue = value;
      return;
    }
  }
  histogram.recordValue(value);
}

function slowRecord(histogram: Histogram, value: number): void {
  histogram.recordValue(value);
}

/** True when a fresh histogram has exactly the layout the fast path assumes, and agrees with recordValue. */
function layoutMatches(): boolean {
  const probe = createCompactHistogram() as unknown as Internals & Histogram;
  if (
    probe.subBucketHalfCountMagnitude !== 10 ||
    probe.unitMagnitude !== 0 ||
    probe.unitMagnitudeMask !== 0 ||
    typeof probe._totalCount !== 'number' ||
    !(probe._counts instanceof Uint32Array) ||
    probe._counts.length !== probe.countsArrayLength
  ) {
    return false;
  }
  const reference = createCompactHistogram();
  for (const v of [0, 1, 2047, 2048, 2049, 4095, 4096, 123_456, 9_999_999]) {
    fastRecord(probe, v);
    reference.recordValue(v);
  }
  for (const p of [0, 10, 50, 90, 100]) if (probe.getValueAtPercentile(p) !== reference.getValueAtPercentile(p)) return false;
  return probe.totalCount === reference.totalCount && probe.maxValue === reference.maxValue;
}

/**
 * Record a non-negative integer value (µs) into a histogram made by
 * `createHistogram`/`createCompactHistogram`. Same result as
 * `histogram.recordValue(value)`, several times faster.
 */
export const recordValue: (histogram: Histogram, value: number) => void = layoutMatches() ? fastRecord : slowRecord;
