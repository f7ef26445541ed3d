/**
 * Prometheus metrics of the API: the default process metrics of prom-client
 * (CPU, heap, GC, event-loop lag), request durations by route template,
 * cache hit/miss counts and partner-call durations.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The API's registry and its instruments. */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  cacheRequests: Counter<'cache' | 'result'>;
  upstreamDuration: Histogram<'upstream' | 'operation' | 'outcome'>;
}

/** Create the registry with default metrics and the API's instruments. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: 'newsroom_cache_requests_total',
      help: 'Cache-aside lookups by cache and result (hit/miss)',
      labelNames: ['cache', 'result'],
      registers: [registry],
    }),
    upstreamDuration: new Histogram({
      name: 'newsroom_upstream_request_duration_seconds',
      help: 'Duration of calls to the partner platform by operation',
      labelNames: ['upstream', 'operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/** Observe every request's duration under its route template (not the raw path: bounded cardinality). */
export function requestMetrics(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const template = routePath(c, -1);
      const route = !template || template === '*' || template === '/*' ? 'unmatched' : template;
      if (route !== '/metrics') {
        metrics.httpDuration.observe({ method: c.req.method, route, status_code: String(c.res.status) }, (performance.now() - start) / 1000);
      }
    }
  };
}
