/**
 * Bookings: create (seat hold at the GDS, payment authorization, confirmation
 * e-mail) and the booking confirmation document; loyalty points credits.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { sql } from 'kysely';
import { HttpError, intParam, isoDay, type AppContext } from './context.js';

const CABIN_FARE_CLASS: Record<string, string> = { economy: 'B', premium: 'W', business: 'J' };
const MILESTONE_BONUS = 500;
const TIERS: [string, number][] = [['platinum', 150_000], ['gold', 75_000], ['silver', 25_000], ['blue', 0]];

function bookingReference(): string {
  return randomBytes(4).toString('hex').toUpperCase();
}

export function bookingsRouter(ctx: AppContext): Router {
  const { db, partner, fault } = ctx;
  const router = Router();

  router.post('/bookings', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const travellerId = intParam(body.travellerId, 'travellerId');
    const flightId = intParam(body.flightId, 'flightId');
    const cabin = String(body.cabin ?? 'economy');
    const fareClass = CABIN_FARE_CLASS[cabin];
    if (!fareClass) throw new HttpError(400, 'cabin must be economy, premium or business');
    const seat = typeof body.seat === 'string' && body.seat ? body.seat : null;

    const [flight, traveller] = await Promise.all([
      db.selectFrom('flights').select(['id', 'flight_no', 'carrier', 'depart_at', 'economy_cents', 'premium_cents', 'business_cents', 'promo_pct'])
        .where('id', '=', flightId).executeTakeFirst(),
      db.selectFrom('travellers').select(['id', 'email', 'first_name', 'last_name']).where('id', '=', travellerId).executeTakeFirst(),
    ]);
    if (!flight) throw new HttpError(404, 'flight not found');
    if (!traveller) throw new HttpError(404, 'traveller not found');
    const base = cabin === 'business' ? flight.business_cents : cabin === 'premium' ? flight.premium_cents : flight.economy_cents;
    const totalCents = Math.round((base * (100 - flight.promo_pct)) / 100);
    const reference = bookingReference();
    const email = { reference, flightNo: flight.flight_no, departAt: flight.depart_at, name: `${traveller.first_name} ${traveller.last_name}`, totalCents };

    let bookingId: string;
    if (fault === 'booking-transaction-spans-partner-calls') {
      // All-or-nothing: the booking row, the seat hold, the payment and the e-mail commit or roll back together.
      bookingId = await db.transaction().execute(async (trx) => {
        const row = await trx.insertInto('bookings')
          .values({ reference, traveller_id: travellerId, flight_id: flightId, cabin, fare_class: fareClass, seat, status: 'pending', total_cents: totalCents })
          .returning('id').executeTakeFirstOrThrow();
        await partner.holdSeat(flightId, cabin, seat);
        const auth = await partner.authorizePayment(totalCents, 'EUR', reference);
        await trx.updateTable('bookings').set({ status: 'confirmed', payment_ref: auth.authorization }).where('id', '=', row.id).execute();
        await trx.insertInto('outbox').values({ topic: 'booking.confirmed', payload: JSON.stringify({ bookingId: row.id, reference }) }).execute();
        await partner.sendEmail(traveller.email, 'booking-confirmation', email);
        return row.id;
      });
    } else {
      await partner.holdSeat(flightId, cabin, seat);
      const auth = await partner.authorizePayment(totalCents, 'EUR', reference);
      bookingId = await db.transaction().execute(async (trx) => {
        const row = await trx.insertInto('bookings')
          .values({ reference, traveller_id: travellerId, flight_id: flightId, cabin, fare_class: fareClass, seat, status: 'confirmed', total_cents: totalCents, payment_ref: auth.authorization })
          .returning('id').executeTakeFirstOrThrow();
        await trx.insertInto('outbox').values({ topic: 'booking.confirmed', payload: JSON.stringify({ bookingId: row.id, reference }) }).execute();
        return row.id;
      });
      // The confirmation e-mail does not hold up the response; a failure is logged and the outbox relay retries.
      partner.sendEmail(traveller.email, 'booking-confirmation', email)
        .catch((error: Error) => console.error(`confirmation e-mail for ${reference} failed: ${error.message}`));
    }
    res.status(201).json({ id: bookingId, reference, status: 'confirmed', totalCents, currency: 'EUR' });
  });

  router.get('/bookings/:id/confirmation', async (req, res) => {
    const id = intParam(req.params.id, 'id');
    const b = await db.selectFrom('bookings as b')
      .innerJoin('travellers as t', 't.id', 'b.traveller_id')
      .innerJoin('flights as f', 'f.id', 'b.flight_id')
      .innerJoin('airports as o', 'o.code', 'f.origin')
      .innerJoin('airports as d', 'd.code', 'f.destination')
      .select(['b.id', 'b.reference', 'b.status', 'b.cabin', 'b.fare_class', 'b.seat', 'b.hotel_id', 'b.checkin', 'b.nights',
        'b.total_cents', 'b.currency', 'b.payment_ref', 't.first_name', 't.last_name', 't.email',
        'f.flight_no', 'f.depart_at', 'f.arrive_at', 'o.name as origin_airport', 'o.city as origin_city', 'd.name as destination_airport', 'd.city as destination_city'])
      .where('b.id', '=', String(id))
      .executeTakeFirst();
    if (!b) throw new HttpError(404, 'booking not found');

    let stay: Record<string, unknown> | null = null;
    if (fault === 'confirmation-assumes-hotel') {
      // Confirmation v2: the stay block is part of every confirmation.
      const hotel = await db.selectFrom('hotels').select(['name', 'address', 'city', 'stars'])
        .where('id', '=', b.hotel_id as number).executeTakeFirstOrThrow();
      const checkin = new Date(b.checkin as Date);
      stay = { hotel: hotel.name, address: `${hotel.address}, ${hotel.city}`, stars: hotel.stars, checkin: isoDay(checkin),
        checkout: isoDay(new Date(checkin.getTime() + (b.nights as number) * 86_400_000)), nights: b.nights };
    } else if (b.hotel_id !== null) {
      const hotel = await db.selectFrom('hotels').select(['name', 'address', 'city', 'stars']).where('id', '=', b.hotel_id).executeTakeFirst();
      if (hotel && b.checkin && b.nights) {
        const checkin = new Date(b.checkin);
        stay = { hotel: hotel.name, address: `${hotel.address}, ${hotel.city}`, stars: hotel.stars, checkin: isoDay(checkin),
          checkout: isoDay(new Date(checkin.getTime() + b.nights * 86_400_000)), nights: b.nights };
      }
    }
    res.json({
      reference: b.reference, status: b.status,
      passenger: { name: `${b.first_name} ${b.last_name}`, email: b.email },
      flight: { flightNo: b.flight_no, from: `${b.origin_city} (${b.origin_airport})`, to: `${b.destination_city} (${b.destination_airport})`,
        departAt: b.depart_at, arriveAt: b.arrive_at, cabin: b.cabin, fareClass: b.fare_class, seat: b.seat },
      stay,
      payment: { totalCents: b.total_cents, currency: b.currency, authorization: b.payment_ref },
    });
  });

  router.post('/loyalty/:travellerId/earn', async (req, res) => {
    const travellerId = intParam(req.params.travellerId, 'travellerId');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const points = intParam(body.points, 'points');
    const source = String(body.source ?? 'partner');
    const result = await db.transaction().execute(async (trx) => {
      if (fault === 'loyalty-programme-liability-row') {
        // Finance reads the programme's outstanding points live, so it is kept in step with every credit.
        await trx.updateTable('loyalty_programmes')
          .set({ points_outstanding: sql`points_outstanding + ${points}`, updated_at: new Date() })
          .where('id', '=', (eb) => eb.selectFrom('loyalty_accounts').select('programme_id').where('traveller_id', '=', travellerId))
          .execute();
      }
      const account = await trx.selectFrom('loyalty_accounts').selectAll().where('traveller_id', '=', travellerId).forUpdate().executeTakeFirst();
      if (!account) throw new HttpError(404, 'no loyalty account');
      await trx.insertInto('loyalty_transactions')
        .values({ traveller_id: travellerId, kind: source === 'hotel' ? 'hotel' : 'partner', points, description: `Partner credit: ${source}` })
        .execute();
      const { rows } = await sql<{ qualifying: string }>`
        SELECT coalesce(sum(points), 0) AS qualifying FROM loyalty_transactions
        WHERE traveller_id = ${travellerId} AND points > 0 AND created_at > now() - interval '12 months'`.execute(trx);
      const qualifying = Number(rows[0]?.qualifying ?? 0);
      // Every 10th partner credit in a calendar year earns a 500-point milestone bonus.
      const milestone = await trx.selectFrom('loyalty_transactions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('traveller_id', '=', travellerId).where('kind', 'in', ['partner', 'hotel'])
        .where('created_at', '>=', sql<Date>`date_trunc('year', now())`)
        .executeTakeFirstOrThrow();
      const bonus = Number(milestone.n) % 10 === 0 ? MILESTONE_BONUS : 0;
      if (bonus) {
        await trx.insertInto('loyalty_transactions')
          .values({ traveller_id: travellerId, kind: 'bonus', points: bonus, description: 'Partner milestone bonus' })
          .execute();
      }
      const tier = TIERS.find(([, min]) => qualifying >= min)![0];
      const updated = await trx.updateTable('loyalty_accounts')
        .set({ balance: account.balance + points + bonus, lifetime_points: account.lifetime_points + points + bonus, tier, updated_at: new Date() })
        .where('traveller_id', '=', travellerId)
        .returning(['balance', 'tier', 'lifetime_points'])
        .executeTakeFirstOrThrow();
      await trx.insertInto('outbox').values({ topic: 'loyalty.credited', payload: JSON.stringify({ travellerId, points, tier }) }).execute();
      return { ...updated, bonus };
    });
    res.status(201).json({ travellerId, credited: points, bonus: result.bonus, balance: result.balance, tier: result.tier, lifetimePoints: result.lifetime_points });
  });

  return router;
}
