/**
 * Cold caches for a corpus case: every service's `start()` empties its Redis
 * database first, so a case never inherits the previous case's keys.
 *
 * @module
 */
import { Redis } from 'ioredis';

/** FLUSHDB on the database `url` names. */
export async function flushRedis(url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}
