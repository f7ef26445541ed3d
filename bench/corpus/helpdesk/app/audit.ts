/**
 * The ticket audit trail (`ticket_events`): one row per change, written in
 * the transaction that makes the change.
 *
 * @module
 */
import type postgres from 'postgres';
import type { TransactionSql } from 'postgres';

/** Append one entry to the ticket's audit trail. */
export async function audit(tx: TransactionSql, ticketId: number, kind: string, data: Record<string, unknown>): Promise<void> {
  await tx`INSERT INTO ticket_events (ticket_id, kind, data, created_at) VALUES (${ticketId}, ${kind}, ${tx.json(data as postgres.JSONValue)}, now())`;
}
