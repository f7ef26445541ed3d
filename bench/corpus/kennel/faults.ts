/**
 * The kennel's planted faults. `start()` receives the fault switch as a
 * string; every build-time and run-time difference from the healthy build is
 * keyed off one of these names (migration in schema.ts, partner latencies in
 * index.ts, handler code paths in app/server.ts).
 *
 * @module
 */

/** Every fault the kennel can be started with. */
export const KENNEL_FAULTS = [
  'photos-index-replaced',
  'bookings-review-not-in',
  'invoice-lines-per-row',
  'checkin-gapless-tags',
  'booking-tx-spans-partners',
  'records-pool-one',
  'run-status-bloat',
  'reviews-cache-ttl-zero',
  'care-marks-hscan',
  'passport-key-per-request',
  'care-minute-grid',
  'profile-memo-leak',
  'availability-full-calendar',
  'sms-provider-slow',
  'invoice-credit-format-crash',
] as const;

/** One planted fault of the kennel. */
export type KennelFault = (typeof KENNEL_FAULTS)[number];

/** Parse the fault switch: null, '' and 'none' mean the healthy build; an unknown name is an error (a typo must not silently run healthy). */
export function parseFault(raw: string | null | undefined): KennelFault | null {
  if (raw === null || raw === undefined || raw === '' || raw === 'none') return null;
  const name = raw.replace(/^kennel\//, '');
  if ((KENNEL_FAULTS as readonly string[]).includes(name)) return name as KennelFault;
  throw new Error(`kennel: unknown fault '${raw}' (known: ${KENNEL_FAULTS.join(', ')})`);
}
