/**
 * The locker network API (koa 3 + @koa/router, TypeORM over pg, node-redis,
 * prom-client). Prints `LOCKER_LISTENING <port>` once it accepts requests.
 *
 * @module
 */
import 'reflect-metadata';
import Router from '@koa/router';
import Koa from 'koa';
import { config } from './config.js';
import { courierRoutes, rebuildLeaderboards } from './couriers.js';
import { mainDataSource, publicDataSource } from './db.js';
import { connectRedis, type Deps } from './deps.js';
import { errors, jsonBody } from './http.js';
import { lockerRoutes, releaseExpiredReservations } from './lockers.js';
import { httpMetrics, metricsEndpoint } from './metrics.js';
import { parcelRoutes } from './parcels.js';
import { Partners } from './partners.js';
import { returnRoutes } from './returns.js';

const log = (msg: string) => process.stderr.write(`[locker] ${new Date().toISOString()} ${msg}\n`);

async function main(): Promise<void> {
  const db = mainDataSource(config.pgUrl, config.pgPoolMax);
  const publicDb = publicDataSource(config.publicPgUrl, config.publicPoolMax);
  const redis = connectRedis(config.redisUrl);
  redis.on('error', (e: Error) => log(`redis: ${e.message}`));
  await Promise.all([db.initialize(), publicDb.initialize(), redis.connect()]);
  const deps: Deps = { db, publicDb, redis, partners: new Partners(config.partnersUrl) };

  await rebuildLeaderboards(deps);

  const router = new Router();
  router.get('/metrics', metricsEndpoint);
  router.get('/healthz', (ctx) => { ctx.body = { ok: true }; });
  parcelRoutes(router, deps);
  lockerRoutes(router, deps);
  courierRoutes(router, deps);
  returnRoutes(router, deps);

  const app = new Koa();
  app.proxy = true;
  app.use(httpMetrics);
  app.use(errors(log));
  app.use(jsonBody);
  app.use(router.routes());
  app.use(router.allowedMethods());

  const sweeper = setInterval(() => {
    releaseExpiredReservations(deps).catch((e: Error) => log(`reservation sweeper: ${e.message}`));
  }, 15_000);
  sweeper.unref();

  const server = app.listen(config.port, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    process.stdout.write(`LOCKER_LISTENING ${port}\n`);
  });
  server.keepAliveTimeout = 65_000;

  const shutdown = () => {
    clearInterval(sweeper);
    server.close();
    server.closeAllConnections();
    Promise.allSettled([db.destroy(), publicDb.destroy(), redis.quit()]).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error) => {
  log(`startup failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
