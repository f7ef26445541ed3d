/**
 * What every route module of the helpdesk app gets: the database pool, the
 * Redis client, the mail-provider client and the build's fault switch.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { Sql } from 'postgres';
import type { HelpdeskFault } from '../faults.js';
import type { Mailer } from './mailer.js';

/** Shared dependencies of the route modules. */
export interface Deps {
  sql: Sql;
  redis: Redis;
  mailer: Mailer;
  /** The build's planted fault; null in the healthy build. */
  fault: HelpdeskFault | null;
}

/** Parse a positive integer id from a path or query parameter; NaN when it is not one. */
export function intParam(value: string | undefined): number {
  if (value === undefined || !/^\d{1,9}$/.test(value)) return Number.NaN;
  return Number(value);
}

/** An HTTP error with a status, turned into a JSON response by the app's error handler. */
export class HttpError extends Error {
  constructor(readonly status: 400 | 401 | 403 | 404 | 409 | 422, message: string) {
    super(message);
  }
}
