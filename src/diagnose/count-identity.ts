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

/**
 * The one endpoint that served as many requests as `calls` (within {@link COUNT_IDENTITY_TOLERANCE}), or
 * undefined when none or several do (several make the identity a coincidence that decides nothing).
 */
export function oncePerRequestOwner<T extends { endpoint: string; requests: number }>(calls: number, served: readonly T[]): T | undefined {
  if (!(calls > 0)) return undefined;
  const tolerance = Math.max(1, COUNT_IDENTITY_TOLERANCE * calls);
  const matches = served.filter((s) => s.requests > 0 && Math.abs(s.requests - calls) <= tolerance);
  return matches.length === 1 ? matches[0] : undefined;
}
