/**
 * The newsroom API process: hono 4 on @hono/node-server, drizzle over
 * postgres.js, ioredis, prom-client. Prints `NEWSROOM_LISTENING <port>` once
 * it accepts connections (the deploy waits for it).
 *
 * @module
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { ZodError } from 'zod';
import { Cache } from './cache.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db.js';
import { HttpError, type Deps } from './deps.js';
import { EntitlementSigner } from './lib/entitlements.js';
import { SectionIndex } from './lib/section-index.js';
import { rehydrateTrending, rollupTrending, ViewCounter } from './lib/views.js';
import { createMetrics, requestMetrics } from './metrics.js';
import { PartnerClient } from './partner.js';
import { registerArticleRoutes } from './routes/articles.js';
import { registerAuthorRoutes } from './routes/authors.js';
import { registerCommentRoutes } from './routes/comments.js';
import { registerDiscoveryRoutes } from './routes/discovery.js';
import { registerHomeRoutes } from './routes/home.js';
import { registerReaderRoutes } from './routes/readers.js';
import { registerSectionRoutes } from './routes/sections.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const metrics = createMetrics();
  const pool = openDatabase(config.pgUrl, config.poolMax, 'newsroom-api');
  // Reporting has its own small pool on its own role: its CONNECTION LIMIT is the DBA's guard rail.
  const analytics = openDatabase(config.analyticsUrl, 2, 'newsroom-reporting');
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, connectionName: 'newsroom-api' });
  await pool.client`SELECT 1`;

  const views = new ViewCounter(redis, pool);
  const deps: Deps = {
    config,
    db: pool.db,
    pool,
    analytics,
    redis,
    cache: new Cache(redis, metrics),
    partner: new PartnerClient(config.partnerUrl, metrics),
    metrics,
    views,
    sectionIndex: new SectionIndex(pool),
    signer: await EntitlementSigner.create(config.entitlementSecret, config.fault === 'entitlement-pbkdf2-sync'),
  };

  const app = new Hono();
  app.use('*', requestMetrics(metrics));
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/metrics', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));
  registerHomeRoutes(app, deps);
  registerSectionRoutes(app, deps);
  registerArticleRoutes(app, deps);
  registerCommentRoutes(app, deps);
  registerAuthorRoutes(app, deps);
  registerDiscoveryRoutes(app, deps);
  registerReaderRoutes(app, deps);
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((err, c) => {
    if (err instanceof HttpError) return c.json({ error: err.message }, err.status);
    if (err instanceof ZodError) return c.json({ error: 'invalid request', issues: err.issues.slice(0, 5) }, 400);
    if (err instanceof SyntaxError) return c.json({ error: 'malformed JSON body' }, 400);
    console.error(`${c.req.method} ${c.req.path} failed: ${err.message}`);
    return c.json({ error: 'internal error' }, 500);
  });

  // Background work: view counters to PostgreSQL, trending buckets after a Redis flush, the 24 h rollup.
  views.start();
  await rehydrateTrending(redis, pool);
  let rollupTimer: NodeJS.Timeout | undefined;
  if (config.fault !== 'trending-zunion-per-request') {
    await rollupTrending(redis);
    rollupTimer = setInterval(() => void rollupTrending(redis).catch((error: Error) => console.error(`trending rollup failed: ${error.message}`)), 60_000);
    rollupTimer.unref();
  }

  const server = serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) => {
    console.log(`NEWSROOM_LISTENING ${info.port}`);
  });

  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    views.stop();
    clearInterval(rollupTimer);
    server.close();
    void Promise.allSettled([pool.client.end({ timeout: 2 }), analytics.client.end({ timeout: 2 }), redis.quit()]).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error) => {
  console.error('newsroom failed to start:', error);
  process.exit(1);
});
