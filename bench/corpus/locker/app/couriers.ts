/**
 * Couriers: the leaderboard (deposits, from Redis sorted sets) and today's
 * route with what to drop at each stop.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import { In } from 'typeorm';
import { config } from './config.js';
import { CompartmentEntity, CourierEntity, ParcelEntity, RouteEntity, RouteStopEntity, SiteEntity } from './db.js';
import { leaderboardKeys, type Deps } from './deps.js';
import { HttpError, intId } from './http.js';
import { rows } from './sql.js';

interface StopView {
  seq: number;
  eta: string;
  locker: { id: number; code: string; address: string; city: string; lat: number; lng: number; status: string };
  free: Record<string, number>;
  toDeposit: number;
  parcels: unknown[];
}

/** Build the leaderboard from the deposits in the database (after a Redis restart or flush). */
export async function rebuildLeaderboards(deps: Deps): Promise<void> {
  const now = new Date();
  const days = await rows<{ courier_id: number; day: Date; n: number }>(deps.db, `
    SELECT courier_id, date_trunc('day', deposited_at AT TIME ZONE 'UTC') AS day, count(*)::int AS n
    FROM parcels WHERE deposited_at >= (now() AT TIME ZONE 'UTC')::date - 6
    GROUP BY 1, 2`);
  const byKey = new Map<string, { score: number; value: string }[]>();
  const week = new Map<string, number>();
  const weekKey = leaderboardKeys.week(now);
  for (const r of days) {
    const day = new Date(Date.UTC(r.day.getFullYear(), r.day.getMonth(), r.day.getDate()));
    const key = leaderboardKeys.day(day);
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key)!.push({ score: r.n, value: String(r.courier_id) });
    if (leaderboardKeys.week(day) === weekKey) week.set(String(r.courier_id), (week.get(String(r.courier_id)) ?? 0) + r.n);
  }
  byKey.set(weekKey, [...week].map(([value, score]) => ({ score, value })));
  for (const [key, members] of byKey) {
    await deps.redis.del(key);
    for (let i = 0; i < members.length; i += 1000) await deps.redis.zAdd(key, members.slice(i, i + 1000));
    await deps.redis.expire(key, 14 * 86_400);
  }
}

async function topCouriers(deps: Deps, limit: number): Promise<{ value: string; score: number }[]> {
  const now = new Date();
  if (config.leaderboardWindow === 'rolling-7d') {
    const [today, ...earlier] = Array.from({ length: 7 }, (_, i) => leaderboardKeys.day(new Date(now.getTime() - i * 86_400_000)));
    const tmp = `lb:couriers:rolling:${randomUUID()}`;
    await deps.redis.zUnionStore(tmp, [today!, ...earlier]);
    try {
      return await deps.redis.zRangeWithScores(tmp, 0, limit - 1, { REV: true });
    } finally {
      await deps.redis.unlink(tmp);
    }
  }
  return deps.redis.zRangeWithScores(leaderboardKeys.week(now), 0, limit - 1, { REV: true });
}

export function courierRoutes(router: Router, deps: Deps): void {
  const couriers = deps.db.getRepository(CourierEntity);

  router.get('/couriers/leaderboard', async (ctx) => {
    const limit = Math.min(50, Math.max(1, Number(ctx.query.limit ?? 20) || 20));
    const top = await topCouriers(deps, limit);
    const people = top.length === 0 ? [] : await couriers.find({ where: { id: In(top.map((t) => Number(t.value))) }, select: { id: true, name: true, company: true } });
    const byId = new Map(people.map((p) => [p.id, p]));
    ctx.body = {
      window: config.leaderboardWindow,
      leaders: top.map((t, i) => ({ rank: i + 1, courierId: Number(t.value), name: byId.get(Number(t.value))?.name ?? null, company: byId.get(Number(t.value))?.company ?? null, deposits: t.score })),
    };
  });

  router.get('/couriers/:id/route', async (ctx) => {
    const courierId = intId(ctx.params.id, 'courier id');
    const route = await deps.db.getRepository(RouteEntity).findOne({ where: { courierId }, order: { day: 'DESC' } });
    if (!route) throw new HttpError(404, 'no route for this courier', 'not_found');
    const stops = config.routeLoader === 'orm' ? await stopsViaRepositories(deps, route.id, courierId) : await stopsViaSql(deps, route.id, courierId);
    if (config.routeStopDetail === 'full') await attachLockerParcels(deps, stops);
    ctx.body = { routeId: route.id, day: route.day, status: route.status, plannedKm: route.plannedKm, stops };
  });
}

async function stopsViaSql(deps: Deps, routeId: number, courierId: number): Promise<StopView[]> {
  const stopRows = await rows<{ seq: number; eta: Date; id: number; code: string; address: string; city: string; lat: number; lng: number; status: string }>(deps.db, `
    SELECT rs.seq, rs.eta, s.id, s.code, s.address, s.city, s.lat, s.lng, s.status
    FROM route_stops rs JOIN sites s ON s.id = rs.site_id
    WHERE rs.route_id = $1 ORDER BY rs.seq`, [routeId]);
  const siteIds = stopRows.map((s) => s.id);
  const [free, own] = await Promise.all([
    rows<{ site_id: number; size: string; free: number }>(deps.db, `
      SELECT site_id, size, count(*) FILTER (WHERE status = 'free')::int AS free
      FROM compartments WHERE site_id = ANY($1::int[]) GROUP BY 1, 2`, [siteIds]),
    rows<{ id: number; tracking_code: string; site_id: number; size: string }>(deps.db, `
      SELECT id, tracking_code, site_id, size FROM parcels WHERE courier_id = $1 AND status = 'in_transit'`, [courierId]),
  ]);
  return stopRows.map((s) => {
    const mine = own.filter((p) => p.site_id === s.id);
    return {
      seq: s.seq,
      eta: s.eta.toISOString(),
      locker: { id: s.id, code: s.code, address: s.address, city: s.city, lat: s.lat, lng: s.lng, status: s.status },
      free: Object.fromEntries(free.filter((f) => f.site_id === s.id).map((f) => [f.size.trim(), f.free])),
      toDeposit: mine.length,
      parcels: mine.map((p) => ({ id: p.id, trackingCode: p.tracking_code, size: p.size.trim() })),
    };
  });
}

async function stopsViaRepositories(deps: Deps, routeId: number, courierId: number): Promise<StopView[]> {
  const stops = await deps.db.getRepository(RouteStopEntity).find({ where: { routeId }, order: { seq: 'ASC' } });
  const sites = deps.db.getRepository(SiteEntity);
  const compartments = deps.db.getRepository(CompartmentEntity);
  const parcels = deps.db.getRepository(ParcelEntity);
  const out: StopView[] = [];
  for (const stop of stops) {
    const site = await sites.findOneBy({ id: stop.siteId });
    if (!site) continue;
    const boxes = await compartments.find({ where: { siteId: site.id }, select: { id: true, size: true, status: true } });
    const mine = await parcels.find({ where: { courierId, siteId: site.id, status: 'in_transit' }, select: { id: true, trackingCode: true, size: true } });
    const free: Record<string, number> = {};
    for (const b of boxes) free[b.size.trim()] = (free[b.size.trim()] ?? 0) + (b.status === 'free' ? 1 : 0);
    out.push({
      seq: stop.seq,
      eta: stop.eta.toISOString(),
      locker: { id: site.id, code: site.code, address: site.address, city: site.city, lat: site.lat, lng: site.lng, status: site.status },
      free,
      toDeposit: mine.length,
      parcels: mine.map((p) => ({ id: p.id, trackingCode: p.trackingCode, size: p.size.trim() })),
    });
  }
  return out;
}

/** Every parcel at or heading to each stop's locker (to deposit or to collect), with its timeline. */
async function attachLockerParcels(deps: Deps, stops: StopView[]): Promise<void> {
  const siteIds = stops.map((s) => s.locker.id);
  const all = await rows<{ id: number; tracking_code: string; site_id: number; size: string; status: string; sender: string; weight_g: number;
    recipient_id: number; courier_id: number; compartment_id: number | null; created_at: Date; deposited_at: Date | null; due_at: Date | null }>(deps.db, `
    SELECT id, tracking_code, site_id, size, status, sender, weight_g, recipient_id, courier_id, compartment_id, created_at, deposited_at, due_at
    FROM parcels WHERE site_id = ANY($1::int[]) AND status IN ('in_transit', 'deposited', 'expired')`, [siteIds]);
  const timeline = all.length === 0 ? [] : await rows<{ parcel_id: number; kind: string; at: Date; actor: string; site_id: number | null }>(deps.db, `
    SELECT parcel_id, kind, at, actor, site_id FROM parcel_events WHERE parcel_id = ANY($1::int[]) ORDER BY parcel_id, at`, [all.map((p) => p.id)]);
  const eventsBy = new Map<number, typeof timeline>();
  for (const e of timeline) {
    if (!eventsBy.has(e.parcel_id)) eventsBy.set(e.parcel_id, []);
    eventsBy.get(e.parcel_id)!.push(e);
  }
  for (const stop of stops) {
    stop.parcels = all.filter((p) => p.site_id === stop.locker.id).map((p) => ({
      id: p.id, trackingCode: p.tracking_code, size: p.size.trim(), status: p.status, sender: p.sender, weightG: p.weight_g,
      recipientId: p.recipient_id, courierId: p.courier_id, compartmentId: p.compartment_id,
      createdAt: p.created_at.toISOString(), depositedAt: p.deposited_at?.toISOString() ?? null, dueAt: p.due_at?.toISOString() ?? null,
      events: (eventsBy.get(p.id) ?? []).map((e) => ({ kind: e.kind, at: e.at.toISOString(), actor: e.actor, siteId: e.site_id })),
    }));
  }
}
