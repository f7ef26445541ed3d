/**
 * Per-phase durations of a finished exchange, in the units the recorder wants.
 *
 * @module
 */
import type { HttpConnection } from './connection.js';

/** Send → first response byte (µs); 0 when no byte arrived. */
export function exchangeWaitingUs(conn: HttpConnection): number {
  if (conn.firstByteMs < 0) return 0;
  const us = Math.round((conn.firstByteMs - conn.writeEndMs) * 1000);
  return us < 0 ? 0 : us;
}

/** TCP (+TLS) connect time of the exchange (µs); 0 on a reused connection. */
export function exchangeConnectingUs(conn: HttpConnection): number {
  if (conn.reused) return 0;
  const us = Math.round((conn.connectEndMs - conn.connectStartMs) * 1000);
  return us < 0 ? 0 : us;
}
