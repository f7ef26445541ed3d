/**
 * The academy: an online-learning platform API (course catalogue and search,
 * course pages with their lesson outline, lesson content with signed video
 * playback, enrolments and lesson progress, quiz submissions with grading,
 * learners' dashboards, certificates, instructor statistics, sign-in) on
 * fastify 5, TypeORM 0.3 over a pg 8 pool, ioredis 5 and prom-client 15 over
 * PostgreSQL and Redis, with the video CDN's media service (playback-token
 * signing, certificate PDF rendering) as upstream, packaged as a corpus
 * service with its planted faults (faults.ts, cases.ts).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (index
 * drops/creates), flushes Redis (cold caches), starts the media service
 * (unless one is given) and the service.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { ACADEMY_CASES } from './cases.js';
import { parseFault, type AcademyFault } from './faults.js';
import { migrateAcademy, seedAcademy } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const MEDIA = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** The service's old-generation limit, as its container deploy sets it (a 384 MiB pod). */
export const HEAP_LIMIT_MB = 256;

/** Media-service latencies (ms ranges) of a fault's world: token signing degrades in media-signer-slow. */
export function mediaEnv(fault: AcademyFault | null): Record<string, string> {
  return {
    MEDIA_SIGN_MS: fault === 'media-signer-slow' ? '700-1500' : '25-60',
    MEDIA_RENDER_MS: '150-300',
  };
}

/** Start the academy with `fault` on (null = healthy). */
export async function startAcademy(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateAcademy(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const media: Child | undefined = opts.upstreamUrl ? undefined : await startChild(MEDIA, 'ACADEMY_MEDIA_LISTENING', mediaEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'ACADEMY_LISTENING', {
      ACADEMY_PORT: '0',
      ACADEMY_PG_URL: opts.pgUrl,
      ACADEMY_REDIS_URL: opts.redisUrl,
      ACADEMY_MEDIA_URL: opts.upstreamUrl ?? `http://127.0.0.1:${media!.port}`,
      ACADEMY_FAULT: fault ?? '',
    }, 60_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await media?.stop();
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
      await media?.stop();
    })()),
  };
}

/** The academy corpus service. */
export const service: CorpusService = {
  name: 'academy',
  stack: 'fastify 5, TypeORM 0.3 (EntitySchema) over pg 8 (pool of 5), ioredis 5, prom-client 15; PostgreSQL, Redis; node:http media-service upstream (CDN token signing, PDF rendering)',
  seed: seedAcademy,
  start: startAcademy,
  cases: ACADEMY_CASES,
};

export default service;
