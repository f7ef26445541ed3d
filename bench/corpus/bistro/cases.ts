/**
 * The bistro's corpus cases: the healthy build and one case per planted
 * fault, each with its request mix (docs/plan.md templates) and the rates
 * measured in CALIBRATION.md.
 *
 * Key spaces: restaurants 1–20, menu items 1–1200 (menu numbers 1–58 are
 * on sale in every restaurant), customers 1–200000 (1–5000 are the regulars
 * who hold most orders), orders 1–300000 (2025), reservations in 2025 (seed)
 * and bookings made for 2026.
 *
 * @module
 */
import type { CorpusCase } from '../types.js';

type Entry = CorpusCase['mix'][number];

const DAY_2025 = "2025-{{ randomChoice('03', '05', '07', '09', '11') }}-{{ randomInt(10, 28) }}";
const LONG_REVIEW = 'We came for the tasting menu on a rainy Thursday and stayed for three hours. The bread was baked in house and still warm. '
  + 'The risotto was perfectly loose and the lamb was pink as promised. Service was relaxed but attentive and the sommelier suggested a lovely local red. '
  + 'Only the dessert felt a little tired. We will certainly be back next season.';
const SHORT_REVIEWS = ['Great food and friendly staff. Will come back.', 'Delivery was quick and the pasta was still hot.', 'A bit noisy on Friday night but the steak was excellent.'];

const mix = (weight: number, e: Omit<Entry, 'weight'>): Entry => ({ ...e, weight });

const E = {
  menu: (w: number) => mix(w, { endpoint: 'GET /restaurants/:id/menu', method: 'GET', path: '/restaurants/{{ randomInt(1, 20) }}/menu' }),
  menuItem: (w: number) => mix(w, { endpoint: 'GET /menu-items/:id', method: 'GET', path: '/menu-items/{{ randomInt(1, 1200) }}' }),
  reviews: (w: number) => mix(w, { endpoint: 'GET /restaurants/:id/reviews', method: 'GET', path: '/restaurants/{{ randomInt(1, 20) }}/reviews?page={{ randomInt(1, 5) }}&pageSize=20' }),
  postReview: (w: number) => mix(w, {
    endpoint: 'POST /restaurants/:id/reviews', method: 'POST', path: '/restaurants/{{ randomInt(1, 20) }}/reviews',
    body: { customerId: '{{ randomInt(1, 200000) }}', rating: '{{ randomInt(1, 5) }}', body: `{{ randomChoice('${SHORT_REVIEWS.join("', '")}', '${LONG_REVIEW}') }}` },
  }),
  customer: (w: number) => mix(w, { endpoint: 'GET /customers/:id', method: 'GET', path: '/customers/{{ randomInt(1, 200000) }}' }),
  customerOrders: (w: number) => mix(w, { endpoint: 'GET /customers/:id/orders', method: 'GET', path: '/customers/{{ randomInt(1, 5000) }}/orders' }),
  search: (w: number) => mix(w, { endpoint: 'GET /customers/search', method: 'GET', path: "/customers/search?email=guest{{ randomInt(1, 200000) }}@{{ randomChoice('mail.test', 'inbox.test', 'post.test') }}" }),
  leaderboard: (w: number) => mix(w, { endpoint: 'GET /leaderboard/loyalty', method: 'GET', path: '/leaderboard/loyalty' }),
  postOrder: (w: number) => mix(w, {
    endpoint: 'POST /orders', method: 'POST', path: '/orders',
    body: {
      restaurantId: '{{ randomInt(1, 20) }}', customerId: '{{ randomInt(1, 200000) }}', kind: "{{ randomChoice('delivery', 'delivery', 'dine_in') }}",
      address: '{{ randomInt(1, 400) }} rue des Tilleuls', tableNumber: '{{ randomInt(1, 25) }}',
      items: [{ number: '{{ randomInt(1, 58) }}', qty: '{{ randomInt(1, 3) }}' }, { number: '{{ randomInt(1, 58) }}', qty: '{{ randomInt(1, 2) }}' }],
    },
  }),
  getOrder: (w: number) => mix(w, { endpoint: 'GET /orders/:id', method: 'GET', path: '/orders/{{ randomInt(1, 300000) }}' }),
  pay: (w: number) => mix(w, { endpoint: 'POST /orders/:id/payment', method: 'POST', path: '/orders/{{ randomInt(1, 300000) }}/payment', body: { method: "{{ randomChoice('card', 'card', 'apple_pay') }}" } }),
  kitchenQueue: (w: number) => mix(w, { endpoint: 'GET /restaurants/:id/kitchen/queue', method: 'GET', path: '/restaurants/{{ randomInt(1, 20) }}/kitchen/queue' }),
  bump: (w: number) => mix(w, { endpoint: 'POST /restaurants/:id/kitchen/bump', method: 'POST', path: '/restaurants/{{ randomInt(1, 20) }}/kitchen/bump' }),
  availability: (w: number) => mix(w, { endpoint: 'GET /restaurants/:id/tables/availability', method: 'GET', path: `/restaurants/{{ randomInt(1, 20) }}/tables/availability?date=${DAY_2025}&partySize={{ randomInt(2, 4) }}` }),
  reserve: (w: number) => mix(w, {
    endpoint: 'POST /reservations', method: 'POST', path: '/reservations',
    body: {
      restaurantId: '{{ randomInt(1, 20) }}', tableNumber: '{{ randomInt(1, 25) }}', customerId: '{{ randomInt(1, 200000) }}', partySize: '{{ randomInt(2, 4) }}',
      date: '2026-0{{ randomInt(1, 9) }}-{{ randomInt(10, 28) }}', time: "{{ randomChoice('18:00', '18:30', '19:00', '19:30', '20:00', '20:30', '21:00', '21:30') }}",
    },
  }),
  report: (w: number) => mix(w, { endpoint: 'GET /restaurants/:id/reports/daily', method: 'GET', path: `/restaurants/{{ randomInt(1, 20) }}/reports/daily?date=${DAY_2025}` }),
};

export const BISTRO_CASES: CorpusCase[] = [
  {
    id: 'bistro/healthy', fault: null, expect: null,
    mix: [E.menu(22), E.getOrder(14), E.customer(12), E.customerOrders(12), E.availability(12), E.postOrder(8), E.pay(8), E.reserve(6), E.kitchenQueue(6)],
    moderateRate: 80, overloadRate: 400,
  },
  {
    id: 'bistro/reservations-index-dropped', fault: 'reservations-index-dropped',
    expect: { category: 'missing-index', endpoint: 'GET /restaurants/:id/tables/availability' },
    mix: [E.menu(25), E.availability(14), E.getOrder(15), E.customer(12), E.kitchenQueue(10), E.reserve(8), E.report(8), E.menuItem(8)],
    moderateRate: 60, overloadRate: 700,
  },
  {
    id: 'bistro/order-history-lines-loop', fault: 'order-history-lines-loop',
    expect: { category: 'n-plus-one', endpoint: 'GET /customers/:id/orders' },
    mix: [E.menu(25), E.customerOrders(14), E.getOrder(15), E.customer(12), E.menuItem(12), E.leaderboard(8), E.kitchenQueue(8), E.reviews(6)],
    moderateRate: 80, overloadRate: 600,
  },
  {
    id: 'bistro/customer-search-lower-email', fault: 'customer-search-lower-email',
    expect: { category: 'inefficient-query', endpoint: 'GET /customers/search' },
    mix: [E.menu(25), E.search(14), E.customer(15), E.getOrder(15), E.menuItem(12), E.reviews(10), E.report(9)],
    moderateRate: 80, overloadRate: 400,
  },
  {
    id: 'bistro/order-tx-across-quote', fault: 'order-tx-across-quote',
    expect: { category: 'pool-saturation', endpoint: 'POST /orders' },
    mix: [E.postOrder(18), E.menu(20), E.getOrder(15), E.customer(12), E.customerOrders(12), E.availability(10), E.kitchenQueue(13)],
    moderateRate: 80, overloadRate: 400,
  },
  {
    id: 'bistro/reservation-table-lock', fault: 'reservation-table-lock',
    expect: { category: 'lock-contention', endpoint: 'POST /reservations' },
    mix: [E.reserve(20), E.availability(15), E.menu(25), E.getOrder(15), E.customer(12), E.kitchenQueue(13)],
    moderateRate: 90, overloadRate: 400,
  },
  {
    id: 'bistro/menu-cache-key-mismatch', fault: 'menu-cache-key-mismatch',
    expect: { category: 'cache-miss', endpoint: 'GET /restaurants/:id/menu' },
    mix: [E.menu(15), E.menuItem(15), E.getOrder(15), E.customer(15), E.reviews(10), E.kitchenQueue(10), E.report(10), E.leaderboard(10)],
    moderateRate: 80, overloadRate: 400,
  },
  {
    id: 'bistro/payment-gateway-degraded', fault: 'payment-gateway-degraded',
    expect: { category: 'slow-dependency', endpoint: 'POST /orders/:id/payment' },
    mix: [E.pay(12), E.menu(25), E.getOrder(15), E.customer(15), E.postOrder(8), E.kitchenQueue(10), E.bump(8), E.report(7)],
    moderateRate: 80, overloadRate: 400,
  },
  {
    id: 'bistro/receipt-pbkdf2-sync', fault: 'receipt-pbkdf2-sync',
    expect: { category: 'event-loop-blocked', endpoint: 'GET /orders/:id' },
    mix: [E.getOrder(12), E.menu(25), E.customer(15), E.customerOrders(12), E.menuItem(12), E.kitchenQueue(12), E.reviews(12)],
    moderateRate: 80, overloadRate: 400,
  },
  {
    id: 'bistro/review-body-check-constraint', fault: 'review-body-check-constraint',
    expect: { category: 'error-rate', endpoint: 'POST /restaurants/:id/reviews' },
    mix: [E.postReview(12), E.reviews(15), E.menu(25), E.menuItem(15), E.getOrder(15), E.customer(18)],
    moderateRate: 80, overloadRate: 900,
  },
  {
    id: 'bistro/reviews-unpaginated', fault: 'reviews-unpaginated',
    expect: { category: 'large-payload', endpoint: 'GET /restaurants/:id/reviews' },
    mix: [E.reviews(12), E.menu(25), E.menuItem(15), E.getOrder(15), E.customer(15), E.postReview(6), E.report(12)],
    moderateRate: 60, overloadRate: 300,
  },
  {
    id: 'bistro/leaderboard-zunionstore', fault: 'leaderboard-zunionstore',
    expect: { category: 'cache-slow-command', endpoint: 'GET /leaderboard/loyalty' },
    mix: [E.leaderboard(10), E.menu(25), E.report(10), E.kitchenQueue(15), E.getOrder(15), E.customer(15), E.bump(10)],
    moderateRate: 80, overloadRate: 400,
  },
  {
    id: 'bistro/profile-analytics-leak', fault: 'profile-analytics-leak',
    expect: { category: 'memory-growth', endpoint: 'GET /customers/:id' },
    mix: [E.customer(18), E.menu(25), E.getOrder(15), E.customerOrders(12), E.menuItem(10), E.availability(10), E.kitchenQueue(10)],
    moderateRate: 80, overloadRate: 900,
  },
];
