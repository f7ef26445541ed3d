/**
 * The fleet: a city bike-share API (station finder and map, station cards,
 * bike details with live lock telemetry, damage reports, starting rides,
 * ride receipts, riders' ride history, sign-in) on Express 5, drizzle-orm
 * over a pg Pool, node-redis and prom-client over PostgreSQL and Redis, with
 * the bike vendor's IoT lock gateway as upstream, packaged as a corpus
 * service with its planted faults (faults.ts, cases.ts).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (index
 * drops/creates), flushes Redis (cold caches), starts the lock gateway
 * (unless one is given) and the service.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { FLEET_CASES } from './cases.js';
import { parseFault, type FleetFault } from './faults.js';
import { migrateFleet, seedFleet, SEED } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const GATEWAY = fileURLToPath(new URL('./gateway/server.ts', import.meta.url));

/** The service's old-generation limit, as its container deploy sets it (a 384 MiB pod). */
export const HEAP_LIMIT_MB = 256;

/** Lock-gateway latencies (ms ranges) of a fault's world: unlocks degrade in gateway-unlock-slow. */
export function gatewayEnv(fault: FleetFault | null): Record<string, string> {
  return {
    GATEWAY_UNLOCK_MS: fault === 'gateway-unlock-slow' ? '1500-3000' : '120-250',
    GATEWAY_TELEMETRY_MS: '100-200',
    GATEWAY_RIDE_MS: '20000-60000',
    GATEWAY_STATIONS: String(SEED.stations),
  };
}

/** Start the fleet with `fault` on (null = healthy). */
export async function startFleet(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateFleet(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const gateway: Child | undefined = opts.upstreamUrl ? undefined : await startChild(GATEWAY, 'FLEET_GATEWAY_LISTENING', gatewayEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'FLEET_LISTENING', {
      FLEET_PORT: '0',
      FLEET_PG_URL: opts.pgUrl,
      FLEET_REDIS_URL: opts.redisUrl,
      FLEET_GATEWAY_URL: opts.upstreamUrl ?? `http://127.0.0.1:${gateway!.port}`,
      FLEET_FAULT: fault ?? '',
    }, 60_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await gateway?.stop();
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
      await gateway?.stop();
    })()),
  };
}

/** The fleet corpus service. */
export const service: CorpusService = {
  name: 'fleet',
  stack: 'express 5, drizzle-orm 0.45 over pg 8 Pool (max 5), node-redis 6, prom-client 15; PostgreSQL, Redis; node:http IoT lock-gateway upstream',
  seed: seedFleet,
  start: startFleet,
  cases: FLEET_CASES,
};

export default service;
