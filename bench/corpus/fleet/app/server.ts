/**
 * The fleet process: Express 5, drizzle-orm over a pg Pool, node-redis and
 * prom-client. Prints `FLEET_LISTENING <port>` once it serves.
 *
 * Environment: FLEET_PG_URL, FLEET_REDIS_URL, FLEET_GATEWAY_URL, FLEET_FAULT ('' = healthy), FLEET_PORT (0).
 *
 * @module
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { parseFault } from '../faults.js';
import { createRedis, HttpError, type Ctx } from './context.js';
import { openDb, POOL_MAX } from './db.js';
import { Gateway } from './gateway.js';
import { httpDuration, registry, watchPool } from './metrics.js';
import { startRideCloser } from './ride-closer.js';
import { bikeDetail, reportDamage } from './routes/bikes.js';
import { rentalReceipt, startRental } from './routes/rentals.js';
import { riderRentals, signIn } from './routes/riders.js';
import { nearbyStations, stationCard } from './routes/stations.js';
import { FleetSnapshot } from './snapshot.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const redis = createRedis(env('FLEET_REDIS_URL'));
await redis.connect();
const { db, pool } = openDb(env('FLEET_PG_URL'));
watchPool(pool, POOL_MAX);
const gateway = new Gateway(env('FLEET_GATEWAY_URL'));
const snapshot = new FleetSnapshot(db);
await snapshot.start();
const stopRideCloser = startRideCloser(db, gateway);
const ctx: Ctx = { fault: parseFault(process.env.FLEET_FAULT), db, redis, gateway, snapshot };

const app = express();
app.disable('x-powered-by');
app.use((req, res, next) => {
  const started = performance.now();
  res.on('finish', () => {
    if (req.path === '/metrics') return;
    const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    httpDuration.observe({ method: req.method, route, status_code: String(res.statusCode) }, (performance.now() - started) / 1000);
  });
  next();
});
app.use(express.json({ limit: '64kb' }));

app.get('/metrics', async (_req, res) => {
  res.type(registry.contentType).send(await registry.metrics());
});
app.get('/stations', (req, res) => nearbyStations(ctx, req, res));
app.get('/stations/:id', (req, res) => stationCard(ctx, req, res));
app.get('/bikes/:id', (req, res) => bikeDetail(ctx, req, res));
app.post('/bikes/:id/reports', (req, res) => reportDamage(ctx, req, res));
app.post('/rentals', (req, res) => startRental(ctx, req, res));
app.get('/rentals/:id', (req, res) => rentalReceipt(ctx, req, res));
app.get('/riders/:id/rentals', (req, res) => riderRentals(ctx, req, res));
app.post('/sessions', (req, res) => signIn(ctx, req, res));
app.use((_req, res) => {
  res.status(404).json({ error: 'not found' });
});
app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
  if (error instanceof HttpError) res.status(error.status).json({ error: error.message });
  else if ((error as { type?: string }).type === 'entity.parse.failed') res.status(400).json({ error: 'malformed JSON body' });
  else res.status(500).json({ error: 'internal error' });
});

const server = app.listen(Number(process.env.FLEET_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`FLEET_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
server.keepAliveTimeout = 60_000;
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  snapshot.stop();
  stopRideCloser();
  void Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0));
});
