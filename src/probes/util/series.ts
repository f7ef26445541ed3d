/**
 * Building a {@link ProbeSeries}: one row per sample on the run clock, a
 * fixed set of columns, `null` where a sample failed or a value was not
 * measurable. Also counter-to-rate conversion between consecutive samples.
 *
 * @module
 */
import type { ProbeSeries } from '../../result/types.js';

/** Accumulates samples into columns that always stay the same length as `t`. */
export class SeriesBuilder<C extends string = string> {
  private readonly t: number[] = [];
  private readonly values: Record<string, (number | null)[]> = {};

  /** @param units unit of each column; the keys define the columns. */
  constructor(private readonly units: Record<C, string>) {
    for (const column of Object.keys(units)) this.values[column] = [];
  }

  /** Number of rows so far. */
  get length(): number {
    return this.t.length;
  }

  /**
   * Append one sample taken at `offsetMs` (ms from the run start). Columns
   * missing from `row` get null; unknown columns are ignored.
   */
  add(offsetMs: number, row: Partial<Record<C, number | null>>): void {
    this.t.push(Math.round(offsetMs));
    for (const column of Object.keys(this.values)) {
      const value = row[column as C];
      this.values[column].push(value === undefined || value === null || !Number.isFinite(value) ? null : value);
    }
  }

  /** Append a failed sample: every column null at `offsetMs`. */
  addFailure(offsetMs: number): void {
    this.add(offsetMs, {});
  }

  /** The series as stored in ProbeEvidence (copies, safe to keep mutating the builder). */
  build(): ProbeSeries {
    const values: Record<string, (number | null)[]> = {};
    for (const [column, list] of Object.entries(this.values)) values[column] = [...list];
    return { t: [...this.t], values, units: { ...this.units } };
  }
}

/**
 * Per-second rate of a monotonic counter between two readings.
 * Null when there is no previous reading, no time elapsed, or the counter
 * went backwards (a restart or a statistics reset: the interval is unknown).
 */
export function ratePerSecond(previous: number | undefined, current: number, elapsedMs: number): number | null {
  if (previous === undefined || elapsedMs <= 0) return null;
  const delta = current - previous;
  if (delta < 0) return null;
  return (delta * 1000) / elapsedMs;
}

/**
 * Delta of a monotonic counter over a window. When it went backwards (the
 * statistics were reset in between) the after value is the best lower bound.
 */
export function counterDelta(before: number | undefined, after: number): { delta: number; reset: boolean } {
  if (before === undefined) return { delta: after, reset: false };
  if (after < before) return { delta: after, reset: true };
  return { delta: after - before, reset: false };
}

/** hits / (hits + misses), or null when both are zero. */
export function hitRatio(hits: number, misses: number): number | null {
  const total = hits + misses;
  return total > 0 ? hits / total : null;
}
