/**
 * Prometheus metrics: the default Node.js process metrics (heap spaces, GC,
 * event loop lag) and a request-duration histogram by route and status.
 *
 * @module
 */
import type { Context, Next } from 'koa';
import client from 'prom-client';

export const registry = new client.Registry();
registry.setDefaultLabels({ service: 'locker-api' });
client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });

const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'Duration of HTTP requests in seconds',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const partnerDuration = new client.Histogram({
  name: 'locker_partner_request_duration_seconds',
  help: 'Duration of calls to partner APIs in seconds',
  labelNames: ['partner', 'operation', 'outcome'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const boardCache = new client.Counter({
  name: 'locker_board_cache_requests_total',
  help: 'Availability board cache lookups',
  labelNames: ['result'] as const,
  registers: [registry],
});

/** Koa middleware timing every request under its route template. */
export async function httpMetrics(ctx: Context, next: Next): Promise<void> {
  const end = httpDuration.startTimer();
  try {
    await next();
  } finally {
    const matched = (ctx as unknown as { _matchedRoute?: string | RegExp })._matchedRoute;
    const route = typeof matched === 'string' ? matched : 'unmatched';
    if (route !== '/metrics') end({ method: ctx.method, route, status_code: String(ctx.status) });
  }
}

export async function metricsEndpoint(ctx: Context): Promise<void> {
  ctx.set('content-type', registry.contentType);
  ctx.body = await registry.metrics();
}
