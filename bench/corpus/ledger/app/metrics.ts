/**
 * Prometheus metrics of the ledger: the prom-client defaults (event loop
 * lag, GC, heap, CPU), request durations by route template, and the main
 * pool's connection states and acquire waits.
 *
 * @module
 */
import client from 'prom-client';

/** The ledger's registry, served on /metrics. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

/** Request durations; `route` is the template ('/accounts/:id'), never the raw path. */
export const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'Duration of HTTP requests by route template',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Time spent waiting for a connection of the main pool. */
export const poolAcquire = new client.Histogram({
  name: 'db_pool_acquire_seconds',
  help: 'Time waiting to check a connection out of the main PostgreSQL pool',
  buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
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
    help: 'Connections of the main PostgreSQL pool by state',
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
    help: 'Callers waiting for a connection of the main PostgreSQL pool',
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
}
