/**
 * Schema and data of the shop: 20 categories, 20k products, 20k users,
 * 100k orders with 200k order items, 120k reviews (about 460k rows). Loaded
 * with set-based INSERT … SELECT generate_series, so it takes seconds, not
 * minutes. Indexes that a fault may remove are created by the service's own
 * boot migrations (app/migrate.ts), not here.
 *
 * @module
 */
import pg from 'pg';

/** Row counts of the seed (exported for the smoke test and the runner's notes). */
export const SHOP_SIZES = {
  categories: 20,
  products: 20_000,
  users: 20_000,
  orders: 100_000,
  orderItemsPerOrder: 2,
  reviews: 120_000,
} as const;

const ADJECTIVES = ['Sturdy', 'Vintage', 'Compact', 'Deluxe', 'Organic', 'Wireless', 'Classic', 'Rugged', 'Slim', 'Bright',
  'Modern', 'Portable', 'Premium', 'Smart', 'Silent', 'Heavy', 'Tiny', 'Urban', 'Coastal', 'Nordic'];
const NOUNS = ['Lamp', 'Kettle', 'Backpack', 'Chair', 'Speaker', 'Blender', 'Jacket', 'Mug', 'Desk', 'Headphones',
  'Tent', 'Watch', 'Bottle', 'Drill', 'Camera', 'Sofa', 'Rug', 'Pillow', 'Scarf', 'Toaster',
  'Router', 'Keyboard', 'Monitor', 'Bicycle', 'Helmet', 'Skillet', 'Vase', 'Clock', 'Mirror', 'Shelf'];

const sqlArray = (values: string[]): string => `ARRAY[${values.map((v) => `'${v}'`).join(',')}]`;

/** Drop and re-create the shop's tables, then load the data and analyze. */
export async function seedShop(pgUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'shop-seed' });
  await client.connect();
  try {
    await client.query(`
      DROP TABLE IF EXISTS order_events, order_items, orders, reviews, products, categories, users, counters CASCADE;
      DROP SEQUENCE IF EXISTS order_number_seq;

      CREATE TABLE categories (id int PRIMARY KEY, name text NOT NULL, slug text NOT NULL UNIQUE);
      CREATE TABLE users (
        id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE products (
        id serial PRIMARY KEY, sku text NOT NULL UNIQUE, name text NOT NULL,
        category_id int NOT NULL REFERENCES categories(id), price_cents int NOT NULL,
        description text NOT NULL, rating_avg numeric(3,2) NOT NULL DEFAULT 0, rating_count int NOT NULL DEFAULT 0,
        stock int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE orders (
        id bigserial PRIMARY KEY, number bigint, user_id int NOT NULL REFERENCES users(id), status text NOT NULL,
        total_cents int NOT NULL, shipping_address jsonb, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE order_items (
        id bigserial PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders(id), product_id int NOT NULL REFERENCES products(id),
        qty int NOT NULL, price_cents int NOT NULL);
      CREATE TABLE reviews (
        id bigserial PRIMARY KEY, product_id int NOT NULL REFERENCES products(id), user_id int NOT NULL REFERENCES users(id),
        rating int NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE order_events (id bigserial PRIMARY KEY, order_id bigint NOT NULL, kind text NOT NULL, at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);
      CREATE SEQUENCE order_number_seq START 500000;
    `);
    await client.query(`INSERT INTO categories SELECT g, 'Category ' || g, 'category-' || g FROM generate_series(1, ${SHOP_SIZES.categories}) g`);
    await client.query(`
      INSERT INTO users (email, name, created_at)
      SELECT 'user' || g || '@example.com', 'User ' || g, now() - (g % 900) * interval '1 day'
      FROM generate_series(1, ${SHOP_SIZES.users}) g`);
    // Descriptions of ~1.2 kB: real product copy is long, which is what makes an unpaginated listing heavy.
    await client.query(`
      INSERT INTO products (sku, name, category_id, price_cents, description, rating_avg, rating_count, stock, created_at)
      SELECT 'SKU-' || lpad(g::text, 6, '0'),
             (${sqlArray(ADJECTIVES)})[1 + g % ${ADJECTIVES.length}] || ' ' || (${sqlArray(NOUNS)})[1 + (g / ${ADJECTIVES.length}) % ${NOUNS.length}] || ' ' || g,
             1 + g % ${SHOP_SIZES.categories},
             499 + (g::bigint * 7919) % 50000,
             'Product ' || g || '. ' || repeat('Crafted from durable materials and tested for everyday use, it comes with a two-year warranty and free returns. ', 11),
             round((2.5 + ((g::bigint * 37) % 250) / 100.0)::numeric, 2),
             (g::bigint * 13) % 40,
             1000000,
             now() - (g % 1000) * interval '1 hour'
      FROM generate_series(1, ${SHOP_SIZES.products}) g`);
    await client.query(`
      INSERT INTO orders (number, user_id, status, total_cents, shipping_address, created_at)
      SELECT 100000 + g,
             1 + (g::bigint * 7919) % ${SHOP_SIZES.users},
             (ARRAY['paid','shipped','delivered','delivered','cancelled'])[1 + g % 5],
             1000 + (g::bigint * 31) % 90000,
             CASE WHEN g % 10 = 0 THEN NULL  -- digital-only orders have no shipping address
                  ELSE jsonb_build_object('country', (ARRAY['DE','FR','NL','US','GB'])[1 + g % 5], 'city', 'City ' || (g % 400), 'street', g || ' Main St') END,
             now() - ((g::bigint * 104729) % 720) * interval '1 day' - (g % 86400) * interval '1 second'
      FROM generate_series(1, ${SHOP_SIZES.orders}) g`);
    await client.query(`
      INSERT INTO order_items (order_id, product_id, qty, price_cents)
      SELECT 1 + (g - 1) / ${SHOP_SIZES.orderItemsPerOrder}, 1 + (g::bigint * 104723) % ${SHOP_SIZES.products}, 1 + g % 3, 499 + (g::bigint * 13) % 20000
      FROM generate_series(1, ${SHOP_SIZES.orders * SHOP_SIZES.orderItemsPerOrder}) g`);
    await client.query(`
      INSERT INTO reviews (product_id, user_id, rating, body, created_at)
      SELECT 1 + (g::bigint * 7907) % ${SHOP_SIZES.products}, 1 + (g::bigint * 31) % ${SHOP_SIZES.users}, 1 + (g::bigint * 7) % 5,
             'Review ' || g || ': ' || repeat('Works as described, arrived quickly and well packed. ', 4),
             now() - ((g::bigint * 65537) % 1000) * interval '1 day'
      FROM generate_series(1, ${SHOP_SIZES.reviews}) g`);
    await client.query(`INSERT INTO counters VALUES ('invoice', 900000)`);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}
