/**
 * The studio's planted faults: each name switches one build difference
 * (code path, migration or partner behaviour) in one endpoint. The app reads
 * the name from `STUDIO_FAULT`; start() uses it for the deploy's migration
 * and the partners' latencies.
 *
 * @module
 */

/** Every fault the studio can be started with. */
export const STUDIO_FAULTS = [
  'bookings-index-consolidated',
  'live-instructor-percentile',
  'waitlist-member-lookup',
  'booking-table-lock',
  'payment-tx-spans-gateway',
  'reader-role-capped',
  'schedule-ttl-units',
  'network-leaderboard-union',
  'kiosk-secret-scrypt',
  'similar-classes-rescore',
  'class-memo-unbounded',
  'gateway-degraded',
  'catalogue-unpaginated',
  'lapsed-membership-null',
  'occupancy-autovacuum-off',
] as const;

/** One of {@link STUDIO_FAULTS}. */
export type StudioFault = (typeof STUDIO_FAULTS)[number];

/** Validate a fault switch: null or '' is the healthy build; an unknown name throws. */
export function parseFault(name: string | null | undefined): StudioFault | null {
  if (name === null || name === undefined || name === '') return null;
  if (!(STUDIO_FAULTS as readonly string[]).includes(name)) throw new Error(`studio: unknown fault '${name}'`);
  return name as StudioFault;
}
