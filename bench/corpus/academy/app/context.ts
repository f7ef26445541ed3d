/**
 * What every route handler gets: the fault switch, the DataSource, Redis,
 * the media service's client and the in-process event bus; the error type
 * and parameter parsing.
 *
 * @module
 */
import type { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { AcademyFault } from '../faults.js';
import type { Media } from './media.js';

/** The shared dependencies of the routes. */
export interface Ctx {
  fault: AcademyFault | null;
  db: DataSource;
  redis: Redis;
  media: Media;
  /** Learner activity inside this process ('progress' events), for live dashboards. */
  events: EventEmitter;
}

/** An error with the HTTP status it answers with. */
export class HttpError extends Error {
  constructor(readonly status: 400 | 401 | 404 | 409 | 502, message: string) {
    super(message);
  }
}

/** A positive integer path, query or body parameter, else 400. */
export function intParam(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `${name} must be a positive integer`);
  return n;
}
