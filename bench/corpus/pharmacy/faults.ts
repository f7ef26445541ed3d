/**
 * The pharmacy's planted faults, one build each. Every one is a mistake a
 * real team makes; the comment says what the build does differently.
 *
 * @module
 */

export const PHARMACY_FAULTS = [
  /** The deploy's migration dropped prescriptions(patient_id): a patient's prescription list scans the table. */
  'prescriptions-patient-index-dropped',
  /** Phone lookup "normalizes" in SQL: translate(phone, '()- ', '') = $1, so patients(phone) is never used. */
  'patient-phone-regexp',
  /** The pickup queue loads each ready fill's prescription, patient and drug with a query of its own. */
  'pickup-queue-n-plus-one',
  /** Refills run in one transaction that takes the chain-wide daily ticket counter row first and holds it through the DUR screen and the SMS to the patient. */
  'refill-ticket-lock-held',
  /** Claim submission opens a transaction (SELECT ... FOR UPDATE) and awaits the PBM adjudication inside it. */
  'claim-adjudication-in-transaction',
  /** The label handler derives the signing key with pbkdf2Sync on every request. */
  'label-key-derived-per-request',
  /** The dashboard builds a 30-day velocity matrix over the whole catalogue for each request. */
  'dashboard-velocity-matrix',
  /** Interaction screening moved to the clinical-decision-support v2 API (several hundred ms). */
  'interactions-v2-screening',
  /** The drug cache is written with PX instead of EX: a 600 ms TTL instead of 600 s. */
  'drug-cache-ttl-ms',
  /** The pickup board finds its entries with KEYS pickup:<store>:* instead of the per-store index. */
  'pickup-board-keys-scan',
  /** The inventory listing lost its LIMIT and embeds each drug's monograph: the whole store at once. */
  'inventory-unpaginated',
  /** A new member-id validator only knows the 3-letter+9-digit format and throws on the older W-format. */
  'coverage-member-id-validation',
] as const;

export type PharmacyFault = (typeof PHARMACY_FAULTS)[number];

/** Validate a fault switch: null or '' = healthy. */
export function parseFault(fault: string | null | undefined): PharmacyFault | null {
  if (!fault) return null;
  if (!(PHARMACY_FAULTS as readonly string[]).includes(fault)) throw new Error(`pharmacy: unknown fault '${fault}'`);
  return fault as PharmacyFault;
}
