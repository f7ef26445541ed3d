/**
 * The hiring API: fastify 5 over knex 3 (pg), ioredis 5 and prom-client 15.
 * Prints `HIRING_LISTENING <port>` once it accepts connections.
 *
 * @module
 */
import Fastify from 'fastify';
import { createContext, HttpError, loadConfig } from './context.js';
import { installMetrics } from './metrics.js';
import { jobRoutes, rebuildTrending } from './jobs.js';
import { candidateRoutes } from './candidates.js';
import { pipelineRoutes } from './pipeline.js';
import { recruiterRoutes } from './recruiters.js';

const config = loadConfig();
const ctx = createContext(config);
const app = Fastify({ logger: false, bodyLimit: 1_048_576 });

installMetrics(app);
app.setErrorHandler((error, request, reply) => {
  if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.message });
  const status = (error as { statusCode?: number }).statusCode;
  if (status && status < 500) return reply.code(status).send({ error: (error as Error).message });
  request.log.error(error);
  if (process.env.HIRING_LOG_ERRORS) console.error(`${request.method} ${request.url}: ${(error as Error).stack}`);
  return reply.code(500).send({ error: 'internal server error' });
});

app.get('/healthz', async () => ({ ok: true }));
jobRoutes(app, ctx);
candidateRoutes(app, ctx);
pipelineRoutes(app, ctx);
recruiterRoutes(app, ctx);

async function main(): Promise<void> {
  await ctx.db.raw('SELECT 1');
  await rebuildTrending(ctx);
  await app.listen({ host: '127.0.0.1', port: Number(process.env.HIRING_PORT ?? 0) });
  const address = app.server.address();
  console.log(`HIRING_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
}

async function shutdown(): Promise<void> {
  await app.close().catch(() => {});
  await ctx.db.destroy().catch(() => {});
  ctx.redis.disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
