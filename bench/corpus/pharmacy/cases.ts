/**
 * The pharmacy's cases: the healthy build and one build per planted fault,
 * all driven with the same request mix (reads dominate). Rates come from
 * calibrate.ts on the 2-core bench machine (see CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import type { PharmacyFault } from './faults.js';

const NDC_HOT = '{{ randomInt(10001, 10300) }}-0100-01';
const NDC_STOCKED = '{{ randomInt(10001, 11500) }}-0100-01';
const STORE = '{{ randomInt(1, 200) }}';
const PATIENT = '{{ randomInt(1, 100000) }}';
const RX = '{{ randomInt(1, 300000) }}';

/** The request mix of every case (weights sum to 100). */
export const PHARMACY_MIX: CorpusCase['mix'] = [
  { endpoint: 'GET /drugs/:ndc', method: 'GET', path: `/drugs/${NDC_HOT}`, weight: 12 },
  { endpoint: 'GET /stores/:storeId/inventory/:ndc', method: 'GET', path: `/stores/${STORE}/inventory/${NDC_STOCKED}`, weight: 8 },
  { endpoint: 'GET /stores/:storeId/inventory', method: 'GET', path: `/stores/${STORE}/inventory?page={{ randomInt(1, 30) }}`, weight: 3 },
  { endpoint: 'GET /patients/lookup', method: 'GET', path: '/patients/lookup?phone={{ randomInt(5550000001, 5550100000) }}', weight: 5 },
  { endpoint: 'GET /patients/:patientId', method: 'GET', path: `/patients/${PATIENT}`, weight: 8 },
  { endpoint: 'GET /patients/:patientId/prescriptions', method: 'GET', path: `/patients/${PATIENT}/prescriptions`, weight: 10 },
  { endpoint: 'GET /patients/:patientId/interactions', method: 'GET', path: `/patients/${PATIENT}/interactions`, weight: 4 },
  { endpoint: 'GET /prescriptions/:rxId', method: 'GET', path: `/prescriptions/${RX}`, weight: 10 },
  { endpoint: 'GET /prescriptions/:rxId/label', method: 'GET', path: `/prescriptions/${RX}/label`, weight: 4 },
  { endpoint: 'GET /prescriptions/:rxId/coverage', method: 'GET', path: `/prescriptions/${RX}/coverage`, weight: 5 },
  { endpoint: 'POST /prescriptions/:rxId/refills', method: 'POST', path: `/prescriptions/${RX}/refills`, weight: 10, body: { channel: 'app' } },
  { endpoint: 'POST /claims', method: 'POST', path: '/claims', weight: 8, body: { fillId: '{{ randomInt(1, 600000) }}' } },
  { endpoint: 'GET /stores/:storeId/pickup-queue', method: 'GET', path: `/stores/${STORE}/pickup-queue`, weight: 4 },
  { endpoint: 'GET /stores/:storeId/pickup-board', method: 'GET', path: `/stores/${STORE}/pickup-board`, weight: 5 },
  { endpoint: 'GET /stores/:storeId/dashboard', method: 'GET', path: `/stores/${STORE}/dashboard`, weight: 4 },
];

function fault(id: string, f: PharmacyFault, category: string, endpoint: string, moderateRate: number, overloadRate: number): CorpusCase {
  return { id: `pharmacy/${id}`, fault: f, expect: { category, endpoint }, mix: PHARMACY_MIX, moderateRate, overloadRate };
}

export const PHARMACY_CASES: CorpusCase[] = [
  { id: 'pharmacy/healthy', fault: null, expect: null, mix: PHARMACY_MIX, moderateRate: 150, overloadRate: 700 },
  fault('missing-index-prescriptions-patient', 'prescriptions-patient-index-dropped', 'missing-index', 'GET /patients/:patientId/prescriptions', 50, 200),
  fault('inefficient-query-phone-regexp', 'patient-phone-regexp', 'inefficient-query', 'GET /patients/lookup', 100, 500),
  fault('n-plus-one-pickup-queue', 'pickup-queue-n-plus-one', 'n-plus-one', 'GET /stores/:storeId/pickup-queue', 100, 600),
  fault('lock-contention-refill-ticket', 'refill-ticket-lock-held', 'lock-contention', 'POST /prescriptions/:rxId/refills', 100, 250),
  fault('pool-saturation-claim-adjudication', 'claim-adjudication-in-transaction', 'pool-saturation', 'POST /claims', 110, 200),
  fault('event-loop-blocked-label-key', 'label-key-derived-per-request', 'event-loop-blocked', 'GET /prescriptions/:rxId/label', 100, 550),
  fault('gc-pressure-dashboard-velocity', 'dashboard-velocity-matrix', 'gc-pressure', 'GET /stores/:storeId/dashboard', 40, 280),
  fault('slow-dependency-interactions-v2', 'interactions-v2-screening', 'slow-dependency', 'GET /patients/:patientId/interactions', 100, 700),
  fault('cache-miss-drug-ttl', 'drug-cache-ttl-ms', 'cache-miss', 'GET /drugs/:ndc', 100, 500),
  fault('cache-slow-command-pickup-board-keys', 'pickup-board-keys-scan', 'cache-slow-command', 'GET /stores/:storeId/pickup-board', 100, 700),
  fault('large-payload-inventory', 'inventory-unpaginated', 'large-payload', 'GET /stores/:storeId/inventory', 100, 400),
  fault('error-rate-coverage-member-id', 'coverage-member-id-validation', 'error-rate', 'GET /prescriptions/:rxId/coverage', 100, 700),
];
