/**
 * What every route handler gets: the fault switch, the database, Redis and
 * the payment provider's client; the error type and parameter parsing.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import type { VenueFault } from '../faults.js';
import type { Payments } from './payments.js';

/** The shared dependencies of the routes. */
export interface Ctx {
  fault: VenueFault | null;
  db: Sequelize;
  redis: Redis;
  payments: Payments;
}

/** An error with the HTTP status it answers with. */
export class HttpError extends Error {
  constructor(readonly status: 400 | 402 | 404 | 409, message: string) {
    super(message);
  }
}

/** A positive integer path, query or body parameter, else 400. */
export function intParam(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `${name} must be a positive integer`);
  return n;
}
