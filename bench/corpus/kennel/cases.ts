/**
 * The kennel's cases: the healthy build and one planted fault per category.
 * All cases drive the same request mix (a day of the booking site, the
 * owners' app and the staff tablets); rates are measured with calibrate.ts
 * (see CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { KennelFault } from './faults.js';

/** The request mix of every kennel case. */
export const KENNEL_MIX: CorpusCase['mix'] = [
  { endpoint: 'GET /pets/:id', method: 'GET', path: '/pets/{{ randomInt(1, 80000) }}', weight: 16 },
  { endpoint: 'GET /owners/:id/bookings', method: 'GET', path: '/owners/{{ randomInt(1, 50000) }}/bookings', weight: 10 },
  {
    endpoint: 'GET /availability', method: 'GET',
    path: "/availability?facility={{ randomInt(1, 20) }}&size={{ randomChoice('S', 'M', 'L', 'XL') }}&from={{ randomInt(1, 180) }}&nights={{ randomInt(1, 7) }}",
    weight: 16,
  },
  {
    endpoint: 'POST /bookings', method: 'POST', path: '/bookings', weight: 8,
    body: {
      ownerId: '{{ randomInt(1, 30000) }}', pets: 2, facilityId: '{{ randomInt(1, 20) }}',
      size: "{{ randomChoice('S', 'M', 'L', 'XL') }}", startInDays: '{{ randomInt(200, 700) }}', nights: '{{ randomInt(1, 5) }}',
    },
  },
  {
    endpoint: 'POST /daycare/checkins', method: 'POST', path: '/daycare/checkins', weight: 10,
    body: { petId: '{{ randomInt(1, 80000) }}', facilityId: '{{ randomInt(1, 3) }}' },
  },
  { endpoint: 'GET /pets/:id/care-schedule', method: 'GET', path: '/pets/{{ randomInt(1, 4000) }}/care-schedule', weight: 10 },
  { endpoint: 'GET /facilities/:id/dashboard', method: 'GET', path: '/facilities/{{ randomInt(1, 20) }}/dashboard', weight: 5 },
  { endpoint: 'GET /pets/:id/photos', method: 'GET', path: '/pets/{{ randomInt(1, 80000) }}/photos', weight: 12 },
  { endpoint: 'GET /invoices/:id', method: 'GET', path: '/invoices/{{ randomInt(1, 120000) }}', weight: 8 },
  { endpoint: 'GET /facilities/:id/reviews', method: 'GET', path: '/facilities/{{ randomInt(1, 20) }}/reviews', weight: 8 },
  {
    endpoint: 'POST /pets/:id/vaccinations', method: 'POST', path: '/pets/{{ randomInt(1, 80000) }}/vaccinations', weight: 5,
    body: {
      vaccine: "{{ randomChoice('rabies', 'dhpp', 'bordetella', 'leptospirosis') }}",
      clinic: "{{ randomChoice('Riverside Vets', 'Oak Tree Clinic', 'Hillview Animal Hospital') }}",
      certificateNo: 'VC-{{ randomInt(300000, 999999) }}',
    },
  },
];

function fault(name: KennelFault, category: string, endpoint: string, moderateRate: number, overloadRate: number): CorpusCase {
  return { id: `kennel/${name}`, fault: name, expect: { category, endpoint }, mix: KENNEL_MIX, moderateRate, overloadRate };
}

/** Healthy baseline plus 14 faults, one per category. */
export const KENNEL_CASES: CorpusCase[] = [
  { id: 'kennel/healthy', fault: null, expect: null, mix: KENNEL_MIX, moderateRate: 80, overloadRate: 400 },
  fault('photos-index-replaced', 'missing-index', 'GET /pets/:id/photos', 40, 250),
  fault('bookings-review-not-in', 'inefficient-query', 'GET /owners/:id/bookings', 40, 300),
  fault('invoice-lines-per-row', 'n-plus-one', 'GET /invoices/:id', 60, 300),
  fault('checkin-gapless-tags', 'lock-contention', 'POST /daycare/checkins', 40, 200),
  fault('booking-tx-spans-partners', 'pool-saturation', 'POST /bookings', 40, 250),
  fault('records-pool-one', 'connection-limit', 'POST /pets/:id/vaccinations', 50, 300),
  fault('run-status-bloat', 'table-bloat', 'GET /facilities/:id/dashboard', 60, 300),
  fault('reviews-cache-ttl-zero', 'cache-miss', 'GET /facilities/:id/reviews', 50, 300),
  fault('care-marks-hscan', 'cache-slow-command', 'GET /pets/:id/care-schedule', 40, 250),
  fault('passport-key-per-request', 'event-loop-blocked', 'GET /pets/:id', 25, 150),
  fault('care-minute-grid', 'gc-pressure', 'GET /pets/:id/care-schedule', 50, 300),
  fault('profile-memo-leak', 'memory-growth', 'GET /pets/:id', 80, 400),
  fault('availability-full-calendar', 'large-payload', 'GET /availability', 20, 100),
  fault('sms-provider-slow', 'slow-dependency', 'POST /daycare/checkins', 60, 400),
  fault('invoice-credit-format-crash', 'error-rate', 'GET /invoices/:id', 80, 400),
];
