/**
 * The bistro's planted faults: each is one build of the service with one
 * realistic mistake in it. The fault string is passed to `start()`; the
 * migration (schema.ts), the partners' latencies (index.ts) and the app
 * (app/server.ts, via BISTRO_FAULT) read it.
 *
 * @module
 */

export const BISTRO_FAULTS = [
  /** Migration 0042 rebuilt reservations and never recreated the (restaurant_id, starts_at) index. */
  'reservations-index-dropped',
  /** Order history loads each order's lines in a loop instead of one populate. */
  'order-history-lines-loop',
  /** Customer search made case-insensitive with lower(email) = lower($1): the unique index on email is unusable. */
  'customer-search-lower-email',
  /** POST /orders opens its transaction before the geocoder and delivery-quote calls and holds the connection across them. */
  'order-tx-across-quote',
  /** A double-booking fix takes LOCK TABLE reservations and sends the confirmation SMS before COMMIT. */
  'reservation-table-lock',
  /** The menu cache is written under `menu:<id>` but read under `menus:<id>` after a key rename. */
  'menu-cache-key-mismatch',
  /** The payment gateway degraded: authorizations take 0.9–1.8 s instead of 150–400 ms. */
  'payment-gateway-degraded',
  /** Receipt tokens on GET /orders/:id are signed with pbkdf2Sync (60k iterations) on the main thread. */
  'receipt-pbkdf2-sync',
  /** A migration added CHECK (char_length(body) <= 280) on reviews while the API accepts 1000 characters: long reviews fail with 500. */
  'review-body-check-constraint',
  /** The reviews endpoint lost its page size (query param renamed): it returns every review of the restaurant. */
  'reviews-unpaginated',
  /** The loyalty leaderboard is recomputed per request with ZUNIONSTORE over every restaurant's member set. */
  'leaderboard-zunionstore',
  /** The profile-view analytics buffer is copied on flush but never cleared; it retains each request's entities. */
  'profile-analytics-leak',
] as const;

export type BistroFault = (typeof BISTRO_FAULTS)[number];

/** Validate a fault string (null / '' = healthy). */
export function parseFault(fault: string | null | undefined): BistroFault | null {
  if (fault === null || fault === undefined || fault === '') return null;
  if (!(BISTRO_FAULTS as readonly string[]).includes(fault)) throw new Error(`bistro: unknown fault '${fault}' (known: ${BISTRO_FAULTS.join(', ')})`);
  return fault as BistroFault;
}
