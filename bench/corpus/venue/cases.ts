/**
 * The venue's corpus cases: the healthy baseline and one case per planted
 * fault, with the top finding an experienced performance engineer would
 * name, the request mix and the calibrated rates (CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { VenueFault } from './faults.js';

type MixEntry = CorpusCase['mix'][number];

/**
 * Everyday traffic of an on-sale day, weights in percent. Event cards
 * concentrate on the 300 soonest shows (the card cache warms within seconds);
 * seat holds all go to event 1, the big on-sale (arena 1, seats 1-12,000);
 * checkouts spread over the 400 upcoming events; receipts, histories and
 * tickets spread over 350,000 orders, 40,000 customers and 875,000 tickets.
 */
export function baseMix(weights: Partial<Record<string, number>> = {}): MixEntry[] {
  const entries: MixEntry[] = [
    { endpoint: 'GET /events', method: 'GET', path: "/events?city={{ randomChoice('Amsterdam', 'Antwerp', 'Berlin', 'Bologna', 'Cork', 'Krakow', 'Lisbon', 'Lyon', 'Malmo', 'Munich', 'Seville', 'Vienna') }}", weight: 10 },
    { endpoint: 'GET /events/:id', method: 'GET', path: '/events/{{ randomInt(1, 300) }}', weight: 22 },
    { endpoint: 'GET /events/:id/seatmap', method: 'GET', path: '/events/{{ randomInt(1, 400) }}/seatmap', weight: 8 },
    {
      endpoint: 'POST /events/:id/holds', method: 'POST', path: '/events/1/holds', weight: 10,
      body: { seatId: '{{ randomInt(1, 12000) }}', customerId: '{{ randomInt(1, 40000) }}' },
    },
    {
      endpoint: 'POST /orders', method: 'POST', path: '/orders', weight: 8,
      body: { customerId: '{{ randomInt(1, 40000) }}', eventId: '{{ randomInt(1, 400) }}', quantity: '{{ randomInt(1, 4) }}' },
    },
    { endpoint: 'GET /orders/:id', method: 'GET', path: '/orders/{{ randomInt(1, 350000) }}', weight: 15 },
    { endpoint: 'GET /customers/:id/orders', method: 'GET', path: '/customers/{{ randomInt(1, 40000) }}/orders', weight: 12 },
    { endpoint: 'GET /tickets/:code', method: 'GET', path: '/tickets/TK{{ randomInt(10000001, 10875000) }}', weight: 15 },
  ];
  for (const endpoint of Object.keys(weights)) {
    if (!entries.some((e) => e.endpoint === endpoint)) throw new Error(`no endpoint ${endpoint} in the venue mix`);
  }
  return entries.map((e) => (weights[e.endpoint] === undefined ? e : { ...e, weight: weights[e.endpoint]! }));
}

interface Spec {
  fault: VenueFault | null;
  expect: CorpusCase['expect'];
  /** The faulty endpoint's weight in this case's mix (default: the base weight). */
  weight?: number;
  moderateRate: number;
  overloadRate: number;
}

function make(s: Spec): CorpusCase {
  return {
    id: `venue/${s.fault ?? 'healthy'}`,
    fault: s.fault,
    expect: s.expect,
    mix: s.expect && s.weight ? baseMix({ [s.expect.endpoint]: s.weight }) : baseMix(),
    moderateRate: s.moderateRate,
    overloadRate: s.overloadRate,
  };
}

const on = (category: string, endpoint: string): CorpusCase['expect'] => ({ category, endpoint });

/**
 * All venue cases. Rates: measured with bench/corpus/calibrate.ts on the busy shared 2-core machine
 * (CALIBRATION.md); moderate well under the last stable rung, overload past capacity on a quiet machine too.
 */
export const VENUE_CASES: CorpusCase[] = [
  // Healthy, including the cold start of the event-card cache (300 ids, warm within seconds).
  make({ fault: null, expect: null, moderateRate: 25, overloadRate: 500 }),
  // ioredis EX became PX: the card lives 30 ms, every read misses and recomputes.
  make({ fault: 'event-card-ttl-ms', expect: on('cache-miss', 'GET /events/:id'), weight: 35, moderateRate: 25, overloadRate: 400 }),
  // The history loads each order's event and venue through the association getters: 1 + 2 × orders queries.
  make({ fault: 'customer-orders-lazy-events', expect: on('n-plus-one', 'GET /customers/:id/orders'), weight: 20, moderateRate: 12, overloadRate: 250 }),
  // The deploy lacks orders(customer_id, created_at): the history seq-scans 350k orders.
  make({ fault: 'missing-index-orders-customer', expect: on('missing-index', 'GET /customers/:id/orders'), weight: 15, moderateRate: 15, overloadRate: 250 }),
  // The deploy lacks tickets(order_id), the join column: every receipt seq-scans 875k tickets.
  make({ fault: 'missing-index-tickets-order', expect: on('missing-index', 'GET /orders/:id'), weight: 15, moderateRate: 15, overloadRate: 250 }),
  // Every seat as an object, unpaged: ~0.8 MB for a hall, 3.3 MB for an arena.
  make({ fault: 'seatmap-full-seat-objects', expect: on('large-payload', 'GET /events/:id/seatmap'), weight: 12, moderateRate: 20, overloadRate: 350 }),
  // The QR key by PBKDF2 (120,000 iterations), synchronously, per request.
  make({ fault: 'ticket-key-pbkdf2-sync', expect: on('event-loop-blocked', 'GET /tickets/:code'), weight: 15, moderateRate: 20, overloadRate: 300 }),
  // Each search deep-copies the 4,000-event catalog and keeps the last 16 copies.
  make({ fault: 'search-snapshot-clone', expect: on('gc-pressure', 'GET /events'), weight: 25, moderateRate: 20, overloadRate: 500 }),
  // A one-second seat-map micro-cache whose past entries (seat rows and body) are never deleted.
  make({ fault: 'seatmap-microcache-leak', expect: on('memory-growth', 'GET /events/:id/seatmap'), weight: 20, moderateRate: 20, overloadRate: 500 }),
  // Receipts of guest checkouts (12 % of orders) throw a TypeError (500).
  make({ fault: 'order-guest-receipt-crash', expect: on('error-rate', 'GET /orders/:id'), weight: 30, moderateRate: 25, overloadRate: 500 }),
  // The payment provider's charges degrade to 1.2-2.4 s (outside any transaction).
  make({ fault: 'payments-slow', expect: on('slow-dependency', 'POST /orders'), weight: 15, moderateRate: 25, overloadRate: 500 }),
  // The charge moved inside the order transaction: each checkout holds one of 5 connections for 150-250 ms.
  make({ fault: 'charge-in-transaction', expect: on('pool-saturation', 'POST /orders'), weight: 70, moderateRate: 25, overloadRate: 300 }),
  // The event's held counter is updated first, so event 1's row stays locked through the risk check (80-120 ms).
  make({ fault: 'hold-counter-first', expect: on('lock-contention', 'POST /events/:id/holds'), weight: 40, moderateRate: 15, overloadRate: 300 }),
];
