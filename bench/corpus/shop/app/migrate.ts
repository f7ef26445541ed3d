/**
 * Boot migrations: the secondary indexes the queries rely on, and the
 * maintenance state of the products table. Run before the server listens, so
 * every start converges the schema to what this build expects (a fault build
 * ships without one of the migrations).
 *
 * @module
 */
import { db } from './db.js';
import { faultOn } from './config.js';
import { IN_STOCK_KEY, redis } from './cache.js';

const INDEXES: { name: string; ddl: string; skip: boolean }[] = [
  { name: 'orders_user_created_idx', ddl: 'ON orders (user_id, created_at DESC)', skip: faultOn('missing-index-orders-user') },
  { name: 'reviews_product_created_idx', ddl: 'ON reviews (product_id, created_at DESC)', skip: faultOn('missing-index-reviews-product') },
  { name: 'order_items_order_idx', ddl: 'ON order_items (order_id)', skip: false },
  { name: 'products_category_rating_idx', ddl: 'ON products (category_id, rating_avg DESC, id)', skip: false },
  { name: 'products_name_prefix_idx', ddl: 'ON products (lower(name) text_pattern_ops)', skip: false },
];

/** Bring indexes and table maintenance settings to this build's state, and rebuild the in-stock set. */
export async function migrate(): Promise<void> {
  for (const index of INDEXES) {
    if (index.skip) await db.raw(`DROP INDEX IF EXISTS ${index.name}`);
    else await db.raw(`CREATE INDEX IF NOT EXISTS ${index.name} ${index.ddl}`);
  }
  await db.raw('ANALYZE orders, reviews, order_items');
  await productsMaintenance();
  await rebuildInStockSet();
}

/**
 * The products-bloat incident: autovacuum was switched off on products "to speed up the nightly
 * price sync", which rewrites every row several times. Healthy builds undo it.
 */
async function productsMaintenance(): Promise<void> {
  if (faultOn('products-bloat')) {
    await db.raw('ALTER TABLE products SET (autovacuum_enabled = false)');
    for (let pass = 0; pass < 6; pass++) {
      await db.raw('UPDATE products SET price_cents = price_cents + ?', [pass % 2 === 0 ? 1 : -1]);
    }
    // The job ends with ANALYZE (so plans stay right) but nothing ever vacuums the table.
    await db.raw('ANALYZE products');
    return;
  }
  await db.raw('ALTER TABLE products RESET (autovacuum_enabled)');
  const { rows } = await db.raw<{ rows: { dead: string; live: string }[] }>(
    "SELECT n_dead_tup AS dead, n_live_tup AS live FROM pg_stat_user_tables WHERE relname = 'products'",
  );
  const stats = rows[0];
  // A previous bloated build leaves dead rows behind and a table several times its size: compact it.
  if (stats && Number(stats.dead) > Number(stats.live) / 5) await db.raw('VACUUM FULL ANALYZE products');
}

async function rebuildInStockSet(): Promise<void> {
  const rows = await db('products').where('stock', '>', 0).select('id');
  const pipeline = redis.pipeline().del(IN_STOCK_KEY);
  for (let i = 0; i < rows.length; i += 1000) {
    pipeline.sadd(IN_STOCK_KEY, ...rows.slice(i, i + 1000).map((r: { id: number }) => String(r.id)));
  }
  await pipeline.exec();
}
