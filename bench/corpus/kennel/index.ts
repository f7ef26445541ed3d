/**
 * The kennel: a pet-boarding and daycare API (owners and pets, vaccination
 * records checked with a vet registry, run availability search, bookings
 * with a card deposit, daycare check-in, feeding/medication schedules, staff
 * dashboards, photo-report feed, invoices, reviews) on hono 4 +
 * @hono/node-server, pg-promise 11 (pool of 8), ioredis 5 and prom-client 15,
 * over PostgreSQL and Redis, with its partners (payment gateway, vet-records
 * registry, SMS provider) as a node:http upstream in their own process.
 * Packaged as a corpus service with its planted faults (faults.ts, cases.ts,
 * CALIBRATION.md).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (photo
 * index, run-board history, reset of earlier loads' writes), flushes Redis
 * (cold caches), starts the partners (unless `upstreamUrl` is given) and the
 * service.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { KENNEL_CASES } from './cases.js';
import { parseFault, type KennelFault } from './faults.js';
import { migrateKennel, seedKennel } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNERS = fileURLToPath(new URL('./partners/server.ts', import.meta.url));

/** The service's old-generation limit, as its container deploy sets it (a 512 MiB pod). */
export const HEAP_LIMIT_MB = 384;

/** Partner latencies (ms ranges) of a fault's world: the SMS provider degrades in sms-provider-slow. */
export function partnersEnv(fault: KennelFault | null): Record<string, string> {
  return {
    KENNEL_PAYMENT_MS: '60-140',
    KENNEL_VET_MS: '30-70',
    KENNEL_SMS_MS: fault === 'sms-provider-slow' ? '450-1100' : '15-35',
  };
}

/** The service's deploy config of a fault's build. */
export function appEnv(fault: KennelFault | null): Record<string, string> {
  return {
    KENNEL_PG_POOL_MAX: '8',
    // records-pool-one: the vaccination-records path got its own pool, sized 1 in the deploy config.
    ...(fault === 'records-pool-one' ? { KENNEL_RECORDS_PG_POOL_MAX: '1' } : {}),
    // reviews-cache-ttl-zero: the deploy config gives the TTL in seconds to a setting read as milliseconds.
    KENNEL_REVIEWS_CACHE_TTL_MS: fault === 'reviews-cache-ttl-zero' ? '60' : '60000',
    KENNEL_FAULT: fault ?? '',
  };
}

/** Start the kennel with `fault` on (null = healthy). */
export async function startKennel(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateKennel(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const partners: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PARTNERS, 'KENNEL_PARTNERS_LISTENING', partnersEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'KENNEL_LISTENING', {
      KENNEL_PORT: '0',
      KENNEL_PG_URL: opts.pgUrl,
      KENNEL_REDIS_URL: opts.redisUrl,
      KENNEL_PARTNERS_URL: opts.upstreamUrl ?? `http://127.0.0.1:${partners!.port}`,
      ...appEnv(fault),
    }, 60_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await partners?.stop();
    throw error;
  }
  return runningService(app, [partners]);
}

/** The kennel corpus service. */
export const service: CorpusService = {
  name: 'kennel',
  stack: 'hono 4 + @hono/node-server, pg-promise 11 (pool of 8), ioredis 5, prom-client 15; PostgreSQL, Redis; node:http partners upstream (payment gateway, vet-records registry, SMS)',
  seed: seedKennel,
  start: startKennel,
  cases: KENNEL_CASES,
};

export default service;
