/**
 * Signed transfer receipts: HMAC-SHA256 over the receipt, with a signing
 * key derived (PBKDF2-SHA512, 210,000 iterations) per currency from the
 * receipt secret. Deriving is expensive by design, so keys are memoised.
 *
 * @module
 */
import { createHmac, pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);
const SECRET = process.env.LEDGER_RECEIPT_SECRET ?? 'ledger-receipt-secret-do-not-use-in-prod';
const ITERATIONS = 210_000;

/** Derive the signing key of one salt (runs on the libuv thread pool). */
export function deriveKey(salt: string): Promise<Buffer> {
  return pbkdf2Async(SECRET, `receipts:${salt}`, ITERATIONS, 32, 'sha512');
}

const keys = new Map<string, Promise<Buffer>>();

/** The signing key of a salt, derived once per process. */
export function cachedKey(salt: string): Promise<Buffer> {
  let key = keys.get(salt);
  if (!key) keys.set(salt, (key = deriveKey(salt)));
  return key;
}

/** Hex HMAC of a receipt's canonical JSON. */
export function sign(key: Buffer, receipt: unknown): string {
  return createHmac('sha256', key).update(JSON.stringify(receipt)).digest('hex');
}
