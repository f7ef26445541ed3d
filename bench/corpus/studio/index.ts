/**
 * The studio: a fitness-studio booking API (studios and their weekly
 * timetable, classes, instructors and their reviews, members and
 * memberships, bookings and waitlists, kiosk check-ins with lobby occupancy
 * boards, weekly attendance leaderboards, class-pack payments) on fastify 5,
 * drizzle-orm over node-postgres (pg 8, a pool of 6 plus a read-only pool),
 * node-redis and prom-client 15, over PostgreSQL and Redis, with its
 * partners (card payment gateway, SMS provider) in their own node:http
 * process. Packaged as a corpus service with its planted faults (faults.ts,
 * cases.ts, CALIBRATION.md).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (index,
 * read-only role limit, kiosk secret scheme, occupancy table state, reset of
 * the previous run's bookings), flushes Redis (cold caches; the app rebuilds
 * its leaderboards on boot), starts the partners (unless `upstreamUrl` is
 * given) and the service.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { STUDIO_CASES } from './cases.js';
import { parseFault, type StudioFault } from './faults.js';
import { migrateStudio, readerUrl, seedStudio } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNERS = fileURLToPath(new URL('./partners/server.ts', import.meta.url));

/** The service's old-generation limit, as its container deploy sets it (a 768 MiB pod). */
export const HEAP_LIMIT_MB = 512;

/** The app's main pool size, as the deploy sets it. */
export const PG_POOL_MAX = 6;

/** Partner latencies (ms ranges) of a fault's world: the gateway degrades in gateway-degraded. */
export function partnersEnv(fault: StudioFault | null): Record<string, string> {
  return {
    PARTNERS_GATEWAY_MS: fault === 'gateway-degraded' ? '700-1600' : '40-90',
    PARTNERS_SMS_MS: '20-60',
  };
}

/** Start the studio with `fault` on (null = healthy). */
export async function startStudio(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateStudio(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const partners: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PARTNERS, 'STUDIO_PARTNERS_LISTENING', { PARTNERS_PORT: '0', ...partnersEnv(fault) }, 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'STUDIO_LISTENING', {
      STUDIO_PORT: '0',
      STUDIO_PG_URL: opts.pgUrl,
      STUDIO_READER_PG_URL: readerUrl(opts.pgUrl),
      STUDIO_REDIS_URL: opts.redisUrl,
      STUDIO_PARTNERS_URL: opts.upstreamUrl ?? `http://127.0.0.1:${partners!.port}`,
      STUDIO_PG_POOL_MAX: String(PG_POOL_MAX),
      STUDIO_READER_POOL_MAX: '6',
      STUDIO_FAULT: fault ?? '',
    }, 60_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await partners?.stop();
    throw error;
  }
  return runningService(app, [partners]);
}

/** The studio corpus service. */
export const service: CorpusService = {
  name: 'studio',
  stack: 'fastify 5, drizzle-orm 0.45 over node-postgres (pg 8, pool of 6 + read-only pool), node-redis, prom-client 15; PostgreSQL, Redis; node:http partners upstream (payment gateway, SMS)',
  seed: seedStudio,
  start: startStudio,
  cases: STUDIO_CASES,
};

export default service;
