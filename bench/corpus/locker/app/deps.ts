/**
 * What the route modules share: data sources, Redis, partner clients.
 *
 * @module
 */
import { createClient } from 'redis';
import type { DataSource } from 'typeorm';
import type { Partners } from './partners.js';
import { SiteEntity, type Site } from './db.js';

/** The Redis client of the API. */
export function connectRedis(url: string) {
  return createClient({ url });
}
export type Redis = ReturnType<typeof connectRedis>;

export interface Deps {
  db: DataSource;
  publicDb: DataSource;
  redis: Redis;
  partners: Partners;
}

const SITE_TTL_S = 600;

/** A locker site, cache-aside in Redis (sites change rarely; heartbeat fields are not part of the cached copy). */
export async function siteById(deps: Deps, id: number): Promise<Pick<Site, 'id' | 'code' | 'city' | 'address' | 'lat' | 'lng' | 'status'> | null> {
  const key = `site:v1:${id}`;
  const cached = await deps.redis.get(key);
  if (cached) return JSON.parse(cached);
  const site = await deps.db.getRepository(SiteEntity).findOne({
    where: { id },
    select: { id: true, code: true, city: true, address: true, lat: true, lng: true, status: true },
  });
  if (!site) return null;
  await deps.redis.set(key, JSON.stringify(site), { expiration: { type: 'EX', value: SITE_TTL_S } });
  return site;
}

export function dayKey(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** ISO week like 2026-W49. */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow);
  const yearStart = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((t.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export const leaderboardKeys = {
  day: (d: Date) => `lb:couriers:day:${dayKey(d)}`,
  week: (d: Date) => `lb:couriers:week:${isoWeek(d)}`,
};
