/**
 * Maps socket errors to tuneup's {@link ErrorKind}s, so reports can tell
 * "the target refused connections" from "the target dropped them mid-way".
 *
 * @module
 */
import type { ErrorKind } from '../../result/types.js';

/** errno codes that mean the TCP connection could not be established. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'EADDRINUSE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT',
]);

/** errno codes that mean an established connection was torn down. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * Classify a socket error.
 * @param code the error's `code` (errno name), if any.
 * @param connected whether the TCP connection had been established when it happened.
 */
export function classifySocketError(code: string | undefined, connected: boolean): ErrorKind {
  if (code !== undefined) {
    if (CONNECT_CODES.has(code)) return 'connect';
    if (RESET_CODES.has(code)) return 'reset';
    if (code === 'ETIMEDOUT') return connected ? 'timeout' : 'connect';
  }
  // Out of file descriptors, TLS failures and the like: before connect they
  // prevent the connection, after it they are unexpected.
  return connected ? 'other' : 'connect';
}
