/**
 * Stations: detail with live availability (GET /stations/:id), the stations
 * around the rider (GET /stations/nearby) and the district map (GET /map).
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { QueryTypes } from 'sequelize';
import { DISTRICTS } from '../../schema.js';
import { distanceM, intParam, numParam, type Ctx } from '../context.js';

/** Station status is cached like a GBFS station_status feed (ttl 30 s); returns and tickets invalidate it. */
const STATION_TTL_S = 30;
/** The district map is the app's home screen: cached, refreshed twice a minute. */
const MAP_TTL_S = 30;

const STATION_SQL = `
SELECT s.id, s.name, s.district, s.address, s.lat, s.lon, s.capacity, s.status,
       count(d.id) FILTER (WHERE d.bike_id IS NULL AND d.status = 'ok')::int AS free_docks,
       count(d.id) FILTER (WHERE d.status = 'broken')::int AS broken_docks,
       count(b.id) FILTER (WHERE b.kind = 'classic' AND b.status = 'available')::int AS classic_available,
       count(b.id) FILTER (WHERE b.kind = 'ebike' AND b.status = 'available')::int AS ebikes_available,
       coalesce(max((b.telemetry -> 'battery' ->> 'level')::int) FILTER (WHERE b.kind = 'ebike'), 0) AS best_battery
FROM stations s
LEFT JOIN docks d ON d.station_id = s.id
LEFT JOIN bikes b ON b.id = d.bike_id
WHERE s.id = $1
GROUP BY s.id`;

const NEARBY_SQL = `
SELECT s.id, s.name, s.lat, s.lon, s.capacity,
       count(b.id) FILTER (WHERE b.status = 'available')::int AS bikes_available,
       count(b.id) FILTER (WHERE b.status = 'available' AND b.kind = 'ebike')::int AS ebikes_available,
       count(d.id) FILTER (WHERE d.bike_id IS NULL AND d.status = 'ok')::int AS free_docks
FROM stations s
JOIN docks d ON d.station_id = s.id
LEFT JOIN bikes b ON b.id = d.bike_id
WHERE s.lat BETWEEN $1::float8 - $3::float8 AND $1::float8 + $3::float8
  AND s.lon BETWEEN $2::float8 - $4::float8 AND $2::float8 + $4::float8
  AND s.status = 'active'
GROUP BY s.id
ORDER BY (s.lat - $1::float8) ^ 2 + ((s.lon - $2::float8) * 0.745) ^ 2
LIMIT $5`;

const NEARBY_DOCKS_SQL = `
SELECT d.station_id, d.slot, d.status, b.id AS bike_id, b.serial, b.kind, b.status AS bike_status,
       (b.telemetry -> 'battery' ->> 'level')::int AS battery, b.telemetry, b.odometer_km, b.commissioned_on, b.updated_at
FROM docks d LEFT JOIN bikes b ON b.id = d.bike_id
WHERE d.station_id = ANY($1::int[])
ORDER BY d.station_id, d.slot`;

const MAP_SQL = `
SELECT s.id, s.name, s.lat, s.lon, s.capacity, s.status,
       count(b.id) FILTER (WHERE b.status = 'available' AND b.kind = 'classic')::int AS classic,
       count(b.id) FILTER (WHERE b.status = 'available' AND b.kind = 'ebike' AND (b.telemetry -> 'battery' ->> 'level')::int >= 30)::int AS ebikes_charged,
       count(b.id) FILTER (WHERE b.status = 'available' AND b.kind = 'ebike' AND (b.telemetry -> 'battery' ->> 'level')::int < 30)::int AS ebikes_low,
       count(d.id) FILTER (WHERE d.bike_id IS NULL AND d.status = 'ok')::int AS free_docks,
       (SELECT count(*) FROM maintenance_tickets t WHERE t.station_id = s.id AND t.status = 'open')::int AS open_tickets
FROM stations s
JOIN docks d ON d.station_id = s.id
LEFT JOIN bikes b ON b.id = d.bike_id
WHERE s.district = $1
GROUP BY s.id
ORDER BY s.id`;

interface StationRow {
  id: number; name: string; district: string; address: string; lat: number; lon: number; capacity: number; status: string;
  free_docks: number; broken_docks: number; classic_available: number; ebikes_available: number; best_battery: number;
}

export function stationRoutes(app: FastifyInstance, ctx: Ctx): void {
  const { db, redis, fault } = ctx;

  app.get('/stations/nearby', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const lat = numParam(q.lat);
    const lon = numParam(q.lon);
    if (lat === undefined || lon === undefined || Math.abs(lat) > 90 || Math.abs(lon) > 180) return reply.code(400).send({ error: 'lat and lon are required' });
    // The app shows the closest stations within walking distance.
    const full = fault === 'nearby-full-fleet';
    const radiusM = full ? 2000 : 600;
    const dLat = radiusM / 111_320;
    const dLon = radiusM / (111_320 * Math.cos((lat * Math.PI) / 180));
    const rows = await db.sequelize.query<{ id: number; name: string; lat: number; lon: number; capacity: number; bikes_available: number; ebikes_available: number; free_docks: number }>(
      NEARBY_SQL, { bind: [lat, lon, dLat, dLon, full ? 10_000 : 10], type: QueryTypes.SELECT });
    const stations = rows.map((s) => ({ ...s, distance_m: distanceM(lat, lon, s.lat, s.lon) }));
    if (!full) return { lat, lon, radius_m: radiusM, stations };
    // v2 map: every dock of every station around, so the app can draw the dock strip offline.
    const docks = await db.sequelize.query<{ station_id: number; slot: number; status: string; bike_id: number | null; serial: string | null; kind: string | null; bike_status: string | null; battery: number | null; telemetry: unknown; odometer_km: number | null; commissioned_on: string | null; updated_at: Date | null }>(
      NEARBY_DOCKS_SQL, { bind: [stations.map((s) => s.id)], type: QueryTypes.SELECT });
    const byStation = new Map<number, unknown[]>();
    for (const d of docks) {
      const list = byStation.get(d.station_id) ?? [];
      list.push({
        slot: d.slot,
        status: d.status,
        bike: d.bike_id === null ? null : {
          id: d.bike_id, serial: d.serial, kind: d.kind, status: d.bike_status, battery: d.battery,
          telemetry: d.telemetry, odometer_km: d.odometer_km, commissioned_on: d.commissioned_on, updated_at: d.updated_at,
        },
      });
      byStation.set(d.station_id, list);
    }
    return { lat, lon, radius_m: radiusM, stations: stations.map((s) => ({ ...s, docks: byStation.get(s.id) ?? [] })) };
  });

  app.get('/stations/:id', async (req, reply) => {
    const id = intParam((req.params as { id: string }).id);
    if (id === undefined) return reply.code(400).send({ error: 'bad station id' });
    const key = `station:${id}`;
    let station: StationRow | undefined;
    const cached = await redis.get(key);
    if (cached) station = JSON.parse(cached) as StationRow;
    else {
      const rows = await db.sequelize.query<StationRow>(STATION_SQL, { bind: [id], type: QueryTypes.SELECT });
      station = rows[0];
      if (!station) return reply.code(404).send({ error: 'station not found' });
      await redis.set(key, JSON.stringify(station), { expiration: { type: 'EX', value: STATION_TTL_S } });
    }
    // Live reservation holds (10-minute bike holds from the app) reduce what can be unlocked.
    let held: number;
    if (fault === 'station-holds-keys-scan') {
      held = (await redis.keys(`hold:${id}:*`)).length;
    } else {
      held = await redis.zCount(`holds:${id}`, Date.now(), '+inf');
    }
    const available = station.classic_available + station.ebikes_available;
    return { ...station, held, bikes_bookable: Math.max(0, available - held), cached: Boolean(cached) };
  });

  app.get('/map', async (req, reply) => {
    const district = (req.query as Record<string, string | undefined>).district ?? '';
    if (!(DISTRICTS as readonly string[]).includes(district)) return reply.code(400).send({ error: 'unknown district' });
    const key = `map:${district}`;
    const cached = await redis.get(key);
    if (cached) return reply.header('content-type', 'application/json; charset=utf-8').header('x-cache', 'hit').send(cached);
    const stations = await db.sequelize.query(MAP_SQL, { bind: [district], type: QueryTypes.SELECT });
    const body = JSON.stringify({ district, generated_at: new Date().toISOString(), stations });
    if (fault === 'map-cache-ttl-ms') await redis.set(key, body, { expiration: { type: 'PX', value: MAP_TTL_S } });
    else await redis.set(key, body, { expiration: { type: 'EX', value: MAP_TTL_S } });
    return reply.header('content-type', 'application/json; charset=utf-8').header('x-cache', 'miss').send(body);
  });
}
