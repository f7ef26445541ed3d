/**
 * The voyage: a travel-booking API (fare search with one-stop connections,
 * flights, seat maps, live GDS availability, deals, hotels and rate offers,
 * travellers, itineraries, bookings with payment, booking confirmations,
 * loyalty points) on express 5, kysely 0.28 over a pg 8 pool of 5,
 * node-redis and prom-client 15, over PostgreSQL and Redis, with a partner
 * platform (GDS availability and seat holds, payment authorization, e-mail)
 * as upstream in its own process. Packaged as a corpus service with its
 * planted faults (faults.ts, cases.ts, CALIBRATION.md).
 *
 * `start()` is a deploy: it runs the build's migration (bookings index state,
 * removal of rows written by earlier runs), flushes Redis (cold caches),
 * starts the partner platform (unless `upstreamUrl` is given) and the API.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { VOYAGE_CASES } from './cases.js';
import { parseFault, type VoyageFault } from './faults.js';
import { migrateVoyage, seedVoyage } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNER = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** The API's old-generation limit, as its container deploy sets it (a 512 MiB pod). */
export const HEAP_LIMIT_MB = 384;
/** The API's PostgreSQL pool size. */
export const PG_POOL_MAX = 5;

/** Partner-platform latencies (ms ranges) of a fault's world: GDS availability degrades in gds-availability-degraded. */
export function partnerEnv(fault: VoyageFault | null): Record<string, string> {
  return {
    PARTNER_GDS_AVAIL_MS: fault === 'gds-availability-degraded' ? '400-900' : '20-40',
    PARTNER_GDS_HOLD_MS: '20-40',
    PARTNER_PAYMENT_MS: '40-80',
    PARTNER_EMAIL_MS: '15-30',
  };
}

/** Start the voyage with `fault` on (null = healthy). */
export async function startVoyage(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateVoyage(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const partner: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PARTNER, 'VOYAGE_PARTNER_LISTENING', partnerEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'VOYAGE_LISTENING', {
      VOYAGE_PORT: '0',
      VOYAGE_PG_URL: opts.pgUrl,
      VOYAGE_REDIS_URL: opts.redisUrl,
      VOYAGE_PARTNER_URL: opts.upstreamUrl ?? `http://127.0.0.1:${partner!.port}`,
      VOYAGE_PG_POOL_MAX: String(PG_POOL_MAX),
      VOYAGE_FAULT: fault ?? '',
    }, 60_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await partner?.stop();
    throw error;
  }
  return runningService(app, [partner]);
}

/** The voyage corpus service. */
export const service: CorpusService = {
  name: 'voyage',
  stack: 'express 5, kysely 0.28 over pg 8 (pool of 5), node-redis 6, prom-client 15; PostgreSQL, Redis; node:http partner upstream (GDS availability and seat holds, payment authorization, e-mail)',
  seed: seedVoyage,
  start: startVoyage,
  cases: VOYAGE_CASES,
};

export default service;
