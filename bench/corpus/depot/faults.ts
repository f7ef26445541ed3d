/**
 * The planted faults of the depot service, by name. Each is switched on alone
 * through `DEPOT_FAULT`; the empty string is the healthy build.
 *
 * @module
 */

/** Every fault the depot can be started with. */
export const DEPOT_FAULTS = [
  'sku-cache-key-version',
  'picklist-lines-per-order',
  'missing-index-orders-customer',
  'backlog-index-warehouse-only',
  'backlog-page-unbounded',
  'forecast-bootstrap-sync',
  'forecast-calendar-objects',
  'customer-orders-memo',
  'order-legacy-ship-by-crash',
  'carrier-labels-slow',
  'order-address-check-in-tx',
  'shipment-number-counter-row',
] as const;

/** One planted fault. */
export type DepotFault = (typeof DEPOT_FAULTS)[number];

/** Parse a fault switch; null/'' is healthy, an unknown name is an error (a typo must not run healthy). */
export function parseFault(value: string | null | undefined): DepotFault | null {
  if (value === null || value === undefined || value === '') return null;
  if ((DEPOT_FAULTS as readonly string[]).includes(value)) return value as DepotFault;
  throw new Error(`unknown depot fault '${value}'; known: ${DEPOT_FAULTS.join(', ')}`);
}
