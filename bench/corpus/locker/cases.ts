/**
 * The locker's cases: the healthy build and one planted fault per diagnosis
 * category, all driven with the same request mix. Rates are calibrated on
 * the 2-core benchmark machine (CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import { LOCKER_FAULTS, type LockerFault } from './faults.js';

/** The request mix of every case: the apps (recipient, courier), the public website and the lockers themselves. */
export const LOCKER_MIX: CorpusCase['mix'] = [
  { endpoint: 'GET /parcels/:tracking', method: 'GET', path: '/parcels/LK{{ randomInt(1000480001, 1000600000) }}', weight: 20 },
  { endpoint: 'GET /lockers/:id/availability', method: 'GET', path: '/lockers/{{ randomInt(1, 150) }}/availability', weight: 13 },
  { endpoint: 'GET /lockers/nearby', method: 'GET', path: '/lockers/nearby?lat=5{{ randomInt(0, 3) }}.{{ randomInt(1000, 9999) }}&lng=1{{ randomInt(5, 9) }}.{{ randomInt(1000, 9999) }}', weight: 9 },
  { endpoint: 'GET /recipients/:id/parcels', method: 'GET', path: '/recipients/{{ randomInt(1, 150000) }}/parcels', weight: 11 },
  { endpoint: 'POST /lockers/:id/heartbeat', method: 'POST', path: '/lockers/{{ randomInt(1, 3000) }}/heartbeat', weight: 10,
    body: { firmware: "4.{{ randomChoice('1', '2') }}.7", temperatureC: '{{ randomInt(2, 24) }}', doorsOpen: 0, battery: 97 } },
  { endpoint: 'GET /couriers/leaderboard', method: 'GET', path: '/couriers/leaderboard?limit={{ randomChoice(10, 20, 50) }}', weight: 6 },
  { endpoint: 'GET /couriers/:id/route', method: 'GET', path: '/couriers/{{ randomInt(1, 8000) }}/route', weight: 6 },
  { endpoint: 'POST /parcels/:id/deposit', method: 'POST', path: '/parcels/{{ randomInt(540001, 600000) }}/deposit', weight: 5,
    body: { courierId: '{{ randomInt(1, 8000) }}' } },
  { endpoint: 'POST /parcels/:id/pickup', method: 'POST', path: '/parcels/{{ randomInt(480001, 540000) }}/pickup', weight: 5,
    body: { channel: "{{ randomChoice('app', 'terminal') }}" } },
  { endpoint: 'POST /reservations', method: 'POST', path: '/reservations', weight: 7,
    body: { siteId: '{{ randomInt(1, 3000) }}', size: "{{ randomChoice('S', 'M', 'L') }}", courierId: '{{ randomInt(1, 8000) }}' } },
  { endpoint: 'POST /parcels/:id/extensions', method: 'POST', path: '/parcels/{{ randomInt(480001, 540000) }}/extensions', weight: 5,
    body: { hours: '{{ randomChoice(24, 48) }}', cardToken: 'tok_visa_4242' } },
  { endpoint: 'POST /returns', method: 'POST', path: '/returns', weight: 3,
    body: { parcelId: '{{ randomInt(300000, 480000) }}', reason: "{{ randomChoice('wrong_size', 'damaged', 'not_as_described', 'changed_mind') }}" } },
];

/** The endpoint each fault is planted on, and its calibrated rates (req/s of the whole mix). */
const PLANTED: Record<LockerFault, { id: string; endpoint: string; moderateRate: number; overloadRate: number }> = {
  'recipient-index-dropped': { id: 'missing-index-parcels-recipient', endpoint: 'GET /recipients/:id/parcels', moderateRate: 40, overloadRate: 160 },
  'city-wide-eta': { id: 'inefficient-query-city-eta', endpoint: 'GET /parcels/:tracking', moderateRate: 15, overloadRate: 100 },
  'route-lazy-loading': { id: 'n-plus-one-route-stops', endpoint: 'GET /couriers/:id/route', moderateRate: 30, overloadRate: 250 },
  'gapless-reservation-no': { id: 'lock-contention-reservation-counter', endpoint: 'POST /reservations', moderateRate: 50, overloadRate: 300 },
  'extension-charge-in-txn': { id: 'pool-saturation-extension-charge', endpoint: 'POST /parcels/:id/extensions', moderateRate: 50, overloadRate: 300 },
  'public-role-capped': { id: 'connection-limit-public-role', endpoint: 'GET /lockers/nearby', moderateRate: 50, overloadRate: 250 },
  'board-key-timestamp': { id: 'cache-miss-board-key-timestamp', endpoint: 'GET /lockers/:id/availability', moderateRate: 50, overloadRate: 250 },
  'rolling-leaderboard-union': { id: 'cache-slow-command-leaderboard-union', endpoint: 'GET /couriers/leaderboard', moderateRate: 50, overloadRate: 200 },
  'receipt-key-stretching': { id: 'event-loop-blocked-receipt-pbkdf2', endpoint: 'POST /parcels/:id/pickup', moderateRate: 30, overloadRate: 200 },
  'catalog-clone-per-request': { id: 'gc-pressure-catalog-clone', endpoint: 'GET /recipients/:id/parcels', moderateRate: 50, overloadRate: 250 },
  'eta-memo-per-parcel': { id: 'memory-growth-eta-memo', endpoint: 'GET /parcels/:tracking', moderateRate: 50, overloadRate: 250 },
  'sms-provider-degraded': { id: 'slow-dependency-sms-provider', endpoint: 'POST /parcels/:id/deposit', moderateRate: 50, overloadRate: 200 },
  'route-embeds-timelines': { id: 'large-payload-route-timelines', endpoint: 'GET /couriers/:id/route', moderateRate: 40, overloadRate: 160 },
  'returns-email-crash': { id: 'error-rate-returns-phone-only', endpoint: 'POST /returns', moderateRate: 50, overloadRate: 300 },
  'sites-autovacuum-off': { id: 'table-bloat-sites-heartbeats', endpoint: 'GET /lockers/nearby', moderateRate: 40, overloadRate: 160 },
};

export const LOCKER_CASES: CorpusCase[] = [
  { id: 'locker/healthy', fault: null, expect: null, mix: LOCKER_MIX, moderateRate: 50, overloadRate: 250 },
  ...(Object.keys(PLANTED) as LockerFault[]).map((fault): CorpusCase => ({
    id: `locker/${PLANTED[fault].id}`,
    fault,
    expect: { category: LOCKER_FAULTS[fault], endpoint: PLANTED[fault].endpoint },
    mix: LOCKER_MIX,
    moderateRate: PLANTED[fault].moderateRate,
    overloadRate: PLANTED[fault].overloadRate,
  })),
];
