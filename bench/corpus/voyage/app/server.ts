/**
 * The voyage API process: express 5 app over kysely/pg, node-redis and the
 * partner platform. Prints `VOYAGE_LISTENING <port>` once ready.
 *
 * Environment: VOYAGE_PORT, VOYAGE_PG_URL, VOYAGE_REDIS_URL, VOYAGE_PARTNER_URL,
 * VOYAGE_PG_POOL_MAX (default 5), VOYAGE_FAULT (empty = healthy build).
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { NoResultError } from 'kysely';
import { parseFault } from '../faults.js';
import { bookingsRouter } from './bookings.js';
import { createRedis, HttpError, type AppContext } from './context.js';
import { createDb } from './db.js';
import { flightsRouter, refreshDeals } from './flights.js';
import { hotelsRouter } from './hotels.js';
import { poolMetrics, registry, requestMetrics } from './metrics.js';
import { PartnerClient, PartnerError } from './partner.js';
import { travellersRouter } from './travellers.js';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

async function main(): Promise<void> {
  const fault = parseFault(process.env.VOYAGE_FAULT);
  const { db, pool } = createDb(env('VOYAGE_PG_URL'), Number(process.env.VOYAGE_PG_POOL_MAX ?? 5));
  const redis = createRedis(env('VOYAGE_REDIS_URL'));
  redis.on('error', (err: Error) => console.error('redis error', err.message));
  await redis.connect();
  const partner = new PartnerClient(env('VOYAGE_PARTNER_URL'));
  const ctx: AppContext = { db, redis, partner, fault };

  await refreshDeals(ctx);
  const dealsTimer = setInterval(() => refreshDeals(ctx).catch((e: Error) => console.error('deals refresh failed', e.message)), 10 * 60_000);
  dealsTimer.unref();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestMetrics);
  app.use(express.json({ limit: '100kb' }));
  poolMetrics(pool);

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.use(flightsRouter(ctx));
  app.use(hotelsRouter(ctx));
  app.use(travellersRouter(ctx));
  app.use(bookingsRouter(ctx));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    if (err instanceof PartnerError) {
      res.status(502).json({ error: 'partner platform unavailable' });
      return;
    }
    const message = err instanceof NoResultError ? 'record not found' : err instanceof Error ? err.message : String(err);
    console.error(`${req.method} ${req.originalUrl} failed: ${message}`);
    res.status(500).json({ error: 'internal error' });
  });

  const server = app.listen(Number(process.env.VOYAGE_PORT ?? 0), '127.0.0.1', () => {
    console.log(`VOYAGE_LISTENING ${(server.address() as AddressInfo).port}`);
  });
  server.keepAliveTimeout = 65_000;

  const shutdown = (): void => {
    server.close();
    void Promise.allSettled([db.destroy(), redis.quit()]).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
