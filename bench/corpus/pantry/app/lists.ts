/**
 * Shopping lists: a list with its items, adding an item, and the in-stock
 * check of a list's items at a store (store stock sets live in Redis).
 *
 * @module
 */
import Router from '@koa/router';
import { config, HttpError, intParam, pool, redis } from './context.js';

export const lists = new Router();

interface ListRow { id: number; household_id: number; name: string; status: string; updated_at: Date }

async function loadList(id: number): Promise<ListRow> {
  const { rows } = await pool.query<ListRow>('SELECT id, household_id, name, status, updated_at FROM shopping_lists WHERE id = $1', [id]);
  if (rows.length === 0) throw new HttpError(404, 'no such list');
  return rows[0]!;
}

const productRepository = {
  async findById(id: number) {
    const { rows } = await pool.query('SELECT id, sku, name, brand, unit, price_cents FROM products WHERE id = $1', [id]);
    return rows[0] as { id: number; sku: string; name: string; brand: string; unit: string; price_cents: number } | undefined;
  },
};

lists.get('/lists/:id', async (ctx) => {
  const id = intParam(ctx.params.id, 'list id');
  const list = await loadList(id);
  let items: unknown[];
  if (config.fault === 'list-products-per-item') {
    const { rows } = await pool.query<{ id: number; product_id: number; quantity: number; checked: boolean; note: string | null }>(
      'SELECT id, product_id, quantity, checked, note FROM list_items WHERE list_id = $1 ORDER BY id',
      [id],
    );
    items = [];
    for (const row of rows) {
      const product = await productRepository.findById(row.product_id);
      items.push({ ...row, name: product?.name, brand: product?.brand, unit: product?.unit, price_cents: product?.price_cents });
    }
  } else {
    const { rows } = await pool.query(
      `SELECT li.id, li.product_id, li.quantity, li.checked, li.note, p.name, p.brand, p.unit, p.price_cents
       FROM list_items li JOIN products p ON p.id = li.product_id
       WHERE li.list_id = $1 ORDER BY li.id`,
      [id],
    );
    items = rows;
  }
  ctx.body = { ...list, items };
});

lists.post('/lists/:id/items', async (ctx) => {
  const id = intParam(ctx.params.id, 'list id');
  const body = (ctx.request as unknown as { body?: Record<string, unknown> }).body ?? {};
  const productId = intParam(body.productId, 'productId');
  const quantity = Math.max(1, Math.min(Number(body.quantity ?? 1) || 1, 99));
  await loadList(id);
  const { rows } = await pool.query(
    `INSERT INTO list_items (list_id, product_id, quantity) VALUES ($1, $2, $3)
     ON CONFLICT (list_id, product_id) DO UPDATE SET quantity = list_items.quantity + EXCLUDED.quantity, checked = false
     RETURNING id, list_id, product_id, quantity, checked`,
    [id, productId, quantity],
  );
  await pool.query('UPDATE shopping_lists SET updated_at = now() WHERE id = $1', [id]);
  ctx.status = 201;
  ctx.body = rows[0];
});

/** Store stock sets (`stock:<storeId>` = SKUs on hand), loaded from store_stock on first use. */
const loading = new Map<number, Promise<void>>();
async function ensureStockSet(storeId: number): Promise<string> {
  const key = `stock:${storeId}`;
  let pending = loading.get(storeId);
  if (!pending) {
    pending = (async () => {
      if (await redis.exists(key)) return;
      const { rows } = await pool.query<{ sku: string }>(
        'SELECT p.sku FROM store_stock s JOIN products p ON p.id = s.product_id WHERE s.store_id = $1 AND s.quantity > 0',
        [storeId],
      );
      const tmp = `${key}:loading:${process.pid}`;
      for (let i = 0; i < rows.length; i += 2000) await redis.sAdd(tmp, rows.slice(i, i + 2000).map((r) => r.sku));
      if (rows.length > 0) await redis.rename(tmp, key);
      await redis.expire(key, 6 * 3600);
    })();
    loading.set(storeId, pending);
    pending.catch(() => loading.delete(storeId));
  }
  await pending;
  return key;
}

lists.get('/lists/:id/in-stock', async (ctx) => {
  const id = intParam(ctx.params.id, 'list id');
  const storeId = intParam(ctx.query.storeId, 'storeId');
  const { rows } = await pool.query<{ product_id: number; sku: string; name: string; quantity: number }>(
    `SELECT li.product_id, p.sku, p.name, li.quantity FROM list_items li JOIN products p ON p.id = li.product_id
     WHERE li.list_id = $1 AND NOT li.checked ORDER BY li.id`,
    [id],
  );
  const key = await ensureStockSet(storeId);
  let flags: boolean[];
  if (rows.length === 0) {
    flags = [];
  } else if (config.fault === 'stock-set-smembers') {
    const inStock = new Set(await redis.sMembers(key));
    flags = rows.map((r) => inStock.has(r.sku));
  } else {
    flags = (await redis.smIsMember(key, rows.map((r) => r.sku))).map((v) => Boolean(v));
  }
  ctx.body = {
    listId: id,
    storeId,
    items: rows.map((r, i) => ({ productId: r.product_id, sku: r.sku, name: r.name, quantity: r.quantity, inStock: flags[i] })),
    missing: flags.filter((f) => !f).length,
  };
});
