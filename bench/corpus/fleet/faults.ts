/**
 * The planted faults of the fleet service, by name. Each is switched on alone
 * through `FLEET_FAULT`; the empty string is the healthy build.
 *
 * @module
 */

/** Every fault the fleet can be started with. */
export const FLEET_FAULTS = [
  'missing-index-rentals-rider',
  'missing-index-charges-rental',
  'history-lazy-stations',
  'station-card-key-by-url',
  'login-scrypt-sync',
  'nearby-view-copies',
  'telemetry-trail-leak',
  'stations-map-all-bikes',
  'gateway-unlock-slow',
  'bike-detail-read-transaction',
  'daily-usage-first',
  'report-category-sla-crash',
] as const;

/** One planted fault. */
export type FleetFault = (typeof FLEET_FAULTS)[number];

/** Parse a fault switch; null/'' is healthy, an unknown name is an error (a typo must not run healthy). */
export function parseFault(value: string | null | undefined): FleetFault | null {
  if (value === null || value === undefined || value === '') return null;
  if ((FLEET_FAULTS as readonly string[]).includes(value)) return value as FleetFault;
  throw new Error(`unknown fleet fault '${value}'; known: ${FLEET_FAULTS.join(', ')}`);
}
