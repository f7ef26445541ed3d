/**
 * The bikeshare API: fastify 5, sequelize 6 over pg 8 (pool of 6,
 * application_name bikeshare-api), node-redis, prom-client /metrics.
 *
 * Env: BIKESHARE_PG_URL, BIKESHARE_REDIS_URL, BIKESHARE_PARTNERS_URL,
 * BIKESHARE_PORT (0 = any), BIKESHARE_PG_POOL_MAX (6), BIKESHARE_FAULT.
 * Prints `BIKESHARE_LISTENING <port>` once it serves.
 *
 * Boot warms Redis from PostgreSQL: the riders' entitlements (`ent:<rider>`,
 * read by unlock and pass purchase) and the open reservation holds
 * (`hold:<station>:<rider>` + the `holds:<station>` sorted sets).
 *
 * @module
 */
import Fastify from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { createClient } from 'redis';
import { QueryTypes } from 'sequelize';
import { parseFault } from '../faults.js';
import { buildTemplateCatalog } from './catalog.js';
import type { Ctx, RedisClient } from './context.js';
import { connect, poolStats, type Db } from './db.js';
import { Partner } from './partner.js';
import { commerceRoutes } from './routes/commerce.js';
import { riderRoutes } from './routes/riders.js';
import { stationRoutes } from './routes/stations.js';
import { tripRoutes } from './routes/trips.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function warmRedis(db: Db, redis: RedisClient): Promise<void> {
  const ents = await db.sequelize.query<{ rider_id: number; plan: string }>('SELECT rider_id, plan FROM memberships ORDER BY rider_id', { type: QueryTypes.SELECT });
  for (let i = 0; i < ents.length; i += 5000) {
    await redis.mSet(ents.slice(i, i + 5000).map((e) => [`ent:${e.rider_id}`, e.plan] as [string, string]));
  }
  const holds = await db.sequelize.query<{ rider_id: number; station_id: number }>('SELECT rider_id, station_id FROM reservations', { type: QueryTypes.SELECT });
  const until = Date.now() + 30 * 60_000;
  const multi = redis.multi();
  for (const h of holds) {
    multi.set(`hold:${h.station_id}:${h.rider_id}`, String(until), { expiration: { type: 'EX', value: 30 * 60 } });
    multi.zAdd(`holds:${h.station_id}`, { score: until, value: String(h.rider_id) });
  }
  await multi.execAsPipeline();
}

async function main(): Promise<void> {
  const fault = parseFault(process.env.BIKESHARE_FAULT);
  const db = connect(env('BIKESHARE_PG_URL'), Number(process.env.BIKESHARE_PG_POOL_MAX ?? 6));
  await db.sequelize.authenticate();
  const redis = createClient({ url: env('BIKESHARE_REDIS_URL') });
  redis.on('error', (error: Error) => console.error('redis:', error.message));
  await redis.connect();
  await warmRedis(db, redis);

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'db_pool_connections',
    help: 'Sequelize (pg) pool connections: total open, idle, in_use, and waiting = acquire requests queued for a connection',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const s = poolStats(db.sequelize);
      if (!s) return;
      this.set({ state: 'total' }, s.size);
      this.set({ state: 'idle' }, s.available);
      this.set({ state: 'in_use' }, s.using);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  new Gauge({
    name: 'db_pool_max_connections',
    help: 'Configured maximum size of the Sequelize pool',
    registers: [registry],
    collect() {
      this.set(poolStats(db.sequelize)?.maxSize ?? 0);
    },
  });

  const app = Fastify({ logger: false, bodyLimit: 1 << 20, keepAliveTimeout: 30_000 });
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route !== '/metrics') {
      httpDuration.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    }
    done();
  });
  app.get('/metrics', async (_req, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));
  app.get('/healthz', async () => ({ ok: true }));

  const ctx: Ctx = { db, redis, partner: new Partner(env('BIKESHARE_PARTNERS_URL')), fault, catalog: buildTemplateCatalog() };
  stationRoutes(app, ctx);
  riderRoutes(app, ctx);
  tripRoutes(app, ctx);
  commerceRoutes(app, ctx);

  await app.listen({ host: '127.0.0.1', port: Number(process.env.BIKESHARE_PORT ?? 0) });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`BIKESHARE_LISTENING ${port}`);

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(0), 3000).unref();
    void (async () => {
      await app.close().catch(() => {});
      await redis.quit().catch(() => {});
      await db.sequelize.close().catch(() => {});
      process.exit(0);
    })();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
