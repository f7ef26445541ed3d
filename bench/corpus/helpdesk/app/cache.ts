/**
 * Cache-aside helpers over Redis: JSON values with a TTL, and the org's SLA
 * policies (read on every ticket creation and agent queue).
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { Sql } from 'postgres';

/** Read `key` from Redis, or compute it with `load`, store it for `ttlSeconds` and return it. */
export async function cached<T>(redis: Redis, key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
  const hit = await redis.get(key);
  if (hit !== null) return JSON.parse(hit) as T;
  const value = await load();
  if (value !== null && value !== undefined) await redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
  return value;
}

/** An SLA target of one priority. */
export interface SlaPolicy {
  priority: string;
  firstResponseMins: number;
  resolutionMins: number;
}

/** The org's SLA policies (cache-aside, 5 minutes). */
export function slaPolicies(sql: Sql, redis: Redis, orgId: number): Promise<SlaPolicy[]> {
  return cached(redis, `org:${orgId}:sla`, 300, () =>
    sql<SlaPolicy[]>`
      SELECT priority, first_response_mins AS "firstResponseMins", resolution_mins AS "resolutionMins"
      FROM sla_policies WHERE org_id = ${orgId} ORDER BY resolution_mins`.then((rows) => [...rows]));
}
