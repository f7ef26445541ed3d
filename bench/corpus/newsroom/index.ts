/**
 * The newsroom: the API of a five-title news group (publications, sections,
 * authors, articles with revisions, tags, comments with moderation, reader
 * accounts and subscriptions with a metered paywall, home pages and section
 * feeds, search, trending, newsletters) on hono 4 + @hono/node-server,
 * drizzle-orm 0.45 over postgres.js 3, ioredis 5 and prom-client 15, over
 * PostgreSQL and Redis, with its partner platform (image CDN, comment
 * moderation, notifications) as an upstream in its own process. Packaged as
 * a corpus service with its planted faults (faults.ts, cases.ts,
 * CALIBRATION.md).
 *
 * `start()` is a deploy: the migration of the fault's build (schema.ts),
 * FLUSHDB of Redis (cold caches), then the partner (unless `upstreamUrl` is
 * given) and the API.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { NEWSROOM_CASES } from './cases.js';
import { parseFault, type NewsroomFault } from './faults.js';
import { analyticsUrl, migrateNewsroom, seedNewsroom } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNER = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** The API's old-generation limit, as its container deploy sets it (a 768 MiB pod). */
export const HEAP_LIMIT_MB = 512;
/** The API's postgres.js pool size. */
export const POOL_MAX = 4;

/** Partner latencies (ms ranges) of a fault's world: the CDN's signing API degrades in cdn-renditions-slow. */
export function partnerEnv(fault: NewsroomFault | null): Record<string, string> {
  return {
    PARTNER_RENDITIONS_MS: fault === 'cdn-renditions-slow' ? '300-700' : '8-20',
    PARTNER_MODERATION_MS: '40-90',
    PARTNER_NOTIFY_MS: '15-35',
  };
}

/** Start the newsroom with `fault` on (null = healthy). */
export async function startNewsroom(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateNewsroom(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const partner: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PARTNER, 'NEWSROOM_PARTNER_LISTENING', partnerEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'NEWSROOM_LISTENING', {
      NEWSROOM_PORT: '0',
      NEWSROOM_PG_URL: opts.pgUrl,
      NEWSROOM_ANALYTICS_PG_URL: analyticsUrl(opts.pgUrl),
      NEWSROOM_REDIS_URL: opts.redisUrl,
      NEWSROOM_PARTNER_URL: opts.upstreamUrl ?? `http://127.0.0.1:${partner!.port}`,
      NEWSROOM_PG_POOL_MAX: String(POOL_MAX),
      NEWSROOM_FAULT: fault ?? '',
    }, 60_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await partner?.stop();
    throw error;
  }
  return runningService(app, [partner]);
}

/** The newsroom corpus service. */
export const service: CorpusService = {
  name: 'newsroom',
  stack: `hono 4 + @hono/node-server, drizzle-orm 0.45 over postgres.js 3 (pool of ${POOL_MAX}), ioredis 5, prom-client 15; PostgreSQL, Redis; node:http partner upstream (image CDN, comment moderation, notifications)`,
  seed: seedNewsroom,
  start: startNewsroom,
  cases: NEWSROOM_CASES,
};

export default service;
