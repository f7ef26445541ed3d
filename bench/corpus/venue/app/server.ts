/**
 * The venue process: Koa 3 with @koa/router, Sequelize 6 over pg, ioredis and
 * prom-client. Prints `VENUE_LISTENING <port>` once it serves.
 *
 * Environment: VENUE_PG_URL, VENUE_REDIS_URL, VENUE_PAYMENTS_URL, VENUE_FAULT ('' = healthy), VENUE_PORT (0).
 *
 * @module
 */
import Router from '@koa/router';
import { Redis } from 'ioredis';
import Koa from 'koa';
import { parseFault } from '../faults.js';
import { HttpError, type Ctx } from './context.js';
import { openDb } from './db.js';
import { httpDuration, registry } from './metrics.js';
import { Payments } from './payments.js';
import { Catalog, eventCard, holdSeat, searchEvents, seatmap, startHoldSweeper } from './routes/events.js';
import { customerOrders, getOrder, placeOrder } from './routes/orders.js';
import { getTicket } from './routes/tickets.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Read a JSON request body (at most 64 kB); null when absent or malformed. */
async function readJson(c: Koa.Context): Promise<unknown> {
  let text = '';
  for await (const chunk of c.req) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > 65_536) throw new HttpError(400, 'body too large');
  }
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

const redis = new Redis(env('VENUE_REDIS_URL'), { maxRetriesPerRequest: 2 });
redis.on('error', () => {});
const db = openDb(env('VENUE_PG_URL'));
await db.authenticate();
const ctx: Ctx = { fault: parseFault(process.env.VENUE_FAULT), db, redis, payments: new Payments(env('VENUE_PAYMENTS_URL')) };
const catalog = new Catalog(db);
await catalog.start();
const stopSweeper = startHoldSweeper(db);

const app = new Koa();
const router = new Router();
type Params = Koa.Context & { params: Record<string, string> };

app.use(async (c, next) => {
  const started = performance.now();
  try {
    await next();
  } catch (error) {
    if (error instanceof HttpError) {
      c.status = error.status;
      c.body = { error: error.message };
    } else {
      c.status = 500;
      c.body = { error: 'internal error' };
    }
  }
  if (c.path === '/metrics') return;
  const route = (c as Koa.Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  httpDuration.observe({ method: c.method, route: typeof route === 'string' ? route : 'unmatched', status_code: String(c.status) }, (performance.now() - started) / 1000);
});

router.get('/metrics', async (c) => {
  c.type = registry.contentType;
  c.body = await registry.metrics();
});
router.get('/events', (c) => searchEvents(ctx, catalog, c));
router.get('/events/:id', (c) => eventCard(ctx, c as Params));
router.get('/events/:id/seatmap', (c) => seatmap(ctx, c as Params));
router.post('/events/:id/holds', async (c) => holdSeat(ctx, c as Params, await readJson(c)));
router.post('/orders', async (c) => placeOrder(ctx, c, await readJson(c)));
router.get('/orders/:id', (c) => getOrder(ctx, c as Params));
router.get('/customers/:id/orders', (c) => customerOrders(ctx, c as Params));
router.get('/tickets/:code', (c) => getTicket(ctx, c as Params));
app.use(router.routes());
app.use(async (c) => {
  c.status = 404;
  c.body = { error: 'not found' };
});

const server = app.listen(Number(process.env.VENUE_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`VENUE_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
server.keepAliveTimeout = 60_000;
process.on('SIGTERM', () => {
  server.close();
  catalog.stop();
  stopSweeper();
  void Promise.allSettled([db.close(), redis.quit()]).then(() => process.exit(0));
});
