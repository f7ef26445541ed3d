/**
 * Page-view counting and trending. A view is an INCR plus a ZINCRBY into the
 * current hour's trending bucket in Redis (fire-and-forget from the article
 * handler); a timer flushes the counters into articles.view_count in one
 * batched UPDATE. Trending over 24 hours is the union of the last 24 hourly
 * buckets, rolled up into `trending:24h` once a minute.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { Database } from '../db.js';

/** Key of the trending bucket of the hour containing `at` (UTC, YYYYMMDDHH). */
export function hourKey(at: Date): string {
  return `trending:h:${at.toISOString().slice(0, 13).replace(/[-T]/g, '')}`;
}

/** Keys of the 24 hourly buckets ending with the current hour. */
export function last24HourKeys(now = new Date()): string[] {
  const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  return Array.from({ length: 24 }, (_, i) => hourKey(new Date(hour - i * 3_600_000)));
}

/** The rolled-up 24-hour trending ZSET. */
export const TRENDING_24H_KEY = 'trending:24h';

/** Rebuild {@link TRENDING_24H_KEY} from the hourly buckets (one ZUNIONSTORE, once a minute). */
export async function rollupTrending(redis: Redis): Promise<void> {
  const keys = last24HourKeys();
  await redis.zunionstore(TRENDING_24H_KEY, keys.length, ...keys);
  await redis.expire(TRENDING_24H_KEY, 180);
}

/**
 * Redis is a cache here, so after a flush (or a new Redis) the hourly buckets
 * are rebuilt from the analytics export in PostgreSQL. The export lags by a
 * few hours, so its newest hour is mapped onto the current hour.
 */
export async function rehydrateTrending(redis: Redis, pool: Database): Promise<number> {
  const current = last24HourKeys()[0]!;
  if (await redis.exists(current)) return 0;
  if ((await redis.set('trending:rehydrate-lock', '1', 'EX', 60, 'NX')) === null) return 0;
  const rows = await pool.client<{ age: number; article_id: string; views: number }[]>`
    SELECT (extract(epoch FROM (max(hour) OVER () - hour)) / 3600)::int AS age, article_id, views
    FROM article_hourly_views
    WHERE hour > (SELECT max(hour) FROM article_hourly_views) - interval '24 hours'`;
  const keys = last24HourKeys();
  const byKey = new Map<string, (string | number)[]>();
  for (const r of rows) {
    const key = keys[r.age];
    if (!key) continue;
    let args = byKey.get(key);
    if (!args) byKey.set(key, (args = []));
    args.push(r.views, r.article_id);
  }
  const pipe = redis.pipeline();
  for (const [key, args] of byKey) {
    for (let i = 0; i < args.length; i += 2000) pipe.zadd(key, ...args.slice(i, i + 2000));
    pipe.expire(key, 26 * 3600);
  }
  await pipe.exec();
  return rows.length;
}

/** Counts article views in Redis and flushes them into PostgreSQL in batches. */
export class ViewCounter {
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(private readonly redis: Redis, private readonly pool: Database) {}

  /**
   * Count one view of `articleId`, and remember it in the reader's history
   * (related-article suggestions skip what was read). Does not wait: a lost
   * view is acceptable.
   */
  record(articleId: number, readerId?: number): void {
    const tx = this.redis
      .multi()
      .incr(`views:${articleId}`)
      .sadd('views:dirty', String(articleId))
      .zincrby(hourKey(new Date()), 1, String(articleId));
    if (readerId) tx.lpush(`history:${readerId}`, String(articleId)).ltrim(`history:${readerId}`, 0, 49).expire(`history:${readerId}`, 30 * 86_400);
    tx.exec()
      .catch((error: Error) => console.error(`view count failed: ${error.message}`));
  }

  /** Start the periodic flush (every `everyMs`). */
  start(everyMs = 5000): void {
    this.timer = setInterval(() => void this.flush().catch((error: Error) => console.error(`view flush failed: ${error.message}`)), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Move up to 1000 dirty counters into articles.view_count (one UPDATE). */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      const ids = (await this.redis.spop('views:dirty', 1000)) as string[];
      if (!ids.length) return;
      const pipe = this.redis.pipeline();
      for (const id of ids) pipe.getdel(`views:${id}`);
      const counts = (await pipe.exec())!.map(([, v]) => Number(v ?? 0));
      await this.pool.client`
        UPDATE articles AS a SET view_count = a.view_count + v.n
        FROM (SELECT unnest(${ids.map(Number)}::bigint[]) AS id, unnest(${counts}::int[]) AS n) v
        WHERE a.id = v.id`;
    } finally {
      this.flushing = false;
    }
  }
}
