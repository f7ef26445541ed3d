/**
 * Event routes: the search of upcoming events by city (served from an
 * in-memory catalog), the event card (cached in Redis), the seat map with
 * availability, and holding a seat while the buyer checks out.
 *
 * @module
 */
import type { Context } from 'koa';
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { HttpError, intParam, type Ctx } from '../context.js';
import { Event, Hold, Ticket, Venue, type PriceTier } from '../db.js';
import { cacheLookups } from '../metrics.js';

// ---------------------------------------------------------------- search

/** One event of the in-memory catalog the search filters. */
interface CatalogEvent {
  id: number; title: string; description: string; city: string; startsAt: string; status: string;
  venue: { id: number; name: string; capacity: number }; priceTiers: PriceTier[]; available: number; tags: string[];
}

/** The catalog: every event (4,000 rows), reloaded every minute; small enough to keep in memory. */
export class Catalog {
  events: CatalogEvent[] = [];
  private timer?: NodeJS.Timeout;

  /** Load now and then every `everyMs`. */
  async start(everyMs = 60_000): Promise<void> {
    await this.load();
    this.timer = setInterval(() => void this.load().catch(() => {}), everyMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  constructor(private readonly db: Sequelize) {}

  private async load(): Promise<void> {
    // Plain rows, not model instances: 4,000 Sequelize instances with their venues would block the loop for a while.
    const rows = await this.db.query<{
      id: number; title: string; description: string; city: string; starts_at: Date; status: string; capacity: number; sold: number; held: number;
      price_tiers: PriceTier[]; venue_id: number; venue_name: string; venue_capacity: number;
    }>(`SELECT e.id, e.title, e.description, e.city, e.starts_at, e.status, e.capacity, e.sold, e.held, e.price_tiers,
               v.id AS venue_id, v.name AS venue_name, v.capacity AS venue_capacity
        FROM events e JOIN venues v ON v.id = e.venue_id ORDER BY e.starts_at`, { type: QueryTypes.SELECT });
    this.events = rows.map((e) => ({
      id: e.id, title: e.title, description: e.description, city: e.city, startsAt: e.starts_at.toISOString(), status: e.status,
      venue: { id: e.venue_id, name: e.venue_name, capacity: e.venue_capacity },
      priceTiers: e.price_tiers, available: e.capacity - e.sold - e.held,
      tags: [e.city.toLowerCase(), e.status, e.title.split(' #')[0].toLowerCase()],
    }));
  }
}

const SEARCH_PAGE = 20;

/** Catalog snapshots behind the cursors handed out, so that page 2 reads the same catalog as page 1. */
const snapshots: { cursor: string; events: CatalogEvent[] }[] = [];
const SNAPSHOTS_KEPT = 16;
let cursorSeq = 0;

/** GET /events?city= — the next upcoming events in a city, soonest first. */
export async function searchEvents(ctx: Ctx, catalog: Catalog, c: Context): Promise<void> {
  const city = typeof c.query.city === 'string' ? c.query.city : '';
  if (!/^[A-Za-z ]{2,40}$/.test(city)) throw new HttpError(400, 'city is required');
  let source = catalog.events;
  let cursor: string | undefined;
  if (ctx.fault === 'search-snapshot-clone') {
    // Pagination consistency: every search works on its own deep copy of the catalog (so that a reload
    // or a decoration cannot change page 2 under the reader), kept for the cursor.
    source = catalog.events.map((e) => ({ ...e, venue: { ...e.venue }, priceTiers: e.priceTiers.map((t) => ({ ...t })), tags: [...e.tags] }));
    cursor = `s${++cursorSeq}`;
    snapshots.push({ cursor, events: source });
    if (snapshots.length > SNAPSHOTS_KEPT) snapshots.shift();
  }
  const now = new Date().toISOString();
  const found = source.filter((e) => e.city === city && e.status === 'on_sale' && e.startsAt > now).slice(0, SEARCH_PAGE);
  c.body = {
    city,
    cursor,
    events: found.map((e) => ({
      id: e.id, title: e.title, startsAt: e.startsAt, venue: e.venue.name, available: e.available,
      fromCents: Math.min(...e.priceTiers.map((t) => t.priceCents)),
    })),
  };
}

// ---------------------------------------------------------------- card

const CARD_TTL_S = 30;

/** GET /events/:id — the event card: venue, price tiers, what is left per tier. Cached in Redis for 30 s. */
export async function eventCard(ctx: Ctx, c: Context & { params: Record<string, string> }): Promise<void> {
  const id = intParam(c.params.id, 'id');
  const key = `event-card:${id}`;
  const cached = await ctx.redis.get(key);
  cacheLookups.inc({ cache: 'event-card', result: cached ? 'hit' : 'miss' });
  if (cached) {
    c.type = 'application/json';
    c.body = cached;
    return;
  }
  const event = await Event.findByPk(id, { include: [{ model: Venue, as: 'venue' }] });
  if (!event) throw new HttpError(404, `no event ${id}`);
  const soldByTier = await ctx.db.query<{ tier: number; sold: number }>(
    'SELECT tier, count(*)::int AS sold FROM tickets WHERE event_id = :id GROUP BY tier', { replacements: { id }, type: QueryTypes.SELECT });
  const heldNow = await Hold.count({ where: { eventId: id, expiresAt: { [Op.gt]: new Date() } } });
  const perTier = event.capacity / event.priceTiers.length;
  const body = JSON.stringify({
    id: event.id, title: event.title, description: event.description, startsAt: event.startsAt, status: event.status,
    venue: { id: event.venue!.id, name: event.venue!.name, city: event.venue!.city },
    tiers: event.priceTiers.map((t) => ({ ...t, left: Math.max(0, Math.round(perTier - (soldByTier.find((s) => s.tier === t.tier)?.sold ?? 0))) })),
    held: heldNow,
  });
  if (ctx.fault === 'event-card-ttl-ms') {
    // The ioredis call was "simplified" from EX to PX: the card lives 30 ms, not 30 s.
    await ctx.redis.set(key, body, 'PX', CARD_TTL_S);
  } else {
    await ctx.redis.set(key, body, 'EX', CARD_TTL_S);
  }
  c.type = 'application/json';
  c.body = body;
}

// ---------------------------------------------------------------- seat map

interface SeatRow { id: number; section: string; row_label: string; number: number; tier: number; taken: boolean }

/** Seat maps already built, by event and second ("a one-second micro-cache for the on-sale rush"). */
const seatmapMicrocache = new Map<string, { rows: SeatRow[]; body: string }>();

async function seatRows(db: Sequelize, eventId: number, venueId: number): Promise<SeatRow[]> {
  return db.query<SeatRow>(
    `SELECT s.id, s.section, s.row_label, s.number, s.tier, (t.seat_id IS NOT NULL) AS taken
     FROM seats s
     LEFT JOIN (SELECT seat_id FROM tickets WHERE event_id = :eventId AND seat_id IS NOT NULL
                UNION SELECT seat_id FROM holds WHERE event_id = :eventId AND expires_at > now()) t ON t.seat_id = s.id
     WHERE s.venue_id = :venueId ORDER BY s.id`,
    { replacements: { eventId, venueId }, type: QueryTypes.SELECT });
}

/** The compact seat map, built in SQL: per section and row one character per seat ('.' free, 'x' taken). */
async function compactRows(db: Sequelize, eventId: number, venueId: number): Promise<{ section: string; tier: number; row_label: string; seats: string }[]> {
  return db.query(
    `SELECT s.section, min(s.tier) AS tier, s.row_label, string_agg(CASE WHEN t.seat_id IS NULL THEN '.' ELSE 'x' END, '' ORDER BY s.number) AS seats
     FROM seats s
     LEFT JOIN (SELECT seat_id FROM tickets WHERE event_id = :eventId AND seat_id IS NOT NULL
                UNION SELECT seat_id FROM holds WHERE event_id = :eventId AND expires_at > now()) t ON t.seat_id = s.id
     WHERE s.venue_id = :venueId GROUP BY s.section, s.row_label ORDER BY s.section, s.row_label::int`,
    { replacements: { eventId, venueId }, type: QueryTypes.SELECT });
}

/** GET /events/:id/seatmap — the venue's seats by section and row, with what is still free. */
export async function seatmap(ctx: Ctx, c: Context & { params: Record<string, string> }): Promise<void> {
  const id = intParam(c.params.id, 'id');
  const event = await Event.findByPk(id, { attributes: ['id', 'venueId', 'priceTiers'] });
  if (!event) throw new HttpError(404, `no event ${id}`);
  const venue = await Venue.findByPk(event.venueId, { attributes: ['id', 'firstSeatId'] });
  const head = { eventId: id, venueId: event.venueId, firstSeatId: venue!.firstSeatId, tiers: event.priceTiers };
  let body: string;
  if (ctx.fault === 'seatmap-full-seat-objects') {
    // The new seat picker asked for "the seats as objects": every seat with its tier, price and view, unpaged.
    const rows = await seatRows(ctx.db, id, event.venueId);
    const tiers = new Map(event.priceTiers.map((t) => [t.tier, t]));
    body = JSON.stringify({
      ...head,
      seats: rows.map((s) => ({
        id: s.id, section: s.section, row: s.row_label, number: s.number, label: `Section ${s.section}, row ${s.row_label}, seat ${s.number}`,
        tier: s.tier, tierName: tiers.get(s.tier)?.name, priceCents: tiers.get(s.tier)?.priceCents, currency: 'EUR',
        status: s.taken ? 'unavailable' : 'available', accessible: s.number <= 2, restrictedView: s.number >= 24,
        viewImage: `https://cdn.venue.example/views/${event.venueId}/${s.section}/${s.row_label}.jpg`,
      })),
    });
  } else if (ctx.fault === 'seatmap-microcache-leak') {
    // This build keeps the seat rows next to the map in a one-second micro-cache "for the on-sale rush"
    // (and for the seat picker's hover details); entries of past seconds are never read again, and nothing deletes them.
    const microKey = `${id}@${Math.floor(Date.now() / 1000)}`;
    const hit = seatmapMicrocache.get(microKey);
    if (hit) {
      body = hit.body;
    } else {
      const rows = await seatRows(ctx.db, id, event.venueId);
      const sections = new Map<string, { section: string; tier: number; rows: Map<string, string[]> }>();
      for (const s of rows) {
        let section = sections.get(s.section);
        if (!section) sections.set(s.section, (section = { section: s.section, tier: s.tier, rows: new Map() }));
        let seats = section.rows.get(s.row_label);
        if (!seats) section.rows.set(s.row_label, (seats = []));
        seats[s.number - 1] = s.taken ? 'x' : '.';
      }
      body = JSON.stringify({
        ...head,
        sections: [...sections.values()].map((s) => ({ section: s.section, tier: s.tier, rows: [...s.rows].map(([row, seats]) => ({ row, seats: seats.join('') })) })),
      });
      seatmapMicrocache.set(microKey, { rows, body });
    }
  } else {
    const rows = await compactRows(ctx.db, id, event.venueId);
    const sections = new Map<string, { section: string; tier: number; rows: { row: string; seats: string }[] }>();
    for (const r of rows) {
      let section = sections.get(r.section);
      if (!section) sections.set(r.section, (section = { section: r.section, tier: r.tier, rows: [] }));
      section.rows.push({ row: r.row_label, seats: r.seats });
    }
    body = JSON.stringify({ ...head, sections: [...sections.values()] });
  }
  c.type = 'application/json';
  c.body = body;
}

// ---------------------------------------------------------------- holds

/** How long a held seat stays held. */
export const HOLD_SECONDS = 60;
const HOLDS_PER_CUSTOMER = 8;

/** POST /events/:id/holds {seatId, customerId} — hold a seat for a minute while the buyer checks out. */
export async function holdSeat(ctx: Ctx, c: Context & { params: Record<string, string> }, raw: unknown): Promise<void> {
  const eventId = intParam(c.params.id, 'id');
  const input = (raw ?? {}) as Record<string, unknown>;
  const seatId = intParam(input.seatId, 'seatId');
  const customerId = intParam(input.customerId, 'customerId');
  const counterFirst = ctx.fault === 'hold-counter-first';
  // On-sales attract bots: the provider scores the customer before any seat is held.
  if (!counterFirst && (await ctx.payments.risk(customerId, eventId)) === 'block') throw new HttpError(409, 'hold refused');
  const hold = await ctx.db.transaction(async (transaction) => {
    if (counterFirst) {
      // "Reserve capacity first, and let a refused risk check roll the reservation back": the event's held
      // counter is the guard, so its row stays locked through the risk check and the rest until the commit.
      const reserved = await ctx.db.query(
        `UPDATE events SET held = held + 1 WHERE id = :eventId AND status = 'on_sale' AND capacity > sold + held RETURNING id`,
        { replacements: { eventId }, type: QueryTypes.SELECT, transaction });
      if (reserved.length === 0) throw new HttpError(409, `event ${eventId} has no seats left to hold`);
      if ((await ctx.payments.risk(customerId, eventId)) === 'block') throw new HttpError(409, 'hold refused');
    }
    const event = await Event.findByPk(eventId, { attributes: ['id', 'venueId', 'status', 'capacity', 'sold', 'held'], transaction });
    if (!event) throw new HttpError(404, `no event ${eventId}`);
    if (event.status !== 'on_sale') throw new HttpError(409, `event ${eventId} is not on sale`);
    const venue = await Venue.findByPk(event.venueId, { attributes: ['id', 'firstSeatId', 'capacity'], transaction });
    if (seatId < venue!.firstSeatId || seatId >= venue!.firstSeatId + venue!.capacity) throw new HttpError(400, `seat ${seatId} is not in venue ${venue!.id}`);
    const now = new Date();
    if (await Ticket.count({ where: { eventId, seatId }, transaction })) throw new HttpError(409, `seat ${seatId} is sold`);
    if (await Hold.count({ where: { eventId, seatId, expiresAt: { [Op.gt]: now } }, transaction })) throw new HttpError(409, `seat ${seatId} is held`);
    if (await Hold.count({ where: { eventId, customerId, expiresAt: { [Op.gt]: now } }, transaction }) >= HOLDS_PER_CUSTOMER) {
      throw new HttpError(409, `customer ${customerId} holds ${HOLDS_PER_CUSTOMER} seats already`);
    }
    const created = await Hold.create({ eventId, seatId, customerId, expiresAt: new Date(now.getTime() + HOLD_SECONDS * 1000) }, { transaction });
    if (!counterFirst) {
      // Last statement: the event row is locked only for the commit.
      await Event.increment('held', { by: 1, where: { id: eventId }, transaction });
    }
    return created;
  });
  c.status = 201;
  c.body = { holdId: hold.id, eventId, seatId, expiresAt: hold.expiresAt };
}

/** Every 5 s: delete expired holds and give their seats back to the events' counters. */
export function startHoldSweeper(db: Sequelize, everyMs = 5_000): () => void {
  const timer = setInterval(() => {
    void db.query(`WITH gone AS (DELETE FROM holds WHERE expires_at < now() RETURNING event_id)
      UPDATE events e SET held = greatest(0, e.held - g.n) FROM (SELECT event_id, count(*) AS n FROM gone GROUP BY 1) g WHERE e.id = g.event_id`).catch(() => {});
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
