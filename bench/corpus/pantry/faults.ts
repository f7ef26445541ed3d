/**
 * The pantry's planted faults. Each name is the value of PANTRY_FAULT that
 * switches one realistic bug on, in the migration of the deploy (schema.ts
 * migratePantry), in the service (app/) or in the upstream's latency
 * (index.ts storeSystemsEnv). See CALIBRATION.md for what each one does.
 *
 * @module
 */

export const PANTRY_FAULTS = [
  /** Migration 0031 dropped pantry_items_household_idx ("unused", said a stats snapshot taken on a replica). */
  'pantry-household-index-dropped',
  /** Product search switched to `name ILIKE $1` (case-insensitive), which the lower(name) index cannot serve. */
  'search-ilike',
  /** GET /lists/:id loads each item's product with its own query (repository.findById in a loop). */
  'list-products-per-item',
  /** POST /orders locks the delivery slot, then authorizes the payment inside the transaction. */
  'slot-locked-during-payment',
  /** POST /households/:id/lists/from-recipe checks a client out first and keeps it across the pricing call. */
  'recipe-list-holds-client',
  /** The reporting pool (store sales, order history) is sized for the replica (100) but points at the primary (max_connections 50). */
  'reporting-pool-oversized',
  /** The store-systems inventory API degrades (hundreds of ms). */
  'inventory-api-slow',
  /** The popular-products cache key embeds the window start at millisecond precision. */
  'popular-cache-key-now',
  /** The in-stock check reads the store's whole stock set (SMEMBERS) instead of SMISMEMBER. */
  'stock-set-smembers',
  /** The receipt-signing key is derived (PBKDF2, synchronously) on every receipt instead of once. */
  'receipt-key-per-request',
  /** The store catalogue ignores `limit` after the pagination refactor (`pageSize` renamed). */
  'catalogue-limit-ignored',
  /** Delivery slots assume every household has a preferred store (about 14 % have none). */
  'slots-null-preferred-store',
  /** promotions has autovacuum disabled and weeks of full-refresh syncs behind it. */
  'promotions-autovacuum-off',
] as const;

export type PantryFault = (typeof PANTRY_FAULTS)[number];

/** Validate a fault switch; null/'' = healthy. */
export function parseFault(value: string | null | undefined): PantryFault | null {
  if (value === null || value === undefined || value === '') return null;
  if (!(PANTRY_FAULTS as readonly string[]).includes(value)) throw new Error(`pantry: unknown fault '${value}' (known: ${PANTRY_FAULTS.join(', ')})`);
  return value as PantryFault;
}
