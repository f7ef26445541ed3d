/**
 * Thin wrapper around hdr-histogram-js: one place that fixes the histogram
 * configuration (µs, 3 significant digits, auto-resize, pure JS so worker
 * threads need no WebAssembly start-up) and the serialization format
 * (V2 compressed base64, readable by every HdrHistogram implementation).
 *
 * @module
 */
import * as hdr from 'hdr-histogram-js';
import type { TrendStats } from '../result/types.js';
import { trendStatsOf } from './summary.js';

/** The histogram type used everywhere in tuneup. */
export type Histogram = hdr.Histogram;

/** Highest value tracked before auto-resize kicks in: 1 hour in µs. */
const INITIAL_HIGHEST_US = 3_600_000_000;

/** Create an empty latency histogram (values in µs, 3 significant digits). */
export function createHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: INITIAL_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

/**
 * Create an empty latency histogram that starts small (8 KB instead of
 * ~94 KB) and grows on demand. Same unit and precision as
 * {@link createHistogram}, so the two merge and encode identically; use it
 * where many histograms live at once (one per tag set, per interval).
 */
export function createCompactHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    // The smallest legal range (2 × lowest); autoResize widens it to the
    // values actually seen, so memory follows the data, not the worst case.
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

/** Record a value in µs; values below 1 µs are recorded as 1 so they still count. */
export function recordMicros(histogram: Histogram, micros: number): void {
  histogram.recordValue(micros < 1 ? 1 : Math.round(micros));
}

/** Serialize to V2 compressed base64 (`HISTFAAA...`); '' for an empty histogram. */
export function encodeHistogram(histogram: Histogram): string {
  if (histogram.totalCount === 0) return '';
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** Decode a histogram written by {@link encodeHistogram}; '' decodes to an empty histogram. */
export function decodeHistogram(encoded: string): Histogram {
  if (encoded === '') return createHistogram();
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // Re-home into our configuration so later merges never overflow.
  const target = createHistogram();
  target.add(decoded);
  decoded.destroy();
  return target;
}

/** Merge histograms (encoded or live) into a new histogram. Exact: HDR merge loses nothing. */
export function mergeHistograms(parts: Iterable<Histogram | string>): Histogram {
  const total = createHistogram();
  for (const part of parts) {
    if (typeof part === 'string') {
      if (part === '') continue;
      const h = hdr.decodeFromCompressedBase64(part, 32, false);
      total.add(h);
      h.destroy();
    } else {
      total.add(part);
    }
  }
  return total;
}

/** Value (ms) at a percentile 0..100 of a µs histogram; null when empty. */
export function percentileMs(histogram: Histogram, percentile: number): number | null {
  if (histogram.totalCount === 0) return null;
  return histogram.getValueAtPercentile(percentile) / 1000;
}

/**
 * Full summary (ms) of a µs histogram; all zeros when empty. One pass over
 * the buckets (see `summary.ts`), the same numbers every other layer reports.
 */
export function trendStats(histogram: Histogram): TrendStats {
  return trendStatsOf(histogram);
}
