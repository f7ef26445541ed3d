/**
 * The shop service process: migrations, then the express app on 127.0.0.1.
 * Prints `SHOP_LISTENING <port>` on stdout once it accepts connections
 * (the corpus launcher waits for that line). SIGTERM drains and exits.
 *
 * @module
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AddressInfo } from 'node:net';
import { redis } from './cache.js';
import { loadCatalog } from './catalog-memory.js';
import { config } from './config.js';
import { db } from './db.js';
import { httpMetrics, registry } from './metrics.js';
import { migrate } from './migrate.js';
import { UpstreamError } from './partner.js';
import { cartRoutes } from './routes/cart.js';
import { catalogRoutes } from './routes/catalog.js';
import { orderRoutes } from './routes/orders.js';
import { recommendationRoutes } from './routes/recommendations.js';

await migrate();
await loadCatalog();

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(httpMetrics);
app.use(express.json({ limit: '100kb' }));
app.get('/healthz', (_req, res) => {
  res.json({ ok: true });
});
app.get('/metrics', async (_req, res) => {
  res.type(registry.contentType).send(await registry.metrics());
});
app.use(catalogRoutes, orderRoutes, cartRoutes, recommendationRoutes);
app.use((_req: Request, res: Response) => {
  res.status(404).json({ error: 'not found' });
});
app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
  const status = error instanceof UpstreamError ? 502 : 500;
  console.error(`${req.method} ${req.originalUrl} -> ${status}: ${error instanceof Error ? error.message : String(error)}`);
  if (!res.headersSent) res.status(status).json({ error: status === 502 ? 'upstream failed' : 'internal error' });
});

const server = app.listen(config.port, '127.0.0.1', () => {
  console.log(`SHOP_LISTENING ${(server.address() as AddressInfo).port}`);
});
server.keepAliveTimeout = 65_000;

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void Promise.allSettled([db.destroy(), redis.quit()]).then(() => process.exit(0));
});
