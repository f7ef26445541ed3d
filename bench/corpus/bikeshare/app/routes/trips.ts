/**
 * Trips: unlock (POST /trips), return + fare charge (POST /trips/:id/return)
 * and trip detail (GET /trips/:id).
 *
 * @module
 */
import { createHmac, pbkdf2Sync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { QueryTypes } from 'sequelize';
import { distanceM, intParam, type Ctx } from '../context.js';
import type { Row } from '../db.js';

const RECEIPT_KEY = process.env.BIKESHARE_RECEIPT_KEY ?? 'rcpt-7c1e0b1f5d9a4e2c';

export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/** Fare: unlock fee + per-minute, members get 45 free minutes; billed duration capped at 3 h (lost-bike process beyond). */
export function fareCents(plan: string, durationS: number): number {
  const minutes = Math.ceil(Math.min(durationS, 3 * 3600) / 60);
  if (plan === 'annual' || plan === 'monthly') return 100 + Math.max(0, minutes - 45) * 15;
  return 100 + minutes * 18;
}

export function tripRoutes(app: FastifyInstance, ctx: Ctx): void {
  const { db, redis, partner, fault } = ctx;
  const q = db.sequelize;

  /** The rider's plan, from the entitlement cache warmed at deploy (PG on a miss). */
  async function entitlement(riderId: number): Promise<string | undefined> {
    const cached = await redis.get(`ent:${riderId}`);
    if (cached) return cached;
    const m = await db.Membership.findOne({ where: { riderId }, attributes: ['plan'] });
    if (!m) return undefined;
    await redis.set(`ent:${riderId}`, m.plan as string, { expiration: { type: 'EX', value: 86_400 } });
    return m.plan as string;
  }

  app.post('/trips', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const riderId = intParam(body.rider_id);
    const stationId = intParam(body.station_id);
    if (riderId === undefined || stationId === undefined) return reply.code(400).send({ error: 'rider_id and station_id are required' });
    const plan = await entitlement(riderId);
    if (!plan) return reply.code(404).send({ error: 'rider not found' });
    const confirmInTx = fault === 'unlock-waits-dock-in-tx';
    const trip = await q.transaction(async (transaction) => {
      const active = await q.query(`SELECT id FROM trips WHERE rider_id = $1 AND status = 'active' LIMIT 1`, { bind: [riderId], type: QueryTypes.SELECT, transaction });
      if (active.length) throw new HttpError(409, 'rider already has an active trip');
      const [picked] = await q.query<{ dock_id: number; slot: number; bike_id: number; kind: string; battery: number | null }>(
        `SELECT d.id AS dock_id, d.slot, b.id AS bike_id, b.kind, (b.telemetry -> 'battery' ->> 'level')::int AS battery
         FROM docks d JOIN bikes b ON b.id = d.bike_id
         WHERE d.station_id = $1 AND d.status = 'ok' AND b.status = 'available'
         ORDER BY d.slot
         LIMIT 1
         FOR UPDATE OF d, b SKIP LOCKED`,
        { bind: [stationId], type: QueryTypes.SELECT, transaction });
      if (!picked) throw new HttpError(409, 'no bike available at this station');
      await q.query(`UPDATE bikes SET status = 'in_use', station_id = NULL, updated_at = now() WHERE id = $1`, { bind: [picked.bike_id], transaction });
      await q.query(`UPDATE docks SET bike_id = NULL WHERE id = $1`, { bind: [picked.dock_id], transaction });
      const [created] = await q.query<{ id: string; started_at: Date }>(
        `INSERT INTO trips (rider_id, bike_id, start_station_id, started_at, status) VALUES ($1, $2, $3, now(), 'active') RETURNING id, started_at`,
        { bind: [riderId, picked.bike_id, stationId], type: QueryTypes.SELECT, transaction });
      if (confirmInTx) {
        // Roll the trip back if the latch does not open: wait for the dock's confirmation before committing.
        const latch = await partner.dockUnlockAndWait(picked.dock_id);
        if (!latch.opened) throw new HttpError(502, 'dock did not open');
      }
      return { id: created!.id, started_at: created!.started_at, ...picked };
    });
    if (!confirmInTx) await partner.dockCommand(trip.dock_id, 'unlock');
    return reply.code(201).send({
      trip_id: trip.id,
      started_at: trip.started_at,
      station_id: stationId,
      dock: { id: trip.dock_id, slot: trip.slot },
      bike: { id: trip.bike_id, kind: trip.kind, battery: trip.battery },
      plan,
    });
  });

  app.post('/trips/:id/return', async (req, reply) => {
    const tripId = intParam((req.params as { id: string }).id);
    const stationId = intParam(((req.body ?? {}) as Record<string, unknown>).station_id);
    if (tripId === undefined || stationId === undefined) return reply.code(400).send({ error: 'trip id and station_id are required' });
    const done = await q.transaction(async (transaction) => {
      const [trip] = await q.query<{ id: string; rider_id: number; bike_id: number; start_station_id: number; started_at: Date; status: string }>(
        `SELECT id, rider_id, bike_id, start_station_id, started_at, status FROM trips WHERE id = $1 FOR UPDATE`,
        { bind: [tripId], type: QueryTypes.SELECT, transaction });
      if (!trip) throw new HttpError(404, 'trip not found');
      if (trip.status !== 'active') throw new HttpError(409, 'trip already ended');
      const [dock] = await q.query<{ id: number; slot: number }>(
        `SELECT id, slot FROM docks WHERE station_id = $1 AND bike_id IS NULL AND status = 'ok' ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED`,
        { bind: [stationId], type: QueryTypes.SELECT, transaction });
      if (!dock) throw new HttpError(409, 'station is full');
      const stations = await q.query<{ id: number; lat: number; lon: number }>(
        `SELECT id, lat, lon FROM stations WHERE id IN ($1, $2)`, { bind: [trip.start_station_id, stationId], type: QueryTypes.SELECT, transaction });
      const a = stations.find((s) => s.id === trip.start_station_id);
      const b = stations.find((s) => s.id === stationId);
      const durationS = Math.max(60, Math.round((Date.now() - new Date(trip.started_at).getTime()) / 1000));
      const distance = a && b ? Math.max(150, Math.round(distanceM(a.lat, a.lon, b.lat, b.lon) * 1.3)) : 0;
      const plan = (await redis.get(`ent:${trip.rider_id}`)) ?? 'payg';
      const fare = fareCents(plan, durationS);
      await q.query(`UPDATE docks SET bike_id = $1 WHERE id = $2`, { bind: [trip.bike_id, dock.id], transaction });
      await q.query(`UPDATE bikes SET status = 'available', station_id = $1, updated_at = now() WHERE id = $2`, { bind: [stationId, trip.bike_id], transaction });
      await q.query(
        `UPDATE trips SET status = 'completed', ended_at = now(), end_station_id = $2, duration_s = $3, distance_m = $4, fare_cents = $5 WHERE id = $1`,
        { bind: [tripId, stationId, durationS, distance, fare], transaction });
      return { riderId: trip.rider_id, bikeId: trip.bike_id, dock, durationS, distance, fare };
    });
    await redis.del(`station:${stationId}`);
    const charge = await partner.charge({ customer: `rider_${done.riderId}`, amountCents: done.fare, description: `Trip ${tripId}`, idempotencyKey: `trip-${tripId}` });
    const payment = await db.Payment.create({
      riderId: done.riderId, tripId, kind: 'trip', amountCents: done.fare, currency: 'USD',
      status: charge.status, gatewayRef: charge.id, cardLast4: charge.card_last4, createdAt: new Date(),
    });
    const receipt = { trip_id: tripId, rider_id: done.riderId, fare_cents: done.fare, duration_s: done.durationS, distance_m: done.distance, payment_ref: charge.id, issued_at: new Date().toISOString() };
    const payload = JSON.stringify(receipt);
    // Verification code printed on the receipt, checked by support when a rider disputes a fare.
    const code = fault === 'receipt-signing-sync'
      ? pbkdf2Sync(payload, RECEIPT_KEY, 60_000, 32, 'sha512').toString('base64url')
      : createHmac('sha256', RECEIPT_KEY).update(payload).digest('base64url');
    void partner.notify({ to: `rider_${done.riderId}`, channel: 'push', template: 'trip_receipt', data: { trip: tripId, amount: done.fare } }).catch(() => {});
    return { receipt: { ...receipt, payment_id: (payment as Row).id, verification_code: code.slice(0, 16) }, dock: { id: done.dock.id, slot: done.dock.slot } };
  });

  app.get('/trips/:id', async (req, reply) => {
    const id = intParam((req.params as { id: string }).id);
    if (id === undefined) return reply.code(400).send({ error: 'bad trip id' });
    const stationAttrs = ['id', 'name', 'address', 'lat', 'lon'];
    const trip = await db.Trip.findByPk(id, {
      include: [
        { model: db.Station, as: 'startStation', attributes: stationAttrs },
        { model: db.Station, as: 'endStation', attributes: stationAttrs },
        { model: db.Bike, as: 'bike', attributes: ['id', 'serial', 'kind'] },
      ],
    });
    if (!trip) return reply.code(404).send({ error: 'trip not found' });
    const start = trip.startStation as Row | null;
    const end = trip.endStation as Row | null;
    let startAddress = start?.address as string | undefined;
    let endAddress = end?.address as string | undefined;
    if (fault === 'trip-geocoder-inline') {
      // Street-level addresses from the city geocoder instead of the station's registered address.
      if (start) startAddress = (await partner.reverseGeocode(start.lat as number, start.lon as number)).address;
      if (end) endAddress = (await partner.reverseGeocode(end.lat as number, end.lon as number)).address;
    }
    const bike = trip.bike as Row | null;
    return {
      id: trip.id,
      rider_id: trip.riderId,
      status: trip.status,
      started_at: trip.startedAt,
      ended_at: trip.endedAt,
      duration_s: trip.durationS,
      distance_m: trip.distanceM,
      fare_cents: trip.fareCents,
      start: start ? { station_id: start.id, name: start.name, address: startAddress } : null,
      end: end ? { station_id: end.id, name: end.name, address: endAddress } : null,
      bike: bike ? { id: bike.id, serial: bike.serial, kind: bike.kind } : null,
    };
  });
}
