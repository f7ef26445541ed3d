/**
 * Reader accounts: paywall entitlements, checkout of a subscription,
 * passwordless login (magic links) and newsletter signups.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../db.js';
import { HttpError, intParam, type Deps } from '../deps.js';
import { newsletters, newsletterSignups, outboxEvents, publications, readers, subscriptions } from '../tables.js';

/** Plans on sale: price and period. */
const PLANS = {
  'digital-monthly': { priceCents: 1500, months: 1 },
  'digital-annual': { priceCents: 14900, months: 12 },
  'all-access': { priceCents: 2900, months: 1 },
  student: { priceCents: 500, months: 1 },
} as const;

const CheckoutBody = z.object({
  readerId: z.coerce.number().int().positive(),
  publicationId: z.coerce.number().int().min(1).max(5),
  plan: z.enum(Object.keys(PLANS) as [keyof typeof PLANS, ...(keyof typeof PLANS)[]]),
  paymentToken: z.string().min(8).max(200),
  coupon: z.string().max(40).optional(),
});

const MagicLinkBody = z.object({ email: z.string().trim().email().max(254), returnTo: z.string().max(500).optional() });

/** A transaction handle of the API's drizzle database. */
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const SignupBody = z.object({ readerId: z.coerce.number().int().positive(), source: z.string().max(40).default('article-footer') });

/** GET /readers/:id/entitlements, POST /subscriptions, POST /auth/magic-link, POST /newsletters/:id/signups. */
export function registerReaderRoutes(app: Hono, deps: Deps): void {
  const { db, redis, config, signer } = deps;

  // Five publications whose paywall settings change a few times a year: kept in process for a minute.
  let pubCache: { at: number; byId: Map<number, { paywall: string; meterLimit: number }> } | undefined;
  const publicationSettings = async (): Promise<Map<number, { paywall: string; meterLimit: number }>> => {
    if (!pubCache || Date.now() - pubCache.at > 60_000) {
      const rows = await db.select({ id: publications.id, paywall: publications.paywall, meterLimit: publications.meterLimit }).from(publications);
      pubCache = { at: Date.now(), byId: new Map(rows.map((r) => [r.id, { paywall: r.paywall, meterLimit: r.meterLimit }])) };
    }
    return pubCache.byId;
  };

  app.get('/readers/:id/entitlements', async (c) => {
    const readerId = intParam(c.req.param('id'));
    if (!readerId) throw new HttpError(404, 'reader not found');
    const pubId = intParam(c.req.query('pub')) ?? 1;
    const settings = await publicationSettings();
    const pub = settings.get(pubId);
    if (!pub) throw new HttpError(404, 'publication not found');
    const subs = await db
      .select({ publicationId: subscriptions.publicationId, plan: subscriptions.plan, status: subscriptions.status, expiresAt: subscriptions.expiresAt })
      .from(subscriptions)
      .where(and(eq(subscriptions.readerId, readerId), inArray(subscriptions.status, ['active', 'past_due'])));
    const month = new Date().toISOString().slice(0, 7);
    const used = Number((await redis.get(`meter:${readerId}:${pubId}:${month}`)) ?? 0);
    const now = Date.now();
    const active = subs.filter((s) => s.expiresAt.getTime() > now);
    const pubs = [...settings].map(([id, p]) => {
      if (active.some((s) => s.publicationId === id || s.plan === 'all-access')) return { id, access: 'subscriber' as const };
      if (p.paywall === 'free') return { id, access: 'free' as const };
      return { id, access: 'metered' as const, remaining: id === pubId ? Math.max(0, p.meterLimit - used) : p.meterLimit };
    });
    const exp = Math.floor(now / 1000) + 600;
    const token = signer.sign({ sub: readerId, pubs, exp });
    return c.json({ readerId, publicationId: pubId, subscriptions: active, entitlements: pubs, meter: { limit: pub.meterLimit, used }, token, expiresAt: new Date(exp * 1000) });
  });

  app.post('/subscriptions', async (c) => {
    const input = CheckoutBody.parse(await c.req.json());
    const plan = PLANS[input.plan];
    const now = new Date();
    const expiresAt = new Date(now.getTime() + plan.months * 30 * 86_400_000);
    const sub = await db.transaction(async (tx) => {
      const insert = tx.insert(subscriptions).values({
        readerId: input.readerId, publicationId: input.publicationId, plan: input.plan, status: 'active', priceCents: plan.priceCents,
        startedAt: now, expiresAt, createdAt: now, updatedAt: now,
      });
      // Checkout v2 creates the subscription; plan changes were supposed to go through the account page.
      const [row] = config.fault === 'subscription-insert-conflict'
        ? await insert.returning()
        : await insert.onConflictDoUpdate({
          target: [subscriptions.readerId, subscriptions.publicationId],
          targetWhere: sql`status = 'active'`,
          set: { plan: input.plan, priceCents: plan.priceCents, expiresAt: sql`greatest(${subscriptions.expiresAt}, now()) + ${`${plan.months * 30} days`}::interval`, updatedAt: now },
        }).returning();
      await tx.insert(outboxEvents).values({ topic: 'subscription.changed', aggregateId: row!.id, payload: { readerId: input.readerId, publicationId: input.publicationId, plan: input.plan, priceCents: plan.priceCents, coupon: input.coupon ?? null } });
      return row!;
    });
    return c.json({ subscription: sub }, 201);
  });

  app.post('/auth/magic-link', async (c) => {
    const input = MagicLinkBody.parse(await c.req.json());
    const [reader] = config.fault === 'login-email-lower'
      // Legacy imports kept mixed-case addresses, so match case-insensitively.
      ? await db.select({ id: readers.id, email: readers.email, displayName: readers.displayName }).from(readers).where(sql`lower(${readers.email}) = lower(${input.email})`)
      : await db.select({ id: readers.id, email: readers.email, displayName: readers.displayName }).from(readers).where(eq(readers.email, input.email.toLowerCase()));
    if (reader) {
      const token = randomBytes(24).toString('base64url');
      await redis.set(`magic:${createHash('sha256').update(token).digest('hex')}`, String(reader.id), 'EX', 900);
      await db.insert(outboxEvents).values({ topic: 'email.magic_link', aggregateId: reader.id, payload: { to: reader.email, name: reader.displayName, token, returnTo: input.returnTo ?? '/' } });
    }
    // Same answer either way: the form must not reveal which addresses have accounts.
    return c.json({ sent: true }, 202);
  });

  app.post('/newsletters/:id/signups', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'newsletter not found');
    const input = SignupBody.parse(await c.req.json());
    const now = new Date();
    const upsert = (tx: Tx) =>
      tx.insert(newsletterSignups)
        .values({ newsletterId: id, readerId: input.readerId, status: 'active', source: input.source, createdAt: now, confirmedAt: now })
        .onConflictDoUpdate({
          target: [newsletterSignups.newsletterId, newsletterSignups.readerId],
          set: { status: 'active', source: input.source, confirmedAt: now },
          setWhere: sql`${newsletterSignups.status} <> 'active'`,
        })
        .returning({ id: newsletterSignups.id });
    const welcome = (tx: Tx) =>
      tx.insert(outboxEvents).values({ topic: 'newsletter.welcome', aggregateId: id, payload: { readerId: input.readerId, source: input.source } });

    const result = await db.transaction(async (tx) => {
      if (config.fault === 'signup-counter-lock') {
        // Lock the list so the cap check and the subscriber counter stay exact under concurrent signups.
        const [nl] = await tx.select({ id: newsletters.id, cap: newsletters.subscriberCap }).from(newsletters).where(eq(newsletters.id, id)).for('update');
        if (!nl) throw new HttpError(404, 'newsletter not found');
        // The cap counts confirmed (double opt-in) subscribers only.
        const [active] = await tx.select({ n: count() }).from(newsletterSignups)
          .where(and(eq(newsletterSignups.newsletterId, id), eq(newsletterSignups.status, 'active'), isNotNull(newsletterSignups.confirmedAt)));
        if (nl.cap !== null && active!.n >= nl.cap) throw new HttpError(409, 'newsletter is full');
        const changed = await upsert(tx);
        if (changed.length) await welcome(tx);
        await tx.update(newsletters).set({ subscriberCount: active!.n + changed.length, updatedAt: now }).where(eq(newsletters.id, id));
        return { subscribed: true, created: changed.length > 0 };
      }
      const [nl] = await tx.select({ id: newsletters.id, cap: newsletters.subscriberCap, count: newsletters.subscriberCount }).from(newsletters).where(eq(newsletters.id, id));
      if (!nl) throw new HttpError(404, 'newsletter not found');
      if (nl.cap !== null && nl.count >= nl.cap) throw new HttpError(409, 'newsletter is full');
      const changed = await upsert(tx);
      if (changed.length) {
        await welcome(tx);
        // Last statement of the transaction: the list's row is locked only until the commit right after it.
        await tx.update(newsletters).set({ subscriberCount: sql`${newsletters.subscriberCount} + 1`, updatedAt: now }).where(eq(newsletters.id, id));
      }
      return { subscribed: true, created: changed.length > 0 };
    });
    return c.json({ newsletterId: id, readerId: input.readerId, ...result }, result.created ? 201 : 200);
  });
}
