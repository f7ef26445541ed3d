/**
 * The marina: a boat-berth booking API (harbours, berths with sizes, boats
 * and owners, seasonal berth reservations, fuel-dock orders, harbour-master
 * notices, invoices and card payments, sea conditions) on express 5 +
 * TypeORM 0.3 (EntitySchema, no decorators) over pg 8, ioredis 5 and
 * prom-client 15, over PostgreSQL and Redis, with its partners (weather and
 * tides, payment gateway, e-mail provider) as upstream in their own process.
 * Packaged as a corpus service with its planted faults (faults.ts,
 * cases.ts, CALIBRATION.md).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (rows
 * of earlier runs removed, the reservations(owner_id, starts_on) index
 * dropped or created), flushes Redis (cold caches), starts the partners
 * (unless `upstreamUrl` is given) and the service.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { MARINA_CASES } from './cases.js';
import { parseFault } from './faults.js';
import { migrateMarina, seedMarina } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNERS = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** The service's old-generation limit, as its container deploy sets it. */
export const HEAP_LIMIT_MB = 384;

/** Partner latencies (ms ranges); the same in every world: faults are code changes. */
export const PARTNER_ENV: Record<string, string> = {
  PARTNER_WEATHER_MS: '20-50',
  PARTNER_TIDES_MS: '15-40',
  PARTNER_TIDE_GAUGE_MS: '300-700',
  PARTNER_PAYMENT_MS: '60-140',
  PARTNER_EMAIL_MS: '400-900',
  PARTNER_FISCAL_MS: '40-90',
};

/** Start the marina with `fault` on (null = healthy). */
export async function startMarina(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateMarina(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const upstream: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PARTNERS, 'MARINA_PARTNERS_LISTENING', PARTNER_ENV, 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'MARINA_LISTENING', {
      MARINA_PORT: '0',
      MARINA_PG_URL: opts.pgUrl,
      MARINA_REDIS_URL: opts.redisUrl,
      MARINA_PARTNER_URL: opts.upstreamUrl ?? `http://127.0.0.1:${upstream!.port}`,
      MARINA_PG_POOL_MAX: '6',
      MARINA_FAULT: fault ?? '',
    }, 90_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await upstream?.stop();
    throw error;
  }
  return runningService(app, [upstream]);
}

/** The marina corpus service. */
export const service: CorpusService = {
  name: 'marina',
  stack: 'express 5 + TypeORM 0.3 (EntitySchema) over pg 8 (pool of 6), ioredis 5, prom-client 15; PostgreSQL, Redis; node:http partner upstream (weather/tides, payment gateway, e-mail)',
  seed: seedMarina,
  start: startMarina,
  cases: MARINA_CASES,
};

export default service;
