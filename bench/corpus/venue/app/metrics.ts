/**
 * Prometheus metrics of the venue: the prom-client defaults (event loop lag,
 * GC, heap, CPU), request durations by route template, cache lookups, and the
 * Sequelize pool's connection counts.
 *
 * @module
 */
import client from 'prom-client';
import type { PoolCounts } from './db.js';

/** The venue's registry, served on /metrics. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

/** Request durations; `route` is the router's template ('/events/:id'), never the raw path. */
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

/** Register gauges reading the pool's counts at scrape time (the pool is created lazily, hence the getter). */
export function watchPool(pool: () => PoolCounts | undefined, max: number): void {
  new client.Gauge({
    name: 'db_pool_connections',
    help: 'Connections of the Sequelize pool by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const p = pool();
      this.set({ state: 'total' }, p?.size ?? 0);
      this.set({ state: 'idle' }, p?.available ?? 0);
      this.set({ state: 'used' }, p?.using ?? 0);
      this.set({ state: 'max' }, max);
    },
  });
  new client.Gauge({
    name: 'db_pool_waiting',
    help: 'Callers waiting for a connection of the Sequelize pool',
    registers: [registry],
    collect() {
      this.set(pool()?.waiting ?? 0);
    },
  });
}
