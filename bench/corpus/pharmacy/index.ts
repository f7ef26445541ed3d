/**
 * The pharmacy: a pharmacy-chain API (stores, NDC drug catalogue, per-store
 * inventory, patients, prescriptions and refills, insurance claims through a
 * PBM, drug-interaction checks, pickup queue and board, pharmacist
 * dashboards) on @hapi/hapi 21, pg-promise 11 (pool of 6), ioredis 5 and
 * prom-client 15, over PostgreSQL and Redis, with its partners (PBM
 * eligibility and adjudication, interaction checker v1/v2, SMS provider) in
 * their own node:http process. Packaged as a corpus service with its planted
 * faults (faults.ts, cases.ts, CALIBRATION.md).
 *
 * `start()` is a deploy: it runs the build's migration (undo the previous
 * run's writes, drop/create the build's index), flushes Redis (cold caches),
 * starts the partners (unless `upstreamUrl` is given) and the service, which
 * loads its catalogue and pickup board before it listens.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { PHARMACY_CASES } from './cases.js';
import { parseFault } from './faults.js';
import { migratePharmacy, seedPharmacy } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNERS = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** The service's old-generation limit, as its container deploy sets it (a 512 MiB pod). */
export const HEAP_LIMIT_MB = 384;

/** Partner latencies (ms ranges), the same in every build. */
export const PARTNER_LATENCIES: Record<string, string> = {
  PARTNER_ELIGIBILITY_MS: '30-60',
  PARTNER_ADJUDICATION_MS: '250-750',
  PARTNER_INTERACTIONS_V1_MS: '30-70',
  PARTNER_INTERACTIONS_V2_MS: '400-800',
  PARTNER_SMS_MS: '25-60',
};

/** Start the pharmacy with `fault` on (null = healthy). */
export async function startPharmacy(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migratePharmacy(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const partners: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PARTNERS, 'PHARMACY_PARTNERS_LISTENING', PARTNER_LATENCIES, 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'PHARMACY_LISTENING', {
      PHARMACY_PORT: '0',
      PHARMACY_PG_URL: opts.pgUrl,
      PHARMACY_REDIS_URL: opts.redisUrl,
      PHARMACY_PARTNERS_URL: opts.upstreamUrl ?? `http://127.0.0.1:${partners!.port}`,
      PHARMACY_PG_POOL_MAX: '6',
      PHARMACY_FAULT: fault ?? '',
    }, 90_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await partners?.stop();
    throw error;
  }
  return runningService(app, [partners]);
}

/** The pharmacy corpus service. */
export const service: CorpusService = {
  name: 'pharmacy',
  stack: '@hapi/hapi 21 + pg-promise 11 (pool of 6) + ioredis 5 + prom-client 15 on Node 20; PostgreSQL, Redis; node:http partners (PBM eligibility/adjudication, interaction checker, SMS)',
  seed: seedPharmacy,
  start: startPharmacy,
  cases: PHARMACY_CASES,
};

export default service;
