/**
 * Riders: profile, trip history, payment history, notification inbox.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { Op, QueryTypes } from 'sequelize';
import { buildTemplateCatalog, renderTemplate, VARIANTS, type Template } from '../catalog.js';
import { intParam, type Ctx } from '../context.js';
import type { Row } from '../db.js';

const STATION_ATTRS = ['id', 'name', 'district'];
const BIKE_ATTRS = ['id', 'serial', 'kind'];

function tripView(t: Row, start: Row | null, end: Row | null, bike: Row | null): Record<string, unknown> {
  return {
    id: t.id,
    status: t.status,
    started_at: t.startedAt,
    ended_at: t.endedAt,
    duration_s: t.durationS,
    distance_m: t.distanceM,
    fare_cents: t.fareCents,
    start_station: start ? { id: start.id, name: start.name, district: start.district } : null,
    end_station: end ? { id: end.id, name: end.name, district: end.district } : null,
    bike: bike ? { id: bike.id, serial: bike.serial, kind: bike.kind } : null,
  };
}

export function riderRoutes(app: FastifyInstance, ctx: Ctx): void {
  const { db, fault } = ctx;

  app.get('/riders/:id', async (req, reply) => {
    const id = intParam((req.params as { id: string }).id);
    if (id === undefined) return reply.code(400).send({ error: 'bad rider id' });
    const rider = await db.Rider.findByPk(id, { include: [{ model: db.Membership, as: 'membership' }] });
    if (!rider) return reply.code(404).send({ error: 'rider not found' });
    const passes = await db.Pass.findAll({
      where: { riderId: id, validUntil: { [Op.gt]: new Date() } },
      attributes: ['id', 'kind', 'validUntil'],
      order: [['validUntil', 'DESC']],
    });
    const m = rider.membership as Row | null;
    return {
      id: rider.id,
      full_name: rider.fullName,
      email: rider.email,
      locale: rider.locale,
      home_district: rider.homeDistrict,
      member_since: rider.createdAt,
      membership: m ? { plan: m.plan, status: m.status, renews_at: m.renewsAt } : null,
      active_passes: passes.map((p) => ({ id: p.id, kind: p.kind, valid_until: p.validUntil })),
    };
  });

  app.get('/riders/:id/trips', async (req, reply) => {
    const id = intParam((req.params as { id: string }).id);
    if (id === undefined) return reply.code(400).send({ error: 'bad rider id' });
    if (fault === 'trip-history-lazy-stations') {
      // Trip cards via the shared describeTrip() helper: loads the trip's stations and bike.
      const trips = await db.Trip.findAll({ where: { riderId: id }, order: [['startedAt', 'DESC']], limit: 20 });
      const out: Record<string, unknown>[] = [];
      for (const t of trips) {
        const start = await db.Station.findByPk(t.startStationId as number, { attributes: STATION_ATTRS });
        const end = t.endStationId ? await db.Station.findByPk(t.endStationId as number, { attributes: STATION_ATTRS }) : null;
        const bike = await db.Bike.findByPk(t.bikeId as number, { attributes: BIKE_ATTRS });
        out.push(tripView(t, start, end, bike));
      }
      return { rider_id: id, trips: out };
    }
    const trips = await db.Trip.findAll({
      where: { riderId: id },
      order: [['startedAt', 'DESC']],
      limit: 20,
      include: [
        { model: db.Station, as: 'startStation', attributes: STATION_ATTRS },
        { model: db.Station, as: 'endStation', attributes: STATION_ATTRS },
        { model: db.Bike, as: 'bike', attributes: BIKE_ATTRS },
      ],
    });
    return { rider_id: id, trips: trips.map((t) => tripView(t, t.startStation as Row | null, t.endStation as Row | null, t.bike as Row | null)) };
  });

  app.get('/riders/:id/payments', async (req, reply) => {
    const id = intParam((req.params as { id: string }).id);
    if (id === undefined) return reply.code(400).send({ error: 'bad rider id' });
    const payments = await db.Payment.findAll({
      where: { riderId: id },
      order: [['createdAt', 'DESC']],
      limit: 20,
      attributes: ['id', 'kind', 'tripId', 'passId', 'amountCents', 'currency', 'status', 'cardLast4', 'createdAt'],
    });
    return {
      rider_id: id,
      payments: payments.map((p) => ({
        id: p.id, kind: p.kind, trip_id: p.tripId, pass_id: p.passId, amount_cents: p.amountCents,
        currency: p.currency, status: p.status, card_last4: p.cardLast4, created_at: p.createdAt,
      })),
    };
  });

  app.get('/riders/:id/notifications', async (req, reply) => {
    const id = intParam((req.params as { id: string }).id);
    if (id === undefined) return reply.code(400).send({ error: 'bad rider id' });
    const rows = await db.sequelize.query<{ id: string; channel: string; kind: string; variant: number; params: Record<string, unknown>; created_at: Date; read_at: Date | null; locale: string }>(
      `SELECT n.id, n.channel, n.kind, n.variant, n.params, n.created_at, n.read_at, r.locale
       FROM notifications n JOIN riders r ON r.id = n.rider_id
       WHERE n.rider_id = $1 ORDER BY n.created_at DESC LIMIT 30`,
      { bind: [id], type: QueryTypes.SELECT });
    // Copy edits from the growth team go live without a deploy: templates are (re)loaded per inbox render.
    const catalog: Map<string, Template> = fault === 'notification-catalog-rebuild' ? buildTemplateCatalog() : ctx.catalog;
    const items = rows.map((n) => {
      const t = catalog.get(`${n.locale}:${n.kind}:${n.variant % VARIANTS}`) ?? catalog.get(`en:${n.kind}:0`);
      const rendition = n.channel === 'sms' ? t?.sms : n.channel === 'email' ? t?.email : t?.push;
      return {
        id: n.id,
        channel: n.channel,
        kind: n.kind,
        title: t?.title ?? n.kind,
        text: rendition ? renderTemplate(rendition.text, n.params).slice(0, rendition.maxLength) : '',
        created_at: n.created_at,
        read: n.read_at !== null,
      };
    });
    // The inbox was opened: remember when (drives the badge count on the other devices).
    await ctx.redis.set(`inbox:seen:${id}`, new Date().toISOString(), { expiration: { type: 'EX', value: 7 * 86_400 } });
    return { rider_id: id, unread: items.filter((i) => !i.read).length, templates: catalog.size, notifications: items };
  });
}
