/**
 * Hotels: search by city, and the rate offer for a stay.
 *
 * @module
 */
import { Router } from 'express';
import { sql } from 'kysely';
import { HttpError, intParam, isoDay, type AppContext } from './context.js';

const ROOM_TYPES = [
  { code: 'STD', name: 'Standard double', factor: 1 },
  { code: 'TWN', name: 'Standard twin', factor: 1.02 },
  { code: 'SUP', name: 'Superior double', factor: 1.25 },
  { code: 'DLX', name: 'Deluxe king', factor: 1.5 },
  { code: 'JRS', name: 'Junior suite', factor: 2.1 },
  { code: 'STE', name: 'Suite', factor: 3 },
];
const RATE_PLANS = [
  { code: 'FLEX', name: 'Flexible', factor: 1, refundable: true, breakfast: false, memberOnly: false },
  { code: 'SAVER', name: 'Saver, pay now', factor: 0.88, refundable: false, breakfast: false, memberOnly: false },
  { code: 'BB', name: 'Bed and breakfast', factor: 1.12, refundable: true, breakfast: true, memberOnly: false },
  { code: 'MEMBER', name: 'Voyager member rate', factor: 0.92, refundable: true, breakfast: false, memberOnly: true },
  { code: 'ADV14', name: 'Advance purchase (14 days)', factor: 0.8, refundable: false, breakfast: false, memberOnly: false },
];
const OCCUPANCIES = [1, 2, 3];
/** The hotels' selling horizon. */
const HORIZON_START = Date.UTC(2027, 0, 1);
const HORIZON_NIGHTS = 365;
const CITY_TAX_PCT = 0.07;

interface NightRate {
  date: string; roomType: string; roomName: string; ratePlan: string; ratePlanName: string; occupancy: number;
  amountCents: number; taxCents: number; totalCents: number; currency: string;
  refundable: boolean; breakfast: boolean; memberOnly: boolean; cancellation: string;
}

/** Seasonality: summer and the year-end holidays are dearer, weekends dearer in leisure cities. */
function seasonFactor(day: Date): number {
  const m = day.getUTCMonth();
  const dow = day.getUTCDay();
  const season = m >= 5 && m <= 7 ? 1.3 : m === 11 ? 1.2 : m <= 1 ? 0.85 : 1;
  return season * (dow === 5 || dow === 6 ? 1.15 : 1);
}

function nightlyRates(hotel: { id: number; base_rate_cents: number; stars: number }, days: Date[]): NightRate[] {
  const out: NightRate[] = [];
  for (const day of days) {
    const date = isoDay(day);
    const season = seasonFactor(day);
    for (const room of ROOM_TYPES) {
      for (const plan of RATE_PLANS) {
        for (const occupancy of OCCUPANCIES) {
          const amountCents = Math.round(hotel.base_rate_cents * season * room.factor * plan.factor * (occupancy === 1 ? 1 : occupancy === 2 ? 1.1 : 1.35));
          const taxCents = Math.round(amountCents * CITY_TAX_PCT);
          out.push({
            date, roomType: room.code, roomName: room.name, ratePlan: plan.code, ratePlanName: plan.name, occupancy,
            amountCents, taxCents, totalCents: amountCents + taxCents, currency: 'EUR',
            refundable: plan.refundable, breakfast: plan.breakfast, memberOnly: plan.memberOnly,
            cancellation: plan.refundable ? `Free cancellation until ${date} 12:00 local time` : 'Non-refundable once booked',
          });
        }
      }
    }
  }
  return out;
}

function daysFrom(start: number, count: number): Date[] {
  return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000));
}

export function hotelsRouter(ctx: AppContext): Router {
  const { db, fault } = ctx;
  const router = Router();

  router.get('/hotels/search', async (req, res) => {
    const city = String(req.query.city ?? '').trim();
    if (!city) throw new HttpError(400, 'city is required');
    const minStars = Number(req.query.minStars ?? 1) || 1;
    let query = db.selectFrom('hotels')
      .select(['id', 'name', 'city', 'stars', 'rating', 'base_rate_cents', 'address', 'amenities']);
    query = fault === 'hotel-search-lower-city'
      // Case-insensitive match so "paris" and "PARIS" from the mobile app find Paris.
      ? query.where(sql<string>`lower(city)`, '=', city.toLowerCase())
      : query.where('city', '=', city);
    const hotels = await query
      .where('stars', '>=', minStars)
      .orderBy('rating', 'desc')
      .orderBy('id')
      .limit(20)
      .execute();
    res.json({ city, hotels: hotels.map((h) => ({ ...h, rating: Number(h.rating), fromCents: h.base_rate_cents })) });
  });

  router.get('/hotels/:id/rates', async (req, res) => {
    const id = intParam(req.params.id, 'id');
    const checkin = String(req.query.checkin ?? '');
    const nights = Math.min(intParam(req.query.nights ?? 1, 'nights'), 14);
    const start = Date.parse(`${checkin}T00:00:00Z`);
    if (Number.isNaN(start) || start < HORIZON_START || start >= HORIZON_START + (HORIZON_NIGHTS - nights) * 86_400_000) {
      throw new HttpError(400, 'checkin outside the selling horizon');
    }
    const hotel = await db.selectFrom('hotels').select(['id', 'name', 'city', 'stars', 'base_rate_cents']).where('id', '=', id).executeTakeFirst();
    if (!hotel) throw new HttpError(404, 'hotel not found');
    const checkout = new Date(start + nights * 86_400_000);

    // The rate calendar: the whole selling horizon is priced once and the stay is sliced from it.
    const rates = fault === 'hotel-rates-full-calendar'
      ? nightlyRates(hotel, daysFrom(HORIZON_START, HORIZON_NIGHTS))
      : nightlyRates(hotel, daysFrom(start, nights));

    const { rows } = await sql<{ rooms_booked: string }>`
      SELECT count(*) AS rooms_booked FROM bookings
      WHERE hotel_id = ${id} AND status <> 'cancelled'
        AND checkin < ${checkout} AND checkin + nights > ${new Date(start)}`.execute(db);
    const roomsBooked = Number(rows[0]?.rooms_booked ?? 0);

    const first = isoDay(new Date(start));
    const last = isoDay(checkout);
    const offers = new Map<string, { roomType: string; roomName: string; ratePlan: string; ratePlanName: string; occupancy: number; totalCents: number; nights: NightRate[] }>();
    for (const night of rates) {
      if (night.date < first || night.date >= last) continue;
      const key = `${night.roomType}/${night.ratePlan}/${night.occupancy}`;
      let offer = offers.get(key);
      if (!offer) {
        offer = { roomType: night.roomType, roomName: night.roomName, ratePlan: night.ratePlan, ratePlanName: night.ratePlanName, occupancy: night.occupancy, totalCents: 0, nights: [] };
        offers.set(key, offer);
      }
      offer.totalCents += night.totalCents;
      offer.nights.push(night);
    }
    res.json({
      hotelId: hotel.id, name: hotel.name, checkin: first, checkout: last, nights,
      availability: roomsBooked > 40 ? 'limited' : 'available',
      offers: [...offers.values()].sort((a, b) => a.totalCents - b.totalCents).slice(0, 24),
    });
  });

  return router;
}
