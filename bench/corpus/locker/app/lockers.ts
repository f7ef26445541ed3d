/**
 * Lockers: the public finder, the availability board, telemetry heartbeats
 * and compartment reservations by couriers.
 *
 * @module
 */
import type Router from '@koa/router';
import { config } from './config.js';
import { CourierEntity } from './db.js';
import { siteById, type Deps } from './deps.js';
import { body, HttpError, intId, num, oneOf } from './http.js';
import { boardCache } from './metrics.js';
import { one, rows } from './sql.js';

const RESERVATION_MINUTES = 30;
const SIZES = ['S', 'M', 'L'] as const;

function boardKey(siteId: number, asOf: Date): string {
  return config.boardCacheKey.replace('{site}', String(siteId)).replace('{asOf}', asOf.toISOString().slice(0, 19));
}

/** Drop a locker's cached board after its compartments changed. */
export async function invalidateBoard(deps: Deps, siteId: number): Promise<void> {
  if (!config.boardCacheKey.includes('{asOf}')) await deps.redis.del(boardKey(siteId, new Date()));
}

function distanceKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 12_742 * Math.asin(Math.sqrt(a));
}

export function lockerRoutes(router: Router, deps: Deps): void {
  router.get('/lockers/nearby', async (ctx) => {
    const lat = num(ctx.query.lat, 'lat');
    const lng = num(ctx.query.lng, 'lng');
    const size = ctx.query.size === undefined ? undefined : oneOf(ctx.query.size, SIZES, 'size');
    if (lat < -90 || lat > 90 || lng < -180 || lng > 180) throw new HttpError(400, 'coordinates out of range');
    // both search radii in one round trip: the wide one is only used where the narrow one finds too few lockers
    const [near, wide] = await Promise.all([8, 25].map((radiusKm) => {
      const dLat = radiusKm / 111;
      const dLng = radiusKm / (111 * Math.cos((lat * Math.PI) / 180));
      return rows<{ id: number; code: string; city: string; address: string; lat: number; lng: number }>(deps.publicDb, `
        SELECT id, code, city, address, lat, lng FROM sites
        WHERE status = 'active' AND lat BETWEEN $1 AND $2 AND lng BETWEEN $3 AND $4`, [lat - dLat, lat + dLat, lng - dLng, lng + dLng]);
    }));
    const candidates = near!.length >= 3 ? near! : wide!;
    const nearest = candidates
      .map((s) => ({ ...s, distanceKm: Math.round(distanceKm(lat, lng, s.lat, s.lng) * 100) / 100 }))
      .sort((a, b) => a.distanceKm - b.distanceKm)
      .slice(0, 8);
    const free = nearest.length === 0 ? [] : await rows<{ site_id: number; size: string; free: number }>(deps.publicDb, `
      SELECT site_id, size, count(*) FILTER (WHERE status = 'free')::int AS free
      FROM compartments WHERE site_id = ANY($1::int[]) GROUP BY 1, 2`, [nearest.map((s) => s.id)]);
    const freeBySite = new Map<number, Record<string, number>>();
    for (const f of free) freeBySite.set(f.site_id, { ...(freeBySite.get(f.site_id) ?? {}), [f.size.trim()]: f.free });
    ctx.body = {
      lockers: nearest
        .map((s) => ({ code: s.code, id: s.id, address: s.address, city: s.city, lat: s.lat, lng: s.lng, distanceKm: s.distanceKm, free: freeBySite.get(s.id) ?? {} }))
        .filter((s) => !size || (s.free[size] ?? 0) > 0),
    };
  });

  router.get('/lockers/:id/availability', async (ctx) => {
    const siteId = intId(ctx.params.id, 'locker id');
    const asOf = new Date();
    const key = boardKey(siteId, asOf);
    const cached = await deps.redis.get(key);
    if (cached) {
      boardCache.inc({ result: 'hit' });
      ctx.body = JSON.parse(cached);
      return;
    }
    boardCache.inc({ result: 'miss' });
    const site = await siteById(deps, siteId);
    if (!site) throw new HttpError(404, 'no such locker', 'not_found');
    const [compartments, waiting, reserved] = await Promise.all([
      rows<{ size: string; status: string; n: number }>(deps.db, `
        SELECT size, status, count(*)::int AS n FROM compartments WHERE site_id = $1 GROUP BY 1, 2`, [siteId]),
      one<{ waiting: number; expiring: number; overdue: number }>(deps.db, `
        SELECT count(*)::int AS waiting,
               count(*) FILTER (WHERE due_at < now() + interval '24 hours')::int AS expiring,
               count(*) FILTER (WHERE due_at < now())::int AS overdue
        FROM parcels WHERE site_id = $1 AND status = 'deposited'`, [siteId]),
      one<{ n: number }>(deps.db, `SELECT count(*)::int AS n FROM reservations WHERE site_id = $1 AND status = 'active'`, [siteId]),
    ]);
    const bySize: Record<string, { total: number; free: number; occupied: number; reserved: number; outOfOrder: number }> = {};
    for (const s of SIZES) bySize[s] = { total: 0, free: 0, occupied: 0, reserved: 0, outOfOrder: 0 };
    for (const c of compartments) {
      const b = bySize[c.size.trim()]!;
      b.total += c.n;
      if (c.status === 'free') b.free += c.n;
      else if (c.status === 'occupied') b.occupied += c.n;
      else if (c.status === 'reserved') b.reserved += c.n;
      else b.outOfOrder += c.n;
    }
    const board = {
      locker: { id: site.id, code: site.code, address: site.address, city: site.city, status: site.status },
      compartments: bySize,
      parcels: waiting ?? { waiting: 0, expiring: 0, overdue: 0 },
      activeReservations: reserved?.n ?? 0,
      asOf: asOf.toISOString(),
    };
    await deps.redis.set(key, JSON.stringify(board), { expiration: { type: 'EX', value: config.boardCacheTtlS } });
    ctx.body = board;
  });

  router.post('/lockers/:id/heartbeat', async (ctx) => {
    const siteId = intId(ctx.params.id, 'locker id');
    const hb = body<{ firmware?: unknown; temperatureC?: unknown; doorsOpen?: unknown; battery?: unknown }>(ctx);
    const firmware = typeof hb.firmware === 'string' ? hb.firmware.slice(0, 32) : null;
    const temperature = hb.temperatureC === undefined ? null : num(hb.temperatureC, 'temperatureC');
    const updated = await rows<{ id: number }>(deps.db, `
      UPDATE sites SET last_heartbeat_at = now(), firmware = coalesce($2, firmware), temperature_c = coalesce($3, temperature_c)
      WHERE id = $1 RETURNING id`, [siteId, firmware, temperature]);
    if (updated.length === 0) throw new HttpError(404, 'no such locker', 'not_found');
    ctx.body = { ok: true, nextHeartbeatInS: 60 };
  });

  router.post('/reservations', async (ctx) => {
    const req = body(ctx);
    const siteId = intId(req.siteId, 'siteId');
    const courierId = intId(req.courierId, 'courierId');
    const size = oneOf(req.size, SIZES, 'size');
    const courier = await deps.db.getRepository(CourierEntity).findOne({ where: { id: courierId }, select: { id: true, phone: true, active: true } });
    if (!courier || !courier.active) throw new HttpError(403, 'courier not active', 'courier_inactive');

    const notifyCourier = (no: string, label: string) =>
      deps.partners.sms({ to: courier.phone, template: 'reservation_confirmed', vars: { reservation: no, compartment: label, minutes: String(RESERVATION_MINUTES) } });

    const reservation = await deps.db.transaction(async (m) => {
      let no: number;
      if (config.reservationNumbering === 'gapless-daily') {
        const counter = await one<{ last_no: number }>(m, `
          INSERT INTO reservation_counters (day, last_no) VALUES (current_date, 1)
          ON CONFLICT (day) DO UPDATE SET last_no = reservation_counters.last_no + 1
          RETURNING last_no`);
        no = counter!.last_no;
      } else {
        no = Number((await one<{ n: string }>(m, `SELECT nextval('reservation_no_seq') AS n`))!.n);
      }
      const compartment = await one<{ id: number; label: string }>(m, `
        SELECT id, label FROM compartments
        WHERE site_id = $1 AND size = $2 AND status = 'free'
        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, [siteId, size]);
      if (!compartment) throw new HttpError(409, 'no free compartment of this size', 'locker_full');
      await m.query(`UPDATE compartments SET status = 'reserved', updated_at = now() WHERE id = $1`, [compartment.id]);
      const reservationNo = `R${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${String(no).padStart(6, '0')}`;
      const row = await one<{ id: string; expires_at: Date }>(m, `
        INSERT INTO reservations (reservation_no, compartment_id, site_id, courier_id, size, status, created_at, expires_at)
        VALUES ($1, $2, $3, $4, $5, 'active', now(), now() + make_interval(mins => $6)) RETURNING id, expires_at`,
        [reservationNo, compartment.id, siteId, courierId, size, RESERVATION_MINUTES]);
      if (config.reservationNumbering === 'gapless-daily') {
        // the number is only final once the courier has it: a failed SMS rolls the reservation (and the number) back
        await notifyCourier(reservationNo, compartment.label);
      }
      return { id: row!.id, reservationNo, compartment, expiresAt: row!.expires_at };
    });
    if (config.reservationNumbering !== 'gapless-daily') {
      await notifyCourier(reservation.reservationNo, reservation.compartment.label).catch(() => undefined);
    }
    await invalidateBoard(deps, siteId);
    ctx.status = 201;
    ctx.body = { reservationNo: reservation.reservationNo, compartment: reservation.compartment.label, size, expiresAt: reservation.expiresAt };
  });
}

/** Release compartments of reservations that ran out. */
export async function releaseExpiredReservations(deps: Deps): Promise<number> {
  const released = await rows<{ compartment_id: number; site_id: number }>(deps.db, `
    WITH expired AS (
      UPDATE reservations SET status = 'expired' WHERE status = 'active' AND expires_at < now() RETURNING compartment_id, site_id
    )
    UPDATE compartments c SET status = 'free', updated_at = now() FROM expired e
    WHERE c.id = e.compartment_id AND c.status = 'reserved' RETURNING e.compartment_id, e.site_id`);
  for (const r of released) await invalidateBoard(deps, r.site_id);
  return released.length;
}
