/**
 * Prometheus metrics of the depot: the prom-client defaults (event loop lag,
 * GC, heap, CPU), request durations by route template, cache lookups, and the
 * pool's connection states.
 *
 * @module
 */
import client from 'prom-client';

/** The depot's registry, served on /metrics. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

/** Request durations; `route` is the template ('/skus/:id'), never the raw path. */
export const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'Duration of HTTP requests by route template',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Cache lookups by cache and result. */
export const cacheLookups = new client.Counter({
  name: 'cache_requests_total',
  help: 'Cache lookups by cache and result',
  labelNames: ['cache', 'result'] as const,
  registers: [registry],
});

/** Register gauges reading the pool's counts at scrape time. */
export function watchPool(pool: { totalCount: number; idleCount: number; waitingCount: number }, max: number): void {
  new client.Gauge({
    name: 'db_pool_connections',
    help: 'Connections of the PostgreSQL pool by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'max' }, max);
    },
  });
  new client.Gauge({
    name: 'db_pool_waiting',
    help: 'Callers waiting for a connection of the PostgreSQL pool',
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
}
