/**
 * A start-up transient: the first seconds of a run in which requests queued
 * (in flight far above the run's steady level) and then drained. A service
 * started just before the test is slow at first (cold JIT, pools opening,
 * caches empty), so a backlog builds and clears while the rest of the run is
 * at its steady state. Means over the whole run then mix the two regimes: a
 * 10 s run whose first 3 s queued at 300 ms and whose last 7 s served in 3 ms
 * has a mean service time of ~100 ms that describes neither, and the cost
 * model reads the difference as "unexplained wait". The steady part is what
 * the diagnosis should judge (as a load tester discards warm-up), and the
 * transient is said, not hidden.
 *
 * Detected from the load facts (in flight per endpoint per interval, which
 * the generator records): a leading run of intervals (starting at the first
 * or, while the backlog builds, the second active interval) whose total in flight
 * exceeds {@link TRANSIENT_FACTOR}× the steady level (the median over the
 * second half of the run's active intervals) and at least
 * {@link TRANSIENT_MIN_EXCESS} requests above it, lasting at most half the
 * run, after which the level is steady. A run that queues in its second half
 * too is not a transient (that is overload, judged elsewhere).
 *
 * @module
 */
import type { RunResult } from '../result/types.js';

/** In flight above this multiple of the steady level marks a queued interval. */
export const TRANSIENT_FACTOR = 3;
/** ... and by at least this many requests (a steady level near zero makes any multiple small). */
export const TRANSIENT_MIN_EXCESS = 5;

/** The leading transient of a run. */
export interface StartupTransient {
  /** Intervals of the transient, from the first active one. */
  intervals: number;
  /** Index (in the run's grid) of the first steady interval. */
  steadyFrom: number;
  /** Its length in seconds. */
  seconds: number;
  /** Most requests in flight during it, and the steady level after it (median of the second half). */
  peakInFlight: number;
  steadyInFlight: number;
}

/** Total in flight per interval of the run's grid (undefined without load facts on the grid's interval). */
function totalInFlight(result: RunResult): number[] | undefined {
  const facts = result.loadFacts;
  const grid = result.series;
  if (!facts || facts.intervalMs !== grid.intervalMs || facts.t.length === 0) return undefined;
  const columns = Object.values(facts.endpoints).map((e) => e.series.inFlight);
  if (columns.length === 0) return undefined;
  return grid.t.map((t) => {
    const j = Math.round((t - facts.t[0]!) / facts.intervalMs);
    return columns.reduce((a, c) => a + (c[j] ?? 0), 0);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The run's start-up transient (see the module doc), or undefined when there is none or no load facts. */
export function startupTransient(result: RunResult): StartupTransient | undefined {
  const inFlight = totalInFlight(result);
  if (!inFlight) return undefined;
  const grid = result.series;
  const active = grid.t.map((_, i) => i).filter((i) => Object.values(grid.endpoints).some((e) => (e.requests[i] ?? 0) > 0));
  if (active.length < 6) return undefined;
  const secondHalf = active.slice(Math.floor(active.length / 2));
  const steady = median(secondHalf.map((i) => inFlight[i]!));
  const queued = (i: number) => inFlight[i]! > TRANSIENT_FACTOR * steady && inFlight[i]! - steady >= TRANSIENT_MIN_EXCESS;
  // The backlog builds during the first second, which may therefore stay under the mark while the next ones
  // exceed it: the leading run may start at the first or the second active interval.
  let k = queued(active[0]!) ? 0 : active.length > 1 && queued(active[1]!) ? 1 : -1;
  if (k < 0) return undefined;
  while (k < active.length && queued(active[k]!)) k++;
  if (k === 0 || k > active.length / 2) return undefined;
  // Steady after it: no queued interval in the second half.
  if (secondHalf.some(queued)) return undefined;
  const peak = Math.max(...active.slice(0, k).map((i) => inFlight[i]!));
  return { intervals: k, steadyFrom: active[k]!, seconds: (k * grid.intervalMs) / 1000, peakInFlight: round(peak), steadyInFlight: round(steady) };
}

/**
 * An endpoint's mean service time (ms) over the intervals from `from` on, by Little's law on the load
 * facts: time in flight summed over those intervals ÷ the requests they completed. Undefined without
 * load facts or requests there.
 */
export function serviceMeanFrom(result: RunResult, endpoint: string, from: number): number | undefined {
  const facts = result.loadFacts;
  const grid = result.series;
  const column = facts?.endpoints[endpoint]?.series.inFlight;
  const requests = grid.endpoints[endpoint]?.requests;
  if (!facts || !column || !requests || facts.intervalMs !== grid.intervalMs) return undefined;
  let busyMs = 0;
  let done = 0;
  for (let i = from; i < grid.t.length; i++) {
    const j = Math.round((grid.t[i]! - facts.t[0]!) / facts.intervalMs);
    busyMs += (column[j] ?? 0) * grid.intervalMs;
    done += requests[i] ?? 0;
  }
  return done > 0 ? busyMs / done : undefined;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
