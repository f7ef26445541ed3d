/**
 * What every route module gets: database, Redis, the partner client and the
 * build's fault switch.
 *
 * @module
 */
import type { Kysely } from 'kysely';
import { createClient } from 'redis';
import type { VoyageFault } from '../faults.js';
import type { Database } from './db.js';
import type { PartnerClient } from './partner.js';

/** The service's Redis client (node-redis defaults). */
export function createRedis(url: string) {
  return createClient({ url });
}

export type RedisClient = ReturnType<typeof createRedis>;

export interface AppContext {
  db: Kysely<Database>;
  redis: RedisClient;
  partner: PartnerClient;
  fault: VoyageFault | null;
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** A positive integer route or query parameter, else 400. */
export function intParam(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `${name} must be a positive integer`);
  return n;
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
