/**
 * What every route handler shares: configuration, database, Redis, the
 * upstream client, the rate book and the screener.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { LedgerFault } from '../faults.js';
import type { Config } from './config.js';
import type { Db } from './db.js';
import type { RateBook } from './ratebook.js';
import type { Screener } from './screening.js';
import type { Upstream } from './upstream.js';

/** Shared dependencies of the handlers. */
export interface Ctx {
  config: Config;
  fault: LedgerFault | null;
  db: Db;
  redis: Redis;
  upstream: Upstream;
  book: RateBook;
  screener: Screener;
}

/** Day key (UTC, YYYY-MM-DD) of a time. */
export const dayKey = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Redis key of one account's outgoing spend on one day. */
export const spendKey = (accountId: number, day: string): string => `spend:${accountId}:${day}`;

/** How long spend buckets live: the longest limit window (90 days) plus a day. */
export const SPEND_TTL_S = 91 * 86_400;
