/**
 * The planted bottlenecks of the demo service. Each can be switched on alone
 * (`--faults missing-index`) or together (`--faults all`).
 */
export const FAULTS = {
  'missing-index': { endpoint: 'GET /api/members/:id/loans', what: 'no index on loans.member_id: every loan history is a sequential scan' },
  'n-plus-one': { endpoint: 'GET /api/authors/:id/books', what: "one query for an author's books, then one query per book for its loan count" },
  'cache-never-hits': { endpoint: 'GET /api/books/:id', what: 'the cache key carries a timestamp: every lookup misses and writes' },
  'blocking-handler': { endpoint: 'GET /api/books/:id/recommendations', what: 'similarity scoring runs synchronously on the event loop (~40 ms of CPU per request)' },
  'slow-upstream': { endpoint: 'GET /api/books/:id/reviews', what: 'the reviews upstream answers in ~200 ms' },
  'small-pool': { endpoint: '(all database endpoints)', what: 'the connection pool holds 2 connections instead of 10' },
};

/** Every fault name. */
export const FAULT_NAMES = Object.keys(FAULTS);

/** Parse `all`, `none` or a comma list; throws on an unknown name. */
export function parseFaults(text) {
  if (!text || text === 'none') return new Set();
  if (text === 'all') return new Set(FAULT_NAMES);
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!FAULTS[n]) throw new Error(`unknown fault ${JSON.stringify(n)}; known: ${FAULT_NAMES.join(', ')}`);
  return new Set(names);
}
