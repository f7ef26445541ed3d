/**
 * The planted faults of the ledger service, by name. Each is switched on
 * alone through `LEDGER_FAULT`; the empty string is the healthy build.
 *
 * @module
 */

/** Every fault the ledger can be started with. */
export const LEDGER_FAULTS = [
  'account-cache-ttl-ms',
  'entries-lazy-names',
  'history-pool-per-request',
  'statement-rates-in-tx',
  'statement-memo-unbounded',
  'limits-keys-scan',
  'fee-account-hot-row',
  'risk-api-slow',
  'screening-full-scan',
  'receipt-key-per-request',
  'missing-index-transfers-created',
  'feed-page-1000-embedded',
  'missing-index-entries-merchant',
  'merchant-rank-live',
  'quote-book-index-per-request',
  'quote-minor-units-crash',
] as const;

/** One planted fault. */
export type LedgerFault = (typeof LEDGER_FAULTS)[number];

/** Parse a fault switch; null/'' is healthy, an unknown name is an error (a typo must not run healthy). */
export function parseFault(value: string | null | undefined): LedgerFault | null {
  if (value === null || value === undefined || value === '') return null;
  if ((LEDGER_FAULTS as readonly string[]).includes(value)) return value as LedgerFault;
  throw new Error(`unknown ledger fault '${value}'; known: ${LEDGER_FAULTS.join(', ')}`);
}
