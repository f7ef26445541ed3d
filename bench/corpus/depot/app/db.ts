/**
 * The depot's database access: a Kysely instance over one pg Pool (5
 * connections, the per-replica budget), with the table types.
 *
 * @module
 */
import { Kysely, PostgresDialect, type Generated } from 'kysely';
import pg from 'pg';
import { watchPool } from './metrics.js';

// bigint columns come back as numbers: ids and cents stay far below 2^53.
pg.types.setTypeParser(20, Number);

/** The tables the routes read and write. */
export interface Database {
  warehouses: { id: number; code: string; city: string };
  skus: { id: number; code: string; name: string; description: string; category: string; weight_g: number; price_cents: number; updated_at: Date };
  stock: { sku_id: number; warehouse_id: number; on_hand: number; reserved: number; bin: string };
  orders: { id: Generated<number>; customer_ref: string; warehouse_id: number; status: string; ship_by: Date | null; total_cents: number; address: string; created_at: Date };
  order_lines: { id: Generated<number>; order_id: number; sku_id: number; qty: number; price_cents: number };
  shipments: { id: Generated<number>; order_id: number; shipment_no: number; tracking: string | null; created_at: Generated<Date> };
  counters: { name: string; value: number };
}

/** Connections of the pool. */
export const POOL_MAX = 5;

/** Open the database: pool, Kysely, and the pool gauges on /metrics. */
export function openDb(pgUrl: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: pgUrl, max: POOL_MAX, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {});
  watchPool(pool, POOL_MAX);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
