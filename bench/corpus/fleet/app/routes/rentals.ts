/**
 * Rental routes: starting a ride (reserve the bike, unlock it at the lock
 * gateway, record the rental) and a rental's receipt.
 *
 * @module
 */
import { and, asc, eq, gte, isNotNull, sql } from 'drizzle-orm';
import type { Request, Response } from 'express';
import { bikes, dailyUsage, rentalCharges, rentals, riders, stations, type Db } from '../db.js';
import { HttpError, intParam, type Ctx } from '../context.js';
import { rides } from '../metrics.js';

type Writer = Pick<Db, 'insert' | 'update'>;

/** Lowest battery (%) an e-bike may be rented with. */
const MIN_BATTERY = 15;

/** Mark a docked, rentable bike as unlocking; its station, or undefined when it is taken, ridden or flat. */
async function reserveBike(db: Writer, bikeId: number): Promise<{ stationId: number } | undefined> {
  const [reserved] = await db.update(bikes).set({ status: 'unlocking', lastSeenAt: new Date() })
    .where(and(eq(bikes.id, bikeId), eq(bikes.status, 'available'), isNotNull(bikes.stationId), gte(bikes.battery, MIN_BATTERY)))
    .returning({ stationId: bikes.stationId });
  return reserved ? { stationId: reserved.stationId! } : undefined;
}

/** Today's row of the usage counters, +1 ride started (or +1 failed unlock). */
async function countToday(db: Writer, what: 'started' | 'failed'): Promise<void> {
  await db.insert(dailyUsage).values({ day: sql`current_date`, ridesStarted: what === 'started' ? 1 : 0, unlockFailures: what === 'failed' ? 1 : 0 })
    .onConflictDoUpdate({
      target: dailyUsage.day,
      set: what === 'started' ? { ridesStarted: sql`${dailyUsage.ridesStarted} + 1` } : { unlockFailures: sql`${dailyUsage.unlockFailures} + 1` },
    });
}

/** Record the ride: the rental, the bike leaves its dock. */
async function recordRental(db: Writer, riderId: number, bikeId: number, stationId: number): Promise<{ id: number; startedAt: Date }> {
  const [rental] = await db.insert(rentals).values({
    riderId, bikeId, startStationId: stationId, startedAt: new Date(), durationS: 0, distanceM: 0, priceCents: 0, status: 'active',
  }).returning({ id: rentals.id, startedAt: rentals.startedAt });
  await db.update(bikes).set({ status: 'in_use', stationId: null, lastSeenAt: new Date() }).where(eq(bikes.id, bikeId));
  await db.update(stations).set({ bikesAvailable: sql`greatest(0, ${stations.bikesAvailable} - 1)`, updatedAt: new Date() }).where(eq(stations.id, stationId));
  return rental;
}

/** POST /rentals {riderId, bikeId} — start a ride on a docked bike (the rider scanned its QR code). */
export async function startRental(ctx: Ctx, req: Request, res: Response): Promise<void> {
  const input = (req.body ?? {}) as Record<string, unknown>;
  const riderId = intParam(input.riderId, 'riderId');
  const bikeId = intParam(input.bikeId, 'bikeId');
  const [rider] = await ctx.db.select({ id: riders.id, status: riders.status }).from(riders).where(eq(riders.id, riderId));
  if (!rider) throw new HttpError(404, `no rider ${riderId}`);
  if (rider.status !== 'active') throw new HttpError(409, `rider ${riderId} is ${rider.status}`);
  const [open] = await ctx.db.select({ id: rentals.id }).from(rentals).where(and(eq(rentals.riderId, riderId), eq(rentals.status, 'active'))).limit(1);
  if (open) throw new HttpError(409, `rider ${riderId} is already riding (rental ${open.id})`);

  let rental: { id: number; startedAt: Date };
  if (ctx.fault === 'daily-usage-first') {
    // One transaction, so that a failed unlock cannot strand a bike in 'unlocking'; the attempt is counted first.
    rental = await ctx.db.transaction(async (tx) => {
      await countToday(tx, 'started');
      const reserved = await reserveBike(tx, bikeId);
      if (!reserved) throw new HttpError(409, `bike ${bikeId} is not available`);
      await ctx.gateway.unlock(bikeId);
      return recordRental(tx, riderId, bikeId, reserved.stationId);
    });
  } else {
    const reserved = await reserveBike(ctx.db, bikeId);
    if (!reserved) throw new HttpError(409, `bike ${bikeId} is not available`);
    try {
      await ctx.gateway.unlock(bikeId);
    } catch (error) {
      await ctx.db.update(bikes).set({ status: 'available' }).where(eq(bikes.id, bikeId));
      await countToday(ctx.db, 'failed');
      rides.inc({ event: 'unlock_failed' });
      throw error;
    }
    rental = await ctx.db.transaction(async (tx) => {
      const recorded = await recordRental(tx, riderId, bikeId, reserved.stationId);
      await countToday(tx, 'started');
      return recorded;
    });
  }
  rides.inc({ event: 'started' });
  res.status(201).json({ id: rental.id, riderId, bikeId, status: 'active', startedAt: rental.startedAt });
}

/** VAT included in ride prices (NL, passenger transport). */
const VAT_RATE = 0.09;

/** GET /rentals/:id — a rental's receipt: bike, from/to stations, charge lines and totals. */
export async function rentalReceipt(ctx: Ctx, req: Request<{ id: string }>, res: Response): Promise<void> {
  const id = intParam(req.params.id, 'id');
  const rental = await ctx.db.query.rentals.findFirst({
    where: eq(rentals.id, id),
    with: {
      bike: { columns: { id: true, frameNo: true }, with: { model: { columns: { name: true, kind: true } } } },
      startStation: { columns: { id: true, name: true, district: true } },
      endStation: { columns: { id: true, name: true, district: true } },
    },
  });
  if (!rental) throw new HttpError(404, `no rental ${id}`);
  const lines = await ctx.db.select({ kind: rentalCharges.kind, description: rentalCharges.description, amountCents: rentalCharges.amountCents })
    .from(rentalCharges).where(eq(rentalCharges.rentalId, id)).orderBy(asc(rentalCharges.id));
  const totalCents = lines.reduce((sum, l) => sum + l.amountCents, 0);
  res.json({
    id: rental.id, status: rental.status, startedAt: rental.startedAt, endedAt: rental.endedAt,
    durationMin: Math.round(rental.durationS / 6) / 10, distanceKm: Math.round(rental.distanceM / 100) / 10,
    bike: { id: rental.bike.id, frameNo: rental.bike.frameNo, model: rental.bike.model.name, kind: rental.bike.model.kind },
    from: rental.startStation, to: rental.endStation,
    lines, totalCents, vatCents: Math.round(totalCents - totalCents / (1 + VAT_RATE)),
  });
}
