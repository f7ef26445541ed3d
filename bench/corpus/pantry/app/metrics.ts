/**
 * Prometheus metrics: prom-client's default process/runtime metrics and the
 * request-duration histogram, labelled with the matched route template.
 *
 * @module
 */
import type { Context, Next } from 'koa';
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const duration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'Duration of HTTP requests in seconds',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export async function observe(ctx: Context, next: Next): Promise<void> {
  if (ctx.path === '/metrics') return next();
  const end = duration.startTimer();
  try {
    await next();
  } finally {
    const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute;
    end({ method: ctx.method, route: typeof route === 'string' ? route : 'unmatched', status_code: String(ctx.status) });
  }
}

export async function metricsHandler(ctx: Context): Promise<void> {
  ctx.set('content-type', registry.contentType);
  ctx.body = await registry.metrics();
}
