/**
 * The planted faults of the venue service, by name. Each is switched on alone
 * through `VENUE_FAULT`; the empty string is the healthy build.
 *
 * @module
 */

/** Every fault the venue can be started with. */
export const VENUE_FAULTS = [
  'event-card-ttl-ms',
  'customer-orders-lazy-events',
  'missing-index-orders-customer',
  'missing-index-tickets-order',
  'seatmap-full-seat-objects',
  'ticket-key-pbkdf2-sync',
  'search-snapshot-clone',
  'seatmap-microcache-leak',
  'order-guest-receipt-crash',
  'payments-slow',
  'charge-in-transaction',
  'hold-counter-first',
] as const;

/** One planted fault. */
export type VenueFault = (typeof VENUE_FAULTS)[number];

/** Parse a fault switch; null/'' is healthy, an unknown name is an error (a typo must not run healthy). */
export function parseFault(value: string | null | undefined): VenueFault | null {
  if (value === null || value === undefined || value === '') return null;
  if ((VENUE_FAULTS as readonly string[]).includes(value)) return value as VenueFault;
  throw new Error(`unknown venue fault '${value}'; known: ${VENUE_FAULTS.join(', ')}`);
}
