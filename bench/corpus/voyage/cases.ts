/**
 * The voyage's cases: the healthy build and one case per planted fault, all
 * driven with the same everyday request mix. Rates were measured with
 * calibrate.ts (see CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { VoyageFault } from './faults.js';

/**
 * The everyday mix of the travel site: all 13 endpoints, weights summing to
 * 100. Partner accruals (POST /loyalty/:travellerId/earn) are the biggest
 * single stream: hotel, car-rental and card partners post them machine to
 * machine.
 */
export const VOYAGE_MIX: CorpusCase['mix'] = [
  {
    endpoint: 'GET /flights/search', method: 'GET', weight: 8,
    path: "/flights/search?origin={{ randomChoice('LHR', 'CDG', 'FRA', 'AMS') }}&destination={{ randomChoice('JFK', 'DXB', 'SIN') }}&date={{ randomChoice('2027-02-01', '2027-02-02', '2027-02-03') }}",
  },
  { endpoint: 'GET /flights/:id', method: 'GET', weight: 5, path: '/flights/{{ randomInt(1, 200000) }}' },
  { endpoint: 'GET /flights/:id/seats', method: 'GET', weight: 6, path: '/flights/{{ randomInt(1, 200000) }}/seats' },
  { endpoint: 'GET /flights/:id/availability', method: 'GET', weight: 6, path: '/flights/{{ randomInt(1, 200000) }}/availability' },
  {
    endpoint: 'GET /hotels/search', method: 'GET', weight: 8,
    path: "/hotels/search?city={{ randomChoice('London', 'Paris', 'Rome', 'Madrid', 'Dubai', 'Singapore', 'Tokyo', 'Sydney') }}",
  },
  {
    endpoint: 'GET /hotels/:id/rates', method: 'GET', weight: 8,
    path: '/hotels/{{ randomInt(1, 150000) }}/rates?checkin=2027-03-{{ randomInt(10, 28) }}&nights={{ randomInt(1, 5) }}',
  },
  { endpoint: 'GET /travellers/:id', method: 'GET', weight: 8, path: '/travellers/{{ randomInt(1, 100000) }}' },
  { endpoint: 'GET /travellers/:id/bookings', method: 'GET', weight: 8, path: '/travellers/{{ randomInt(1, 100000) }}/bookings' },
  { endpoint: 'GET /itineraries/:id', method: 'GET', weight: 8, path: '/itineraries/{{ randomInt(1, 40000) }}' },
  {
    endpoint: 'POST /bookings', method: 'POST', weight: 7, path: '/bookings',
    body: { travellerId: '{{ randomInt(1, 100000) }}', flightId: '{{ randomInt(1, 200000) }}', cabin: "{{ randomChoice('economy', 'economy', 'premium', 'business') }}" },
  },
  { endpoint: 'GET /bookings/:id/confirmation', method: 'GET', weight: 6, path: '/bookings/{{ randomInt(1, 480000) }}/confirmation' },
  {
    endpoint: 'POST /loyalty/:travellerId/earn', method: 'POST', weight: 16, path: '/loyalty/{{ randomInt(1, 100000) }}/earn',
    body: { points: '{{ randomInt(50, 2500) }}', source: "{{ randomChoice('hotel', 'car-rental', 'credit-card') }}" },
  },
  { endpoint: 'GET /deals', method: 'GET', weight: 6, path: "/deals?origin={{ randomChoice('LHR', 'CDG', 'FRA', 'AMS', 'JFK', 'DXB', 'SIN', 'MAD') }}" },
];

function faultCase(slug: string, fault: VoyageFault, category: string, endpoint: string, moderateRate: number, overloadRate: number): CorpusCase {
  if (!VOYAGE_MIX.some((m) => m.endpoint === endpoint)) throw new Error(`voyage: ${endpoint} is not in the mix`);
  return { id: `voyage/${slug}`, fault, expect: { category, endpoint }, mix: VOYAGE_MIX, moderateRate, overloadRate };
}

if (VOYAGE_MIX.reduce((s, m) => s + m.weight, 0) !== 100) throw new Error('voyage: mix weights must sum to 100');

export const VOYAGE_CASES: CorpusCase[] = [
  { id: 'voyage/healthy', fault: null, expect: null, mix: VOYAGE_MIX, moderateRate: 200, overloadRate: 800 },
  faultCase('missing-index-bookings-traveller', 'bookings-traveller-index-dropped', 'missing-index', 'GET /travellers/:id/bookings', 130, 400),
  faultCase('inefficient-query-hotel-search-lower', 'hotel-search-lower-city', 'inefficient-query', 'GET /hotels/search', 150, 350),
  faultCase('n-plus-one-itinerary', 'itinerary-per-booking-queries', 'n-plus-one', 'GET /itineraries/:id', 200, 600),
  faultCase('lock-contention-loyalty-programme', 'loyalty-programme-liability-row', 'lock-contention', 'POST /loyalty/:travellerId/earn', 350, 700),
  faultCase('pool-saturation-booking-transaction', 'booking-transaction-spans-partner-calls', 'pool-saturation', 'POST /bookings', 170, 550),
  faultCase('slow-dependency-gds-availability', 'gds-availability-degraded', 'slow-dependency', 'GET /flights/:id/availability', 200, 600),
  faultCase('cache-miss-fare-search-ttl', 'fare-search-cache-ttl-ms', 'cache-miss', 'GET /flights/search', 150, 400),
  faultCase('cache-slow-command-deals-zrange', 'deals-full-zrange', 'cache-slow-command', 'GET /deals', 170, 600),
  faultCase('event-loop-blocked-document-token', 'traveller-document-token-sync', 'event-loop-blocked', 'GET /travellers/:id', 150, 400),
  faultCase('gc-pressure-hotel-rate-calendar', 'hotel-rates-full-calendar', 'gc-pressure', 'GET /hotels/:id/rates', 130, 350),
  faultCase('large-payload-seatmap-fare-rules', 'seatmap-embedded-fare-rules', 'large-payload', 'GET /flights/:id/seats', 200, 650),
  faultCase('error-rate-confirmation-flight-only', 'confirmation-assumes-hotel', 'error-rate', 'GET /bookings/:id/confirmation', 200, 650),
];
