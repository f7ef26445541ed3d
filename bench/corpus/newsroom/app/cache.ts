/**
 * Cache-aside over Redis: values are stored as the JSON text the API sends,
 * so a hit costs one GET and no re-serialization.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { Metrics } from './metrics.js';

/** Cache-aside helper bound to the API's Redis connection. */
export class Cache {
  constructor(private readonly redis: Redis, private readonly metrics: Metrics) {}

  /** The cached JSON text under `key`, counting a hit or miss for `cache`. */
  async getRaw(cache: string, key: string): Promise<string | null> {
    const raw = await this.redis.get(key);
    this.metrics.cacheRequests.inc({ cache, result: raw === null ? 'miss' : 'hit' });
    return raw;
  }

  /** Store JSON text under `key` for `ttlSeconds`. */
  async setRaw(key: string, raw: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, raw, 'EX', ttlSeconds);
  }

  /**
   * The JSON text of `key`, or of `load()` (stored for `ttlSeconds`) on a
   * miss. `undefined` from load is not cached and comes back as null.
   */
  async remember(cache: string, key: string, ttlSeconds: number, load: () => Promise<unknown>): Promise<string | null> {
    const hit = await this.getRaw(cache, key);
    if (hit !== null) return hit;
    const value = await load();
    if (value === undefined) return null;
    const raw = JSON.stringify(value);
    await this.setRaw(key, raw, ttlSeconds);
    return raw;
  }

  /** Drop keys after a write (article edits, new comments). */
  async invalidate(...keys: string[]): Promise<void> {
    if (keys.length) await this.redis.unlink(...keys);
  }
}
