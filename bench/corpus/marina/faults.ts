/**
 * The marina's planted faults: each is one change a team shipped in one
 * endpoint. `start()` receives the switch as a string; the app and the
 * migration read it through {@link parseFault}.
 *
 * @module
 */

export const MARINA_FAULTS = [
  /** GET /owners/:id/reservations: a cleanup migration dropped reservations(owner_id, starts_on). */
  'owner-reservations-index-dropped',
  /** GET /harbours/:id/berths: the berth list loads each berth's next booking with its own query. */
  'berth-list-next-booking-per-berth',
  /** GET /harbours/:id/notices: one query for harbour + fleet-wide notices via coalesce(harbour_id, $1) = $1. */
  'notices-coalesce-filter',
  /** GET /berths/:id: the berth-detail cache key carries the full ISO timestamp instead of the date. */
  'berth-cache-key-timestamp',
  /** POST /reservations: availability invalidation by KEYS avail:<berth>:* over the whole keyspace. */
  'availability-invalidate-keys',
  /** POST /invoices/:id/pay: the payment and the receipt e-mail run inside the invoice transaction. */
  'pay-inside-transaction',
  /** POST /fuel-orders: the gapless receipt number is taken first and the fiscal signature fetched inside the transaction, holding the counter row throughout. */
  'fuel-receipt-counter-first',
  /** GET /reservations/:id: the per-harbour gate key is derived with pbkdf2Sync on every request. */
  'gate-key-derived-per-request',
  /** GET /owners/:id/invoices: the tariff calendar (length class x day) is rebuilt for every request. */
  'tariff-calendar-per-request',
  /** GET /harbours/:id/conditions: reads the live tide gauge of the partner (slow) on every request. */
  'live-tide-gauge',
  /** GET /harbours: the map view now ships every berth with a 14-night calendar. */
  'harbour-map-payload',
  /** GET /boats/:id: the insurance badge dereferences boat.insurance, null for boats imported from the old system. */
  'insurance-badge-null',
] as const;

export type MarinaFault = (typeof MARINA_FAULTS)[number];

/** Validate a fault switch; null/'' = healthy. */
export function parseFault(value: string | null | undefined): MarinaFault | null {
  if (value === null || value === undefined || value === '') return null;
  if ((MARINA_FAULTS as readonly string[]).includes(value)) return value as MarinaFault;
  throw new Error(`marina: unknown fault '${value}' (known: ${MARINA_FAULTS.join(', ')})`);
}
