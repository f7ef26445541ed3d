/**
 * The shop: a storefront API (express 5 + knex + ioredis + prom-client over
 * PostgreSQL and Redis, with a partner API for payments and
 * recommendations), packaged as a corpus service with its planted faults.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { CorpusService, RunningService } from '../types.js';
import { SHOP_CASES } from './cases.js';
import { launch, type Launched } from './launch.js';
import { seedShop } from './seed.js';

const SERVER_ENTRY = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNER_ENTRY = fileURLToPath(new URL('./partner-api/server.ts', import.meta.url));

/** Partner latency ranges (ms) per fault: the recommender-slow incident makes recommendations slow. */
function partnerEnv(fault: string | null): Record<string, string> {
  return { PAYMENT_LATENCY_MS: '30-70', RECS_LATENCY_MS: fault === 'recommender-slow' ? '250-450' : '8-20' };
}

/**
 * Start the shop with `fault` on. Starts its own partner API unless `upstreamUrl` is given
 * (then the `recommender-slow` fault is only planted if that upstream is slow itself).
 * Boot runs the migrations of the fault's build (index drops/creates, the bloat job), which
 * can take up to ~30 s on a busy machine.
 */
export async function startShop(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  let partner: Launched | undefined;
  if (!opts.upstreamUrl) partner = await launch(PARTNER_ENTRY, 'PARTNER_LISTENING', partnerEnv(opts.fault), 30_000);
  const partnerUrl = opts.upstreamUrl ?? `http://127.0.0.1:${partner!.port}`;
  let shop: Launched;
  try {
    shop = await launch(SERVER_ENTRY, 'SHOP_LISTENING', {
      PORT: '0', PG_URL: opts.pgUrl, REDIS_URL: opts.redisUrl, PARTNER_API_URL: partnerUrl, SHOP_FAULT: opts.fault ?? '',
    });
  } catch (error) {
    await partner?.stop();
    throw error;
  }
  const url = `http://127.0.0.1:${shop.port}`;
  return {
    url,
    pid: shop.child.pid!,
    metricsUrl: `${url}/metrics`,
    async stop() {
      await shop.stop();
      await partner?.stop();
    },
  };
}

/** The shop corpus service. */
export const shop: CorpusService = {
  name: 'shop',
  stack: 'express 5 + knex 3 (pg) + ioredis 5 + prom-client 15, PostgreSQL 15, Redis, node:http partner API',
  seed: seedShop,
  start: startShop,
  cases: SHOP_CASES,
};

export default shop;
