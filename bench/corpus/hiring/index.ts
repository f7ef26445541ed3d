/**
 * hiring: a recruiting-platform API (companies, job postings, candidates and
 * their profiles, applications through the pipeline stages, interview
 * scheduling against the interviewers' calendars, offers, search, recruiter
 * dashboards and notifications) on fastify 5 + knex 3 (pg) + ioredis 5 +
 * prom-client 15, over PostgreSQL and Redis, with its partner APIs
 * (background checks, calendar, email) as a node:http upstream in its own
 * process. Packaged as a corpus service with planted faults (faults.ts,
 * cases.ts, CALIBRATION.md).
 *
 * `start()` is a deploy: it runs the migration of the fault's build (the
 * application role, the candidate index, recruiter_queues maintenance
 * state), flushes Redis (cold caches), starts the partners upstream (unless
 * `upstreamUrl` is given) and the service.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runningService, startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { HIRING_CASES } from './cases.js';
import { parseFault, type HiringFault } from './faults.js';
import { migrateHiring, seedHiring } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const PARTNERS = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** Old-generation limit of the service, as its deploy sets it. */
export const HEAP_LIMIT_MB = 384;
/** The service's knex pool size. */
export const POOL_MAX = 6;

/** Partner API latencies (ms ranges) of a fault's world: the background-check provider degrades in one. */
export function partnersEnv(fault: HiringFault | null): Record<string, string> {
  return {
    HIRING_BGCHECK_MS: fault === 'background-check-provider-slow' ? '600-1400' : '20-50',
    HIRING_CALENDAR_MS: '40-100',
    HIRING_EMAIL_MS: '20-40',
  };
}

/** Start the hiring service with `fault` on (null = healthy). */
export async function startHiring(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  const appPgUrl = await migrateHiring(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const upstream: Child | undefined = opts.upstreamUrl ? undefined : await startChild(PARTNERS, 'HIRING_PARTNERS_LISTENING', partnersEnv(fault), 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'HIRING_LISTENING', {
      HIRING_PORT: '0',
      HIRING_PG_URL: appPgUrl,
      HIRING_REDIS_URL: opts.redisUrl,
      HIRING_PARTNERS_URL: opts.upstreamUrl ?? `http://127.0.0.1:${upstream!.port}`,
      HIRING_PG_POOL_MAX: String(POOL_MAX),
      HIRING_FAULT: fault ?? '',
    }, 60_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await upstream?.stop();
    throw error;
  }
  return runningService(app, [upstream]);
}

/** The hiring corpus service. */
export const service: CorpusService = {
  name: 'hiring',
  stack: 'fastify 5, knex 3 over pg (pool of 6, app role limited to 8 connections), ioredis 5, prom-client 15; PostgreSQL 15, Redis; node:http partners upstream (background checks, calendar, email)',
  seed: seedHiring,
  start: startHiring,
  cases: HIRING_CASES,
};

export default service;
