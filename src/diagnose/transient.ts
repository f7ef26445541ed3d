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
 * exceeds {@link TRANSIENT_FACTOR}× the steady level and at least
 * {@link TRANSIENT_MIN_EXCESS} requests above it, followed by at least
 * {@link TRANSIENT_MIN_STEADY} active intervals none of which is queued
 * against their own median (the steady level). The backlog may last longer
 * than half the run: an open-model run whose backlog drained while arrivals
 * went on at the same rate served more than that rate, so its queue was the
 * start's, however long the start took (voyage and marina at their overload
 * rates on a fast host: 5–8 s of a cold start's backlog in 11 s, then 6–11
 * requests in flight to the end). A run that still queues at its end is not
 * a transient (that is overload, judged elsewhere), nor is a backlog built
 * while the plan offered more than it does after it (a ramp down). The steady level the
 * backlog is first measured against is the median of the last third of the
 * active intervals, which a backlog of up to two thirds of the run leaves
 * untouched.
 *
 * @module
 */
import type { RunResult } from '../result/types.js';

/** In flight above this multiple of the steady level marks a queued interval. */
export const TRANSIENT_FACTOR = 3;
/** ... and by at least this many requests (a steady level near zero makes any multiple small). */
export const TRANSIENT_MIN_EXCESS = 5;
/** Active intervals after the backlog, all steady, for it to be a transient: fewer leave nothing to judge the service by. */
export const TRANSIENT_MIN_STEADY = 3;
/** The offered rate during the backlog may exceed the steady part's by this share (per-second rounding of arrivals), no more. */
export const TRANSIENT_RATE_TOLERANCE = 0.1;

/** The leading transient of a run. */
export interface StartupTransient {
  /** Intervals of the transient, from the first active one. */
  intervals: number;
  /** Index (in the run's grid) of the first steady interval. */
  steadyFrom: number;
  /** Its length in seconds. */
  seconds: number;
  /** Most requests in flight during it, and the steady level after it (the median of the intervals after it). */
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
  const queuedAgainst = (level: number) => (i: number) => inFlight[i]! > TRANSIENT_FACTOR * level && inFlight[i]! - level >= TRANSIENT_MIN_EXCESS;
  const lastThird = active.slice(active.length - Math.max(TRANSIENT_MIN_STEADY, Math.floor(active.length / 3)));
  const queued = queuedAgainst(median(lastThird.map((i) => inFlight[i]!)));
  // The backlog builds during the first second, which may therefore stay under the mark while the next ones
  // exceed it: the leading run may start at the first or the second active interval.
  let k = queued(active[0]!) ? 0 : queued(active[1]!) ? 1 : -1;
  if (k < 0) return undefined;
  while (k < active.length && queued(active[k]!)) k++;
  const after = active.slice(k);
  if (k === 0 || after.length < TRANSIENT_MIN_STEADY) return undefined;
  // Steady after it: no interval queued against the level it settled at (a run still queueing at its end is overload).
  const steady = median(after.map((i) => inFlight[i]!));
  if (after.some(queuedAgainst(steady))) return undefined;
  // The arrivals went on at the same rate: a backlog a higher offered rate built (a plan that ramps down) is the
  // load's shape, not the service's start. Over the seconds that offered arrivals (the run's last seconds offer
  // none while it drains), by their medians (a partial second at either end does not count); an open-model run
  // whose arrivals ended with the backlog has no steady part under load. Closed-model runs offer no rate.
  const offered = (idx: number[]) => idx.map((i) => grid.targetRate[i] ?? 0).filter((r) => r > 0);
  const during = offered(active.slice(0, k));
  const later = offered(after);
  if (during.length > 0 && (later.length === 0 || median(during) > (1 + TRANSIENT_RATE_TOLERANCE) * median(later))) return undefined;
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
