/**
 * Prometheus metrics of the fleet: the prom-client defaults (event loop lag,
 * GC, heap, CPU), request durations by route template, station-card cache
 * lookups, calls to the lock gateway, rides started/ended, and the pg pool's
 * connection counts.
 *
 * @module
 */
import client from 'prom-client';
import type pg from 'pg';

/** The fleet's registry, served on /metrics. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

/** Request durations; `route` is the router's template ('/rentals/:id'), never the raw path. */
export const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'Duration of HTTP requests by route template',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Cache lookups by cache and result. */
export const cacheLookups = new client.Counter({
  name: 'fleet_cache_lookups_total',
  help: 'Cache lookups by cache and result (hit, miss)',
  labelNames: ['cache', 'result'] as const,
  registers: [registry],
});

/** Calls to the bike vendor's lock gateway. */
export const gatewayDuration = new client.Histogram({
  name: 'fleet_gateway_request_duration_seconds',
  help: 'Duration of calls to the lock gateway by operation and outcome',
  labelNames: ['operation', 'outcome'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/** Rides started (unlocked) and ended (locked at a station). */
export const rides = new client.Counter({
  name: 'fleet_rides_total',
  help: 'Rides by event (started, ended, unlock_failed)',
  labelNames: ['event'] as const,
  registers: [registry],
});

/** Bikes docked and rentable, from the last fleet snapshot. */
export const bikesAvailable = new client.Gauge({
  name: 'fleet_bikes_available',
  help: 'Bikes docked and rentable in the last fleet snapshot',
  registers: [registry],
});

/** Register gauges reading the pool's counts at scrape time. */
export function watchPool(pool: pg.Pool, max: number): void {
  new client.Gauge({
    name: 'pg_pool_connections',
    help: 'Connections of the node-postgres pool by state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'busy' }, pool.totalCount - pool.idleCount);
      this.set({ state: 'max' }, max);
    },
  });
  new client.Gauge({
    name: 'pg_pool_waiting_clients',
    help: 'Queries waiting for a connection of the node-postgres pool',
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
}
