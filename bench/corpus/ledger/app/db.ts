/**
 * The main PostgreSQL pool, with the acquire wait measured: every query of
 * the ledger checks a connection out through {@link Db}.
 *
 * @module
 */
import pg from 'pg';
import { poolAcquire, watchPool } from './metrics.js';

// bigint columns (ids, cents) fit in a double for this ledger's sizes.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/** The ledger's database access. */
export class Db {
  readonly pool: pg.Pool;

  constructor(url: string, max: number) {
    this.pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
    this.pool.on('error', () => {});
    watchPool(this.pool, max);
  }

  /** Check a connection out (the wait is measured); release it in a finally. */
  async connect(): Promise<pg.PoolClient> {
    const started = performance.now();
    const client = await this.pool.connect();
    poolAcquire.observe((performance.now() - started) / 1000);
    return client;
  }

  /** One statement on a pooled connection; resolves to the rows. */
  async query<R extends pg.QueryResultRow = Record<string, any>>(text: string, params: unknown[] = []): Promise<R[]> {
    const client = await this.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      client.release();
    }
  }

  /** Run `work` in a transaction on one connection. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await this.connect();
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
