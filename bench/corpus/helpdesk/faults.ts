/**
 * The helpdesk's planted faults: each name is one build of the service with
 * one realistic bug (see CALIBRATION.md for the bug behind each switch).
 * The switch reaches the app as `HELPDESK_FAULT`; the schema part of a fault
 * (a dropped index) is applied by the deploy migration in schema.ts.
 *
 * @module
 */

/** Every fault switch of the helpdesk. */
export const HELPDESK_FAULTS = [
  'customers-email-index-dropped',
  'dashboard-all-orgs-aggregate',
  'queue-per-ticket-queries',
  'report-cache-key-timestamp',
  'presence-keys-scan',
  'reply-email-inside-transaction',
  'ticket-number-lock-held',
  'sign-in-sync-hash',
  'outbox-never-acked',
  'ack-email-waits-delivery',
  'ticket-list-select-star',
  'csat-duplicate-insert',
] as const;

/** One fault switch. */
export type HelpdeskFault = (typeof HELPDESK_FAULTS)[number];

/** Parse a fault switch; empty or null means the healthy build. Throws on an unknown name. */
export function parseFault(value: string | null | undefined): HelpdeskFault | null {
  if (value === null || value === undefined || value === '') return null;
  if ((HELPDESK_FAULTS as readonly string[]).includes(value)) return value as HelpdeskFault;
  throw new Error(`unknown helpdesk fault '${value}' (known: ${HELPDESK_FAULTS.join(', ')})`);
}
