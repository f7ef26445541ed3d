/**
 * The client round trip of one statement, measured during the run: what each
 * call of the service costs beyond its execution time (network or loopback,
 * the protocol's messages, parse and plan, the driver on both ends). Rules
 * that count calls (N+1 loops, Little's law on the pool) used to assume a
 * fixed 0.3 ms; a fast host measured 0.13 ms a call, a busy one more, so the
 * probe times its own trivial statement instead.
 *
 * The statement is parameterized, like the service's queries (extended
 * protocol, so its parse and plan are in the measurement), and carries the
 * probe's marker so pg_stat_statements entries of it are recognised as the
 * probe's own. Its shape (a cast parameter) is not one a service's statement
 * is likely to share a fingerprint with.
 *
 * @module
 */
import { quantileSorted } from '../../compare/stats/robust.js';
import { PROBE_MARKER, type Queryable } from './queries.js';
import type { RoundTripSummary } from './types.js';

/** The timed statement: a parameter cast and returned, nothing read. */
export const ROUND_TRIP_SQL = `SELECT /* ${PROBE_MARKER} round trip */ $1::int AS n`;

/** Round trips timed per sample: a few, so one late callback does not set the sample's value. */
const PER_SAMPLE = 3;

/** Measurements kept at most (a one-hour run at one sample a second). */
const MAX_KEPT = 3 * 3600;

/** Run the timed statement once (to prime its pg_stat_statements entry before the text snapshot). */
export async function runRoundTrip(db: Queryable): Promise<number> {
  const started = performance.now();
  await db.query(ROUND_TRIP_SQL, [1]);
  return performance.now() - started;
}

/** Collects the round trips timed during sampling and summarises them. */
export class RoundTripSampler {
  private readonly kept: number[] = [];

  /** Time {@link PER_SAMPLE} round trips on `db`, one after another. */
  async measure(db: Queryable): Promise<void> {
    for (let i = 0; i < PER_SAMPLE; i++) {
      const ms = await runRoundTrip(db);
      if (this.kept.length < MAX_KEPT) this.kept.push(ms);
    }
  }

  /**
   * The median and the 90th percentile of the measured round trips; undefined before any. The median is the
   * typical call's cost: a call delayed by a busy event loop (the probe's or the service's) costs more, but a
   * loop's calls are mostly not delayed.
   */
  summary(): RoundTripSummary | undefined {
    if (this.kept.length === 0) return undefined;
    const sorted = [...this.kept].sort((a, b) => a - b);
    return { medianMs: round3(quantileSorted(sorted, 0.5)), p90Ms: round3(quantileSorted(sorted, 0.9)), samples: sorted.length, statement: ROUND_TRIP_SQL };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
