/**
 * Rider routes: signing in (password check, session in Redis) and a rider's
 * ride history.
 *
 * @module
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { desc, eq } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { bikes, rentals, riders, stations } from '../db.js';
import { HttpError, intParam, type Ctx } from '../context.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: string, keylen: number, options: { N: number }) => Promise<Buffer>;

/** Check `password` against a stored `scrypt$N$salt$hash`. */
async function verifyPassword(ctx: Ctx, password: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'hex');
  const actual = ctx.fault === 'login-scrypt-sync'
    ? scryptSync(password, salt, expected.length, { N: Number(n) })
    : await scryptAsync(password, salt, expected.length, { N: Number(n) });
  return timingSafeEqual(actual, expected);
}

const SESSION_TTL_S = 30 * 24 * 3600;

/** POST /sessions {email, password} — sign a rider in; answers a session token (kept in Redis). */
export async function signIn(ctx: Ctx, req: Request, res: Response): Promise<void> {
  const input = (req.body ?? {}) as Record<string, unknown>;
  const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
  const password = typeof input.password === 'string' ? input.password : '';
  if (!email || !password) throw new HttpError(400, 'email and password are required');
  const [rider] = await ctx.db.select({ id: riders.id, name: riders.name, plan: riders.plan, status: riders.status, passwordHash: riders.passwordHash })
    .from(riders).where(eq(riders.email, email));
  if (!rider || rider.status !== 'active' || !(await verifyPassword(ctx, password, rider.passwordHash))) throw new HttpError(401, 'wrong email or password');
  const token = randomBytes(24).toString('base64url');
  await ctx.redis.set(`session:${token}`, JSON.stringify({ riderId: rider.id, plan: rider.plan }), { expiration: { type: 'EX', value: SESSION_TTL_S } });
  res.status(201).json({ token, rider: { id: rider.id, name: rider.name, plan: rider.plan } });
}

const HISTORY_PAGE = 20;
const stationColumns = { columns: { id: true, name: true, district: true } } as const;

/** GET /riders/:id/rentals — the rider's 20 latest rides with stations and bike model. */
export async function riderRentals(ctx: Ctx, req: Request<{ id: string }>, res: Response): Promise<void> {
  const riderId = intParam(req.params.id, 'id');
  let history;
  if (ctx.fault === 'history-lazy-stations') {
    // Stations and bikes are looked up ride by ride.
    const rows = await ctx.db.select().from(rentals).where(eq(rentals.riderId, riderId)).orderBy(desc(rentals.startedAt)).limit(HISTORY_PAGE);
    history = [];
    for (const r of rows) {
      const startStation = await ctx.db.query.stations.findFirst({ where: eq(stations.id, r.startStationId), ...stationColumns });
      const endStation = r.endStationId === null ? null : await ctx.db.query.stations.findFirst({ where: eq(stations.id, r.endStationId), ...stationColumns });
      const bike = await ctx.db.query.bikes.findFirst({ where: eq(bikes.id, r.bikeId), columns: { id: true }, with: { model: { columns: { name: true, kind: true } } } });
      history.push({ ...r, startStation: startStation!, endStation: endStation ?? null, bike: bike! });
    }
  } else {
    history = await ctx.db.query.rentals.findMany({
      where: eq(rentals.riderId, riderId), orderBy: desc(rentals.startedAt), limit: HISTORY_PAGE,
      with: { startStation: stationColumns, endStation: stationColumns, bike: { columns: { id: true }, with: { model: { columns: { name: true, kind: true } } } } },
    });
  }
  res.json({
    riderId,
    rentals: history.map((r) => ({
      id: r.id, status: r.status, startedAt: r.startedAt, durationMin: Math.round(r.durationS / 6) / 10, distanceKm: Math.round(r.distanceM / 100) / 10,
      priceCents: r.priceCents, from: r.startStation, to: r.endStation, bike: { id: r.bike.id, model: r.bike.model.name, kind: r.bike.model.kind },
    })),
  });
}
