/**
 * The pantry's cases: the healthy baseline and one case per planted fault,
 * each a weighted request mix (route templates as endpoints, docs/plan.md
 * templates in paths and bodies) with its calibrated rates (CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';

type MixEntry = CorpusCase['mix'][number];

const HOUSEHOLD = '{{ randomInt(1, 60000) }}';
const LIST = '{{ randomInt(1, 50000) }}';
const STORE = '{{ randomInt(1, 40) }}';
const STAPLE = '{{ randomInt(1, 3000) }}';

/** The request kinds of the pantry's traffic; a case picks 5-8 of them with weights. */
export const E = {
  search: {
    endpoint: 'GET /products/search',
    method: 'GET',
    path: "/products/search?q={{ randomChoice('tomato%20organic', 'apple%20classic', 'rice%20value', 'milk%20light', 'chicken%20free', 'coffee%20premium', 'pasta%20wholegrain', 'salmon%20smoked', 'bread%20fresh', 'lentils%20organic') }}&limit=20",
  },
  product: { endpoint: 'GET /products/:id', method: 'GET', path: `/products/${STAPLE}` },
  recipe: { endpoint: 'GET /recipes/:id', method: 'GET', path: '/recipes/{{ randomInt(1, 400) }}' },
  pantry: { endpoint: 'GET /households/:id/pantry', method: 'GET', path: `/households/${HOUSEHOLD}/pantry` },
  householdLists: { endpoint: 'GET /households/:id/lists', method: 'GET', path: `/households/${HOUSEHOLD}/lists` },
  list: { endpoint: 'GET /lists/:id', method: 'GET', path: `/lists/${LIST}` },
  addItem: {
    endpoint: 'POST /lists/:id/items',
    method: 'POST',
    path: `/lists/${LIST}/items`,
    body: { productId: STAPLE, quantity: '{{ randomInt(1, 3) }}' },
  },
  fromRecipe: {
    endpoint: 'POST /households/:id/lists/from-recipe',
    method: 'POST',
    path: `/households/${HOUSEHOLD}/lists/from-recipe`,
    body: { recipeId: '{{ randomInt(1, 6000) }}', servings: '{{ randomChoice(2, 4) }}' },
  },
  inStock: { endpoint: 'GET /lists/:id/in-stock', method: 'GET', path: `/lists/${LIST}/in-stock?storeId={{ randomInt(1, 12) }}` },
  order: {
    endpoint: 'POST /orders',
    method: 'POST',
    path: '/orders',
    // Launch week: nearly all orders go to the three stores of the launch city.
    body: {
      householdId: HOUSEHOLD,
      storeId: '{{ randomInt(1, 3) }}',
      items: [
        { productId: STAPLE, quantity: '{{ randomInt(1, 4) }}' },
        { productId: STAPLE, quantity: '1' },
        { productId: STAPLE, quantity: '2' },
        { productId: '{{ randomInt(1, 80000) }}', quantity: '1' },
      ],
    },
  },
  orderHistory: { endpoint: 'GET /households/:id/orders', method: 'GET', path: `/households/${HOUSEHOLD}/orders?limit=20` },
  receipt: { endpoint: 'GET /orders/:id/receipt', method: 'GET', path: '/orders/{{ randomInt(1, 200000) }}/receipt' },
  availability: {
    endpoint: 'GET /stores/:id/availability',
    method: 'GET',
    path: `/stores/${STORE}/availability?products=${STAPLE},${STAPLE},${STAPLE},${STAPLE}`,
  },
  popular: { endpoint: 'GET /stores/:id/popular', method: 'GET', path: `/stores/${STORE}/popular` },
  catalogue: {
    endpoint: 'GET /stores/:id/products',
    method: 'GET',
    path: `/stores/${STORE}/products?category={{ randomChoice('fish', 'bakery', 'canned', 'frozen', 'drinks', 'household') }}&limit=50`,
  },
  sales: { endpoint: 'GET /stores/:id/sales', method: 'GET', path: `/stores/${STORE}/sales?days={{ randomChoice(1, 7, 14) }}` },
  slots: { endpoint: 'GET /households/:id/delivery-slots', method: 'GET', path: `/households/${HOUSEHOLD}/delivery-slots` },
  promotions: { endpoint: 'GET /stores/:id/promotions', method: 'GET', path: `/stores/${STORE}/promotions` },
} satisfies Record<string, Omit<MixEntry, 'weight'>>;

type Kind = keyof typeof E;

function mix(weights: Partial<Record<Kind, number>>): MixEntry[] {
  return Object.entries(weights).map(([kind, weight]) => ({ ...E[kind as Kind], weight: weight! }));
}

export const PANTRY_CASES: CorpusCase[] = [
  {
    id: 'pantry/healthy',
    fault: null,
    expect: null,
    mix: mix({ search: 3, product: 4, recipe: 3, pantry: 3, list: 3, addItem: 1, order: 1, slots: 2 }),
    moderateRate: 150,
    overloadRate: 1200,
  },
  {
    id: 'pantry/missing-index-pantry-household',
    fault: 'pantry-household-index-dropped',
    expect: { category: 'missing-index', endpoint: 'GET /households/:id/pantry' },
    mix: mix({ product: 4, recipe: 3, pantry: 2, householdLists: 2, list: 3, slots: 2 }),
    moderateRate: 30,
    overloadRate: 200,
  },
  {
    id: 'pantry/inefficient-query-search-ilike',
    fault: 'search-ilike',
    expect: { category: 'inefficient-query', endpoint: 'GET /products/search' },
    mix: mix({ search: 3, product: 5, recipe: 3, pantry: 2, list: 2, promotions: 1 }),
    moderateRate: 60,
    overloadRate: 400,
  },
  {
    id: 'pantry/n-plus-one-list-items',
    fault: 'list-products-per-item',
    expect: { category: 'n-plus-one', endpoint: 'GET /lists/:id' },
    mix: mix({ list: 4, householdLists: 2, product: 4, recipe: 2, addItem: 1, pantry: 2 }),
    moderateRate: 120,
    overloadRate: 800,
  },
  {
    id: 'pantry/lock-contention-slot-during-payment',
    fault: 'slot-locked-during-payment',
    expect: { category: 'lock-contention', endpoint: 'POST /orders' },
    mix: mix({ order: 3, slots: 3, product: 4, recipe: 2, list: 2, receipt: 1 }),
    moderateRate: 50,
    overloadRate: 400,
  },
  {
    id: 'pantry/pool-saturation-recipe-list',
    fault: 'recipe-list-holds-client',
    expect: { category: 'pool-saturation', endpoint: 'POST /households/:id/lists/from-recipe' },
    mix: mix({ fromRecipe: 3, recipe: 4, pantry: 3, list: 2, product: 3, householdLists: 1 }),
    moderateRate: 60,
    overloadRate: 500,
  },
  {
    id: 'pantry/connection-limit-reporting-pool',
    fault: 'reporting-pool-oversized',
    expect: { category: 'connection-limit', endpoint: 'GET /stores/:id/sales' },
    mix: mix({ sales: 3, orderHistory: 2, product: 4, recipe: 2, pantry: 2, slots: 2 }),
    moderateRate: 80,
    overloadRate: 600,
  },
  {
    id: 'pantry/slow-dependency-inventory',
    fault: 'inventory-api-slow',
    expect: { category: 'slow-dependency', endpoint: 'GET /stores/:id/availability' },
    mix: mix({ availability: 2, product: 4, search: 2, list: 3, popular: 2, promotions: 1 }),
    moderateRate: 100,
    overloadRate: 1000,
  },
  {
    id: 'pantry/cache-miss-popular-key',
    fault: 'popular-cache-key-now',
    expect: { category: 'cache-miss', endpoint: 'GET /stores/:id/popular' },
    mix: mix({ popular: 2, product: 4, recipe: 3, list: 2, slots: 2, search: 1 }),
    moderateRate: 50,
    overloadRate: 500,
  },
  {
    id: 'pantry/cache-slow-command-stock-smembers',
    fault: 'stock-set-smembers',
    expect: { category: 'cache-slow-command', endpoint: 'GET /lists/:id/in-stock' },
    mix: mix({ inStock: 2, list: 3, product: 4, recipe: 3, householdLists: 2, addItem: 1 }),
    moderateRate: 60,
    overloadRate: 500,
  },
  {
    id: 'pantry/event-loop-blocked-receipt-key',
    fault: 'receipt-key-per-request',
    expect: { category: 'event-loop-blocked', endpoint: 'GET /orders/:id/receipt' },
    mix: mix({ receipt: 1, product: 5, recipe: 3, list: 3, slots: 2, orderHistory: 2 }),
    moderateRate: 40,
    overloadRate: 300,
  },
  {
    id: 'pantry/large-payload-catalogue',
    fault: 'catalogue-limit-ignored',
    expect: { category: 'large-payload', endpoint: 'GET /stores/:id/products' },
    mix: mix({ catalogue: 2, product: 5, search: 2, recipe: 3, popular: 2, promotions: 1 }),
    moderateRate: 40,
    overloadRate: 300,
  },
  {
    id: 'pantry/error-rate-slots-null-store',
    fault: 'slots-null-preferred-store',
    expect: { category: 'error-rate', endpoint: 'GET /households/:id/delivery-slots' },
    mix: mix({ slots: 3, product: 4, recipe: 2, pantry: 2, list: 2, order: 1 }),
    moderateRate: 100,
    overloadRate: 600,
  },
  {
    id: 'pantry/table-bloat-promotions',
    fault: 'promotions-autovacuum-off',
    expect: { category: 'table-bloat', endpoint: 'GET /stores/:id/promotions' },
    mix: mix({ promotions: 3, product: 4, recipe: 3, catalogue: 1, list: 2, popular: 1 }),
    moderateRate: 60,
    overloadRate: 400,
  },
];
