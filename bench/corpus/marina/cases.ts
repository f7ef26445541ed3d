/**
 * The marina's cases: one everyday request mix, the healthy baseline and
 * one case per planted fault, with the rates measured by calibrate.ts (see
 * CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { MarinaFault } from './faults.js';

/** The everyday traffic of the marina's apps (owners' app, harbour office, map site). */
export const MARINA_MIX: CorpusCase['mix'] = [
  { endpoint: 'GET /harbours', method: 'GET', path: '/harbours', weight: 6 },
  { endpoint: 'GET /harbours/:id/berths', method: 'GET', path: "/harbours/{{ randomInt(1, 20) }}/berths?minLength={{ randomChoice('6', '8', '10', '12', '14') }}", weight: 12 },
  { endpoint: 'GET /berths/:id', method: 'GET', path: '/berths/{{ randomInt(1, 60) }}', weight: 12 },
  { endpoint: 'GET /harbours/:id/notices', method: 'GET', path: '/harbours/{{ randomInt(1, 20) }}/notices', weight: 8 },
  { endpoint: 'GET /harbours/:id/conditions', method: 'GET', path: '/harbours/{{ randomInt(1, 20) }}/conditions', weight: 7 },
  { endpoint: 'GET /boats/:id', method: 'GET', path: '/boats/{{ randomInt(1, 50000) }}', weight: 10 },
  { endpoint: 'GET /owners/:id/reservations', method: 'GET', path: '/owners/{{ randomInt(1, 40000) }}/reservations', weight: 10 },
  { endpoint: 'GET /owners/:id/invoices', method: 'GET', path: '/owners/{{ randomInt(1, 40000) }}/invoices', weight: 6 },
  { endpoint: 'GET /reservations/:id', method: 'GET', path: '/reservations/{{ randomInt(1, 600000) }}', weight: 9 },
  {
    endpoint: 'POST /reservations', method: 'POST', path: '/reservations', weight: 5,
    body: { boatId: '{{ randomInt(1, 50000) }}', berthId: '{{ randomInt(1, 2400) }}', arriveInDays: '{{ randomInt(1, 80) }}', nights: '{{ randomInt(1, 5) }}' },
  },
  {
    endpoint: 'POST /fuel-orders', method: 'POST', path: '/fuel-orders', weight: 6,
    body: {
      boatId: '{{ randomInt(1, 50000) }}', harbourId: '{{ randomInt(1, 20) }}', fuelType: "{{ randomChoice('diesel', 'diesel', 'petrol') }}", litres: '{{ randomInt(20, 300) }}',
      items: [
        { sku: "{{ randomChoice('ice-bag', 'engine-oil-1l', 'gas-bottle') }}", qty: '{{ randomInt(1, 3) }}' },
        { sku: 'fresh-water-100l', qty: '{{ randomInt(1, 4) }}' },
        { sku: "{{ randomChoice('pump-out', 'ice-bag') }}", qty: '1' },
      ],
    },
  },
  { endpoint: 'POST /invoices/:id/pay', method: 'POST', path: '/invoices/{{ randomInt(340001, 400000) }}/pay', weight: 5, body: { cardToken: 'tok_{{ randomInt(100000, 999999) }}' } },
  { endpoint: 'GET /harbours/:id/fuel-prices', method: 'GET', path: '/harbours/{{ randomInt(1, 20) }}/fuel-prices', weight: 4 },
];

function faultCase(fault: MarinaFault, category: string, endpoint: string, moderateRate: number, overloadRate: number): CorpusCase {
  return { id: `marina/${fault}`, fault, expect: { category, endpoint }, mix: MARINA_MIX, moderateRate, overloadRate };
}

export const MARINA_CASES: CorpusCase[] = [
  { id: 'marina/healthy', fault: null, expect: null, mix: MARINA_MIX, moderateRate: 100, overloadRate: 900 },
  faultCase('owner-reservations-index-dropped', 'missing-index', 'GET /owners/:id/reservations', 60, 160),
  faultCase('berth-list-next-booking-per-berth', 'n-plus-one', 'GET /harbours/:id/berths', 70, 400),
  faultCase('notices-coalesce-filter', 'inefficient-query', 'GET /harbours/:id/notices', 70, 300),
  faultCase('berth-cache-key-timestamp', 'cache-miss', 'GET /berths/:id', 100, 800),
  faultCase('availability-invalidate-keys', 'cache-slow-command', 'POST /reservations', 80, 450),
  faultCase('pay-inside-transaction', 'pool-saturation', 'POST /invoices/:id/pay', 80, 200),
  faultCase('fuel-receipt-counter-first', 'lock-contention', 'POST /fuel-orders', 100, 300),
  faultCase('gate-key-derived-per-request', 'event-loop-blocked', 'GET /reservations/:id', 80, 300),
  faultCase('tariff-calendar-per-request', 'gc-pressure', 'GET /owners/:id/invoices', 60, 260),
  faultCase('live-tide-gauge', 'slow-dependency', 'GET /harbours/:id/conditions', 100, 900),
  faultCase('harbour-map-payload', 'large-payload', 'GET /harbours', 80, 700),
  faultCase('insurance-badge-null', 'error-rate', 'GET /boats/:id', 100, 900),
];
