/**
 * The bikeshare: a city bike-share API (stations and docks, bikes, riders
 * with memberships, trips from unlock to return, passes and payments,
 * maintenance tickets, rider notifications, the district map) on fastify 5,
 * sequelize 6 over pg 8 (pool of 6), node-redis and prom-client 15, over
 * PostgreSQL and Redis, with its partners (payment gateway, dock controller
 * cloud, SMS/push provider, city geocoder) in their own node:http process.
 * Packaged as a corpus service with its planted faults (faults.ts, cases.ts,
 * CALIBRATION.md).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (index
 * drop/create, reset of the live fleet and of traffic's writes), flushes
 * Redis (cold caches; the app warms its entitlement and hold keys at boot),
 * starts the partners (unless `upstreamUrl` is given) and the service.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { BIKESHARE_CASES } from './cases.js';
import { parseFault } from './faults.js';
import { migrateBikeshare, seedBikeshare } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNERS = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** The service's old-generation limit, as its container deploy sets it (a 512 MiB pod). */
export const HEAP_LIMIT_MB = 384;

/** Partner latencies (ms ranges); the same in every build. */
export const PARTNER_ENV: Record<string, string> = {
  PARTNER_PAYMENT_MS: '90-220',
  PARTNER_DOCK_COMMAND_MS: '15-40',
  PARTNER_DOCK_UNLOCK_WAIT_MS: '400-1000',
  PARTNER_MESSAGE_MS: '20-60',
  PARTNER_GEOCODE_MS: '150-350',
};

/** Start the bikeshare with `fault` on (null = healthy). */
export async function startBikeshare(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateBikeshare(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const partners: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PARTNERS, 'BIKESHARE_PARTNERS_LISTENING', PARTNER_ENV, 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'BIKESHARE_LISTENING', {
      BIKESHARE_PORT: '0',
      BIKESHARE_PG_URL: opts.pgUrl,
      BIKESHARE_REDIS_URL: opts.redisUrl,
      BIKESHARE_PARTNERS_URL: opts.upstreamUrl ?? `http://127.0.0.1:${partners!.port}`,
      BIKESHARE_PG_POOL_MAX: '6',
      BIKESHARE_FAULT: fault ?? '',
    }, 90_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await partners?.stop();
    throw error;
  }
  return runningService(app, [partners]);
}

/** The bikeshare corpus service. */
export const service: CorpusService = {
  name: 'bikeshare',
  stack: 'fastify 5, sequelize 6 over pg 8 (pool of 6, application_name bikeshare-api), node-redis (redis 6), prom-client 15; PostgreSQL, Redis; node:http partners process (payment gateway, dock controller IoT cloud, SMS/push provider, city geocoder)',
  seed: seedBikeshare,
  start: startBikeshare,
  cases: BIKESHARE_CASES,
};

export default service;
