/**
 * Entry point of the helpdesk service process. Configuration comes from the
 * environment: HELPDESK_PG_URL, HELPDESK_REDIS_URL, HELPDESK_MAILER_URL,
 * HELPDESK_PORT (0 = any) and HELPDESK_FAULT (the build's planted fault).
 * Prints `HELPDESK_LISTENING <port>` once it serves.
 *
 * @module
 */
import { serve } from '@hono/node-server';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { parseFault } from '../faults.js';
import { buildApp } from './app.js';
import { createMailer } from './mailer.js';
import { syncSlaTimers } from './sla.js';

/** Size of the PostgreSQL connection pool. */
const POOL_MAX = 6;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const fault = parseFault(process.env.HELPDESK_FAULT);
const sql = postgres(required('HELPDESK_PG_URL'), { max: POOL_MAX, idle_timeout: 60, connect_timeout: 10, onnotice: () => {}, connection: { application_name: 'helpdesk' } });
const redis = new Redis(required('HELPDESK_REDIS_URL'), { maxRetriesPerRequest: 3 });
const mailer = createMailer(required('HELPDESK_MAILER_URL'), fault);

await syncSlaTimers(sql, redis);
const app = buildApp({ sql, redis, mailer, fault });
const server = serve({ fetch: app.fetch, port: Number(process.env.HELPDESK_PORT ?? 0), hostname: '127.0.0.1' }, (info) => {
  console.log(`HELPDESK_LISTENING ${info.port}`);
});

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  server.close();
  mailer.close();
  Promise.allSettled([sql.end({ timeout: 2 }), redis.quit()]).finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
