/**
 * The pantry service's shared resources: configuration from the environment,
 * the pg pool, the Redis client, the store-systems client and the stores
 * directory (small, loaded at startup).
 *
 * @module
 */
import pg from 'pg';
import { createClient } from 'redis';
import { parseFault, type PantryFault } from '../faults.js';

// numeric → number for the few numeric(8,2) columns (quantities, never money).
pg.types.setTypeParser(1700, (v) => Number(v));
// bigint ids fit comfortably in a double here.
pg.types.setTypeParser(20, (v) => Number(v));

export const config = {
  port: Number(process.env.PANTRY_PORT ?? 0),
  pgUrl: process.env.PANTRY_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/pantry',
  /** Order history reads go to the reporting replica; in this deploy it is the primary. */
  replicaUrl: process.env.PANTRY_REPLICA_URL || process.env.PANTRY_PG_URL || '',
  redisUrl: process.env.PANTRY_REDIS_URL ?? 'redis://127.0.0.1:6379',
  storeSystemsUrl: process.env.PANTRY_STORE_SYSTEMS_URL ?? 'http://127.0.0.1:7070',
  poolMax: Number(process.env.PANTRY_PG_POOL_MAX ?? 10),
  receiptSecret: process.env.PANTRY_RECEIPT_SECRET ?? 'pantry-receipts-2f8c1e',
  fault: parseFault(process.env.PANTRY_FAULT) as PantryFault | null,
};

export const pool = new pg.Pool({
  connectionString: config.pgUrl,
  max: config.poolMax,
  idleTimeoutMillis: 30_000,
  connectionTimeoutMillis: 10_000,
  application_name: 'pantry-api',
});
pool.on('error', (error) => console.error('pg pool error:', error.message));

/**
 * Reporting reads (order history) go to the read replica through their own pool. Its size comes from
 * PANTRY_REPORTING_POOL_MAX; the faulty build's deploy copied the replica's value (100) although the
 * "replica" of this deploy is the primary, whose max_connections is far lower.
 */
export const reportingPool = new pg.Pool({
  connectionString: config.replicaUrl,
  max: config.fault === 'reporting-pool-oversized' ? 100 : Number(process.env.PANTRY_REPORTING_POOL_MAX ?? 4),
  idleTimeoutMillis: 30_000,
  connectionTimeoutMillis: 10_000,
  application_name: 'pantry-api-reporting',
});
reportingPool.on('error', (error) => console.error('pg reporting pool error:', error.message));

export const redis = createClient({ url: config.redisUrl, socket: { reconnectStrategy: (n) => Math.min(n * 100, 2000) } });
redis.on('error', (error) => console.error('redis error:', (error as Error).message));

export interface Store {
  id: number;
  name: string;
  city: string;
  zone: number;
  opensAt: string;
  closesAt: string;
}

export const stores = new Map<number, Store>();
/** The stores serving each zone, for households without a preferred store. */
export const storesByZone = new Map<number, Store[]>();

export async function loadStores(): Promise<void> {
  const { rows } = await pool.query<{ id: number; name: string; city: string; zone: number; opens_at: string; closes_at: string }>(
    'SELECT id, name, city, zone, opens_at, closes_at FROM stores ORDER BY id',
  );
  for (const r of rows) {
    const store: Store = { id: r.id, name: r.name, city: r.city, zone: r.zone, opensAt: r.opens_at, closesAt: r.closes_at };
    stores.set(store.id, store);
    const list = storesByZone.get(store.zone) ?? [];
    list.push(store);
    storesByZone.set(store.zone, list);
  }
}

/** An HTTP error with a status the error middleware passes through. */
export class HttpError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

export function intParam(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `invalid ${name}`);
  return n;
}
