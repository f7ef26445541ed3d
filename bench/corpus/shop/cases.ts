/**
 * The shop's corpus cases: the healthy baseline and one case per planted
 * fault. `expect` is what an experienced performance engineer would name as
 * the top problem (category and the endpoint it lives on); rates were
 * measured with bench/corpus/calibrate.ts on the shared 2-core machine (see
 * the numbers and margins in bench/corpus/shop/CALIBRATION.md): moderateRate is 25 % and
 * overloadRate 160 % of the capacity measured by CPU demand; on the contended machine (load
 * average 25–30) only about 20 req/s were stable, so scale down when the machine is busy.
 *
 * @module
 */
import type { CorpusCase } from '../types.js';

type MixEntry = CorpusCase['mix'][number];

const SEARCH_TERMS = ['sturdy', 'vintage', 'compact', 'deluxe', 'wireless', 'organic', 'slim', 'nordic', 'smart', 'urban', 'rugged', 'portable']
  .map((t) => `'${t}'`).join(', ');

/** The storefront's everyday traffic, weights in percent. */
export const BASE_MIX: MixEntry[] = [
  // Product pages: views concentrate on the featured part of the catalogue (300 products), so the
  // page cache warms within the first seconds of a run at the moderate rate.
  { endpoint: 'GET /products/:id', method: 'GET', path: '/products/{{ randomInt(1, 300) }}', weight: 28 },
  { endpoint: 'GET /products', method: 'GET', path: '/products?category={{ randomInt(1, 20) }}', weight: 14 },
  { endpoint: 'GET /products/:id/reviews', method: 'GET', path: '/products/{{ randomInt(1, 20000) }}/reviews', weight: 10 },
  { endpoint: 'GET /search', method: 'GET', path: `/search?q={{ randomChoice(${SEARCH_TERMS}) }}`, weight: 8 },
  { endpoint: 'GET /users/:id/orders', method: 'GET', path: '/users/{{ randomInt(1, 20000) }}/orders', weight: 12 },
  { endpoint: 'GET /orders/:id', method: 'GET', path: '/orders/{{ randomInt(1, 100000) }}', weight: 10 },
  {
    endpoint: 'POST /cart/:userId/items', method: 'POST', path: '/cart/{{ randomInt(1, 20000) }}/items', weight: 8,
    body: { productId: '{{ randomInt(1, 20000) }}', qty: '{{ randomInt(1, 3) }}' },
  },
  {
    endpoint: 'POST /checkout', method: 'POST', path: '/checkout', weight: 5,
    body: { userId: '{{ randomInt(1, 20000) }}', productId: '{{ randomInt(1, 20000) }}', qty: 1 },
  },
  { endpoint: 'GET /recommendations/:userId', method: 'GET', path: '/recommendations/{{ randomInt(1, 20000) }}', weight: 5 },
];

/** The base mix with one endpoint's weight changed (the faulty route gets a larger, not exclusive, share). */
function mixWith(endpoint: string, weight: number): MixEntry[] {
  if (!BASE_MIX.some((m) => m.endpoint === endpoint)) throw new Error(`no endpoint ${endpoint} in the shop mix`);
  return BASE_MIX.map((m) => (m.endpoint === endpoint ? { ...m, weight } : m));
}

interface CaseSpec {
  fault: string | null;
  expect: CorpusCase['expect'];
  weight?: number;
  moderateRate: number;
  overloadRate: number;
}

function make(spec: CaseSpec): CorpusCase {
  return {
    id: `shop/${spec.fault ?? 'healthy'}`,
    fault: spec.fault,
    expect: spec.expect,
    mix: spec.expect && spec.weight ? mixWith(spec.expect.endpoint, spec.weight) : BASE_MIX,
    moderateRate: spec.moderateRate,
    overloadRate: spec.overloadRate,
  };
}

/** All shop cases. Rates: see CALIBRATION.md. */
export const SHOP_CASES: CorpusCase[] = [
  // Healthy, including the cold start of the product-page cache (it fills during the run).
  make({ fault: null, expect: null, moderateRate: 70, overloadRate: 460 }),
  // The migration adding orders(user_id, created_at) is missing: "my orders" scans all orders.
  make({ fault: 'missing-index-orders-user', expect: { category: 'missing-index', endpoint: 'GET /users/:id/orders' }, weight: 25, moderateRate: 70, overloadRate: 450 }),
  // The migration adding reviews(product_id, created_at) is missing: the reviews tab scans all reviews.
  make({ fault: 'missing-index-reviews-product', expect: { category: 'missing-index', endpoint: 'GET /products/:id/reviews' }, weight: 25, moderateRate: 40, overloadRate: 260 }),
  // The listing sorts by a live AVG over reviews (join + group by per request) instead of the denormalised column.
  make({ fault: 'listing-live-rating', expect: { category: 'inefficient-query', endpoint: 'GET /products' }, weight: 25, moderateRate: 40, overloadRate: 270 }),
  // Order history lazy-loads items per order and the product per item (~16 queries per request).
  make({ fault: 'n-plus-one-order-items', expect: { category: 'n-plus-one', endpoint: 'GET /users/:id/orders' }, weight: 25, moderateRate: 55, overloadRate: 360 }),
  // The product-page cache key contains Date.now(): every lookup misses and writes a key never read again.
  make({ fault: 'cache-key-timestamp', expect: { category: 'cache-miss', endpoint: 'GET /products/:id' }, weight: 35, moderateRate: 65, overloadRate: 410 }),
  // The stock check does SMEMBERS of the 20k-member in-stock set and .includes() instead of SISMEMBER.
  make({ fault: 'stock-smembers', expect: { category: 'cache-slow-command', endpoint: 'GET /products/:id' }, weight: 30, moderateRate: 50, overloadRate: 300 }),
  // Checkout calls the payment provider inside its transaction, with DB_POOL_MAX=3.
  make({ fault: 'checkout-holds-connection', expect: { category: 'pool-saturation', endpoint: 'POST /checkout' }, weight: 30, moderateRate: 40, overloadRate: 250 }),
  // Gap-free invoice numbers: every checkout transaction updates the same counter row first.
  make({ fault: 'invoice-counter-lock', expect: { category: 'lock-contention', endpoint: 'POST /checkout' }, weight: 30, moderateRate: 55, overloadRate: 360 }),
  // Typo-tolerant search in process: Levenshtein over the 20k product names, synchronously.
  make({ fault: 'search-fuzzy-js', expect: { category: 'event-loop-blocked', endpoint: 'GET /search' }, weight: 20, moderateRate: 20, overloadRate: 140 }),
  // Every product view appends a ~40 kB pre-rendered page to a module-level map nobody drains.
  make({ fault: 'page-render-leak', expect: { category: 'memory-growth', endpoint: 'GET /products/:id' }, weight: 30, moderateRate: 65, overloadRate: 410 }),
  // Every listing quotes the whole category (1,000 products, ~5k objects) and keeps the last 256 sheets.
  make({ fault: 'price-rules-churn', expect: { category: 'gc-pressure', endpoint: 'GET /products' }, weight: 25, moderateRate: 65, overloadRate: 420 }),
  // The partner recommender answers in 250–450 ms instead of 8–20 ms.
  make({ fault: 'recommender-slow', expect: { category: 'slow-dependency', endpoint: 'GET /recommendations/:userId' }, weight: 20, moderateRate: 65, overloadRate: 410 }),
  // The listing returns the whole category with full rows (~1.4 MB of JSON per response).
  make({ fault: 'category-full-dump', expect: { category: 'large-payload', endpoint: 'GET /products' }, weight: 20, moderateRate: 40, overloadRate: 260 }),
  // Order detail throws on digital orders (10 % of orders have no shipping address): 500s.
  make({ fault: 'order-null-address', expect: { category: 'error-rate', endpoint: 'GET /orders/:id' }, weight: 20, moderateRate: 70, overloadRate: 460 }),
  // Autovacuum off on products and a job that rewrites every row six times: ~6x dead rows.
  make({ fault: 'products-bloat', expect: { category: 'table-bloat', endpoint: 'GET /products' }, weight: 20, moderateRate: 70, overloadRate: 450 }),
];
