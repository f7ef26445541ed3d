/**
 * The bistro: a restaurant group's ordering API (restaurants, menus with
 * items and modifiers, tables and reservations, dine-in and delivery orders,
 * a kitchen ticket queue per restaurant, loyalty points and a leaderboard,
 * reviews, daily sales reports) on express 5 + MikroORM 6 (PostgreSQL, pool
 * of 6), ioredis 5 and prom-client 15, with its partners (geocoder,
 * delivery-quote marketplace, payment gateway, SMS provider) in their own
 * node:http process. Packaged as a corpus service with its planted faults
 * (faults.ts, cases.ts, CALIBRATION.md).
 *
 * `start()` is a deploy: it runs the build's migration (undo earlier runs'
 * writes, the reservations index, the reviews CHECK constraint), flushes
 * Redis (cold caches; the app rebuilds the leaderboard and kitchen queues
 * from PostgreSQL on boot), starts the partners (unless `upstreamUrl` is
 * given) and the app.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { BISTRO_CASES } from './cases.js';
import { parseFault, type BistroFault } from './faults.js';
import { migrateBistro, seedBistro } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNERS = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** The app's old-generation limit, as its container deploy sets it (a 512 MiB pod). */
export const HEAP_LIMIT_MB = 384;

/**
 * Partner latencies (ms ranges) of a fault's world. The same in every build
 * except payment-gateway-degraded: geocoder 30–80, delivery quote 300–600,
 * payment authorization 150–400 (900–1800 degraded), SMS 20–50.
 */
export function partnersEnv(fault: BistroFault | null): Record<string, string> {
  return {
    BISTRO_GEOCODER_MS: '30-80',
    BISTRO_DELIVERY_QUOTE_MS: '300-600',
    BISTRO_PAYMENT_MS: fault === 'payment-gateway-degraded' ? '900-1800' : '150-400',
    BISTRO_SMS_MS: '20-50',
  };
}

/** Start the bistro with `fault` on (null = healthy). */
export async function startBistro(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateBistro(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const partners: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PARTNERS, 'BISTRO_PARTNERS_LISTENING', partnersEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'BISTRO_LISTENING', {
      BISTRO_PORT: '0',
      BISTRO_PG_URL: opts.pgUrl,
      BISTRO_REDIS_URL: opts.redisUrl,
      BISTRO_PARTNERS_URL: opts.upstreamUrl ?? `http://127.0.0.1:${partners!.port}`,
      BISTRO_PG_POOL_MAX: '6',
      BISTRO_FAULT: fault ?? '',
    }, 90_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await partners?.stop();
    throw error;
  }
  return runningService(app, [partners]);
}

/** The bistro corpus service. */
export const service: CorpusService = {
  name: 'bistro',
  stack: 'express 5, MikroORM 6 (@mikro-orm/postgresql, EntitySchema, pool of 6), ioredis 5, prom-client 15; PostgreSQL, Redis; node:http partners process (geocoder, delivery quotes, payment gateway, SMS)',
  seed: seedBistro,
  start: startBistro,
  cases: BISTRO_CASES,
};

export default service;
