/**
 * The planted faults of the clinic service. Each is a code path the way such
 * bugs are written in real services; `null` is the healthy build.
 *
 * @module
 */

/** Every fault the clinic service can be started with. */
export const CLINIC_FAULTS = [
  'missing-index-patient-history',
  'missing-index-prescriptions-join',
  'n-plus-one-schedule',
  'cache-key-timestamp',
  'redis-smembers-flag-check',
  'pool-held-across-upstream',
  'booking-counter-lock',
  'sync-key-derivation',
  'invoice-inline-logo',
  'timeline-leak',
  'catalog-clone-churn',
  'slow-insurer',
  'null-email-crash',
  'deep-offset-pagination',
  'count-distinct-on-list',
  'connection-per-request',
] as const;

/** One planted fault. */
export type ClinicFault = (typeof CLINIC_FAULTS)[number];

/** Narrow an arbitrary string (from the environment) to a fault, or null. */
export function parseFault(value: string | null | undefined): ClinicFault | null {
  if (value === null || value === undefined || value === '') return null;
  if ((CLINIC_FAULTS as readonly string[]).includes(value)) return value as ClinicFault;
  throw new Error(`unknown clinic fault "${value}"; expected one of ${CLINIC_FAULTS.join(', ')}`);
}
