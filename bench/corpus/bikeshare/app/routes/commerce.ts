/**
 * Passes (POST /passes), bikes (GET /bikes/:id), maintenance tickets
 * (POST /maintenance/tickets) and the district dashboard
 * (GET /districts/:district/stats).
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { QueryTypes, type Transaction } from 'sequelize';
import { DISTRICTS } from '../../schema.js';
import { intParam, type Ctx } from '../context.js';
import type { Row } from '../db.js';

const PASS_PRICES: Record<string, { cents: number; days: number }> = {
  day: { cents: 1500, days: 1 },
  week: { cents: 3500, days: 7 },
  month: { cents: 7900, days: 30 },
};

const TICKET_CATEGORIES = new Set(['flat_tire', 'brakes', 'chain', 'battery', 'dock_fault', 'lights', 'other']);

interface Telemetry { battery: { level: number; health: number; cycles: number }; firmware: string; last_ping_s: number }

/** Remaining range of an e-bike from its battery (km). */
export function estimateRangeKm(battery: Telemetry['battery']): number {
  return Math.round((battery.level / 100) * (battery.health / 100) * 60 * 10) / 10;
}

const STATS_WINDOW_UTC = `t.started_at >= date_trunc('day', now()) - interval '7 days'`;
const STATS_WINDOW_DAYS = `t.started_at::date >= current_date - 7`;

function statsSql(window: string): string {
  return `
WITH w AS MATERIALIZED (
  SELECT t.rider_id, t.start_station_id, t.duration_s, t.distance_m, t.fare_cents
  FROM trips t JOIN stations s ON s.id = t.start_station_id
  WHERE s.district = $1 AND t.status = 'completed' AND ${window}
)
SELECT (SELECT count(*) FROM w)::int AS trips,
       (SELECT count(DISTINCT rider_id) FROM w)::int AS riders,
       (SELECT coalesce(round(avg(duration_s)), 0) FROM w)::int AS avg_duration_s,
       (SELECT coalesce(sum(distance_m), 0) FROM w)::bigint AS distance_m,
       (SELECT coalesce(sum(fare_cents), 0) FROM w)::bigint AS revenue_cents,
       (SELECT coalesce(json_agg(x), '[]'::json) FROM (
          SELECT start_station_id AS station_id, count(*)::int AS departures FROM w GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5) x) AS top_stations`;
}

export function commerceRoutes(app: FastifyInstance, ctx: Ctx): void {
  const { db, redis, partner, fault } = ctx;
  const q = db.sequelize;

  app.post('/passes', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const riderId = intParam(body.rider_id);
    const kind = String(body.kind ?? '');
    const price = PASS_PRICES[kind];
    if (riderId === undefined || !price) return reply.code(400).send({ error: 'rider_id and kind (day|week|month) are required' });
    const plan = (await redis.get(`ent:${riderId}`)) ?? (await db.Membership.findOne({ where: { riderId }, attributes: ['plan'] }))?.plan;
    if (!plan) return reply.code(404).send({ error: 'rider not found' });

    const record = async (transaction: Transaction, campaign: Row | null, discount: number, charge: { id: string; status: string; card_last4: string }) => {
      const now = new Date();
      const pass = await db.Pass.create({
        riderId, kind, priceCents: price.cents, discountCents: discount, campaignId: campaign?.id ?? null,
        purchasedAt: now, validUntil: new Date(now.getTime() + price.days * 86_400_000),
      }, { transaction });
      await db.Payment.create({
        riderId, passId: pass.id, kind: 'pass', amountCents: price.cents - discount, currency: 'USD',
        status: charge.status, gatewayRef: charge.id, cardLast4: charge.card_last4, createdAt: now,
      }, { transaction });
      return pass;
    };

    let result: { pass: Row; discount: number; campaign: Row | null; chargeId: string };
    if (fault === 'campaign-row-lock') {
      // Never oversell a capped campaign: hold the campaign row until the purchase is recorded.
      result = await q.transaction(async (transaction) => {
        const campaign = await db.Campaign.findOne({ where: { city: 'metro', active: true }, lock: transaction.LOCK.UPDATE, transaction });
        const discount = campaign && (campaign.redeemed as number) < (campaign.cap as number) ? Math.round((price.cents * (campaign.discountPct as number)) / 100) : 0;
        const charge = await partner.charge({ customer: `rider_${riderId}`, amountCents: price.cents - discount, description: `${kind} pass`, idempotencyKey: `pass-${riderId}-${Date.now()}` });
        const pass = await record(transaction, campaign, discount, charge);
        if (campaign && discount > 0) await campaign.increment('redeemed', { transaction });
        return { pass, discount, campaign, chargeId: charge.id };
      });
    } else {
      const campaign = await db.Campaign.findOne({ where: { city: 'metro', active: true } });
      const discount = campaign && (campaign.redeemed as number) < (campaign.cap as number) ? Math.round((price.cents * (campaign.discountPct as number)) / 100) : 0;
      const charge = await partner.charge({ customer: `rider_${riderId}`, amountCents: price.cents - discount, description: `${kind} pass`, idempotencyKey: `pass-${riderId}-${Date.now()}` });
      result = await q.transaction(async (transaction) => {
        const pass = await record(transaction, campaign, discount, charge);
        if (campaign && discount > 0) {
          await q.query(`UPDATE campaigns SET redeemed = redeemed + 1, updated_at = now() WHERE id = $1 AND redeemed < cap`, { bind: [campaign.id], transaction });
        }
        return { pass, discount, campaign, chargeId: charge.id };
      });
    }
    return reply.code(201).send({
      pass_id: result.pass.id,
      kind,
      valid_until: result.pass.validUntil,
      price_cents: price.cents,
      discount_cents: result.discount,
      campaign: result.campaign?.code ?? null,
      payment_ref: result.chargeId,
    });
  });

  app.get('/bikes/:id', async (req, reply) => {
    const id = intParam((req.params as { id: string }).id);
    if (id === undefined) return reply.code(400).send({ error: 'bad bike id' });
    const bike = await db.Bike.findByPk(id, { include: [{ model: db.Station, as: 'station', attributes: ['id', 'name', 'district'] }] });
    if (!bike) return reply.code(404).send({ error: 'bike not found' });
    const lastTicket = await db.Ticket.findOne({ where: { bikeId: id }, order: [['openedAt', 'DESC']], attributes: ['id', 'category', 'status', 'openedAt'] });
    const telemetry = bike.telemetry as Telemetry | null;
    // Range estimate for the bike screen (shipped with the e-bike card redesign).
    const rangeKm = fault === 'bike-telemetry-null'
      ? estimateRangeKm((bike.telemetry as Telemetry).battery)
      : telemetry ? estimateRangeKm(telemetry.battery) : null;
    const station = bike.station as Row | null;
    return {
      id: bike.id,
      serial: bike.serial,
      kind: bike.kind,
      status: bike.status,
      station: station ? { id: station.id, name: station.name, district: station.district } : null,
      battery: telemetry?.battery.level ?? null,
      range_km: rangeKm,
      firmware: telemetry?.firmware ?? null,
      odometer_km: bike.odometerKm,
      last_ticket: lastTicket ? { id: lastTicket.id, category: lastTicket.category, status: lastTicket.status, opened_at: lastTicket.openedAt } : null,
    };
  });

  app.post('/maintenance/tickets', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const bikeId = intParam(body.bike_id);
    const stationId = intParam(body.station_id);
    const riderId = intParam(body.rider_id);
    const category = String(body.category ?? '');
    if (!TICKET_CATEGORIES.has(category) || (bikeId === undefined && stationId === undefined)) {
      return reply.code(400).send({ error: 'category and bike_id or station_id are required' });
    }
    const ticket = await db.Ticket.create({
      bikeId: bikeId ?? null, stationId: stationId ?? null, riderId: riderId ?? null, category,
      description: String(body.description ?? '').slice(0, 500), status: 'open', openedAt: new Date(),
    });
    if (stationId !== undefined) await redis.del(`station:${stationId}`);
    await partner.notify({ to: 'ops-dispatch', channel: 'sms', template: 'maintenance_ticket', data: { ticket: ticket.id, category, bike: bikeId, station: stationId } });
    return reply.code(201).send({ ticket_id: ticket.id, status: 'open', category });
  });

  app.get('/districts/:district/stats', async (req, reply) => {
    const district = (req.params as { district: string }).district;
    if (!(DISTRICTS as readonly string[]).includes(district)) return reply.code(404).send({ error: 'unknown district' });
    // Ops dashboard: the last 7 (calendar) days of departures from the district's stations.
    const window = fault === 'district-stats-calendar-days' ? STATS_WINDOW_DAYS : STATS_WINDOW_UTC;
    const [row] = await q.query<Record<string, unknown>>(statsSql(window), { bind: [district], type: QueryTypes.SELECT });
    return { district, window_days: 7, ...row };
  });
}

