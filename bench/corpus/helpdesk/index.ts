/**
 * The helpdesk: a customer-support ticketing API (ticket list and filters,
 * ticket page with thread, customer, tags and agent collision detection,
 * ticket creation with per-org numbering, auto-assignment and SLA timers,
 * agent replies emailed to the customer, CSAT answers, agent queues, org
 * dashboard, macros, SLA report, agent sign-in) on hono 4 and
 * @hono/node-server, postgres.js 3 and ioredis 5 over PostgreSQL and Redis,
 * with a transactional-email provider as upstream, packaged as a corpus
 * service with its planted faults (faults.ts, cases.ts). It exposes no
 * Prometheus endpoint.
 *
 * `start()` is a deploy: it runs the migration of the fault's build (the
 * customers.email index), flushes Redis (cold caches; the service rebuilds
 * its SLA timers on boot), starts the mail provider (unless one is given)
 * and the service.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startChild, type Child } from '../ledger/launch.js';
import { flushRedis } from '../redis-flush.js';
import type { CorpusService, RunningService } from '../types.js';
import { HELPDESK_CASES } from './cases.js';
import { parseFault } from './faults.js';
import { migrateHelpdesk, seedHelpdesk } from './schema.js';

const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));
const MAILER = fileURLToPath(new URL('./upstream/server.ts', import.meta.url));

/** The service's old-generation limit, as its container deploy sets it (a 2 GiB pod). */
export const HEAP_LIMIT_MB = 1536;

/** Start the helpdesk with `fault` on (null = healthy). */
export async function startHelpdesk(opts: { pgUrl: string; redisUrl: string; fault: string | null; upstreamUrl?: string }): Promise<RunningService> {
  const fault = parseFault(opts.fault);
  await migrateHelpdesk(opts.pgUrl, fault);
  await flushRedis(opts.redisUrl);
  const mailer: Child | undefined = opts.upstreamUrl ? undefined : await startChild(MAILER, 'HELPDESK_MAILER_LISTENING', { MAILER_PORT: '0' }, 30_000);
  let app: Child;
  try {
    app = await startChild(APP, 'HELPDESK_LISTENING', {
      HELPDESK_PORT: '0',
      HELPDESK_PG_URL: opts.pgUrl,
      HELPDESK_REDIS_URL: opts.redisUrl,
      HELPDESK_MAILER_URL: opts.upstreamUrl ?? `http://127.0.0.1:${mailer!.port}`,
      HELPDESK_FAULT: fault ?? '',
    }, 60_000, [`--max-old-space-size=${HEAP_LIMIT_MB}`]);
  } catch (error) {
    await mailer?.stop();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${app.port}`,
    pid: app.process.pid!,
    stop: () => (stopping ??= (async () => {
      await app.stop();
      await mailer?.stop();
    })()),
  };
}

/** The helpdesk corpus service. */
export const service: CorpusService = {
  name: 'helpdesk',
  stack: 'hono 4 + @hono/node-server, postgres.js 3 (pool of 6), ioredis 5, no /metrics; PostgreSQL, Redis; node:http mail-provider upstream',
  seed: seedHelpdesk,
  start: startHelpdesk,
  cases: HELPDESK_CASES,
};

export default service;
