/**
 * A small builder for {@link ProbeSeries}: columns may appear mid-run (a new
 * route, a new pool) and every column stays the length of `t`, with null
 * where a sample was missing. Shared by the prometheus and process probes.
 *
 * @module
 */
import type { ProbeSeries } from '../../result/types.js';

/** Accumulates aligned probe columns. */
export class SeriesBuilder {
  private readonly t: number[] = [];
  private readonly values: Record<string, (number | null)[]> = {};
  private readonly units: Record<string, string> = {};

  /** Start a new row at `offsetMs`; later `set` calls fill this row. */
  row(offsetMs: number): void {
    this.t.push(offsetMs);
    for (const col of Object.values(this.values)) col.push(null);
  }

  /** Set `column` in the current row (creates the column, back-filled with null). Non-finite values become null. */
  set(column: string, value: number | null | undefined, unit: string): void {
    if (this.t.length === 0) return;
    let col = this.values[column];
    if (!col) {
      col = new Array<number | null>(this.t.length).fill(null);
      this.values[column] = col;
      this.units[column] = unit;
    }
    col[this.t.length - 1] = value === undefined || value === null || !Number.isFinite(value) ? null : value;
  }

  /** The column's non-null values so far. */
  numbers(column: string): number[] {
    return (this.values[column] ?? []).filter((v): v is number => v !== null);
  }

  /** Column names so far. */
  columns(): string[] {
    return Object.keys(this.values);
  }

  /** The finished series (copies). */
  build(): ProbeSeries {
    const values: Record<string, (number | null)[]> = {};
    for (const [k, v] of Object.entries(this.values)) values[k] = [...v];
    return { t: [...this.t], values, units: { ...this.units } };
  }
}

/** Summary statistics of a numeric sample (empty input gives zeros and n = 0). */
export interface Stats {
  n: number;
  mean: number;
  median: number;
  p90: number;
  max: number;
  min: number;
}

/** Mean, median, p90 (nearest rank), min, max of `xs`. */
export function stats(xs: number[]): Stats {
  if (xs.length === 0) return { n: 0, mean: 0, median: 0, p90: 0, max: 0, min: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const rank = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return {
    n: s.length,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    median: rank(0.5),
    p90: rank(0.9),
    max: s[s.length - 1]!,
    min: s[0]!,
  };
}
