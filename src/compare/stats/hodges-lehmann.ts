/**
 * Hodges–Lehmann shift estimate and its exact distribution-free confidence
 * interval from the order statistics of the pairwise differences — the
 * interval that inverts the Mann–Whitney test, so the two always agree.
 *
 * @module
 */
import { criticalU, uCdf, EXACT_LIMIT, normalUpperTail } from './mann-whitney.js';
import { median } from './robust.js';

/** Outcome of {@link hodgesLehmann}. */
export interface ShiftInterval {
  /** median over all pairs of (y_j − x_i). */
  estimate: number;
  /** Interval bounds, or null when the sample sizes cannot reach the confidence (n = m = 3 at 95 %). */
  lower: number | null;
  upper: number | null;
  /** 1-based ranks of the bounds among the n·m sorted differences (#(c+1) … #(nm−c)). */
  lowerRank: number | null;
  upperRank: number | null;
  /** The confidence actually achieved (the exact distribution is discrete, so ≥ the nominal one). */
  confidence: number | null;
}

/** All n·m differences `y_j − x_i`, sorted ascending. */
export function pairwiseDifferences(x: readonly number[], y: readonly number[]): number[] {
  const d: number[] = [];
  for (const xi of x) for (const yj of y) d.push(yj - xi);
  return d.sort((a, b) => a - b);
}

/**
 * Hodges–Lehmann estimate of the shift of `y` relative to `x`, with the
 * exact CI `[d(c+1), d(nm−c)]` where `c` is the critical U at `alpha`
 * (two-sided). Apply it to logarithms to get a ratio interval.
 */
export function hodgesLehmann(x: readonly number[], y: readonly number[], alpha = 0.05): ShiftInterval {
  const d = pairwiseDifferences(x, y);
  const estimate = median(d);
  const n = x.length;
  const m = y.length;
  const c = criticalU(n, m, alpha);
  if (c < 0) return { estimate, lower: null, upper: null, lowerRank: null, upperRank: null, confidence: null };
  const nm = n * m;
  const confidence =
    n > EXACT_LIMIT || m > EXACT_LIMIT
      ? 1 - 2 * normalUpperTail((nm / 2 - c - 0.5) / Math.sqrt((nm * (n + m + 1)) / 12))
      : 1 - 2 * uCdf(n, m, c);
  return { estimate, lower: d[c], upper: d[nm - 1 - c], lowerRank: c + 1, upperRank: nm - c, confidence };
}
