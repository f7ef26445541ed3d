/**
 * The verdict rule, in one place: Criterion's two gates with benchstat's
 * display. A change is reported only when it is both statistically
 * detectable (p < α) and practically relevant (the whole confidence
 * interval lies beyond the noise threshold θ).
 *
 * @module
 */
import type { MetricKind, Verdict } from './types.js';

/** Default noise thresholds θ (fractions). See docs/compare.md for why each. */
export const DEFAULT_THRESHOLDS: Readonly<Record<MetricKind, number>> = {
  p50: 0.03,
  p95: 0.05,
  p99: 0.1,
  throughput: 0.03,
  errors: 0.25,
  errors_5xx: 0.25,
};

/** Default significance level. */
export const DEFAULT_ALPHA = 0.05;

/** Input of {@link decideVerdict}; the interval is on the ln(after/before) scale. */
export interface VerdictInput {
  lower: number | null;
  upper: number | null;
  p: number;
  alpha: number;
  /** θ as a fraction (0.05 = 5 %). */
  threshold: number;
  direction: 'lower-is-better' | 'higher-is-better';
  /** Report `equivalent` when the interval lies inside (ln(1−θ), ln(1+θ)). */
  equivalence: boolean;
}

/**
 * improved/regressed when p < α and the interval clears ln(1−θ) or
 * ln(1+θ) entirely; `equivalent` (if asked) when it sits inside both;
 * `~` otherwise (including when no interval could be computed).
 */
export function decideVerdict(input: VerdictInput): Verdict {
  const { lower, upper } = input;
  if (lower === null || upper === null || Number.isNaN(lower) || Number.isNaN(upper)) return '~';
  const down = Math.log(1 - input.threshold);
  const up = Math.log(1 + input.threshold);
  const lowerIsBetter = input.direction === 'lower-is-better';
  if (input.p < input.alpha) {
    if (upper < down) return lowerIsBetter ? 'improved' : 'regressed';
    if (lower > up) return lowerIsBetter ? 'regressed' : 'improved';
  }
  if (input.equivalence && lower > down && upper < up) return 'equivalent';
  return '~';
}

/**
 * True when more runs could still change the answer: no verdict yet and
 * the interval straddles a threshold (tachometer's "unresolved"). An
 * interval wholly inside ±θ is resolved ("no change worth reporting").
 */
export function isUnresolved(verdict: Verdict, lower: number | null, upper: number | null, threshold: number): boolean {
  if (verdict !== '~') return false;
  if (lower === null || upper === null) return true;
  return !(lower > Math.log(1 - threshold) && upper < Math.log(1 + threshold));
}
