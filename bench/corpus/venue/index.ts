/**
 * The venue: an event-ticketing API (event search and cards, seat maps,
 * seat holds, checkout with a card payment, order receipts, customers' order
 * history, tickets with signed QR codes) on Koa 3 + @koa/router, Sequelize 6
 * over pg, ioredis 5 and prom-client 15 over PostgreSQL and Redis, with a
 * payment-provider upstream, packaged as a corpus service with its planted
 * faults (faults.ts, cases.ts).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (index
 * drops/creates), flushes Redis (cold caches), starts the payment provider
 * (unless one is given) and the service.
 *
 * @module
 */
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { VENUE_CASES } from './cases.js';
import { parseFault, type VenueFault } from './faults.js';
import { migrateVenue, seedVenue } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PAYMENTS = fileURLToPath(new URL('./payments/server.ts', import.meta.url));

/** Payment-provider latencies (ms ranges) of a fault's world: charges degrade in payments-slow. */
export function paymentsEnv(fault: VenueFault | null): Record<string, string> {
  return { PAYMENTS_CHARGE_MS: fault === 'payments-slow' ? '1200-2400' : '150-250', PAYMENTS_RISK_MS: '80-120' };
}

/** Start the venue with `fault` on (null = healthy). */
export async function startVenue(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateVenue(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const payments: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PAYMENTS, 'VENUE_PAYMENTS_LISTENING', paymentsEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'VENUE_LISTENING', {
      VENUE_PORT: '0',
      VENUE_PG_URL: opts.pgUrl,
      VENUE_REDIS_URL: opts.redisUrl,
      VENUE_PAYMENTS_URL: opts.upstreamUrl ?? `http://127.0.0.1:${payments!.port}`,
      VENUE_FAULT: fault ?? '',
    }, 60_000);
  } catch (error) {
    await payments?.stop();
    throw error;
  }
  const url = `http://127.0.0.1:${app.port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    pid: app.process.pid!,
    metricsUrl: `${url}/metrics`,
    stop: () => (stopping ??= (async () => {
      await app.stop();
      await payments?.stop();
    })()),
  };
}

/** The venue corpus service. */
export const service: CorpusService = {
  name: 'venue',
  stack: 'koa 3 + @koa/router 15, sequelize 6 over pg 8 (pool of 5), ioredis 5, prom-client 15; PostgreSQL, Redis; node:http payment-provider upstream',
  seed: seedVenue,
  start: startVenue,
  cases: VENUE_CASES,
};

export default service;
