/**
 * The cases of the clinic service: the healthy build and one case per
 * planted fault, each with the top problem an expert would name, its
 * request mix and calibrated rates (see calibrate.ts and README.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { ClinicFault } from './faults.js';

type MixEntry = CorpusCase['mix'][number];

/**
 * The everyday traffic of the clinic API: patient app and front desk reads
 * dominate; bookings, eligibility checks and invoices are rarer; a partner
 * integration pages through the back-office appointment list. Ids are drawn
 * over the whole seed, so in a short run most cache keys are first seen
 * (a cold cache, which is normal for a fresh deploy).
 */
function baseMix(overrides: Partial<Record<string, number>> = {}): MixEntry[] {
  const entries: MixEntry[] = [
    { endpoint: 'GET /patients/:id', method: 'GET', path: '/patients/{{ randomInt(1, 60000) }}', weight: 22 },
    { endpoint: 'GET /patients/:id/appointments', method: 'GET', path: '/patients/{{ randomInt(1, 60000) }}/appointments', weight: 18 },
    { endpoint: 'GET /doctors/:id/schedule', method: 'GET', path: '/doctors/{{ randomInt(1, 200) }}/schedule?week={{ randomInt(1, 104) }}', weight: 10 },
    { endpoint: 'GET /appointments/:id', method: 'GET', path: '/appointments/{{ randomInt(1, 300000) }}', weight: 14 },
    {
      endpoint: 'POST /appointments',
      method: 'POST',
      path: '/appointments',
      weight: 5,
      body: { patientId: '{{ randomInt(1, 60000) }}', doctorId: '{{ randomInt(1, 200) }}', slot: '{{ randomInt(0, 7299) }}' },
    },
    { endpoint: 'GET /appointments', method: 'GET', path: '/appointments?page={{ randomInt(1, 2000) }}', weight: 6 },
    { endpoint: 'GET /doctors/:id/stats', method: 'GET', path: '/doctors/{{ randomInt(1, 200) }}/stats', weight: 10 },
    { endpoint: 'GET /patients/:id/eligibility', method: 'GET', path: '/patients/{{ randomInt(1, 60000) }}/eligibility', weight: 7 },
    { endpoint: 'GET /appointments/:id/invoice', method: 'GET', path: '/appointments/{{ randomInt(1, 300000) }}/invoice', weight: 8 },
  ];
  return entries.map((e) => (overrides[e.endpoint] === undefined ? e : { ...e, weight: overrides[e.endpoint]! }));
}

interface CaseSpec {
  fault: ClinicFault | null;
  expect: CorpusCase['expect'];
  moderateRate: number;
  overloadRate: number;
  mix?: MixEntry[];
}

const spec = (name: string, s: CaseSpec): CorpusCase => ({
  id: `clinic/${name}`,
  fault: s.fault,
  expect: s.expect,
  mix: s.mix ?? baseMix(),
  moderateRate: s.moderateRate,
  overloadRate: s.overloadRate,
});

/** All cases of the clinic service. Rates: see README.md (measured on a contended 2-core box, with margin). */
export const CLINIC_CASES: CorpusCase[] = [
  spec('healthy', { fault: null, expect: null, moderateRate: 30, overloadRate: 300 }),
  spec('missing-index-patient-history', {
    fault: 'missing-index-patient-history',
    expect: { category: 'missing-index', endpoint: 'GET /patients/:id/appointments' },
    moderateRate: 20,
    overloadRate: 150,
  }),
  spec('missing-index-prescriptions-join', {
    fault: 'missing-index-prescriptions-join',
    expect: { category: 'missing-index', endpoint: 'GET /appointments/:id' },
    moderateRate: 20,
    overloadRate: 150,
  }),
  spec('n-plus-one-schedule', {
    fault: 'n-plus-one-schedule',
    expect: { category: 'n-plus-one', endpoint: 'GET /doctors/:id/schedule' },
    moderateRate: 15,
    overloadRate: 100,
  }),
  spec('cache-key-timestamp', {
    fault: 'cache-key-timestamp',
    expect: { category: 'cache-miss', endpoint: 'GET /doctors/:id/stats' },
    moderateRate: 20,
    overloadRate: 160,
  }),
  spec('redis-smembers-flag-check', {
    fault: 'redis-smembers-flag-check',
    expect: { category: 'cache-slow-command', endpoint: 'GET /patients/:id' },
    moderateRate: 5,
    overloadRate: 45,
  }),
  spec('pool-held-across-upstream', {
    fault: 'pool-held-across-upstream',
    expect: { category: 'pool-saturation', endpoint: 'GET /patients/:id/eligibility' },
    moderateRate: 25,
    overloadRate: 200,
  }),
  spec('booking-counter-lock', {
    fault: 'booking-counter-lock',
    expect: { category: 'lock-contention', endpoint: 'POST /appointments' },
    // Booking opens for the season: a third of the traffic books.
    mix: baseMix({ 'POST /appointments': 30 }),
    moderateRate: 15,
    overloadRate: 100,
  }),
  spec('sync-key-derivation', {
    fault: 'sync-key-derivation',
    expect: { category: 'event-loop-blocked', endpoint: 'GET /appointments/:id/invoice' },
    moderateRate: 20,
    overloadRate: 130,
  }),
  spec('invoice-inline-logo', {
    fault: 'invoice-inline-logo',
    expect: { category: 'large-payload', endpoint: 'GET /appointments/:id/invoice' },
    moderateRate: 15,
    overloadRate: 100,
  }),
  spec('timeline-leak', {
    fault: 'timeline-leak',
    expect: { category: 'memory-growth', endpoint: 'GET /patients/:id/appointments' },
    mix: baseMix({ 'GET /patients/:id/appointments': 30 }),
    moderateRate: 25,
    overloadRate: 200,
  }),
  spec('catalog-clone-churn', {
    fault: 'catalog-clone-churn',
    expect: { category: 'gc-pressure', endpoint: 'GET /appointments/:id' },
    moderateRate: 5,
    overloadRate: 70,
  }),
  spec('slow-insurer', {
    fault: 'slow-insurer',
    expect: { category: 'slow-dependency', endpoint: 'GET /patients/:id/eligibility' },
    moderateRate: 20,
    overloadRate: 150,
  }),
  spec('null-email-crash', {
    fault: 'null-email-crash',
    expect: { category: 'error-rate', endpoint: 'GET /patients/:id' },
    moderateRate: 25,
    overloadRate: 200,
  }),
  spec('deep-offset-pagination', {
    fault: 'deep-offset-pagination',
    expect: { category: 'inefficient-query', endpoint: 'GET /appointments' },
    moderateRate: 5,
    overloadRate: 50,
  }),
  spec('count-distinct-on-list', {
    fault: 'count-distinct-on-list',
    expect: { category: 'inefficient-query', endpoint: 'GET /appointments' },
    moderateRate: 12,
    overloadRate: 180,
  }),
  spec('connection-per-request', {
    fault: 'connection-per-request',
    expect: { category: 'connection-limit', endpoint: 'GET /patients/:id/eligibility' },
    // Open-enrolment week: more eligibility checks than usual.
    mix: baseMix({ 'GET /patients/:id/eligibility': 15 }),
    moderateRate: 15,
    overloadRate: 160,
  }),
];
