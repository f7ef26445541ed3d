/**
 * The count identity: work done once per request of one endpoint is done as
 * many times as that endpoint served requests. pg_stat_statements and Redis'
 * commandstats count calls over the run's window, the load counts the
 * requests each endpoint served, so a statement or command with exactly one
 * endpoint's count of calls is that endpoint's, whatever the per-second
 * series say. Behind a queue they say little: work runs when a request gets
 * its turn, not in the second it arrived or completed, and a regression on
 * either charges it to the endpoints busy at the time (hiring past capacity: a
 * 62 ms statement run 472 times, by the endpoint that served 472 requests,
 * was charged to another one).
 *
 * @module
 */

/**
 * Calls may differ from the owner's served requests by this share (or by one call): a request still queued
 * at the window's end, or one that failed before reaching the statement.
 */
export const COUNT_IDENTITY_TOLERANCE = 0.005;

/** Do two counts over the same window agree within {@link COUNT_IDENTITY_TOLERANCE} of `calls` (or one call)? */
export function countsMatch(count: number, calls: number): boolean {
  return Math.abs(count - calls) <= Math.max(1, COUNT_IDENTITY_TOLERANCE * calls);
}

/**
 * The one endpoint that served as many requests as `calls` (within {@link COUNT_IDENTITY_TOLERANCE}), or
 * undefined when none or several do (several make the identity a coincidence that decides nothing).
 *
 * With `callMeanMs` (the work's mean time per call) an endpoint whose mean service time is shorter cannot be
 * the owner: each of its requests would contain one call, so its requests last at least as long as the calls on
 * average. That settles counts that match two endpoints within the tolerance (voyage: a 54 ms scan run 90 times,
 * by the endpoint with 90 requests and not by the 18 ms one with 89).
 */
export function oncePerRequestOwner<T extends { endpoint: string; requests: number; serviceTime?: { mean: number } }>(calls: number, served: readonly T[], callMeanMs?: number): T | undefined {
  if (!(calls > 0)) return undefined;
  const long = (s: T) => callMeanMs === undefined || s.serviceTime === undefined || s.serviceTime.mean >= CLOCK_AGREEMENT * callMeanMs;
  const matches = served.filter((s) => s.requests > 0 && countsMatch(s.requests, calls) && long(s));
  return matches.length === 1 ? matches[0] : undefined;
}

/** The server's timer and the load generator's agree to this share: a call of d ms is in a request of at least this × d ms. */
const CLOCK_AGREEMENT = 0.95;
