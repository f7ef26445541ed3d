/**
 * Ends rides in the background: polls the lock gateway's feed of locks
 * closing at stations and, per event, completes the bike's active rental
 * (duration, distance, price and charge lines) and docks the bike.
 *
 * @module
 */
import { and, eq, sql } from 'drizzle-orm';
import { bikes, models, rentalCharges, rentals, stations, type Db } from './db.js';
import type { Gateway, LockEvent } from './gateway.js';
import { rides } from './metrics.js';

/** Complete the active rental of the bike that locked in `event` (nothing when there is none). */
export async function endRide(db: Db, event: LockEvent): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [rental] = await tx.select({ id: rentals.id, startedAt: rentals.startedAt, unlockFee: models.unlockFeeCents, perMinute: models.perMinuteCents })
      .from(rentals).innerJoin(bikes, eq(bikes.id, rentals.bikeId)).innerJoin(models, eq(models.id, bikes.modelId))
      .where(and(eq(rentals.bikeId, event.bikeId), eq(rentals.status, 'active'))).limit(1).for('update', { of: rentals });
    if (!rental) return false;
    const endedAt = new Date(event.lockedAt);
    const durationS = Math.max(1, Math.round((endedAt.getTime() - rental.startedAt.getTime()) / 1000));
    const minutes = Math.ceil(durationS / 60);
    const lines = [
      { rentalId: rental.id, kind: 'unlock', description: 'Unlock fee', amountCents: rental.unlockFee, createdAt: endedAt },
      { rentalId: rental.id, kind: 'minutes', description: `${minutes} min at ${rental.perMinute} ct/min`, amountCents: minutes * rental.perMinute, createdAt: endedAt },
    ];
    await tx.update(rentals).set({
      status: 'completed', endedAt, endStationId: event.stationId, durationS, distanceM: event.distanceM,
      priceCents: lines.reduce((sum, l) => sum + l.amountCents, 0),
    }).where(eq(rentals.id, rental.id));
    await tx.insert(rentalCharges).values(lines);
    await tx.update(bikes).set({ status: 'available', stationId: event.stationId, battery: sql`greatest(5, ${bikes.battery} - 3)`, lastSeenAt: endedAt })
      .where(eq(bikes.id, event.bikeId));
    await tx.update(stations).set({ bikesAvailable: sql`${stations.bikesAvailable} + 1`, updatedAt: endedAt }).where(eq(stations.id, event.stationId));
    return true;
  });
}

/** Poll the gateway every `intervalMs` and end the rides whose locks closed; returns a stop function. */
export function startRideCloser(db: Db, gateway: Gateway, intervalMs = 1_000): () => void {
  let cursor = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    try {
      const { events } = await gateway.lockEvents(cursor);
      for (const event of events) {
        if (stopped) return;
        if (await endRide(db, event)) rides.inc({ event: 'ended' });
        cursor = event.seq;
      }
    } catch {
      // The gateway or the database is briefly unavailable: retry on the next tick from the same cursor.
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
