/**
 * Raw SQL through TypeORM's query runner, normalised to a list of rows
 * (TypeORM's postgres driver answers UPDATE/DELETE with [rows, count]).
 *
 * @module
 */
import type { DataSource, EntityManager } from 'typeorm';

export async function rows<T>(q: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const res: unknown = await q.query(sql, params);
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number') return res[0] as T[];
  return res as T[];
}

export async function one<T>(q: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await rows<T>(q, sql, params))[0];
}
