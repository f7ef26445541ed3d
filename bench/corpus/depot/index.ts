/**
 * The depot: a warehouse fulfilment API (SKU cards with stock, demand
 * forecasts, customer order history, placing and shipping orders, warehouse
 * backlog and pick lists) on Hono + Kysely/pg + node-redis + prom-client over
 * PostgreSQL and Redis, with a parcel-carrier upstream, packaged as a corpus
 * service with its planted faults (faults.ts, cases.ts).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (index
 * drops/creates), flushes Redis (cold caches), starts the carrier (unless one
 * is given) and the service.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { DEPOT_CASES } from './cases.js';
import { parseFault, type DepotFault } from './faults.js';
import { migrateDepot, seedDepot } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const CARRIER = fileURLToPath(new URL('./carrier/server.ts', import.meta.url));

/** Carrier latencies (ms ranges) of a fault's world: labels degrade in carrier-labels-slow. */
export function carrierEnv(fault: DepotFault | null): Record<string, string> {
  return { CARRIER_LABEL_MS: fault === 'carrier-labels-slow' ? '300-600' : '20-40', CARRIER_ADDRESS_MS: '30-70' };
}

/** Start the depot with `fault` on (null = healthy). */
export async function startDepot(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateDepot(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const carrier: Child | undefined = opts.upstreamUrl ? undefined : await startChild(CARRIER, 'DEPOT_CARRIER_LISTENING', carrierEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'DEPOT_LISTENING', {
      DEPOT_PORT: '0',
      DEPOT_PG_URL: opts.pgUrl,
      DEPOT_REDIS_URL: opts.redisUrl,
      DEPOT_CARRIER_URL: opts.upstreamUrl ?? `http://127.0.0.1:${carrier!.port}`,
      DEPOT_FAULT: fault ?? '',
    }, 60_000);
  } catch (error) {
    await carrier?.stop();
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
      await carrier?.stop();
    })()),
  };
}

/** The depot corpus service. */
export const service: CorpusService = {
  name: 'depot',
  stack: 'hono 4 + @hono/node-server, kysely 0.28 over pg 8 (Pool of 5), node-redis (redis 6), prom-client 15; PostgreSQL, Redis; node:http parcel-carrier upstream',
  seed: seedDepot,
  start: startDepot,
  cases: DEPOT_CASES,
};

export default service;
