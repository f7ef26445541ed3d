/**
 * Redis: the cache-aside helper and the in-stock set that the stock job keeps
 * in sync with the products table.
 *
 * @module
 */
import { Redis } from 'ioredis';
import { config } from './config.js';
import { cacheRequests } from './metrics.js';

/** The shop's Redis connection. */
export const redis = new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });

/** Read-through cache: return the cached JSON under `key`, else load, store with a TTL and return. */
export async function cached<T>(cache: string, key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
  const hit = await redis.get(key);
  if (hit !== null) {
    cacheRequests.inc({ cache, result: 'hit' });
    return JSON.parse(hit) as T;
  }
  cacheRequests.inc({ cache, result: 'miss' });
  const value = await load();
  if (value !== undefined && value !== null) await redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
  return value;
}

/** Key of the set of product ids that are in stock. */
export const IN_STOCK_KEY = 'products:in-stock';
