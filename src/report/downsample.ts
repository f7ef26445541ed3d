/**
 * Downsampling of aligned time series for plots.
 *
 * Method: fixed-width bucketing. Consecutive points are grouped into buckets
 * of `k = ceil(n / maxPoints)` points and each column is reduced with its own
 * aggregation, chosen so the plot never hides a problem:
 * - `max` for latencies and queue-like gauges (a 1 s p99 spike stays visible),
 * - `min` for ratios where low is bad (cache hit ratio),
 * - `mean` for rates (requests/s, CPU %), so areas and averages stay true.
 * Nulls are skipped; a bucket with no value stays null (a gap, not a zero).
 * This is simpler than LTTB and, unlike LTTB, deterministic per column, so the
 * same bucket boundaries hold for every series of a chart and lines stay aligned.
 *
 * @module
 */

/** How a column is reduced inside one bucket. */
export type Aggregation = 'max' | 'min' | 'mean' | 'sum';

/** Default cap on points per plotted series. */
export const MAX_PLOT_POINTS = 1500;

/** Bucket width (in points) needed to bring `n` points under `maxPoints`. */
export function bucketSize(n: number, maxPoints: number = MAX_PLOT_POINTS): number {
  return n <= maxPoints ? 1 : Math.ceil(n / maxPoints);
}

/** Reduce the x column: each bucket takes the x of its first point. */
export function downsampleX(x: readonly number[], k: number): number[] {
  if (k <= 1) return x.slice();
  const out: number[] = [];
  for (let i = 0; i < x.length; i += k) out.push(x[i]);
  return out;
}

/** Reduce one y column aligned with an x column downsampled by the same `k`. */
export function downsampleColumn(
  values: readonly (number | null | undefined)[],
  k: number,
  aggregation: Aggregation,
): (number | null)[] {
  if (k <= 1) return values.map((v) => (v === undefined || v === null || !Number.isFinite(v) ? null : v));
  const out: (number | null)[] = [];
  for (let i = 0; i < values.length; i += k) {
    let acc: number | null = null;
    let count = 0;
    const end = Math.min(values.length, i + k);
    for (let j = i; j < end; j++) {
      const v = values[j];
      if (v === undefined || v === null || !Number.isFinite(v)) continue;
      count++;
      if (acc === null) acc = v;
      else if (aggregation === 'max') acc = v > acc ? v : acc;
      else if (aggregation === 'min') acc = v < acc ? v : acc;
      else acc += v;
    }
    if (acc !== null && aggregation === 'mean') acc /= count;
    out.push(acc);
  }
  return out;
}

/** Round to `digits` significant digits: plotted data needs no more, and the HTML file shrinks. */
export function roundSignificant(value: number | null, digits = 4): number | null {
  if (value === null || value === 0 || !Number.isFinite(value)) return value;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const factor = 10 ** (digits - 1 - magnitude);
  return Math.round(value * factor) / factor;
}
