/**
 * What every route module gets: the models, Redis, the partner clients, the
 * build's fault switch and the boot-time notification catalogue.
 *
 * @module
 */
import type { RedisClientType } from 'redis';
import type { BikeshareFault } from '../faults.js';
import type { Template } from './catalog.js';
import type { Db } from './db.js';
import type { Partner } from './partner.js';

/** The client createClient({ url }) returns (RESP3, no modules). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type RedisClient = RedisClientType<{}, {}, {}, 3, {}>;

export interface Ctx {
  db: Db;
  redis: RedisClient;
  partner: Partner;
  fault: BikeshareFault | null;
  catalog: Map<string, Template>;
}

/** A positive integer from a path/query/body value, or undefined. */
export function intParam(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A finite number from a query value, or undefined. */
export function numParam(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Distance in meters between two points (equirectangular, fine at city scale). */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const k = Math.cos(((lat1 + lat2) / 2) * (Math.PI / 180));
  const dy = (lat2 - lat1) * 111_320;
  const dx = (lon2 - lon1) * 111_320 * k;
  return Math.round(Math.sqrt(dx * dx + dy * dy));
}
