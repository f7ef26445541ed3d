/**
 * The depot's corpus cases: the healthy baseline and one case per planted
 * fault, with the top finding an experienced performance engineer would
 * name, the request mix and the calibrated rates (CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { DepotFault } from './faults.js';

type MixEntry = CorpusCase['mix'][number];

/**
 * Everyday traffic, weights in percent. SKU cards concentrate on the 400
 * fast movers (scanners and the shop front poll them), so the card cache warms
 * within seconds; history and orders spread over 50,000 customers and 400,000
 * orders; ships go to the 40,000 open orders (a repeat answers 409).
 */
export function baseMix(weights: Partial<Record<string, number>> = {}): MixEntry[] {
  const entries: MixEntry[] = [
    { endpoint: 'GET /skus/:id', method: 'GET', path: '/skus/{{ randomInt(1, 400) }}', weight: 25 },
    { endpoint: 'GET /skus/:id/forecast', method: 'GET', path: '/skus/{{ randomInt(1, 20000) }}/forecast', weight: 8 },
    { endpoint: 'GET /orders', method: 'GET', path: '/orders?customer=C{{ randomInt(1, 50000) }}', weight: 12 },
    { endpoint: 'GET /orders/:id', method: 'GET', path: '/orders/{{ randomInt(1, 400000) }}', weight: 15 },
    {
      endpoint: 'POST /orders', method: 'POST', path: '/orders', weight: 8,
      body: { customer: 'C{{ randomInt(1, 50000) }}', warehouseId: '{{ randomInt(1, 12) }}', skuId: '{{ randomInt(1, 20000) }}', qty: '{{ randomInt(1, 3) }}' },
    },
    { endpoint: 'POST /orders/:id/ship', method: 'POST', path: '/orders/{{ randomInt(360001, 400000) }}/ship', weight: 8 },
    { endpoint: 'GET /warehouses/:id/backlog', method: 'GET', path: '/warehouses/{{ randomInt(1, 12) }}/backlog', weight: 12 },
    { endpoint: 'GET /warehouses/:id/picklist', method: 'GET', path: '/warehouses/{{ randomInt(1, 12) }}/picklist', weight: 12 },
  ];
  for (const endpoint of Object.keys(weights)) {
    if (!entries.some((e) => e.endpoint === endpoint)) throw new Error(`no endpoint ${endpoint} in the depot mix`);
  }
  return entries.map((e) => (weights[e.endpoint] === undefined ? e : { ...e, weight: weights[e.endpoint]! }));
}

interface Spec {
  fault: DepotFault | null;
  expect: CorpusCase['expect'];
  /** The faulty endpoint's weight in this case's mix (default: the base weight). */
  weight?: number;
  moderateRate: number;
  overloadRate: number;
}

function make(s: Spec): CorpusCase {
  return {
    id: `depot/${s.fault ?? 'healthy'}`,
    fault: s.fault,
    expect: s.expect,
    mix: s.expect && s.weight ? baseMix({ [s.expect.endpoint]: s.weight }) : baseMix(),
    moderateRate: s.moderateRate,
    overloadRate: s.overloadRate,
  };
}

const on = (category: string, endpoint: string): CorpusCase['expect'] => ({ category, endpoint });

/**
 * All depot cases. Rates: measured with bench/corpus/calibrate.ts on the busy shared 2-core machine
 * (CALIBRATION.md); moderate at or under half the last stable rung, overload past capacity on a quiet machine too.
 */
export const DEPOT_CASES: CorpusCase[] = [
  // Healthy, including the cold start of the SKU card cache (400 fast movers, warm within seconds).
  make({ fault: null, expect: null, moderateRate: 40, overloadRate: 640 }),
  // The v2 card format bumped the cache key in the reader only: every card read misses and recomputes.
  make({ fault: 'sku-cache-key-version', expect: on('cache-miss', 'GET /skus/:id'), weight: 35, moderateRate: 40, overloadRate: 480 }),
  // The pick list loads each order's lines with its own query: 25 queries a request instead of one.
  make({ fault: 'picklist-lines-per-order', expect: on('n-plus-one', 'GET /warehouses/:id/picklist'), weight: 20, moderateRate: 40, overloadRate: 300 }),
  // The deploy lacks orders(customer_ref, created_at): the history seq-scans 400k orders.
  make({ fault: 'missing-index-orders-customer', expect: on('missing-index', 'GET /orders'), weight: 15, moderateRate: 20, overloadRate: 200 }),
  // Only the old orders(warehouse_id) index: the backlog reads ~33k rows of the warehouse, filters and sorts for 50.
  make({ fault: 'backlog-index-warehouse-only', expect: on('missing-index', 'GET /warehouses/:id/backlog'), weight: 20, moderateRate: 40, overloadRate: 300 }),
  // The backlog page size lost its default: every open order of the warehouse, lines embedded (~1 MB).
  make({ fault: 'backlog-page-unbounded', expect: on('large-payload', 'GET /warehouses/:id/backlog'), weight: 12, moderateRate: 20, overloadRate: 160 }),
  // The forecast interval by bootstrap: thousands of model refits, synchronously, per request.
  make({ fault: 'forecast-bootstrap-sync', expect: on('event-loop-blocked', 'GET /skus/:id/forecast'), weight: 15, moderateRate: 20, overloadRate: 250 }),
  // The forecast builds a two-year per-warehouse calendar (8,760 objects) per request and keeps the last 24.
  make({ fault: 'forecast-calendar-objects', expect: on('gc-pressure', 'GET /skus/:id/forecast'), weight: 35, moderateRate: 20, overloadRate: 300 }),
  // Customer histories are memoised by customer and URL with rows and request headers, never evicted.
  make({ fault: 'customer-orders-memo', expect: on('memory-growth', 'GET /orders'), weight: 35, moderateRate: 40, overloadRate: 480 }),
  // Legacy orders (15 %) have no ship-by date; the strict formatter throws on them (500).
  make({ fault: 'order-legacy-ship-by-crash', expect: on('error-rate', 'GET /orders/:id'), weight: 20, moderateRate: 40, overloadRate: 480 }),
  // The carrier's label API degrades: 300-600 ms instead of 20-40 ms.
  make({ fault: 'carrier-labels-slow', expect: on('slow-dependency', 'POST /orders/:id/ship'), weight: 15, moderateRate: 40, overloadRate: 480 }),
  // The address check moved into the order's transaction: each placement holds a connection (of 5) across the call.
  make({ fault: 'order-address-check-in-tx', expect: on('pool-saturation', 'POST /orders'), weight: 50, moderateRate: 80, overloadRate: 480 }),
  // Gapless shipment numbers: a counter row locked first, the label bought inside the same transaction.
  make({ fault: 'shipment-number-counter-row', expect: on('lock-contention', 'POST /orders/:id/ship'), weight: 50, moderateRate: 15, overloadRate: 150 }),
];
