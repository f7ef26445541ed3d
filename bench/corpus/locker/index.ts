/**
 * The locker: a parcel-locker network API (locker sites with S/M/L
 * compartments, parcels deposited by couriers and picked up by recipients,
 * courier routes and leaderboard, compartment reservations, the public
 * locker finder and availability board, returns, paid storage extensions)
 * on koa 3 + @koa/router 15, TypeORM 0.3 over pg 8, node-redis 6 and
 * prom-client 15, over PostgreSQL and Redis, with its partners (payment
 * gateway, SMS/e-mail provider) in their own node:http process. Packaged as
 * a corpus service with its planted faults (faults.ts, cases.ts,
 * CALIBRATION.md).
 *
 * `start()` is a deploy: it runs the build's migration (run-state reset,
 * indexes, role limits, table storage options), flushes Redis (cold caches),
 * starts the partners (unless `upstreamUrl` is given) and the API with the
 * build's configuration.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { LOCKER_CASES } from './cases.js';
import { parseFault, type LockerFault } from './faults.js';
import { migrateLocker, publicRoleUrl, seedLocker } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNERS = fileURLToPath(new URL('./partners/server.ts', import.meta.url));

/** The API's old-generation limit, as its container deploy sets it (a 640 MiB pod). */
export const HEAP_LIMIT_MB = 448;
/** Main pool size (the app role) and the public finder's pool size (read-only role). */
export const PG_POOL_MAX = 6;
export const PUBLIC_POOL_MAX = 4;

/** Partner latencies (ms ranges) of a fault's world: the SMS provider degrades in sms-provider-degraded. */
export function partnersEnv(fault: LockerFault | null): Record<string, string> {
  return {
    PARTNER_PAYMENT_MS: '150-400',
    PARTNER_SMS_MS: fault === 'sms-provider-degraded' ? '450-1300' : '20-50',
    PARTNER_EMAIL_MS: '30-70',
  };
}

/** The API configuration a build ships with. */
export function appConfigEnv(fault: LockerFault | null): Record<string, string> {
  const env: Record<string, string> = {};
  switch (fault) {
    case 'city-wide-eta': env.LOCKER_ETA_MODEL_SCOPE = 'city'; break;
    case 'eta-memo-per-parcel': env.LOCKER_ETA_MEMO = 'parcel'; break;
    case 'route-lazy-loading': env.LOCKER_ROUTE_LOADER = 'orm'; break;
    case 'route-embeds-timelines': env.LOCKER_ROUTE_STOP_DETAIL = 'full'; break;
    case 'gapless-reservation-no': env.LOCKER_RESERVATION_NUMBERING = 'gapless-daily'; break;
    case 'extension-charge-in-txn': env.LOCKER_EXTENSION_CHARGE = 'atomic'; break;
    case 'board-key-timestamp': env.LOCKER_BOARD_CACHE_KEY = 'locker:board:v2:{site}:{asOf}'; break;
    case 'rolling-leaderboard-union': env.LOCKER_LEADERBOARD_WINDOW = 'rolling-7d'; break;
    case 'receipt-key-stretching': env.LOCKER_RECEIPT_KDF = 'pbkdf2'; break;
    case 'catalog-clone-per-request': env.LOCKER_I18N_ISOLATION = 'copy'; break;
    case 'returns-email-crash': env.LOCKER_RETURN_LABEL_CHANNEL = 'email'; break;
    default: break; // database-side builds (indexes, role limits, storage options) and the partners' world
  }
  return env;
}

/** Start the locker with `fault` on (null = healthy). */
export async function startLocker(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateLocker(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const partners: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PARTNERS, 'LOCKER_PARTNERS_LISTENING', partnersEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'LOCKER_LISTENING', {
      LOCKER_PORT: '0',
      LOCKER_PG_URL: opts.pgUrl,
      LOCKER_PUBLIC_PG_URL: publicRoleUrl(opts.pgUrl),
      LOCKER_REDIS_URL: opts.redisUrl,
      LOCKER_PARTNERS_URL: opts.upstreamUrl ?? `http://127.0.0.1:${partners!.port}`,
      LOCKER_PG_POOL_MAX: String(PG_POOL_MAX),
      LOCKER_PUBLIC_POOL_MAX: String(PUBLIC_POOL_MAX),
      ...appConfigEnv(fault),
    }, 60_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await partners?.stop();
    throw error;
  }
  return runningService(app, [partners]);
}

/** The locker corpus service. */
export const service: CorpusService = {
  name: 'locker',
  stack: 'koa 3 + @koa/router 15, TypeORM 0.3 over pg 8 (pool of 6, plus a 4-connection read-only pool for the public finder), node-redis 6, prom-client 15; PostgreSQL, Redis; node:http partners (payment gateway, SMS/e-mail provider)',
  seed: seedLocker,
  start: startLocker,
  cases: LOCKER_CASES,
};

export default service;
