/**
 * Travellers: profile (with the APIS document token) and booking history;
 * itineraries (group trips).
 *
 * @module
 */
import { pbkdf2Sync } from 'node:crypto';
import { Router } from 'express';
import { HttpError, intParam, type AppContext } from './context.js';

/** Pepper and work factor of the APIS document token (PBKDF2-SHA256). */
const DOCUMENT_PEPPER = process.env.VOYAGE_DOCUMENT_PEPPER ?? 'voyage-apis-2026';
const DOCUMENT_TOKEN_ITERATIONS = 40_000;

/** The document token the border-control (APIS) submission uses instead of the raw passport number. */
export function deriveDocumentToken(passportNo: string, travellerId: number): string {
  return pbkdf2Sync(passportNo, `${DOCUMENT_PEPPER}:${travellerId}`, DOCUMENT_TOKEN_ITERATIONS, 32, 'sha256').toString('hex');
}

function maskPassport(passportNo: string): string {
  return passportNo.slice(0, 1) + '*'.repeat(Math.max(0, passportNo.length - 4)) + passportNo.slice(-3);
}

export function travellersRouter(ctx: AppContext): Router {
  const { db, fault } = ctx;
  const router = Router();

  router.get('/travellers/:id', async (req, res) => {
    const id = intParam(req.params.id, 'id');
    const t = await db.selectFrom('travellers as t')
      .leftJoin('loyalty_accounts as la', 'la.traveller_id', 't.id')
      .select(['t.id', 't.first_name', 't.last_name', 't.email', 't.phone', 't.nationality', 't.birth_date', 't.passport_no',
        't.passport_expiry', 't.document_token', 'la.tier', 'la.balance', 'la.lifetime_points'])
      .where('t.id', '=', id)
      .executeTakeFirst();
    if (!t) throw new HttpError(404, 'traveller not found');
    // Tokens are re-derived on read so a pepper rotation takes effect without a backfill.
    const documentToken = fault === 'traveller-document-token-sync' ? deriveDocumentToken(t.passport_no, t.id) : t.document_token;
    res.json({
      id: t.id, firstName: t.first_name, lastName: t.last_name, email: t.email, phone: t.phone, nationality: t.nationality,
      birthDate: t.birth_date,
      document: { type: 'passport', number: maskPassport(t.passport_no), expires: t.passport_expiry, token: documentToken },
      loyalty: t.tier ? { tier: t.tier, balance: t.balance, lifetimePoints: t.lifetime_points } : null,
    });
  });

  router.get('/travellers/:id/bookings', async (req, res) => {
    const id = intParam(req.params.id, 'id');
    const bookings = await db.selectFrom('bookings as b')
      .innerJoin('flights as f', 'f.id', 'b.flight_id')
      .leftJoin('hotels as h', 'h.id', 'b.hotel_id')
      .select(['b.id', 'b.reference', 'b.status', 'b.cabin', 'b.seat', 'b.total_cents', 'b.currency', 'b.created_at',
        'f.flight_no', 'f.origin', 'f.destination', 'f.depart_at', 'h.name as hotel_name', 'b.checkin', 'b.nights'])
      .where('b.traveller_id', '=', id)
      .orderBy('b.created_at', 'desc')
      .limit(20)
      .execute();
    res.json({ travellerId: id, bookings });
  });

  router.get('/itineraries/:id', async (req, res) => {
    const id = intParam(req.params.id, 'id');
    const itinerary = await db.selectFrom('itineraries').selectAll().where('id', '=', id).executeTakeFirst();
    if (!itinerary) throw new HttpError(404, 'itinerary not found');
    let items: unknown[];
    if (fault === 'itinerary-per-booking-queries') {
      const bookings = await db.selectFrom('bookings').selectAll().where('itinerary_id', '=', id).orderBy('id').execute();
      items = [];
      for (const b of bookings) {
        const flight = await db.selectFrom('flights')
          .select(['id', 'flight_no', 'origin', 'destination', 'depart_at', 'arrive_at']).where('id', '=', b.flight_id).executeTakeFirst();
        const traveller = await db.selectFrom('travellers')
          .select(['id', 'first_name', 'last_name']).where('id', '=', b.traveller_id).executeTakeFirst();
        const hotel = b.hotel_id === null ? undefined : await db.selectFrom('hotels')
          .select(['id', 'name', 'city']).where('id', '=', b.hotel_id).executeTakeFirst();
        items.push({
          bookingId: b.id, reference: b.reference, status: b.status, cabin: b.cabin, seat: b.seat,
          traveller: traveller ? { id: traveller.id, name: `${traveller.first_name} ${traveller.last_name}` } : null,
          flight: flight ? { id: flight.id, flightNo: flight.flight_no, origin: flight.origin, destination: flight.destination, departAt: flight.depart_at, arriveAt: flight.arrive_at } : null,
          stay: hotel ? { hotelId: hotel.id, name: hotel.name, city: hotel.city, checkin: b.checkin, nights: b.nights } : null,
        });
      }
    } else {
      const rows = await db.selectFrom('bookings as b')
        .innerJoin('flights as f', 'f.id', 'b.flight_id')
        .innerJoin('travellers as t', 't.id', 'b.traveller_id')
        .leftJoin('hotels as h', 'h.id', 'b.hotel_id')
        .select(['b.id', 'b.reference', 'b.status', 'b.cabin', 'b.seat', 'b.checkin', 'b.nights',
          'f.id as flight_id', 'f.flight_no', 'f.origin', 'f.destination', 'f.depart_at', 'f.arrive_at',
          't.id as traveller_id', 't.first_name', 't.last_name', 'h.id as hotel_id', 'h.name as hotel_name', 'h.city as hotel_city'])
        .where('b.itinerary_id', '=', id)
        .orderBy('b.id')
        .execute();
      items = rows.map((r) => ({
        bookingId: r.id, reference: r.reference, status: r.status, cabin: r.cabin, seat: r.seat,
        traveller: { id: r.traveller_id, name: `${r.first_name} ${r.last_name}` },
        flight: { id: r.flight_id, flightNo: r.flight_no, origin: r.origin, destination: r.destination, departAt: r.depart_at, arriveAt: r.arrive_at },
        stay: r.hotel_id === null ? null : { hotelId: r.hotel_id, name: r.hotel_name, city: r.hotel_city, checkin: r.checkin, nights: r.nights },
      }));
    }
    res.json({ id: itinerary.id, name: itinerary.name, status: itinerary.status, items });
  });

  return router;
}
