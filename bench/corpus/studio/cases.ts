/**
 * The studio's corpus cases: the healthy build and one fault per category,
 * driven with the app's traffic on a weekday evening (timetable and class
 * pages dominate, a few bookings, check-ins and pack purchases), except the
 * lock and pool cases, whose faults live on write paths and are driven with
 * the traffic of the days those writes surge (booking rush, pack sale).
 * Rates are from CALIBRATION.md.
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import { CLASS_COUNT, CLASSES_PER_DAY, FIRST_UPCOMING_BOOKING, FIRST_UPCOMING_CLASS, INSTRUCTORS, KIOSK_PROVISIONING_SECRET, LAST_BOOKING, MEMBERS, STUDIOS } from './schema.js';
import type { StudioFault } from './faults.js';

/** The request mix of every studio case (weights sum to 100). */
export const STUDIO_MIX: CorpusCase['mix'] = [
  { endpoint: 'GET /studios/:id/schedule', method: 'GET', path: `/studios/{{ randomInt(1, ${STUDIOS}) }}/schedule?week={{ randomChoice(0, 0, 1) }}`, weight: 16 },
  { endpoint: 'GET /classes/:id', method: 'GET', path: `/classes/{{ randomInt(1, ${CLASS_COUNT}) }}`, weight: 16 },
  { endpoint: 'GET /members/:id/bookings', method: 'GET', path: `/members/{{ randomInt(1, ${MEMBERS}) }}/bookings`, weight: 10 },
  { endpoint: 'GET /members/:id', method: 'GET', path: `/members/{{ randomInt(1, ${MEMBERS}) }}`, weight: 10 },
  { endpoint: 'GET /studios/:id/classes', method: 'GET', path: `/studios/{{ randomInt(1, ${STUDIOS}) }}/classes?page={{ randomInt(0, 2) }}`, weight: 8 },
  { endpoint: 'GET /instructors/:id/reviews', method: 'GET', path: `/instructors/{{ randomInt(1, ${INSTRUCTORS}) }}/reviews?page={{ randomChoice(0, 0, 1) }}`, weight: 8 },
  { endpoint: 'GET /classes/:id/waitlist', method: 'GET', path: `/classes/{{ randomInt(${FIRST_UPCOMING_CLASS}, ${CLASS_COUNT}) }}/waitlist`, weight: 7 },
  { endpoint: 'GET /studios/:id/leaderboard', method: 'GET', path: `/studios/{{ randomInt(1, ${STUDIOS}) }}/leaderboard`, weight: 6 },
  { endpoint: 'GET /studios/:id/occupancy', method: 'GET', path: `/studios/{{ randomInt(1, ${STUDIOS}) }}/occupancy`, weight: 6 },
  // Bookings go to tomorrow's classes onwards (today's have started by evening).
  { endpoint: 'POST /classes/:id/bookings', method: 'POST', path: `/classes/{{ randomInt(${FIRST_UPCOMING_CLASS + CLASSES_PER_DAY}, ${CLASS_COUNT}) }}/bookings`, weight: 6, body: { memberId: `{{ randomInt(1, ${MEMBERS}) }}` } },
  { endpoint: 'POST /bookings/:id/check-in', method: 'POST', path: `/bookings/{{ randomInt(${FIRST_UPCOMING_BOOKING}, ${LAST_BOOKING}) }}/check-in`, weight: 4, body: { kioskId: `{{ randomInt(1, ${STUDIOS}) }}`, kioskSecret: KIOSK_PROVISIONING_SECRET } },
  { endpoint: 'POST /members/:id/payments', method: 'POST', path: `/members/{{ randomInt(1, ${MEMBERS}) }}/payments`, weight: 3, body: { pack: "{{ randomChoice('single', 'ten-pack', 'monthly-8') }}" } },
];

/** The mix with some endpoints' weights changed (a sale day, the hour next week's timetable opens). */
export function reweighted(weights: Record<string, number>): CorpusCase['mix'] {
  return STUDIO_MIX.map((m) => (m.endpoint in weights ? { ...m, weight: weights[m.endpoint]! } : m));
}

/**
 * Booking opens for next week at noon: bookings and the screens around them surge.
 * Check-ins keep their kiosk rate.
 */
export const BOOKING_RUSH_MIX = reweighted({ 'POST /classes/:id/bookings': 30, 'GET /studios/:id/schedule': 20 });

/** A class-pack sale: one visit in six buys a pack. */
export const PACK_SALE_MIX = reweighted({ 'POST /members/:id/payments': 18 });

function fault(id: string, name: StudioFault, category: string, endpoint: string, moderateRate: number, overloadRate: number, mix = STUDIO_MIX): CorpusCase {
  return { id: `studio/${id}`, fault: name, expect: { category, endpoint }, mix, moderateRate, overloadRate };
}

/** The healthy case and the fifteen faults. */
export const STUDIO_CASES: CorpusCase[] = [
  { id: 'studio/healthy', fault: null, expect: null, mix: STUDIO_MIX, moderateRate: 150, overloadRate: 1000 },
  fault('missing-index-bookings-member', 'bookings-index-consolidated', 'missing-index', 'GET /members/:id/bookings', 30, 200),
  fault('inefficient-query-live-percentile', 'live-instructor-percentile', 'inefficient-query', 'GET /instructors/:id/reviews', 80, 300),
  fault('n-plus-one-waitlist', 'waitlist-member-lookup', 'n-plus-one', 'GET /classes/:id/waitlist', 120, 500),
  fault('lock-contention-booking-table-lock', 'booking-table-lock', 'lock-contention', 'POST /classes/:id/bookings', 120, 500, BOOKING_RUSH_MIX),
  fault('pool-saturation-payment-tx', 'payment-tx-spans-gateway', 'pool-saturation', 'POST /members/:id/payments', 100, 400, PACK_SALE_MIX),
  fault('connection-limit-reader-role', 'reader-role-capped', 'connection-limit', 'GET /instructors/:id/reviews', 100, 900),
  fault('cache-miss-schedule-ttl', 'schedule-ttl-units', 'cache-miss', 'GET /studios/:id/schedule', 120, 500),
  fault('cache-slow-command-leaderboard-union', 'network-leaderboard-union', 'cache-slow-command', 'GET /studios/:id/leaderboard', 80, 300),
  fault('event-loop-blocked-kiosk-scrypt', 'kiosk-secret-scrypt', 'event-loop-blocked', 'POST /bookings/:id/check-in', 80, 500),
  fault('gc-pressure-similar-classes', 'similar-classes-rescore', 'gc-pressure', 'GET /classes/:id', 60, 250),
  fault('memory-growth-class-memo', 'class-memo-unbounded', 'memory-growth', 'GET /classes/:id', 300, 1000),
  fault('slow-dependency-gateway', 'gateway-degraded', 'slow-dependency', 'POST /members/:id/payments', 150, 700),
  fault('large-payload-catalogue', 'catalogue-unpaginated', 'large-payload', 'GET /studios/:id/classes', 60, 250),
  fault('error-rate-lapsed-membership', 'lapsed-membership-null', 'error-rate', 'GET /members/:id', 150, 800),
  fault('table-bloat-occupancy', 'occupancy-autovacuum-off', 'table-bloat', 'GET /studios/:id/occupancy', 80, 300),
];
