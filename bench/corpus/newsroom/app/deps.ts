/**
 * What the route modules get from the server: the pools, the caches, the
 * partner client and the in-process services, built once at boot.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { Cache } from './cache.js';
import type { Config } from './config.js';
import type { Database, Db } from './db.js';
import type { EntitlementSigner } from './lib/entitlements.js';
import type { SectionIndex } from './lib/section-index.js';
import type { ViewCounter } from './lib/views.js';
import type { Metrics } from './metrics.js';
import type { PartnerClient } from './partner.js';

/** Shared dependencies of the route handlers. */
export interface Deps {
  config: Config;
  db: Db;
  /** The API's pool (for raw SQL where drizzle would get in the way). */
  pool: Database;
  /** The reporting pool (role newsroom_analytics), shared by the authors' dashboard. */
  analytics: Database;
  redis: Redis;
  cache: Cache;
  partner: PartnerClient;
  metrics: Metrics;
  views: ViewCounter;
  sectionIndex: SectionIndex;
  signer: EntitlementSigner;
}

/** A positive integer path/query parameter, or undefined. */
export function intParam(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

/** Thrown by handlers for a 4xx answer; the error handler renders it. */
export class HttpError extends Error {
  constructor(readonly status: 400 | 404 | 409 | 422, message: string) {
    super(message);
  }
}
