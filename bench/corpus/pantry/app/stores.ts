/**
 * Stores: live availability (store-systems inventory), popular products,
 * the store catalogue by category, active promotions.
 *
 * @module
 */
import Router from '@koa/router';
import { config, HttpError, intParam, pool, redis, reportingPool, stores as storeDirectory } from './context.js';
import { storeSystems } from './store-systems.js';

export const stores = new Router();

function knownStore(value: unknown): number {
  const id = intParam(value, 'store id');
  if (!storeDirectory.has(id)) throw new HttpError(404, 'no such store');
  return id;
}

stores.get('/stores/:id/availability', async (ctx) => {
  const storeId = knownStore(ctx.params.id);
  const ids = String(ctx.query.products ?? '').split(',').filter(Boolean).slice(0, 50).map((v) => intParam(v, 'product id'));
  if (ids.length === 0) throw new HttpError(400, 'products is required');
  const [inventory, products] = await Promise.all([
    storeSystems.inventory(storeId, ids),
    pool.query<{ id: number; name: string; unit: string }>('SELECT id, name, unit FROM products WHERE id = ANY($1::int[])', [ids]),
  ]);
  const names = new Map(products.rows.map((p) => [p.id, p]));
  ctx.body = {
    storeId,
    asOf: inventory.asOf,
    items: inventory.items.map((i) => ({ ...i, name: names.get(i.productId)?.name ?? null, available: Math.max(0, i.onHand - i.reserved) })),
  };
});

const POPULAR_WINDOW_DAYS = 30;

stores.get('/stores/:id/popular', async (ctx) => {
  const storeId = knownStore(ctx.params.id);
  let since: Date;
  if (config.fault === 'popular-cache-key-now') {
    since = new Date(Date.now() - POPULAR_WINDOW_DAYS * 86_400_000);
  } else {
    const today = new Date();
    since = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - POPULAR_WINDOW_DAYS));
  }
  const key = `popular:${storeId}:${since.toISOString()}`;
  const cached = await redis.get(key);
  if (cached) {
    ctx.type = 'application/json';
    ctx.body = cached;
    return;
  }
  const { rows } = await pool.query(
    `SELECT p.id, p.name, p.brand, p.category, t.units, t.orders
     FROM (SELECT ol.product_id, sum(ol.quantity)::int AS units, count(DISTINCT o.id)::int AS orders
           FROM orders o JOIN order_lines ol ON ol.order_id = o.id
           WHERE o.store_id = $1 AND o.created_at >= $2 AND o.status <> 'cancelled'
           GROUP BY ol.product_id
           ORDER BY units DESC, ol.product_id
           LIMIT 25) t
     JOIN products p ON p.id = t.product_id
     ORDER BY t.units DESC, p.id`,
    [storeId, since],
  );
  const body = JSON.stringify({ storeId, since: since.toISOString(), products: rows });
  await redis.set(key, body, { EX: 600 });
  ctx.type = 'application/json';
  ctx.body = body;
});

stores.get('/stores/:id/products', async (ctx) => {
  const storeId = knownStore(ctx.params.id);
  const category = String(ctx.query.category ?? '');
  if (!category) throw new HttpError(400, 'category is required');
  const after = Number(ctx.query.after ?? 0) || 0;
  // The page size: clients send `limit`; the faulty build's pagination refactor reads `pageSize`.
  const requested = config.fault === 'catalogue-limit-ignored' ? ctx.query.pageSize : (ctx.query.limit ?? 50);
  const limit = requested === undefined ? null : Math.min(Math.max(Number(requested) || 50, 1), 100);
  const { rows } = await pool.query(
    `SELECT p.id, p.sku, p.name, p.brand, p.unit, p.price_cents, p.description, s.quantity AS on_hand, s.aisle
     FROM store_stock s JOIN products p ON p.id = s.product_id
     WHERE s.store_id = $1 AND s.product_id > $2 AND p.category = $3 AND p.active AND s.quantity > 0
     ORDER BY s.product_id
     LIMIT $4`,
    [storeId, after, category, limit],
  );
  ctx.body = { storeId, category, products: rows, next: limit !== null && rows.length === limit ? rows[rows.length - 1].id : null };
});

stores.get('/stores/:id/promotions', async (ctx) => {
  const storeId = knownStore(ctx.params.id);
  const { rows } = await pool.query(
    `SELECT id, store_id, product_id, kind, discount_pct, title, ends_at FROM promotions
     WHERE (store_id = $1 OR store_id IS NULL) AND now() BETWEEN starts_at AND ends_at
     ORDER BY ends_at, id`,
    [storeId],
  );
  ctx.body = { storeId, promotions: rows };
});

/** Store managers' dashboard: sales by category over the last `days` days (live numbers: not cached). */
stores.get('/stores/:id/sales', async (ctx) => {
  const storeId = knownStore(ctx.params.id);
  const days = Math.min(Math.max(Number(ctx.query.days ?? 30) || 30, 1), 365);
  const { rows } = await reportingPool.query(
    `SELECT p.category, count(DISTINCT o.id)::int AS orders, sum(ol.quantity)::int AS units,
            sum(ol.quantity * ol.unit_price_cents)::bigint AS revenue_cents
     FROM orders o JOIN order_lines ol ON ol.order_id = o.id JOIN products p ON p.id = ol.product_id
     WHERE o.store_id = $1 AND o.created_at >= now() - make_interval(days => $2) AND o.status <> 'cancelled'
     GROUP BY p.category ORDER BY revenue_cents DESC`,
    [storeId, days],
  );
  ctx.body = { storeId, days, categories: rows };
});
