/**
 * The academy process: fastify 5, TypeORM 0.3 over a pg pool, ioredis and
 * prom-client. Prints `ACADEMY_LISTENING <port>` once it serves.
 *
 * Environment: ACADEMY_PG_URL, ACADEMY_REDIS_URL, ACADEMY_MEDIA_URL, ACADEMY_FAULT ('' = healthy), ACADEMY_PORT (0).
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { parseFault } from '../faults.js';
import { HttpError, type Ctx } from './context.js';
import { openDataSource, poolOf, POOL_MAX } from './db.js';
import { Media } from './media.js';
import { httpDuration, registry, watchPool } from './metrics.js';
import { accountRoutes } from './routes/accounts.js';
import { catalogueRoutes } from './routes/catalogue.js';
import { certificateRoutes } from './routes/certificates.js';
import { instructorRoutes } from './routes/instructors.js';
import { learningRoutes } from './routes/learning.js';
import { lessonRoutes } from './routes/lessons.js';
import { quizRoutes } from './routes/quizzes.js';
import { startStreakJob } from './streak-job.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const fault = parseFault(process.env.ACADEMY_FAULT);
const redis = new Redis(env('ACADEMY_REDIS_URL'), { maxRetriesPerRequest: 2 });
redis.on('error', () => {});
const db = await openDataSource(env('ACADEMY_PG_URL'));
watchPool(poolOf(db), POOL_MAX);
const ctx: Ctx = { fault, db, redis, media: new Media(env('ACADEMY_MEDIA_URL')), events: new EventEmitter() };
const stopStreakJob = startStreakJob(db, fault);

const app = Fastify({ logger: false, keepAliveTimeout: 60_000, bodyLimit: 64 * 1024 });
app.addHook('onResponse', async (req, reply) => {
  const route = req.routeOptions.url;
  if (route === '/metrics') return;
  httpDuration.observe({ method: req.method, route: route ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
});
app.setErrorHandler(async (error, _req, reply) => {
  if (error instanceof HttpError) return reply.code(error.status).send({ error: error.message });
  const status = (error as { statusCode?: number }).statusCode;
  if (status && status >= 400 && status < 500) return reply.code(status).send({ error: (error as Error).message });
  return reply.code(500).send({ error: 'internal error' });
});
app.setNotFoundHandler(async (_req, reply) => reply.code(404).send({ error: 'not found' }));
app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
await app.register(catalogueRoutes, { ctx });
await app.register(lessonRoutes, { ctx });
await app.register(learningRoutes, { ctx });
await app.register(quizRoutes, { ctx });
await app.register(certificateRoutes, { ctx });
await app.register(instructorRoutes, { ctx });
await app.register(accountRoutes, { ctx });

await app.listen({ port: Number(process.env.ACADEMY_PORT ?? 0), host: '127.0.0.1' });
const address = app.server.address();
console.log(`ACADEMY_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
process.on('SIGTERM', () => {
  stopStreakJob();
  void app.close().finally(() => void Promise.allSettled([db.destroy(), redis.quit()]).then(() => process.exit(0)));
});
