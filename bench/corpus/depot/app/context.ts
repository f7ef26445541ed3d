/**
 * What every route handler gets: the fault switch, the database, Redis and
 * the carrier client.
 *
 * @module
 */
import type { Kysely } from 'kysely';
import type { DepotFault } from '../faults.js';
import type { Carrier } from './carrier.js';
import type { Database } from './db.js';

/** The shared dependencies of the routes. */
export interface Ctx {
  fault: DepotFault | null;
  db: Kysely<Database>;
  /** The slice of the node-redis client the routes use. */
  redis: { get(key: string): Promise<string | null>; set(key: string, value: string, options: { EX: number }): Promise<unknown> };
  carrier: Carrier;
}

/** An error with the HTTP status it answers with. */
export class HttpError extends Error {
  constructor(readonly status: 400 | 404 | 409, message: string) {
    super(message);
  }
}

/** A positive integer path or query parameter, else 400. */
export function intParam(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `${name} must be a positive integer`);
  return n;
}
