/**
 * The pantry API: grocery delivery and recipe planning for households.
 * koa 3 + @koa/router 15, pg 8 pool, node-redis, prom-client 15.
 *
 * Prints `PANTRY_LISTENING <port>` once listening on 127.0.0.1.
 *
 * @module
 */
import Koa from 'koa';
import Router from '@koa/router';
import { catalog } from './catalog.js';
import { config, HttpError, loadStores, pool, redis, reportingPool } from './context.js';
import { households } from './households.js';
import { lists } from './lists.js';
import { metricsHandler, observe } from './metrics.js';
import { orders } from './orders.js';
import { stores } from './stores.js';

const app = new Koa();
app.proxy = false;

let errorsLogged = 0;
app.use(async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (error instanceof HttpError) {
      ctx.status = error.status;
      ctx.body = { error: error.message };
      return;
    }
    ctx.status = 500;
    ctx.body = { error: 'internal error' };
    // Keep stderr readable under load: the first errors in full, then one in a hundred.
    if (errorsLogged++ < 20 || errorsLogged % 100 === 0) console.error(`${ctx.method} ${ctx.path}:`, (error as Error).stack ?? error);
  }
});
app.use(observe);

// JSON bodies (small; the API takes no uploads).
app.use(async (ctx, next) => {
  if (ctx.method === 'POST' || ctx.method === 'PUT' || ctx.method === 'PATCH') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += (chunk as Buffer).length;
      if (size > 256 * 1024) throw new HttpError(413, 'body too large');
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      (ctx.request as unknown as { body: unknown }).body = text ? JSON.parse(text) : {};
    } catch {
      throw new HttpError(400, 'invalid JSON');
    }
  }
  await next();
});

const root = new Router();
root.get('/metrics', metricsHandler);
root.get('/healthz', async (ctx) => {
  await pool.query('SELECT 1');
  ctx.body = { ok: true };
});

for (const router of [root, catalog, households, lists, orders, stores]) app.use(router.routes()).use(router.allowedMethods());

await redis.connect();
await loadStores();
const server = app.listen(config.port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`PANTRY_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
server.keepAliveTimeout = 65_000;

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  server.close();
  server.closeAllConnections?.();
  const forced = setTimeout(() => process.exit(0), 2000);
  forced.unref();
  await Promise.allSettled([pool.end(), reportingPool.end(), redis.quit()]);
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
