/**
 * The knex instance (pg driver) and the pool gauges exported on /metrics,
 * named after the OpenTelemetry database-client conventions.
 *
 * @module
 */
// knex is CommonJS without an exports map: its default export is the factory.
import knex from 'knex';
import { Gauge } from 'prom-client';
import { config } from './config.js';
import { registry } from './metrics.js';

/** The shop's database handle. */
export const db = knex({
  client: 'pg',
  connection: { connectionString: config.pgUrl, application_name: 'shop' },
  pool: { min: 2, max: config.dbPoolMax, acquireTimeoutMillis: 30_000 },
});

// tarn's pool is internal to knex but stable; reading it is how teams usually export pool gauges.
interface TarnPool { numUsed(): number; numFree(): number; numPendingAcquires(): number; max: number }
const pool = (): TarnPool | undefined => (db.client as { pool?: TarnPool }).pool;

new Gauge({
  name: 'db_client_connections_usage',
  help: 'Connections of the pool by state',
  labelNames: ['pool_name', 'state'],
  registers: [registry],
  collect() {
    const p = pool();
    this.set({ pool_name: 'shop', state: 'used' }, p?.numUsed() ?? 0);
    this.set({ pool_name: 'shop', state: 'idle' }, p?.numFree() ?? 0);
  },
});
new Gauge({
  name: 'db_client_connections_max',
  help: 'Maximum connections of the pool',
  labelNames: ['pool_name'],
  registers: [registry],
  collect() {
    this.set({ pool_name: 'shop' }, config.dbPoolMax);
  },
});
new Gauge({
  name: 'db_client_connections_pending_requests',
  help: 'Requests waiting for a pool connection',
  labelNames: ['pool_name'],
  registers: [registry],
  collect() {
    this.set({ pool_name: 'shop' }, pool()?.numPendingAcquires() ?? 0);
  },
});
