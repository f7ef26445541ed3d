/**
 * What every route handler gets: the fault switch, the database, Redis, the
 * lock gateway's client and the fleet snapshot; the error type and parameter
 * parsing.
 *
 * @module
 */
import { createClient } from 'redis';
import type { FleetFault } from '../faults.js';
import type { Db } from './db.js';
import type { Gateway } from './gateway.js';
import type { FleetSnapshot } from './snapshot.js';

/** The service's node-redis client (not yet connected). */
export function createRedis(url: string) {
  const client = createClient({ url });
  client.on('error', () => {});
  return client;
}

/** A node-redis client of {@link createRedis}. */
export type RedisClient = ReturnType<typeof createRedis>;

/** The shared dependencies of the routes. */
export interface Ctx {
  fault: FleetFault | null;
  db: Db;
  redis: RedisClient;
  gateway: Gateway;
  snapshot: FleetSnapshot;
}

/** An error with the HTTP status it answers with. */
export class HttpError extends Error {
  constructor(readonly status: 400 | 401 | 404 | 409 | 502, message: string) {
    super(message);
  }
}

/** A positive integer path, query or body parameter, else 400. */
export function intParam(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `${name} must be a positive integer`);
  return n;
}

/** A latitude/longitude query pair, else 400. */
export function position(query: Record<string, unknown>): { lat: number; lon: number } {
  const lat = Number(query.lat);
  const lon = Number(query.lon);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) throw new HttpError(400, 'lat and lon are required');
  return { lat, lon };
}

/** Great-circle distance in metres. */
export function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return Math.round(2 * 6_371_000 * Math.asin(Math.sqrt(h)));
}
