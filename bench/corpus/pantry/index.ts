/**
 * The pantry: a grocery-delivery and recipe-planning API (households and
 * their pantry, recipes, shopping lists, store catalogues and stock, delivery
 * slots, checkout with card authorization, signed receipts) on koa 3 +
 * @koa/router 15, raw SQL over a pg 8 pool, node-redis 6 and prom-client
 * 15, over PostgreSQL and Redis, with the chain's store-systems APIs
 * (inventory, pricing engine, payment gateway) as upstream in their own
 * process. Packaged as a corpus service with its planted faults (faults.ts,
 * cases.ts, CALIBRATION.md).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (index
 * drop/create, promotions table state, slot-booking reset), flushes Redis
 * (cold caches), starts store-systems (unless `upstreamUrl` is given) and
 * the service.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { PANTRY_CASES } from './cases.js';
import { parseFault, type PantryFault } from './faults.js';
import { migratePantry, seedPantry } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const STORE_SYSTEMS = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** The service's old-generation limit, as its container deploy sets it (a 512 MiB pod). */
export const HEAP_LIMIT_MB = 384;

/** Store-systems latencies (ms ranges) of a fault's world: inventory degrades in inventory-api-slow. */
export function storeSystemsEnv(fault: PantryFault | null): Record<string, string> {
  return {
    STORE_INVENTORY_MS: fault === 'inventory-api-slow' ? '350-900' : '15-40',
    STORE_PRICING_MS: '50-100',
    STORE_PAYMENT_MS: '30-60',
  };
}

/** Start the pantry with `fault` on (null = healthy). */
export async function startPantry(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migratePantry(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const upstream: Child | undefined = opts.upstreamUrl ? undefined : await startChild(STORE_SYSTEMS, 'PANTRY_STORE_SYSTEMS_LISTENING', storeSystemsEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'PANTRY_LISTENING', {
      PANTRY_PORT: '0',
      PANTRY_PG_URL: opts.pgUrl,
      PANTRY_REDIS_URL: opts.redisUrl,
      PANTRY_STORE_SYSTEMS_URL: opts.upstreamUrl ?? `http://127.0.0.1:${upstream!.port}`,
      PANTRY_PG_POOL_MAX: '10',
      PANTRY_FAULT: fault ?? '',
    }, 60_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await upstream?.stop();
    throw error;
  }
  return runningService(app, [upstream]);
}

/** The pantry corpus service. */
export const service: CorpusService = {
  name: 'pantry',
  stack: 'koa 3 + @koa/router 15, raw SQL over pg 8 (pool of 10), node-redis 6, prom-client 15; PostgreSQL, Redis; node:http store-systems upstream (inventory, pricing engine, payment gateway)',
  seed: seedPantry,
  start: startPantry,
  cases: PANTRY_CASES,
};

export default service;
