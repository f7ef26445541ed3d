/**
 * The bikeshare's cases: the healthy build and one case per planted fault,
 * all driven with the same request mix (a weekday afternoon of the rider
 * app plus the ops console). Rates come from calibrate.ts (CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { BikeshareFault } from './faults.js';

const DISTRICT_CHOICE = "{{ randomChoice('downtown', 'riverside', 'university', 'harbor', 'old-town', 'midtown', 'northside', 'eastgate') }}";

/**
 * The whole service's traffic. Riders 1..20,000 are the frequent app users; unlocks and passes come
 * from the long tail; station detail views concentrate on the 150 busiest (downtown/commuter) stations.
 */
export const BIKESHARE_MIX: CorpusCase['mix'] = [
  { endpoint: 'GET /stations/:id', method: 'GET', path: '/stations/{{ randomInt(1, 150) }}', weight: 14 },
  { endpoint: 'GET /map', method: 'GET', path: `/map?district=${DISTRICT_CHOICE}`, weight: 10 },
  { endpoint: 'GET /stations/nearby', method: 'GET', path: '/stations/nearby?lat=41.{{ randomInt(8300, 9700) }}&lon=-87.{{ randomInt(6150, 7450) }}', weight: 10 },
  { endpoint: 'GET /riders/:id', method: 'GET', path: '/riders/{{ randomInt(1, 20000) }}', weight: 8 },
  { endpoint: 'GET /riders/:id/trips', method: 'GET', path: '/riders/{{ randomInt(1, 20000) }}/trips', weight: 8 },
  { endpoint: 'GET /trips/:id', method: 'GET', path: '/trips/{{ randomInt(1, 400000) }}', weight: 6 },
  { endpoint: 'POST /trips', method: 'POST', path: '/trips', weight: 8, body: { rider_id: '{{ randomInt(20001, 179999) }}', station_id: '{{ randomInt(1, 1200) }}' } },
  { endpoint: 'POST /trips/:id/return', method: 'POST', path: '/trips/{{ randomInt(400001, 405000) }}/return', weight: 7, body: { station_id: '{{ randomInt(1, 1200) }}' } },
  { endpoint: 'POST /passes', method: 'POST', path: '/passes', weight: 6, body: { rider_id: '{{ randomInt(20001, 200000) }}', kind: "{{ randomChoice('day', 'day', 'day', 'week', 'month') }}" } },
  { endpoint: 'GET /riders/:id/payments', method: 'GET', path: '/riders/{{ randomInt(1, 20000) }}/payments', weight: 5 },
  { endpoint: 'GET /riders/:id/notifications', method: 'GET', path: '/riders/{{ randomInt(1, 20000) }}/notifications', weight: 5 },
  { endpoint: 'GET /districts/:district/stats', method: 'GET', path: `/districts/${DISTRICT_CHOICE}/stats`, weight: 3 },
  { endpoint: 'GET /bikes/:id', method: 'GET', path: '/bikes/{{ randomInt(1, 26000) }}', weight: 6 },
  {
    endpoint: 'POST /maintenance/tickets', method: 'POST', path: '/maintenance/tickets', weight: 4,
    body: { bike_id: '{{ randomInt(1, 26000) }}', station_id: '{{ randomInt(1, 1200) }}', rider_id: '{{ randomInt(1, 200000) }}', category: "{{ randomChoice('flat_tire', 'brakes', 'chain', 'battery', 'dock_fault', 'lights', 'other') }}", description: 'Reported from the app' },
  },
];

function c(id: string, fault: BikeshareFault | null, expect: CorpusCase['expect'], moderateRate: number, overloadRate: number): CorpusCase {
  return { id: `bikeshare/${id}`, fault, expect, mix: BIKESHARE_MIX, moderateRate, overloadRate };
}

export const BIKESHARE_CASES: CorpusCase[] = [
  c('healthy', null, null, 150, 900),
  c('missing-index-payments-rider', 'payments-index-dropped', { category: 'missing-index', endpoint: 'GET /riders/:id/payments' }, 120, 400),
  c('n-plus-one-trip-history', 'trip-history-lazy-stations', { category: 'n-plus-one', endpoint: 'GET /riders/:id/trips' }, 150, 600),
  c('inefficient-query-district-stats', 'district-stats-calendar-days', { category: 'inefficient-query', endpoint: 'GET /districts/:district/stats' }, 120, 350),
  c('cache-miss-map-ttl', 'map-cache-ttl-ms', { category: 'cache-miss', endpoint: 'GET /map' }, 150, 650),
  c('cache-slow-command-station-holds', 'station-holds-keys-scan', { category: 'cache-slow-command', endpoint: 'GET /stations/:id' }, 150, 700),
  c('lock-contention-campaign-row', 'campaign-row-lock', { category: 'lock-contention', endpoint: 'POST /passes' }, 70, 180),
  c('pool-saturation-unlock-confirm', 'unlock-waits-dock-in-tx', { category: 'pool-saturation', endpoint: 'POST /trips' }, 60, 150),
  c('slow-dependency-trip-geocoder', 'trip-geocoder-inline', { category: 'slow-dependency', endpoint: 'GET /trips/:id' }, 150, 700),
  c('event-loop-blocked-receipt-pbkdf2', 'receipt-signing-sync', { category: 'event-loop-blocked', endpoint: 'POST /trips/:id/return' }, 60, 280),
  c('gc-pressure-notification-catalog', 'notification-catalog-rebuild', { category: 'gc-pressure', endpoint: 'GET /riders/:id/notifications' }, 100, 300),
  c('large-payload-nearby-docks', 'nearby-full-fleet', { category: 'large-payload', endpoint: 'GET /stations/nearby' }, 100, 330),
  c('error-rate-bike-telemetry', 'bike-telemetry-null', { category: 'error-rate', endpoint: 'GET /bikes/:id' }, 150, 700),
];
