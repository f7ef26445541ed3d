/**
 * The locker's planted faults: one switch per build, each a realistic bug a
 * team could ship, with the diagnosis category it belongs to (used by
 * cases.ts only; the app reads the switch as its build variant).
 *
 * @module
 */

export const LOCKER_FAULTS = {
  /** missing-index: an index-cleanup migration dropped parcels(recipient_id, created_at). */
  'recipient-index-dropped': 'missing-index',
  /** inefficient-query: the tracking page's pickup-time model aggregates the whole city's history per request. */
  'city-wide-eta': 'inefficient-query',
  /** n-plus-one: the courier route is assembled with per-stop ORM lookups. */
  'route-lazy-loading': 'n-plus-one',
  /** lock-contention: gapless daily reservation numbers from one counter row, held while texting the courier. */
  'gapless-reservation-no': 'lock-contention',
  /** pool-saturation: the storage-extension charge runs inside the DB transaction that locked the parcel. */
  'extension-charge-in-txn': 'pool-saturation',
  /** connection-limit: the public read-only role is capped below the finder's pool size. */
  'public-role-capped': 'connection-limit',
  /** cache-miss: the availability-board cache key carries a per-second timestamp. */
  'board-key-timestamp': 'cache-miss',
  /** cache-slow-command: a rolling 7-day leaderboard is ZUNIONSTOREd from the daily sets on every read. */
  'rolling-leaderboard-union': 'cache-slow-command',
  /** event-loop-blocked: per-site receipt keys are derived with pbkdf2Sync on every pickup. */
  'receipt-key-stretching': 'event-loop-blocked',
  /** gc-pressure: the recipient's parcel list deep-clones the message catalog per request. */
  'catalog-clone-per-request': 'gc-pressure',
  /** memory-growth: a per-parcel ETA memo with lazy expiry that never evicts. */
  'eta-memo-per-parcel': 'memory-growth',
  /** slow-dependency: the SMS provider is degraded (deposit notifications). */
  'sms-provider-degraded': 'slow-dependency',
  /** large-payload: the courier route embeds every parcel of each stop with its full timeline. */
  'route-embeds-timelines': 'large-payload',
  /** error-rate: return creation crashes for phone-only recipients (null email). */
  'returns-email-crash': 'error-rate',
  /** table-bloat: autovacuum switched off on sites, which the lockers' heartbeats update all day. */
  'sites-autovacuum-off': 'table-bloat',
} as const;

export type LockerFault = keyof typeof LOCKER_FAULTS;

/** Validate a fault switch (null/'' = healthy). */
export function parseFault(fault: string | null | undefined): LockerFault | null {
  if (fault === null || fault === undefined || fault === '') return null;
  if (!(fault in LOCKER_FAULTS)) throw new Error(`locker: unknown fault '${fault}' (known: ${Object.keys(LOCKER_FAULTS).join(', ')})`);
  return fault as LockerFault;
}
