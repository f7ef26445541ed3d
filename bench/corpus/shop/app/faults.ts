/**
 * The names of the faults the shop can be built with (see ../cases.ts for
 * what each one plants). Kept apart from config.ts so tools can list them
 * without the service's environment.
 *
 * @module
 */

/** The faults this service knows (see ../cases.ts for what each one plants). */
export const SHOP_FAULTS = [
  'missing-index-orders-user',
  'missing-index-reviews-product',
  'listing-live-rating',
  'n-plus-one-order-items',
  'cache-key-timestamp',
  'stock-smembers',
  'checkout-holds-connection',
  'invoice-counter-lock',
  'search-fuzzy-js',
  'page-render-leak',
  'price-rules-churn',
  'recommender-slow',
  'category-full-dump',
  'order-null-address',
  'products-bloat',
] as const;

/** One of {@link SHOP_FAULTS}. */
export type ShopFault = (typeof SHOP_FAULTS)[number];

