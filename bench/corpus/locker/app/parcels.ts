/**
 * Parcels: tracking page, a recipient's parcel list, deposit by the courier,
 * pickup by the recipient, paid storage extensions.
 *
 * @module
 */
import { createHmac, hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import { config } from './config.js';
import { ParcelEntity, ParcelEventEntity, RecipientEntity, type Parcel, type ParcelEvent } from './db.js';
import { leaderboardKeys, siteById, type Deps } from './deps.js';
import { body, HttpError, intId, oneOf } from './http.js';
import { asLocale, catalogFor, translate, type Catalog, type Locale } from './i18n.js';
import { invalidateBoard } from './lockers.js';
import { one, rows } from './sql.js';

const TRACKING_RE = /^LK\d{10}$/;
const STORAGE_HOURS = 72;
const EXTENSION_PRICE_CENTS_PER_DAY = 199;

// ---------------------------------------------------------------- pickup-time estimate

interface HourStat { hour: number; n: number; dwell_s: number }
interface EtaModel { hourly: HourStat[]; /** P(picked up) for each minute of the storage period (72 h) */ curve: number[]; basis: string; computedAt: number }

async function dwellStats(deps: Deps, siteId: number, city: string): Promise<HourStat[]> {
  if (config.etaModelScope === 'city') {
    return rows<HourStat>(deps.db, `
      SELECT extract(hour FROM p.picked_up_at)::int AS hour, count(*)::int AS n,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.picked_up_at - p.deposited_at))::float8 AS dwell_s
      FROM parcels p JOIN sites s ON s.id = p.site_id
      WHERE s.city = $1 AND p.status = 'picked_up' AND p.picked_up_at > now() - interval '30 days'
      GROUP BY 1 ORDER BY 1`, [city]);
  }
  return rows<HourStat>(deps.db, `
    SELECT extract(hour FROM picked_up_at)::int AS hour, count(*)::int AS n,
           avg(extract(epoch FROM picked_up_at - deposited_at))::float8 AS dwell_s
    FROM parcels
    WHERE site_id = $1 AND status = 'picked_up' AND picked_up_at > now() - interval '30 days'
    GROUP BY 1 ORDER BY 1`, [siteId]);
}

function buildModel(hourly: HourStat[], depositedAt: Date, basis: string): EtaModel {
  const total = hourly.reduce((s, h) => s + h.n, 0) || 1;
  const byHour = new Float64Array(24);
  for (const h of hourly) byHour[h.hour] = h.n / total;
  const meanDwell = hourly.reduce((s, h) => s + h.dwell_s * h.n, 0) / total || 86_400;
  const curve: number[] = [];
  const now = Date.now();
  const waited = Math.max(0, (now - depositedAt.getTime()) / 1000);
  let survival = 1;
  for (let m = 0; m < STORAGE_HOURS * 60; m++) {
    const hour = Math.floor((now + m * 60_000) / 3_600_000) % 24;
    const hazard = (60 / Math.max(600, meanDwell - waited * 0.5)) * (0.25 + 24 * byHour[hour]!);
    survival *= Math.exp(-Math.min(hazard, 1));
    curve.push(1 - survival);
  }
  return { hourly, curve, basis, computedAt: now };
}

const etaMemo = new Map<string, { model: EtaModel; parcel: Parcel; events: ParcelEvent[]; expires: number }>();

async function pickupEstimate(deps: Deps, parcel: Parcel, events: ParcelEvent[], site: { id: number; city: string }): Promise<EtaModel> {
  if (config.etaMemo === 'parcel') {
    const key = `${parcel.id}:${parcel.updatedAt.getTime()}`;
    const hit = etaMemo.get(key);
    if (hit && hit.expires > Date.now()) return hit.model;
    if (hit) etaMemo.delete(key);
    const model = buildModel(await dwellStats(deps, site.id, site.city), parcel.depositedAt ?? new Date(), config.etaModelScope);
    etaMemo.set(key, { model, parcel, events, expires: Date.now() + config.etaMemoTtlMs });
    return model;
  }
  return buildModel(await dwellStats(deps, site.id, site.city), parcel.depositedAt ?? new Date(), config.etaModelScope);
}

function eventView(e: ParcelEvent) {
  return { kind: e.kind, at: e.at.toISOString(), actor: e.actor.split(':')[0], siteId: e.siteId };
}

// ---------------------------------------------------------------- recipient rendering context

/** The app calls several recipient endpoints in a burst: keep the rendering context for a few seconds. */
const RECIPIENT_CONTEXT_TTL_MS = 10_000;
const recipientContexts = new Map<number, { locale: Locale; catalog: Catalog; expires: number }>();
setInterval(() => {
  const now = Date.now();
  for (const [id, c] of recipientContexts) if (c.expires < now) recipientContexts.delete(id);
}, 5_000).unref();

function recipientContext(recipientId: number, localeName: string): { locale: Locale; catalog: Catalog } {
  const now = Date.now();
  let context = recipientContexts.get(recipientId);
  if (!context || context.expires < now) {
    const locale = asLocale(localeName);
    context = { locale, catalog: catalogFor(locale), expires: now + RECIPIENT_CONTEXT_TTL_MS };
    recipientContexts.set(recipientId, context);
  }
  return context;
}

// ---------------------------------------------------------------- receipts

const siteReceiptKeys = new Map<number, Buffer>();

/** The key pickup receipts of a site are signed with. */
function receiptKey(siteId: number): Buffer {
  if (config.receiptKdf === 'pbkdf2') {
    // derived per signature so that site keys never sit in process memory
    return pbkdf2Sync(config.receiptSecret, `receipt-site:${siteId}`, config.receiptKdfIterations, 32, 'sha256');
  }
  let key = siteReceiptKeys.get(siteId);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', config.receiptSecret, `receipt-site:${siteId}`, 'locker-receipt', 32));
    siteReceiptKeys.set(siteId, key);
  }
  return key;
}

function signReceipt(payload: Record<string, unknown>, siteId: number): string {
  const text = JSON.stringify(payload);
  return createHmac('sha256', receiptKey(siteId)).update(text).digest('base64url');
}

// ---------------------------------------------------------------- routes

const FITTING_SIZES: Record<string, string[]> = { S: ['S', 'M', 'L'], M: ['M', 'L'], L: ['L'] };

export function parcelRoutes(router: Router, deps: Deps): void {
  const parcels = deps.db.getRepository(ParcelEntity);
  const events = deps.db.getRepository(ParcelEventEntity);
  const recipients = deps.db.getRepository(RecipientEntity);

  router.get('/parcels/:tracking', async (ctx) => {
    const tracking = String(ctx.params.tracking).toUpperCase();
    if (!TRACKING_RE.test(tracking)) throw new HttpError(400, 'malformed tracking code', 'bad_tracking_code');
    const parcel = await parcels.findOneBy({ trackingCode: tracking });
    if (!parcel) throw new HttpError(404, 'no such parcel', 'not_found');
    const [timeline, site] = await Promise.all([
      events.find({ where: { parcelId: parcel.id }, order: { at: 'ASC' }, take: 50 }),
      siteById(deps, parcel.siteId),
    ]);
    let estimate: unknown = null;
    if ((parcel.status === 'deposited' || parcel.status === 'in_transit') && site) {
      const model = await pickupEstimate(deps, parcel, timeline, site);
      const half = model.curve.findIndex((p) => p >= 0.5);
      estimate = {
        likelyPickupBy: half >= 0 ? new Date(model.computedAt + half * 60_000).toISOString() : null,
        curve: Array.from({ length: 24 }, (_, i) => Math.round(model.curve[i * 180 + 179]! * 1000) / 1000),
        basis: model.basis,
      };
    }
    ctx.body = {
      trackingCode: parcel.trackingCode,
      status: parcel.status,
      size: parcel.size,
      sender: parcel.sender,
      createdAt: parcel.createdAt.toISOString(),
      depositedAt: parcel.depositedAt?.toISOString() ?? null,
      pickedUpAt: parcel.pickedUpAt?.toISOString() ?? null,
      pickupDeadline: parcel.dueAt?.toISOString() ?? null,
      locker: site ? { code: site.code, address: site.address, city: site.city, lat: site.lat, lng: site.lng } : null,
      events: timeline.map(eventView),
      estimate,
    };
  });

  router.get('/recipients/:id/parcels', async (ctx) => {
    const recipientId = intId(ctx.params.id, 'recipient id');
    const recipient = await recipients.findOne({ where: { id: recipientId }, select: { id: true, locale: true } });
    if (!recipient) throw new HttpError(404, 'no such recipient', 'not_found');
    const { catalog } = recipientContext(recipientId, recipient.locale);
    const list = await rows<{
      id: number; tracking_code: string; status: string; size: string; sender: string; created_at: Date;
      deposited_at: Date | null; picked_up_at: Date | null; due_at: Date | null; site_code: string; address: string; city: string;
    }>(deps.db, `
      SELECT p.id, p.tracking_code, p.status, p.size, p.sender, p.created_at, p.deposited_at, p.picked_up_at, p.due_at,
             s.code AS site_code, s.address, s.city
      FROM parcels p JOIN sites s ON s.id = p.site_id
      WHERE p.recipient_id = $1
      ORDER BY p.created_at DESC
      LIMIT 20`, [recipientId]);
    const fmt = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '');
    ctx.body = {
      recipientId,
      parcels: list.map((p) => ({
        trackingCode: p.tracking_code,
        status: p.status,
        headline: translate(catalog, `parcel.status.${p.status}`, {
          tracking: p.tracking_code, site: `${p.site_code} (${p.address}, ${p.city})`, due: fmt(p.due_at), at: fmt(p.picked_up_at),
        }),
        senderNote: translate(catalog, `sender.note.${(p.id % 1200) * 5 + 1}`, { name: p.sender, tracking: p.tracking_code }),
        size: p.size,
        createdAt: p.created_at.toISOString(),
        pickupDeadline: p.due_at?.toISOString() ?? null,
        actionable: p.status === 'deposited',
      })),
    };
  });

  router.post('/parcels/:id/deposit', async (ctx) => {
    const parcelId = intId(ctx.params.id, 'parcel id');
    const courierId = intId(body(ctx).courierId, 'courierId');
    const result = await deps.db.transaction(async (m) => {
      const parcel = await m.getRepository(ParcelEntity).findOne({ where: { id: parcelId }, lock: { mode: 'pessimistic_write' } });
      if (!parcel) throw new HttpError(404, 'no such parcel', 'not_found');
      if (parcel.status !== 'in_transit') throw new HttpError(409, `parcel is ${parcel.status}`, 'wrong_state');
      const compartment = await one<{ id: number; label: string; size: string }>(m, `
        SELECT id, label, size FROM compartments
        WHERE site_id = $1 AND status = 'free' AND size::text = ANY($2::text[])
        ORDER BY array_position($2::text[], size::text), id
        LIMIT 1 FOR UPDATE SKIP LOCKED`, [parcel.siteId, FITTING_SIZES[parcel.size] ?? ['L']]);
      if (!compartment) throw new HttpError(409, 'no free compartment for this size', 'locker_full');
      await m.query(`UPDATE compartments SET status = 'occupied', updated_at = now() WHERE id = $1`, [compartment.id]);
      const updated = await one<{ deposited_at: Date; due_at: Date }>(m, `
        UPDATE parcels SET status = 'deposited', compartment_id = $2, deposited_at = now(), due_at = now() + interval '${STORAGE_HOURS} hours',
               updated_at = now()
        WHERE id = $1 RETURNING deposited_at, due_at`, [parcelId, compartment.id]);
      await m.getRepository(ParcelEventEntity).insert({ parcelId, kind: 'deposited', at: new Date(), actor: `courier:${courierId}`, siteId: parcel.siteId });
      return { parcel, compartment, dueAt: updated!.due_at };
    });
    const now = new Date();
    await deps.redis.multi()
      .zIncrBy(leaderboardKeys.day(now), 1, String(courierId))
      .zIncrBy(leaderboardKeys.week(now), 1, String(courierId))
      .exec();
    await invalidateBoard(deps, result.parcel.siteId);

    const recipient = await recipients.findOneBy({ id: result.parcel.recipientId });
    let notification: { channel: string; status: string } = { channel: 'sms', status: 'skipped' };
    if (recipient) {
      const site = await siteById(deps, result.parcel.siteId);
      try {
        const sent = await deps.partners.sms({
          to: recipient.phone,
          template: 'parcel_ready',
          vars: { tracking: result.parcel.trackingCode, code: result.parcel.pickupCode, locker: site?.code ?? '', until: result.dueAt.toISOString() },
        });
        notification = { channel: 'sms', status: sent.status };
        await deps.db.query(`INSERT INTO notifications (recipient_id, parcel_id, channel, template, status, provider_ref, created_at)
                             VALUES ($1, $2, 'sms', 'parcel_ready', $3, $4, now())`, [recipient.id, parcelId, sent.status, sent.id]);
      } catch (error) {
        notification = { channel: 'sms', status: 'failed' };
        await deps.db.query(`INSERT INTO notifications (recipient_id, parcel_id, channel, template, status, created_at)
                             VALUES ($1, $2, 'sms', 'parcel_ready', 'failed', now())`, [recipient.id, parcelId]);
      }
    }
    ctx.status = 201;
    ctx.body = { parcelId, compartment: { label: result.compartment.label, size: result.compartment.size }, dueAt: result.dueAt, notification };
  });

  router.post('/parcels/:id/pickup', async (ctx) => {
    const parcelId = intId(ctx.params.id, 'parcel id');
    const channel = oneOf(body(ctx).channel ?? 'app', ['app', 'terminal'] as const, 'channel');
    const picked = await deps.db.transaction(async (m) => {
      const parcel = await m.getRepository(ParcelEntity).findOne({ where: { id: parcelId }, lock: { mode: 'pessimistic_write' } });
      if (!parcel) throw new HttpError(404, 'no such parcel', 'not_found');
      if (parcel.status !== 'deposited') throw new HttpError(409, `parcel is ${parcel.status}`, 'wrong_state');
      const at = await one<{ picked_up_at: Date }>(m, `UPDATE parcels SET status = 'picked_up', picked_up_at = now(), updated_at = now() WHERE id = $1 RETURNING picked_up_at`, [parcelId]);
      if (parcel.compartmentId) await m.query(`UPDATE compartments SET status = 'free', updated_at = now() WHERE id = $1`, [parcel.compartmentId]);
      await m.getRepository(ParcelEventEntity).insert({ parcelId, kind: 'picked_up', at: new Date(), actor: `recipient:${parcel.recipientId}`, siteId: parcel.siteId });
      return { parcel, pickedUpAt: at!.picked_up_at };
    });
    await invalidateBoard(deps, picked.parcel.siteId);
    const receipt = {
      parcel: picked.parcel.trackingCode,
      site: picked.parcel.siteId,
      compartment: picked.parcel.compartmentId,
      channel,
      at: picked.pickedUpAt.toISOString(),
      nonce: randomBytes(8).toString('hex'),
    };
    ctx.body = { ...receipt, signature: signReceipt(receipt, picked.parcel.siteId) };
  });

  router.post('/parcels/:id/extensions', async (ctx) => {
    const parcelId = intId(ctx.params.id, 'parcel id');
    const req = body<{ hours?: unknown; cardToken?: unknown }>(ctx);
    const hours = Number(req.hours ?? 24);
    if (hours !== 24 && hours !== 48) throw new HttpError(400, 'hours must be 24 or 48');
    const cardToken = typeof req.cardToken === 'string' && req.cardToken ? req.cardToken : 'tok_wallet_default';
    const amountCents = (EXTENSION_PRICE_CENTS_PER_DAY * hours) / 24;

    if (config.extensionCharge === 'atomic') {
      const out = await deps.db.transaction(async (m) => {
        const parcel = await m.getRepository(ParcelEntity).findOne({ where: { id: parcelId }, lock: { mode: 'pessimistic_write' } });
        if (!parcel) throw new HttpError(404, 'no such parcel', 'not_found');
        if (parcel.status !== 'deposited') throw new HttpError(409, `parcel is ${parcel.status}`, 'wrong_state');
        const payment = await one<{ id: string }>(m, `INSERT INTO payments (parcel_id, kind, amount_cents, currency, status, created_at, updated_at)
                                                     VALUES ($1, 'extension', $2, 'PLN', 'pending', now(), now()) RETURNING id`, [parcelId, amountCents]);
        const charge = await deps.partners.charge({ amountCents, currency: 'PLN', cardToken, reference: `pay_${payment!.id}`, description: `Storage extension ${parcel.trackingCode}` });
        await m.query(`UPDATE payments SET status = $2, partner_ref = $3, updated_at = now() WHERE id = $1`, [payment!.id, charge.status, charge.id]);
        if (charge.status !== 'captured') return { paymentId: payment!.id, status: charge.status, dueAt: parcel.dueAt };
        const upd = await one<{ due_at: Date }>(m, `UPDATE parcels SET due_at = due_at + make_interval(hours => $2), updated_at = now() WHERE id = $1 RETURNING due_at`, [parcelId, hours]);
        await m.getRepository(ParcelEventEntity).insert({ parcelId, kind: 'extended', at: new Date(), actor: `recipient:${parcel.recipientId}`, siteId: parcel.siteId });
        return { paymentId: payment!.id, status: charge.status, dueAt: upd!.due_at };
      });
      ctx.status = out.status === 'captured' ? 201 : 402;
      ctx.body = out;
      return;
    }

    const parcel = await parcels.findOneBy({ id: parcelId });
    if (!parcel) throw new HttpError(404, 'no such parcel', 'not_found');
    if (parcel.status !== 'deposited') throw new HttpError(409, `parcel is ${parcel.status}`, 'wrong_state');
    const payment = await one<{ id: string }>(deps.db, `INSERT INTO payments (parcel_id, kind, amount_cents, currency, status, created_at, updated_at)
                                                       VALUES ($1, 'extension', $2, 'PLN', 'pending', now(), now()) RETURNING id`, [parcelId, amountCents]);
    const charge = await deps.partners.charge({ amountCents, currency: 'PLN', cardToken, reference: `pay_${payment!.id}`, description: `Storage extension ${parcel.trackingCode}` });
    const out = await deps.db.transaction(async (m) => {
      await m.query(`UPDATE payments SET status = $2, partner_ref = $3, updated_at = now() WHERE id = $1`, [payment!.id, charge.status, charge.id]);
      if (charge.status !== 'captured') return { paymentId: payment!.id, status: charge.status, dueAt: parcel.dueAt };
      const upd = await one<{ due_at: Date }>(m, `UPDATE parcels SET due_at = due_at + make_interval(hours => $2), updated_at = now()
                                                 WHERE id = $1 AND status = 'deposited' RETURNING due_at`, [parcelId, hours]);
      await m.getRepository(ParcelEventEntity).insert({ parcelId, kind: 'extended', at: new Date(), actor: `recipient:${parcel.recipientId}`, siteId: parcel.siteId });
      return { paymentId: payment!.id, status: charge.status, dueAt: upd?.due_at ?? parcel.dueAt };
    });
    ctx.status = out.status === 'captured' ? 201 : 402;
    ctx.body = out;
  });
}
