/**
 * The depot process: Hono on @hono/node-server, Kysely over a pg Pool, node-redis
 * and prom-client. Prints `DEPOT_LISTENING <port>` once it serves.
 *
 * Environment: DEPOT_PG_URL, DEPOT_REDIS_URL, DEPOT_CARRIER_URL, DEPOT_FAULT ('' = healthy), DEPOT_PORT (0).
 *
 * @module
 */
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import { createClient } from 'redis';
import { parseFault } from '../faults.js';
import { Carrier } from './carrier.js';
import { HttpError, type Ctx } from './context.js';
import { openDb } from './db.js';
import { httpDuration, registry } from './metrics.js';
import { customerOrders, getOrder, placeOrder, shipOrder } from './routes/orders.js';
import { skuCard, skuForecast } from './routes/skus.js';
import { backlog, picklist } from './routes/warehouses.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const redis = createClient({ url: env('DEPOT_REDIS_URL') });
redis.on('error', () => {});
await redis.connect();
const ctx: Ctx = { fault: parseFault(process.env.DEPOT_FAULT), db: openDb(env('DEPOT_PG_URL')), redis, carrier: new Carrier(env('DEPOT_CARRIER_URL')) };

const app = new Hono();
app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
app.use('*', async (c, next) => {
  const started = performance.now();
  await next();
  if (c.req.path === '/metrics') return;
  const route = routePath(c, -1);
  httpDuration.observe({ method: c.req.method, route: route === '/*' || route === '*' ? 'unmatched' : route, status_code: String(c.res.status) }, (performance.now() - started) / 1000);
});
const bind = (handler: (ctx: Ctx, c: Context) => Promise<Response>) => (c: Context) => handler(ctx, c);
app.get('/skus/:id', bind(skuCard));
app.get('/skus/:id/forecast', bind(skuForecast));
app.get('/orders', bind(customerOrders));
app.post('/orders', bind(placeOrder));
app.get('/orders/:id', bind(getOrder));
app.post('/orders/:id/ship', bind(shipOrder));
app.get('/warehouses/:id/backlog', bind(backlog));
app.get('/warehouses/:id/picklist', bind(picklist));
app.notFound((c) => c.json({ error: 'not found' }, 404));
app.onError((error, c) => {
  if (error instanceof HttpError) return c.json({ error: error.message }, error.status);
  return c.json({ error: 'internal error' }, 500);
});

const server = serve({ fetch: app.fetch, port: Number(process.env.DEPOT_PORT ?? 0), hostname: '127.0.0.1' }, (info) => {
  console.log(`DEPOT_LISTENING ${info.port}`);
});
process.on('SIGTERM', () => {
  server.close();
  void Promise.allSettled([ctx.db.destroy(), redis.quit()]).then(() => process.exit(0));
});
