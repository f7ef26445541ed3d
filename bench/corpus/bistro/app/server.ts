/**
 * bistro-api: the restaurant group's ordering API on express 5 + MikroORM 6
 * (PostgreSQL, pool of 6), ioredis 5 and prom-client 15.
 *
 * Env: BISTRO_PORT, BISTRO_PG_URL, BISTRO_REDIS_URL, BISTRO_PARTNERS_URL,
 * BISTRO_PG_POOL_MAX (6), BISTRO_FAULT (one of faults.ts or empty).
 *
 * @module
 */
import { createHmac, pbkdf2Sync, randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Redis } from 'ioredis';
import { LockMode, MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import client from 'prom-client';
import { parseFault } from '../faults.js';
import {
  ENTITIES, CustomerSchema, DiningTableSchema, MenuItemSchema, OrderLineSchema, OrderSchema, PaymentSchema, ReservationSchema,
  RestaurantSchema, ReviewSchema, type Customer, type Order,
} from './entities.js';

const FAULT = parseFault(process.env.BISTRO_FAULT);
const PARTNERS = process.env.BISTRO_PARTNERS_URL ?? 'http://127.0.0.1:4100';
const RECEIPT_SECRET = 'bistro-receipts-2025';
const RESTAURANTS = 20;

// ---------------------------------------------------------------- infrastructure

const orm = await MikroORM.init({
  entities: ENTITIES,
  clientUrl: process.env.BISTRO_PG_URL,
  pool: { min: 2, max: Number(process.env.BISTRO_PG_POOL_MAX ?? 6) },
  driverOptions: { connection: { application_name: 'bistro-api' } },
  discovery: { warnWhenNoEntities: false },
  allowGlobalContext: false,
  debug: false,
});

const redis = new Redis(process.env.BISTRO_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });

client.collectDefaultMetrics();
const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration by route',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});
const partnerDuration = new client.Histogram({
  name: 'bistro_partner_request_duration_seconds',
  help: 'Calls to partner APIs',
  labelNames: ['partner', 'outcome'],
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});
const cacheRequests = new client.Counter({ name: 'bistro_cache_requests_total', help: 'Cache lookups', labelNames: ['cache', 'result'] });

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function partner<T>(name: string, path: string, body: unknown): Promise<T> {
  const end = partnerDuration.startTimer({ partner: name });
  try {
    const res = await fetch(`${PARTNERS}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new HttpError(502, `${name} answered ${res.status}`);
    const json = (await res.json()) as T;
    end({ outcome: 'ok' });
    return json;
  } catch (error) {
    end({ outcome: 'error' });
    throw error;
  }
}

const sendSms = (to: string, text: string) => partner<{ messageId: string }>('sms', '/v1/messages', { to, text });

function intParam(value: unknown, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, `invalid ${name}`);
  return n;
}

function dayRange(date: unknown): [Date, Date] {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new HttpError(400, 'date must be YYYY-MM-DD');
  const start = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(start.getTime())) throw new HttpError(400, 'invalid date');
  return [start, new Date(start.getTime() + 86_400_000)];
}

// ---------------------------------------------------------------- app

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '100kb' }));
app.use((req: Request, res: Response, next: NextFunction) => {
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const route = req.route ? `${req.baseUrl}${req.route.path as string}` : 'unmatched';
    end({ method: req.method, route, status_code: String(res.statusCode) });
  });
  res.locals.em = orm.em.fork();
  next();
});
const emOf = (res: Response): EntityManager => res.locals.em as EntityManager;

app.get('/health', (_req, res) => {
  res.json({ ok: true });
});

app.get('/metrics', async (_req, res) => {
  res.set('content-type', client.register.contentType).send(await client.register.metrics());
});

// ---- menus (cache-aside in Redis)

app.get('/restaurants/:id/menu', async (req, res) => {
  const id = intParam(req.params.id, 'restaurant id', 1);
  const key = `menu:${id}`;
  const readKey = FAULT === 'menu-cache-key-mismatch' ? `menus:${id}` : key;
  const cached = await redis.get(readKey);
  if (cached) {
    cacheRequests.inc({ cache: 'menu', result: 'hit' });
    res.type('application/json').send(cached);
    return;
  }
  cacheRequests.inc({ cache: 'menu', result: 'miss' });
  const em = emOf(res);
  const restaurant = await em.findOne(RestaurantSchema, id);
  if (!restaurant) throw new HttpError(404, 'restaurant not found');
  const items = await em.find(MenuItemSchema, { restaurant: id }, { populate: ['modifiers'], orderBy: { menuNumber: 'asc' } });
  const sections: Record<string, unknown[]> = {};
  for (const item of items) {
    (sections[item.section] ??= []).push({
      id: item.id, number: item.menuNumber, name: item.name, description: item.description, priceCents: item.priceCents,
      available: item.available, allergens: item.allergens ? item.allergens.split(',') : [],
      modifiers: item.modifiers.getItems().map((m) => ({ id: m.id, name: m.name, priceCents: m.priceCents })),
    });
  }
  const body = JSON.stringify({
    restaurant: { id: restaurant.id, name: restaurant.name, city: restaurant.city, cuisine: restaurant.cuisine, opensAt: restaurant.opensAt, closesAt: restaurant.closesAt },
    sections,
  });
  await redis.set(key, body, 'EX', 300);
  res.type('application/json').send(body);
});

app.get('/menu-items/:id', async (req, res) => {
  const id = intParam(req.params.id, 'menu item id');
  const item = await emOf(res).findOne(MenuItemSchema, id, { populate: ['modifiers', 'restaurant'] });
  if (!item) throw new HttpError(404, 'menu item not found');
  res.json({
    id: item.id, restaurant: { id: item.restaurant.id, name: item.restaurant.name }, number: item.menuNumber, section: item.section,
    name: item.name, description: item.description, priceCents: item.priceCents, available: item.available,
    modifiers: item.modifiers.getItems().map((m) => ({ id: m.id, name: m.name, priceCents: m.priceCents })),
  });
});

// ---- reviews

app.get('/restaurants/:id/reviews', async (req, res) => {
  const id = intParam(req.params.id, 'restaurant id', 1);
  const page = req.query.page === undefined ? 1 : intParam(req.query.page, 'page', 1, 500);
  const pageSize = FAULT === 'reviews-unpaginated'
    ? Number(req.query.per_page) // the client sends pageSize; per_page is what the old API called it
    : (req.query.pageSize === undefined ? 20 : intParam(req.query.pageSize, 'pageSize', 1, 50));
  const qb = emOf(res).createQueryBuilder(ReviewSchema, 'r')
    .select(['r.id', 'r.rating', 'r.body', 'r.created_at'])
    .addSelect(['c.full_name as author', 'c.tier as author_tier'])
    .join('r.customer', 'c')
    .where({ restaurant: id })
    .orderBy({ createdAt: 'desc' });
  if (pageSize) qb.limit(pageSize).offset((page - 1) * pageSize);
  const rows = await qb.execute('all', false);
  res.json({ restaurantId: id, page, reviews: rows });
});

app.post('/restaurants/:id/reviews', async (req, res) => {
  const id = intParam(req.params.id, 'restaurant id', 1, RESTAURANTS);
  const { customerId, rating, body } = req.body ?? {};
  const text = typeof body === 'string' ? body.trim() : '';
  if (text.length < 10 || text.length > 1000) throw new HttpError(400, 'review must be 10 to 1000 characters');
  const em = emOf(res);
  const review = em.create(ReviewSchema, {
    restaurant: id, customer: intParam(customerId, 'customerId'), rating: intParam(rating, 'rating', 1, 5), body: text, createdAt: new Date(),
  });
  await em.flush();
  res.status(201).json({ id: review.id, restaurantId: id, rating: review.rating });
});

// ---- customers and loyalty

interface ProfileView { at: number; customer: Customer; recentOrders: Order[]; menu: unknown; userAgent: string | undefined }
const profileViews: ProfileView[] = [];
let profileViewsFlushed = 0;

setInterval(() => {
  // Batch the profile-view analytics into Redis (a consumer ships them to the warehouse).
  const batch = FAULT === 'profile-analytics-leak' ? profileViews.slice(profileViewsFlushed) : profileViews.splice(0);
  profileViewsFlushed = profileViews.length;
  if (batch.length === 0) return;
  const lines = batch.map((v) => JSON.stringify({ at: v.at, customerId: v.customer.id, tier: v.customer.tier, orders: v.recentOrders.length }));
  redis.multi().rpush('analytics:profile_views', ...lines).ltrim('analytics:profile_views', -5000, -1).exec().catch(() => {});
}, 2000).unref();

app.get('/customers/search', async (req, res) => {
  const email = typeof req.query.email === 'string' ? req.query.email.trim() : '';
  if (!email.includes('@')) throw new HttpError(400, 'email required');
  const em = emOf(res);
  let found: Customer[];
  if (FAULT === 'customer-search-lower-email') {
    found = await em.createQueryBuilder(CustomerSchema, 'c').select('*').where('lower(c.email) = lower(?)', [email]).limit(5).getResultList();
  } else {
    found = await em.find(CustomerSchema, { email: email.toLowerCase() }, { limit: 5 });
  }
  res.json({ results: found.map((c) => ({ id: c.id, fullName: c.fullName, email: c.email, tier: c.tier })) });
});

app.get('/customers/:id', async (req, res) => {
  const id = intParam(req.params.id, 'customer id');
  const em = emOf(res);
  const customer = await em.findOne(CustomerSchema, id);
  if (!customer) throw new HttpError(404, 'customer not found');
  const recentOrders = await em.find(OrderSchema, { customer: id }, { populate: ['lines', 'restaurant'], orderBy: { createdAt: 'desc' }, limit: 5, strategy: 'select-in' });
  const [{ upcoming }] = await em.getConnection().execute<{ upcoming: string }[]>(
    `select count(*) as upcoming from reservations where customer_id = ? and starts_at > ? and status = 'booked'`, [id, new Date('2025-06-01T00:00:00Z')]);
  // "Try again": dishes from the last (or nearest) restaurant's menu, from the menu cache, the customer has not ordered yet.
  const lastRestaurant = recentOrders[0]?.restaurant.id ?? 1 + (customer.id % RESTAURANTS);
  const menuJson = await redis.get(`menu:${lastRestaurant}`);
  const menu = menuJson ? (JSON.parse(menuJson) as { sections: Record<string, { id: number; name: string; priceCents: number }[]> }) : null;
  const ordered = new Set(recentOrders.flatMap((o) => o.lines.getItems().map((l) => l.menuItem.id)));
  const recommendations = menu ? Object.values(menu.sections).flat().filter((i) => !ordered.has(i.id)).slice(0, 3).map((i) => ({ id: i.id, name: i.name, priceCents: i.priceCents })) : [];
  profileViews.push({ at: Date.now(), customer, recentOrders, menu, userAgent: req.get('user-agent') });
  res.json({
    id: customer.id, fullName: customer.fullName, email: customer.email, phone: customer.phone, tier: customer.tier,
    loyaltyPoints: customer.loyaltyPoints, upcomingReservations: Number(upcoming), recommendations,
    recentOrders: recentOrders.map((o) => ({ id: o.id, restaurant: o.restaurant.name, totalCents: o.totalCents, items: o.lines.count(), createdAt: o.createdAt })),
  });
});

app.get('/customers/:id/orders', async (req, res) => {
  const id = intParam(req.params.id, 'customer id');
  const em = emOf(res);
  let orders: Order[];
  if (FAULT === 'order-history-lines-loop') {
    orders = await em.find(OrderSchema, { customer: id }, { orderBy: { createdAt: 'desc' }, limit: 20 });
    for (const order of orders) await order.lines.init({ populate: ['menuItem'] as never });
  } else {
    orders = await em.find(OrderSchema, { customer: id }, { populate: ['lines', 'lines.menuItem'], orderBy: { createdAt: 'desc' }, limit: 20, strategy: 'select-in' });
  }
  res.json({
    customerId: id,
    orders: orders.map((o) => ({
      id: o.id, restaurantId: o.restaurant.id, kind: o.kind, status: o.status, totalCents: o.totalCents, createdAt: o.createdAt,
      lines: o.lines.getItems().map((l) => ({ item: l.menuItem.name, qty: l.qty, unitPriceCents: l.unitPriceCents })),
    })),
  });
});

app.get('/leaderboard/loyalty', async (_req, res) => {
  let flat: string[];
  if (FAULT === 'leaderboard-zunionstore') {
    const tmp = `loyalty:tmp:${randomUUID()}`;
    const keys = Array.from({ length: RESTAURANTS }, (_, i) => `loyalty:r:${i + 1}`);
    await redis.zunionstore(tmp, keys.length, ...keys);
    flat = await redis.zrevrange(tmp, 0, 9, 'WITHSCORES');
    await redis.del(tmp);
  } else {
    flat = await redis.zrevrange('loyalty:leaderboard', 0, 9, 'WITHSCORES');
  }
  const ids = flat.filter((_, i) => i % 2 === 0).map(Number);
  const customers = await emOf(res).find(CustomerSchema, { id: { $in: ids } });
  const byId = new Map(customers.map((c) => [c.id, c]));
  res.json({
    leaders: ids.map((cid, i) => ({ rank: i + 1, customerId: cid, name: byId.get(cid)?.fullName, points: Number(flat[i * 2 + 1]) })),
  });
});

// ---- orders, kitchen, payments

interface OrderBody {
  restaurantId?: unknown; customerId?: unknown; kind?: unknown; address?: unknown; tableNumber?: unknown;
  items?: { number?: unknown; qty?: unknown; note?: unknown }[];
}

app.post('/orders', async (req, res) => {
  const body = (req.body ?? {}) as OrderBody;
  const restaurantId = intParam(body.restaurantId, 'restaurantId', 1, RESTAURANTS);
  const customerId = intParam(body.customerId, 'customerId');
  const kind = body.kind === 'delivery' ? 'delivery' : 'dine_in';
  if (!Array.isArray(body.items) || body.items.length === 0 || body.items.length > 30) throw new HttpError(400, 'items required');
  const wanted = body.items.map((i) => ({ number: intParam(i.number, 'item number', 1, 500), qty: intParam(i.qty ?? 1, 'qty', 1, 20), note: typeof i.note === 'string' ? i.note : null }));
  const address = typeof body.address === 'string' ? body.address : '';
  if (kind === 'delivery' && !address) throw new HttpError(400, 'address required for delivery');
  const em = emOf(res);

  const quoteDelivery = async (subtotal: number) => {
    const geo = await partner<{ lat: number; lng: number }>('geocoder', '/v1/geocode', { address, country: 'FR' });
    return partner<{ quoteId: string; feeCents: number; etaMinutes: number }>('delivery-quote', '/v2/quotes', { restaurantId, dropoff: geo, subtotalCents: subtotal });
  };
  const build = async (tx: EntityManager, quote: { feeCents: number; etaMinutes: number } | null, items: Awaited<ReturnType<typeof loadItems>>) => {
    const byNumber = new Map(items.map((i) => [i.menuNumber, i]));
    const subtotal = wanted.reduce((s, w) => s + byNumber.get(w.number)!.priceCents * w.qty, 0);
    const order = tx.create(OrderSchema, {
      restaurant: restaurantId, customer: customerId, kind, status: 'received', createdAt: new Date(),
      tableNumber: kind === 'dine_in' ? intParam(body.tableNumber ?? 1, 'tableNumber', 1, 25) : null,
      deliveryAddress: kind === 'delivery' ? address : null, deliveryFeeCents: quote?.feeCents ?? 0, totalCents: subtotal + (quote?.feeCents ?? 0),
    });
    for (const w of wanted) tx.create(OrderLineSchema, { order, menuItem: byNumber.get(w.number)!, qty: w.qty, unitPriceCents: byNumber.get(w.number)!.priceCents, note: w.note });
    await tx.flush();
    return order;
  };
  const loadItems = async (m: EntityManager) => {
    const items = await m.find(MenuItemSchema, { restaurant: restaurantId, menuNumber: { $in: wanted.map((w) => w.number) } });
    const found = new Set(items.filter((i) => i.available).map((i) => i.menuNumber));
    const missing = wanted.filter((w) => !found.has(w.number)).map((w) => w.number);
    if (missing.length) throw new HttpError(422, `unavailable items: ${missing.join(', ')}`);
    return items;
  };
  const subtotalOf = (items: Awaited<ReturnType<typeof loadItems>>) => {
    const byNumber = new Map(items.map((i) => [i.menuNumber, i.priceCents]));
    return wanted.reduce((s, w) => s + byNumber.get(w.number)! * w.qty, 0);
  };

  let order: Order;
  let quote: { quoteId: string; feeCents: number; etaMinutes: number } | null = null;
  if (FAULT === 'order-tx-across-quote') {
    order = await em.transactional(async (tx) => {
      const items = await loadItems(tx);
      if (kind === 'delivery') quote = await quoteDelivery(subtotalOf(items));
      return build(tx, quote, items);
    });
  } else {
    const items = await loadItems(em);
    if (kind === 'delivery') quote = await quoteDelivery(subtotalOf(items));
    order = await em.transactional((tx) => build(tx, quote, items));
  }
  await redis.multi()
    .zadd(`kitchen:${restaurantId}`, Date.now(), String(order.id))
    .hset(`kitchen:ticket:${order.id}`, { status: 'received', kind, items: String(wanted.length) })
    .expire(`kitchen:ticket:${order.id}`, 86_400)
    .exec();
  res.status(201).json({ id: order.id, status: order.status, totalCents: order.totalCents, deliveryFeeCents: order.deliveryFeeCents, etaMinutes: quote ? (quote as { etaMinutes: number }).etaMinutes : null });
});

app.get('/orders/:id', async (req, res) => {
  const id = intParam(req.params.id, 'order id');
  const order = await emOf(res).findOne(OrderSchema, id, { populate: ['lines', 'lines.menuItem', 'restaurant'], strategy: 'select-in' });
  if (!order) throw new HttpError(404, 'order not found');
  const receipt = `${order.id}|${order.restaurant.id}|${order.customer.id}|${order.totalCents}|${order.createdAt.toISOString()}`;
  const signature = FAULT === 'receipt-pbkdf2-sync'
    ? pbkdf2Sync(receipt, RECEIPT_SECRET, 60_000, 32, 'sha256').toString('base64url')
    : createHmac('sha256', RECEIPT_SECRET).update(receipt).digest('base64url');
  res.json({
    id: order.id, restaurant: { id: order.restaurant.id, name: order.restaurant.name }, customerId: order.customer.id, kind: order.kind,
    status: order.status, totalCents: order.totalCents, deliveryFeeCents: order.deliveryFeeCents, createdAt: order.createdAt, paidAt: order.paidAt ?? null,
    lines: order.lines.getItems().map((l) => ({ item: l.menuItem.name, qty: l.qty, unitPriceCents: l.unitPriceCents, note: l.note ?? null })),
    receipt: { payload: receipt, signature },
  });
});

app.post('/orders/:id/payment', async (req, res) => {
  const id = intParam(req.params.id, 'order id');
  const em = emOf(res);
  const order = await em.findOne(OrderSchema, id, { populate: ['customer'] });
  if (!order) throw new HttpError(404, 'order not found');
  if (order.paidAt) {
    const existing = await em.findOne(PaymentSchema, { order: id });
    res.json({ orderId: id, status: 'already_paid', authorizationCode: existing?.authorizationCode ?? null });
    return;
  }
  const method = typeof req.body?.method === 'string' ? req.body.method : 'card';
  const auth = await partner<{ authorizationCode: string; status: string }>('payment', '/v1/authorizations', { orderId: id, amountCents: order.totalCents, currency: 'EUR', method });
  if (auth.status !== 'approved') throw new HttpError(402, 'payment declined');
  const points = Math.floor(order.totalCents / 100);
  await em.transactional(async (tx) => {
    tx.create(PaymentSchema, { order: id, customer: order.customer.id, amountCents: order.totalCents, points, authorizationCode: auth.authorizationCode, invoiceNo: `INV-${id}`, createdAt: new Date() });
    await tx.nativeUpdate(OrderSchema, { id }, { paidAt: new Date() });
    await tx.getConnection().execute('update customers set loyalty_points = loyalty_points + ? where id = ?', [points, order.customer.id], 'run', tx.getTransactionContext());
  });
  await redis.multi()
    .zincrby('loyalty:leaderboard', points, String(order.customer.id))
    .zincrby(`loyalty:r:${order.restaurant.id}`, points, String(order.customer.id))
    .exec();
  res.json({ orderId: id, status: 'paid', authorizationCode: auth.authorizationCode, pointsEarned: points });
});

app.get('/restaurants/:id/kitchen/queue', async (req, res) => {
  const id = intParam(req.params.id, 'restaurant id', 1, RESTAURANTS);
  const ids = (await redis.zrange(`kitchen:${id}`, 0, 29)).map(Number);
  const orders = ids.length ? await emOf(res).find(OrderSchema, { id: { $in: ids } }, { populate: ['lines', 'lines.menuItem'], strategy: 'select-in' }) : [];
  const byId = new Map(orders.map((o) => [o.id, o]));
  res.json({
    restaurantId: id,
    tickets: ids.flatMap((oid) => { const o = byId.get(oid); return o ? [o] : []; }).map((o) => ({
      orderId: o.id, status: o.status, kind: o.kind, table: o.tableNumber ?? null, since: o.createdAt,
      items: o.lines.getItems().map((l) => `${l.qty}x ${l.menuItem.name}${l.note ? ` (${l.note})` : ''}`),
    })),
  });
});

const NEXT_STATUS: Record<string, string> = { received: 'cooking', cooking: 'ready', ready: 'served' };

app.post('/restaurants/:id/kitchen/bump', async (req, res) => {
  const id = intParam(req.params.id, 'restaurant id', 1, RESTAURANTS);
  const [oldest] = await redis.zrange(`kitchen:${id}`, 0, 0);
  if (!oldest) {
    res.json({ restaurantId: id, bumped: null });
    return;
  }
  const em = emOf(res);
  const order = await em.findOne(OrderSchema, Number(oldest));
  const next = order ? NEXT_STATUS[order.status] ?? 'served' : 'served';
  if (order) {
    order.status = next;
    await em.flush();
  }
  if (next === 'served') await redis.multi().zrem(`kitchen:${id}`, oldest).del(`kitchen:ticket:${oldest}`).exec();
  else await redis.hset(`kitchen:ticket:${oldest}`, 'status', next);
  res.json({ restaurantId: id, bumped: Number(oldest), status: next });
});

// ---- tables and reservations

const SLOTS = ['18:00', '18:30', '19:00', '19:30', '20:00', '20:30', '21:00', '21:30'];

app.get('/restaurants/:id/tables/availability', async (req, res) => {
  const id = intParam(req.params.id, 'restaurant id', 1, RESTAURANTS);
  const [from, to] = dayRange(req.query.date);
  const party = req.query.partySize === undefined ? 2 : intParam(req.query.partySize, 'partySize', 1, 12);
  const em = emOf(res);
  const tables = await em.find(DiningTableSchema, { restaurant: id, seats: { $gte: party } }, { orderBy: { number: 'asc' } });
  const booked = await em.getConnection().execute<{ table_id: number; starts_at: string; ends_at: string }[]>(
    `select table_id, starts_at, ends_at from reservations where restaurant_id = ? and starts_at >= ? and starts_at < ? and status <> 'cancelled'`,
    [id, from, to]);
  const date = (req.query.date as string);
  const slots = SLOTS.map((slot) => {
    const start = new Date(`${date}T${slot}:00Z`).getTime();
    const end = start + 2 * 3_600_000;
    const free = tables.filter((t) => !booked.some((b) => b.table_id === t.id && new Date(b.starts_at).getTime() < end && new Date(b.ends_at).getTime() > start));
    return { time: slot, freeTables: free.map((t) => ({ number: t.number, seats: t.seats, area: t.area })) };
  });
  res.json({ restaurantId: id, date, partySize: party, slots });
});

app.post('/reservations', async (req, res) => {
  const b = req.body ?? {};
  const restaurantId = intParam(b.restaurantId, 'restaurantId', 1, RESTAURANTS);
  const tableNumber = intParam(b.tableNumber, 'tableNumber', 1, 25);
  const customerId = intParam(b.customerId, 'customerId');
  const partySize = intParam(b.partySize ?? 2, 'partySize', 1, 12);
  const [day] = dayRange(b.date);
  if (typeof b.time !== 'string' || !SLOTS.includes(b.time)) throw new HttpError(400, 'time must be one of the evening slots');
  const startsAt = new Date(`${b.date}T${b.time}:00Z`);
  const endsAt = new Date(startsAt.getTime() + 2 * 3_600_000);
  if (startsAt < day) throw new HttpError(400, 'invalid time');
  const em = emOf(res);
  const customer = await em.findOne(CustomerSchema, customerId);
  if (!customer) throw new HttpError(404, 'customer not found');
  const text = `Bistro: table for ${partySize} on ${b.date} at ${b.time} is confirmed.`;

  const reservation = await em.transactional(async (tx) => {
    let table;
    if (FAULT === 'reservation-table-lock') {
      // Double bookings slipped through the row lock when two tables were merged: lock the whole book.
      await tx.getConnection().execute('LOCK TABLE reservations IN SHARE ROW EXCLUSIVE MODE', [], 'run', tx.getTransactionContext());
      table = await tx.findOne(DiningTableSchema, { restaurant: restaurantId, number: tableNumber });
    } else {
      table = await tx.findOne(DiningTableSchema, { restaurant: restaurantId, number: tableNumber }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    }
    if (!table) throw new HttpError(404, 'table not found');
    const clash = await tx.count(ReservationSchema, { table: table.id, startsAt: { $lt: endsAt, $gte: new Date(startsAt.getTime() - 2 * 3_600_000) }, endsAt: { $gt: startsAt }, status: { $ne: 'cancelled' } });
    if (clash > 0) throw new HttpError(409, 'table already booked for that time');
    const r = tx.create(ReservationSchema, { restaurant: restaurantId, table, customer: customerId, partySize, startsAt, endsAt, status: 'booked', note: typeof b.note === 'string' ? b.note : null, createdAt: new Date() });
    await tx.flush();
    // Confirmation inside the transaction: a failed SMS rolls the booking back.
    if (FAULT === 'reservation-table-lock') await sendSms(customer.phone, text);
    return r;
  });
  if (FAULT !== 'reservation-table-lock') await sendSms(customer.phone, text);
  res.status(201).json({ id: reservation.id, restaurantId, tableNumber, startsAt, status: reservation.status });
});

// ---- reports

app.get('/restaurants/:id/reports/daily', async (req, res) => {
  const id = intParam(req.params.id, 'restaurant id', 1, RESTAURANTS);
  const [from, to] = dayRange(req.query.date);
  const key = `report:daily:${id}:${req.query.date as string}`;
  const cached = await redis.get(key);
  if (cached) {
    cacheRequests.inc({ cache: 'report', result: 'hit' });
    res.type('application/json').send(cached);
    return;
  }
  cacheRequests.inc({ cache: 'report', result: 'miss' });
  const conn = emOf(res).getConnection();
  const byKind = await conn.execute<{ kind: string; orders: string; revenue_cents: string; avg_ticket_cents: string }[]>(
    `select kind, count(*) as orders, sum(total_cents) as revenue_cents, round(avg(total_cents)) as avg_ticket_cents
       from orders where restaurant_id = ? and created_at >= ? and created_at < ? group by kind order by kind`, [id, from, to]);
  const topItems = await conn.execute<{ name: string; qty: string }[]>(
    `select mi.name, sum(ol.qty) as qty from orders o join order_lines ol on ol.order_id = o.id join menu_items mi on mi.id = ol.menu_item_id
      where o.restaurant_id = ? and o.created_at >= ? and o.created_at < ? group by mi.name order by qty desc limit 5`, [id, from, to]);
  const body = JSON.stringify({
    restaurantId: id, date: req.query.date,
    byKind: byKind.map((r) => ({ kind: r.kind, orders: Number(r.orders), revenueCents: Number(r.revenue_cents), avgTicketCents: Number(r.avg_ticket_cents) })),
    topItems: topItems.map((r) => ({ name: r.name, qty: Number(r.qty) })),
  });
  await redis.set(key, body, 'EX', 600);
  res.type('application/json').send(body);
});

// ---- errors

app.use((req: Request, res: Response) => {
  res.status(404).json({ error: 'not found' });
});
app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
  if (error instanceof HttpError) {
    res.status(error.status).json({ error: error.message });
    return;
  }
  if ((error as { type?: string }).type === 'entity.parse.failed') {
    res.status(400).json({ error: 'invalid JSON' });
    return;
  }
  res.status(500).json({ error: 'internal error' });
});

// ---------------------------------------------------------------- startup: rebuild Redis state

async function warmRedis(): Promise<void> {
  const conn = orm.em.fork().getConnection();
  if (!(await redis.exists('loyalty:leaderboard'))) {
    const rows = await conn.execute<{ id: number; loyalty_points: number }[]>('select id, loyalty_points from customers where loyalty_points > 0');
    for (let i = 0; i < rows.length; i += 2000) {
      const args = rows.slice(i, i + 2000).flatMap((r) => [r.loyalty_points, String(r.id)]);
      await redis.zadd('loyalty:leaderboard', ...args);
    }
    const perRestaurant = await conn.execute<{ restaurant_id: number; customer_id: number; points: string }[]>(
      'select restaurant_id, customer_id, sum(total_cents) / 100 as points from orders group by restaurant_id, customer_id');
    const byRestaurant = new Map<number, (string | number)[]>();
    for (const r of perRestaurant) {
      const list = byRestaurant.get(r.restaurant_id) ?? [];
      list.push(Number(r.points), String(r.customer_id));
      byRestaurant.set(r.restaurant_id, list);
    }
    for (const [rid, list] of byRestaurant) {
      for (let i = 0; i < list.length; i += 4000) await redis.zadd(`loyalty:r:${rid}`, ...list.slice(i, i + 4000));
    }
  }
  if (!(await redis.exists('kitchen:warm'))) {
    const open = await conn.execute<{ id: number; restaurant_id: number; created_at: string; status: string; kind: string }[]>(
      `select id, restaurant_id, created_at, status, kind from orders where status in ('received', 'cooking', 'ready')`);
    const pipe = redis.pipeline();
    for (const o of open) {
      pipe.zadd(`kitchen:${o.restaurant_id}`, new Date(o.created_at).getTime(), String(o.id));
      pipe.hset(`kitchen:ticket:${o.id}`, { status: o.status, kind: o.kind });
    }
    pipe.set('kitchen:warm', '1');
    await pipe.exec();
  }
}

await warmRedis();

const server = app.listen(Number(process.env.BISTRO_PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  console.log(`BISTRO_LISTENING ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
server.keepAliveTimeout = 65_000;

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  Promise.allSettled([orm.close(), redis.quit()]).then(() => process.exit(0));
});
