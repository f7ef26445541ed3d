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
 * by the endpoint with 90 requests and not by the 18 ms one with 89). With `writes` (the work changes rows),
 * a tie between a safe method and one other endpoint goes to the other. With `closest` (a count read after
 * the load), the one endpoint nearest the count wins a tie.
 */
export function oncePerRequestOwner<T extends { endpoint: string; requests: number; serviceTime?: { mean: number } }>(
  calls: number,
  served: readonly T[],
  callMeanMs?: number,
  options: { writes?: boolean; closest?: boolean } = {},
): T | undefined {
  if (!(calls > 0)) return undefined;
  const long = (s: T) => callMeanMs === undefined || s.serviceTime === undefined || s.serviceTime.mean >= CLOCK_AGREEMENT * callMeanMs;
  const matches = served.filter((s) => s.requests > 0 && countsMatch(s.requests, calls) && long(s));
  if (matches.length === 1) return matches[0];
  // With `closest`, for a count read once the load is over (nothing left in flight): of the endpoints within
  // the tolerance, the one whose count is nearest, when no other is as near. The tolerance allows for a
  // request that failed before the work; another endpoint a request or two away is the coincidence of
  // counts near each other in a short run (bistro: a cache looked up 112 times, by the endpoint with 112
  // requests, and one with 113).
  if (options.closest && matches.length > 1) {
    const gap = (s: T) => Math.abs(s.requests - calls);
    const nearest = Math.min(...matches.map(gap));
    const at = matches.filter((s) => gap(s) === nearest);
    if (at.length === 1) return at[0];
  }
  // A tie between endpoints for a write: a safe method does not ask for a state change (RFC 9110 §9.2.1), so
  // of the tied endpoints, the one that does is the owner. Only a tie-break: a GET that writes (a view
  // counter) still owns a write whose count is its alone.
  const unsafe = options.writes ? matches.filter((s) => !isSafeMethod(s.endpoint)) : [];
  return unsafe.length === 1 ? unsafe[0] : undefined;
}

/** The HTTP methods RFC 9110 §9.2.1 defines as safe: read-only by their semantics. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Is an endpoint ("GET /orders/:id") one of a safe method, whose requests ask for no state change (RFC 9110 §9.2.1)? */
export function isSafeMethod(endpoint: string): boolean {
  return SAFE_METHODS.has(endpoint.split(' ')[0]!.toUpperCase());
}

/** Does a statement change rows (INSERT, UPDATE, DELETE, MERGE; also behind a WITH)? */
export function isWriteStatement(query: string): boolean {
  return /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge)\b/i.test(query);
}

/** A SELECT's row-locking clause: FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE (PostgreSQL 15 docs, SELECT). */
export const ROW_LOCKING_CLAUSE = /\bfor\s+(?:no\s+key\s+update|update|key\s+share|share)\b/i;

/** Does a statement change rows or take a lock a writer would wait on (LOCK TABLE, SELECT … FOR UPDATE / SHARE)? */
export function changesOrLocks(query: string): boolean {
  return isWriteStatement(query) || /^\s*lock\b/i.test(query) || ROW_LOCKING_CLAUSE.test(query);
}

/** The server's timer and the load generator's agree to this share: a call of d ms is in a request of at least this × d ms. */
const CLOCK_AGREEMENT = 0.95;

/** One parenthesised list, with nested parentheses one level deep (a function call inside a VALUES row). */
const PAREN_LIST = String.raw`\((?:[^()]|\([^()]*\))*\)`;

/**
 * The statement a normalized text is a variant of: the same text with its multi-row `VALUES` list and its
 * `IN ($1, $2, …)` lists collapsed to their first item. pg_stat_statements (before PostgreSQL 18) gives each length
 * of such a list its own queryid, so an ORM's bulk insert of 1, 2 or 3 rows is three statements whose calls
 * split one endpoint's requests between them (venue: four INSERT INTO tickets variants run 35, 29, 24 and 21
 * times, together the 109 requests of the endpoint that ran them).
 */
export function statementFamilyKey(query: string): string {
  const lists = new RegExp(String.raw`\b(VALUES\s*)(${PAREN_LIST})(?:\s*,\s*${PAREN_LIST})*|\b(IN\s*\(\s*)(\$\d+)((?:\s*,\s*\$\d+)*)\s*\)`, 'gi');
  const count = (text: string) => (text.match(/\$\d+/g) ?? []).length;
  // Each list keeps its first item; the parameters after it are numbered on from there, as in the one-item
  // variant (`IN ($1, $2, $3) AND a = $4` and `IN ($1) AND a = $2` are one statement). Other numbering is
  // left as written: `SET x = $1 WHERE id = $2` and `SET x = $2 WHERE id = $1` (a constant became $2) differ.
  let removed = 0;
  const renumber = (text: string) => (removed === 0 ? text : text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) - removed}`));
  let out = '';
  let last = 0;
  for (const m of query.matchAll(lists)) {
    out += renumber(query.slice(last, m.index));
    const first = m[1] !== undefined ? `${m[1]}${m[2]}` : `${m[3]}${m[4]})`;
    out += renumber(first);
    removed += count(m[0]) - count(first);
    last = m.index + m[0].length;
  }
  out += renumber(query.slice(last));
  return out.replace(/\s+/g, ' ').trim();
}

/**
 * Statements grouped by {@link statementFamilyKey}, keeping only families of two or more variants. A variant
 * runs on a share of its statement's requests, not once per request: the count identity holds for the
 * family's total calls, and a variant's own count matching some endpoint is a coincidence.
 */
export function statementFamilies<T extends { queryid: string; query: string }>(statements: readonly T[]): Map<string, T[]> {
  const byKey = new Map<string, T[]>();
  for (const s of statements) {
    const key = statementFamilyKey(s.query);
    byKey.set(key, [...(byKey.get(key) ?? []), s]);
  }
  return new Map([...byKey].filter(([, members]) => members.length >= 2));
}
