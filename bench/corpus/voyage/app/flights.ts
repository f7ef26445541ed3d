/**
 * Flights: fare search (with ±3 days flexible dates and one-stop connections), flight
 * detail, seat map, live availability from the GDS, and the deals board.
 *
 * @module
 */
import { Router } from 'express';
import { sql } from 'kysely';
import { HttpError, intParam, type AppContext } from './context.js';

/** Fare-search results are good for five minutes: fares are re-filed every quarter hour. */
const SEARCH_CACHE_TTL = 300;

interface SearchRow {
  first_id: number; first_no: string; depart_at: Date; via: string | null;
  second_id: number | null; second_no: string | null; arrive_at: Date; fare_cents: number; sold: string;
}

const SEAT_FEES: Record<string, number> = { business: 0, premium: 2500, economy: 1200 };
const DEFAULT_FARE_CLASS: Record<string, string> = { business: 'J', premium: 'W', economy: 'B' };

export function flightsRouter(ctx: AppContext): Router {
  const { db, redis, partner, fault } = ctx;
  const router = Router();

  router.get('/flights/search', async (req, res) => {
    const origin = String(req.query.origin ?? '').toUpperCase();
    const destination = String(req.query.destination ?? '').toUpperCase();
    const date = String(req.query.date ?? '');
    if (!/^[A-Z]{3}$/.test(origin) || !/^[A-Z]{3}$/.test(destination) || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new HttpError(400, 'origin, destination (IATA) and date (YYYY-MM-DD) are required');
    }
    const cabin = String(req.query.cabin ?? 'economy');
    const key = `search:v3:${origin}:${destination}:${date}:${cabin}`;
    const cached = await redis.get(key);
    if (cached) {
      res.set('x-cache', 'hit').type('application/json').send(cached);
      return;
    }
    const day = new Date(`${date}T00:00:00Z`);
    const from = new Date(day.getTime() - 3 * 86_400_000);
    const to = new Date(day.getTime() + 4 * 86_400_000);
    const { rows } = await sql<SearchRow>`
      SELECT f1.id AS first_id, f1.flight_no AS first_no, f1.depart_at, CASE WHEN f2.id IS NULL THEN NULL ELSE f1.destination END AS via,
             f2.id AS second_id, f2.flight_no AS second_no, coalesce(f2.arrive_at, f1.arrive_at) AS arrive_at,
             CASE WHEN f2.id IS NULL THEN f1.economy_cents * (100 - f1.promo_pct) / 100
                  ELSE round((f1.economy_cents + f2.economy_cents) * 0.85)::int END AS fare_cents,
             (SELECT count(*) FROM bookings b WHERE b.flight_id = f1.id AND b.status <> 'cancelled') AS sold
      FROM flights f1
      LEFT JOIN flights f2 ON f1.destination <> ${destination} AND f2.origin = f1.destination AND f2.destination = ${destination}
           AND f2.depart_at BETWEEN f1.arrive_at + interval '45 minutes' AND f1.arrive_at + interval '8 hours'
      WHERE f1.origin = ${origin} AND f1.depart_at >= ${from} AND f1.depart_at < ${to}
        AND (f1.destination = ${destination} OR f2.id IS NOT NULL)
      ORDER BY fare_cents, f1.depart_at
      LIMIT 60`.execute(db);
    const body = JSON.stringify({
      origin, destination, date, cabin,
      results: rows.map((r) => ({
        segments: r.second_id ? [{ flightId: r.first_id, flightNo: r.first_no }, { flightId: r.second_id, flightNo: r.second_no }] : [{ flightId: r.first_id, flightNo: r.first_no }],
        via: r.via, departAt: r.depart_at, arriveAt: r.arrive_at, fareCents: Number(r.fare_cents), currency: 'EUR', seatsSold: Number(r.sold),
      })),
    });
    const expiration = fault === 'fare-search-cache-ttl-ms'
      ? { type: 'PX' as const, value: SEARCH_CACHE_TTL }
      : { type: 'EX' as const, value: SEARCH_CACHE_TTL };
    await redis.set(key, body, { expiration });
    res.set('x-cache', 'miss').type('application/json').send(body);
  });

  function loadFlight(id: number) {
    return db.selectFrom('flights as f')
      .innerJoin('airports as o', 'o.code', 'f.origin')
      .innerJoin('airports as d', 'd.code', 'f.destination')
      .select(['f.id', 'f.flight_no', 'f.carrier', 'f.origin', 'f.destination', 'f.depart_at', 'f.arrive_at', 'f.aircraft',
        'f.economy_cents', 'f.premium_cents', 'f.business_cents', 'f.promo_pct', 'f.status',
        'o.city as origin_city', 'o.name as origin_airport', 'd.city as destination_city', 'd.name as destination_airport'])
      .where('f.id', '=', id)
      .executeTakeFirst();
  }

  router.get('/flights/:id', async (req, res) => {
    const flight = await loadFlight(intParam(req.params.id, 'id'));
    if (!flight) throw new HttpError(404, 'flight not found');
    res.json(flight);
  });

  router.get('/flights/:id/seats', async (req, res) => {
    const id = intParam(req.params.id, 'id');
    const flight = await db.selectFrom('flights as f')
      .innerJoin('aircraft_types as a', 'a.code', 'f.aircraft')
      .selectAll('a')
      .select(['f.id as flight_id', 'f.flight_no', 'f.depart_at'])
      .where('f.id', '=', id)
      .executeTakeFirst();
    if (!flight) throw new HttpError(404, 'flight not found');
    const [taken, rules] = await Promise.all([
      db.selectFrom('bookings').select(['seat']).where('flight_id', '=', id).where('status', '<>', 'cancelled').execute(),
      db.selectFrom('fare_rules').selectAll().execute(),
    ]);
    const occupied = new Set(taken.map((t) => t.seat));
    const ruleByClass = new Map(rules.map((r) => [r.fare_class, r]));
    const cabins: [string, number, string][] = [
      ['business', flight.business_rows, flight.business_letters],
      ['premium', flight.premium_rows, flight.premium_letters],
      ['economy', flight.economy_rows, flight.economy_letters],
    ];
    const seats: unknown[] = [];
    let row = 1;
    for (const [cabin, rows, letters] of cabins) {
      for (let r = 0; r < rows; r++, row++) {
        for (const letter of letters) {
          const seat = `${row}${letter}`;
          const fareClass = DEFAULT_FARE_CLASS[cabin]!;
          const window = letter === letters[0] || letter === letters[letters.length - 1];
          seats.push({
            seat, cabin, row, letter, fareClass,
            available: !occupied.has(seat),
            features: [...(window ? ['window'] : []), ...(r === 0 ? ['extra-legroom', 'bulkhead'] : [])],
            feeCents: r === 0 && cabin !== 'business' ? SEAT_FEES[cabin]! * 2 : SEAT_FEES[cabin]!,
            // The seat-selection widget shows the fare conditions of the seat's fare in a tooltip.
            ...(fault === 'seatmap-embedded-fare-rules' ? { fare: ruleByClass.get(fareClass) } : {}),
          });
        }
      }
    }
    const fares = rules.map(({ conditions: _c, ...summary }) => ({ ...summary, conditionsUrl: `/fare-rules/${summary.fare_class}` }));
    res.json({ flightId: flight.flight_id, flightNo: flight.flight_no, aircraft: flight.name, departAt: flight.depart_at, seats, fares });
  });

  router.get('/flights/:id/availability', async (req, res) => {
    const flight = await loadFlight(intParam(req.params.id, 'id'));
    if (!flight) throw new HttpError(404, 'flight not found');
    const live = await partner.availability(flight.id, flight.carrier);
    const price: Record<string, number> = {
      Y: flight.economy_cents * 2, B: flight.economy_cents, K: Math.round(flight.economy_cents * 0.8), Q: Math.round(flight.economy_cents * 0.65),
      W: flight.premium_cents, E: Math.round(flight.premium_cents * 0.85), J: flight.business_cents, C: Math.round(flight.business_cents * 0.85), D: Math.round(flight.business_cents * 0.7),
    };
    res.json({
      flightId: flight.id, flightNo: flight.flight_no, departAt: flight.depart_at, source: live.source,
      fares: live.buckets.filter((b) => b.seats > 0).map((b) => ({ fareClass: b.fareClass, seats: b.seats, priceCents: price[b.fareClass] ?? null })),
    });
  });

  router.get('/deals', async (req, res) => {
    const origin = String(req.query.origin ?? '').toUpperCase();
    if (!/^[A-Z]{3}$/.test(origin)) throw new HttpError(400, 'origin (IATA) is required');
    const limit = Math.min(Number(req.query.limit ?? 20) || 20, 50);
    let ids: number[];
    if (fault === 'deals-full-zrange') {
      // One global board, filtered by origin in the service.
      const all = await redis.zRange(DEALS_ALL, 0, -1, { REV: true });
      ids = all.filter((m) => m.startsWith(`${origin}:`)).slice(0, limit).map((m) => Number(m.split(':')[2]));
    } else {
      ids = (await redis.zRange(`${DEALS_BY_ORIGIN}${origin}`, 0, limit - 1, { REV: true })).map(Number);
    }
    if (ids.length === 0) {
      res.json({ origin, deals: [] });
      return;
    }
    const flights = await db.selectFrom('flights')
      .select(['id', 'flight_no', 'origin', 'destination', 'depart_at', 'economy_cents', 'promo_pct'])
      .where('id', 'in', ids)
      .execute();
    const byId = new Map(flights.map((f) => [f.id, f]));
    res.json({
      origin,
      deals: ids.map((id) => byId.get(id)).filter((f) => f !== undefined).map((f) => ({
        flightId: f.id, flightNo: f.flight_no, destination: f.destination, departAt: f.depart_at,
        promoPct: f.promo_pct, fareCents: Math.round((f.economy_cents * (100 - f.promo_pct)) / 100), wasCents: f.economy_cents,
      })),
    });
  });

  return router;
}

export const DEALS_ALL = 'deals:all';
export const DEALS_BY_ORIGIN = 'deals:origin:';

/** Rebuild the deals boards from the promotional fares of upcoming flights (at boot and every 10 minutes). */
export async function refreshDeals(ctx: AppContext): Promise<number> {
  const { db, redis } = ctx;
  const rows = await db.selectFrom('flights')
    .select(['id', 'origin', 'destination', 'promo_pct'])
    .where('promo_pct', '>', 0)
    .where('depart_at', '>', new Date())
    .execute();
  const byOrigin = new Map<string, { score: number; value: string }[]>();
  const all: { score: number; value: string }[] = [];
  for (const r of rows) {
    // Ties broken by flight id so the board is stable.
    const score = r.promo_pct + r.id / 1e7;
    all.push({ score, value: `${r.origin}:${r.destination}:${r.id}` });
    const list = byOrigin.get(r.origin) ?? [];
    list.push({ score, value: String(r.id) });
    byOrigin.set(r.origin, list);
  }
  await redis.del([DEALS_ALL, ...[...byOrigin.keys()].map((o) => `${DEALS_BY_ORIGIN}${o}`)]);
  for (let i = 0; i < all.length; i += 2000) await redis.zAdd(DEALS_ALL, all.slice(i, i + 2000));
  for (const [origin, list] of byOrigin) {
    for (let i = 0; i < list.length; i += 2000) await redis.zAdd(`${DEALS_BY_ORIGIN}${origin}`, list.slice(i, i + 2000));
  }
  return rows.length;
}
