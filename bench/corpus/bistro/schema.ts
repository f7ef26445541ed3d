/**
 * The bistro's database: DDL, a deterministic seed (20 restaurants, 1,200
 * menu items, 3,600 modifiers, 500 tables, 200k customers, 300k orders with
 * ~750k lines, 250k reservations, 150k reviews) and the per-build migration
 * that `start()` runs (undo earlier runs' writes, the fault's index and
 * constraint).
 *
 * @module
 */
import pg from 'pg';
import type { BistroFault } from './faults.js';

/** Ids at and below these are seed rows; anything above was written by a run. */
export const SEED = { customers: 200_000, orders: 300_000, reservations: 250_000, reviews: 150_000, restaurants: 20, itemsPerRestaurant: 60, tablesPerRestaurant: 25 };

const DDL = `
DROP TABLE IF EXISTS payments, order_lines, orders, reviews, reservations, dining_tables, modifiers, menu_items, customers, restaurants CASCADE;

CREATE TABLE restaurants (
  id serial PRIMARY KEY,
  name text NOT NULL,
  city text NOT NULL,
  cuisine text NOT NULL,
  opens_at time NOT NULL,
  closes_at time NOT NULL,
  delivery_radius_km numeric(4,1) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE menu_items (
  id serial PRIMARY KEY,
  restaurant_id int NOT NULL REFERENCES restaurants(id),
  menu_number int NOT NULL,
  section text NOT NULL,
  name text NOT NULL,
  description text NOT NULL,
  price_cents int NOT NULL,
  available boolean NOT NULL DEFAULT true,
  allergens text NOT NULL DEFAULT '',
  UNIQUE (restaurant_id, menu_number)
);

CREATE TABLE modifiers (
  id serial PRIMARY KEY,
  menu_item_id int NOT NULL REFERENCES menu_items(id),
  name text NOT NULL,
  price_cents int NOT NULL
);
CREATE INDEX modifiers_menu_item_idx ON modifiers (menu_item_id);

CREATE TABLE dining_tables (
  id serial PRIMARY KEY,
  restaurant_id int NOT NULL REFERENCES restaurants(id),
  number int NOT NULL,
  seats int NOT NULL,
  area text NOT NULL,
  UNIQUE (restaurant_id, number)
);

CREATE TABLE customers (
  id serial PRIMARY KEY,
  email text NOT NULL,
  full_name text NOT NULL,
  phone text NOT NULL,
  loyalty_points int NOT NULL DEFAULT 0,
  tier text NOT NULL DEFAULT 'bronze',
  marketing_opt_in boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id serial PRIMARY KEY,
  restaurant_id int NOT NULL,
  customer_id int NOT NULL,
  kind text NOT NULL,
  status text NOT NULL,
  table_number int,
  delivery_address text,
  delivery_fee_cents int NOT NULL DEFAULT 0,
  total_cents int NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  paid_at timestamptz
);

CREATE TABLE order_lines (
  id serial PRIMARY KEY,
  order_id int NOT NULL,
  menu_item_id int NOT NULL,
  qty int NOT NULL,
  unit_price_cents int NOT NULL,
  note text
);

CREATE TABLE reservations (
  id serial PRIMARY KEY,
  restaurant_id int NOT NULL,
  table_id int NOT NULL,
  customer_id int NOT NULL,
  party_size int NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status text NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reviews (
  id serial PRIMARY KEY,
  restaurant_id int NOT NULL,
  customer_id int NOT NULL,
  rating int NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payments (
  id serial PRIMARY KEY,
  order_id int NOT NULL REFERENCES orders(id),
  customer_id int NOT NULL,
  amount_cents int NOT NULL,
  points int NOT NULL,
  authorization_code text NOT NULL,
  invoice_no text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_order_idx ON payments (order_id);
`;

const LOAD = [
  `INSERT INTO restaurants (name, city, cuisine, opens_at, closes_at, delivery_radius_km)
   SELECT (ARRAY['Trattoria','Brasserie','Kitchen','Cantina','Izakaya'])[1 + i % 5] || ' ' || (ARRAY['Verde','Lumen','Harbor','Olive','Ember','Saffron','Juniper','Copper','Basil','Marlow'])[1 + i % 10] || ' ' || i,
          (ARRAY['Lyon','Porto','Turin','Ghent','Bilbao'])[1 + i % 5],
          (ARRAY['italian','french','modern','mexican','japanese'])[1 + i % 5],
          time '11:30', time '23:00', 3 + (i % 5)
   FROM generate_series(1, ${SEED.restaurants}) i`,
  `INSERT INTO menu_items (restaurant_id, menu_number, section, name, description, price_cents, available, allergens)
   SELECT r, n, (ARRAY['starters','mains','mains','desserts','drinks'])[1 + n % 5],
          (ARRAY['Risotto','Burrata','Tartare','Gnocchi','Ramen','Taco','Soup','Salad','Steak','Tart'])[1 + (n * 7 + r) % 10] || ' no. ' || n,
          repeat('Seasonal produce, slow cooked, finished with herbs from our garden. ', 1 + n % 3),
          500 + ((r * 60 + n) * 37) % 2500, n <= 58,
          (ARRAY['', 'gluten', 'nuts', 'dairy', 'gluten,dairy'])[1 + n % 5]
   FROM generate_series(1, ${SEED.restaurants}) r, generate_series(1, ${SEED.itemsPerRestaurant}) n
   ORDER BY r, n`,
  `INSERT INTO modifiers (menu_item_id, name, price_cents)
   SELECT m.id, (ARRAY['extra cheese','no onions','large','gluten-free base','side salad','spicy'])[1 + (m.id + k) % 6], 50 * ((m.id + k) % 5)
   FROM menu_items m, generate_series(1, 3) k ORDER BY m.id, k`,
  `INSERT INTO dining_tables (restaurant_id, number, seats, area)
   SELECT r, n, 2 + 2 * (n % 3), (ARRAY['window','main','terrace','bar'])[1 + n % 4]
   FROM generate_series(1, ${SEED.restaurants}) r, generate_series(1, ${SEED.tablesPerRestaurant}) n ORDER BY r, n`,
  `INSERT INTO customers (email, full_name, phone, loyalty_points, tier, marketing_opt_in, created_at)
   SELECT 'guest' || i || '@' || (ARRAY['mail.test','inbox.test','post.test'])[1 + i % 3],
          (ARRAY['Ana','Luc','Mia','Noah','Ines','Theo','Lea','Omar','Sara','Jonas'])[1 + i % 10] || ' ' || (ARRAY['Martin','Rossi','Silva','Dubois','Peeters','Garcia','Moreau','Costa'])[1 + (i / 10) % 8],
          '+33 6 ' || lpad((i * 7919 % 100000000)::text, 8, '0'),
          0, 'bronze', i % 4 = 0, timestamptz '2023-01-01' + (i * 157) * interval '1 second'
   FROM generate_series(1, ${SEED.customers}) i`,
  // Order i: restaurant 1 + (i*7) % 20; 70 % of orders come from the 5,000 regulars. Lines first, totals from them.
  `INSERT INTO order_lines (order_id, menu_item_id, qty, unit_price_cents, note)
   SELECT i, mi.id, 1 + (i + j) % 3, mi.price_cents, CASE WHEN (i + j) % 9 = 0 THEN 'no onions please' END
   FROM generate_series(1, ${SEED.orders}) i
   CROSS JOIN LATERAL generate_series(1, 1 + i % 4) j
   JOIN menu_items mi ON mi.restaurant_id = 1 + (i * 7) % ${SEED.restaurants} AND mi.menu_number = 1 + (i * 13 + j * 17) % ${SEED.itemsPerRestaurant}
   ORDER BY i, j`,
  `INSERT INTO orders (restaurant_id, customer_id, kind, status, table_number, delivery_address, delivery_fee_cents, total_cents, created_at)
   SELECT 1 + (i * 7) % ${SEED.restaurants},
          CASE WHEN i % 10 < 7 THEN 1 + (i::bigint * 7919) % 5000 ELSE 1 + (i::bigint * 104729) % ${SEED.customers} END,
          CASE WHEN i % 3 = 0 THEN 'delivery' ELSE 'dine_in' END,
          CASE WHEN i > ${SEED.orders - 400} THEN (ARRAY['received','cooking'])[1 + i % 2] ELSE 'served' END,
          CASE WHEN i % 3 <> 0 THEN 1 + i % ${SEED.tablesPerRestaurant} END,
          CASE WHEN i % 3 = 0 THEN (i % 400) || ' rue des Tilleuls' END,
          CASE WHEN i % 3 = 0 THEN 390 ELSE 0 END,
          coalesce(t.total, 0) + CASE WHEN i % 3 = 0 THEN 390 ELSE 0 END,
          timestamptz '2025-01-01 11:30' + (i::bigint * 105) * interval '1 second'
   FROM generate_series(1, ${SEED.orders}) i
   LEFT JOIN (SELECT order_id, sum(qty * unit_price_cents) AS total FROM order_lines GROUP BY order_id) t ON t.order_id = i
   ORDER BY i`,
  `UPDATE customers c SET loyalty_points = p.points, tier = CASE WHEN p.points > 4000 THEN 'gold' WHEN p.points > 1000 THEN 'silver' ELSE 'bronze' END
   FROM (SELECT customer_id, sum(total_cents) / 100 AS points FROM orders GROUP BY customer_id) p WHERE p.customer_id = c.id`,
  `INSERT INTO reservations (restaurant_id, table_id, customer_id, party_size, starts_at, ends_at, status, note, created_at)
   SELECT r, (r - 1) * ${SEED.tablesPerRestaurant} + 1 + (i * 7) % ${SEED.tablesPerRestaurant}, 1 + (i * 31) % ${SEED.customers}, 2 + i % 5,
          s, s + interval '2 hours', CASE WHEN i % 11 = 0 THEN 'cancelled' WHEN s < timestamptz '2025-12-01' THEN 'seated' ELSE 'booked' END,
          CASE WHEN i % 13 = 0 THEN 'birthday' END, s - interval '9 days'
   FROM (SELECT i, 1 + i % ${SEED.restaurants} AS r,
                timestamptz '2025-01-01 12:00' + ((i / ${SEED.restaurants}) % 365) * interval '1 day' + ((i * 3) % 20) * interval '30 minutes' AS s
         FROM generate_series(1, ${SEED.reservations}) i) g
   ORDER BY i`,
  `INSERT INTO reviews (restaurant_id, customer_id, rating, body, created_at)
   SELECT 1 + (i * 3) % ${SEED.restaurants}, 1 + (i * 7919) % ${SEED.customers}, 1 + (i * 7) % 5,
          (ARRAY['Lovely evening, the staff were attentive and the food arrived hot.',
                 'Good value for money. The dessert was the highlight, mains were a bit salty.',
                 'Delivery took longer than quoted but everything was well packed.',
                 'We celebrated a birthday here; they brought a candle without us asking. Will be back.'])[1 + i % 4],
          timestamptz '2024-01-01' + (i::bigint * 300) * interval '1 second'
   FROM generate_series(1, ${SEED.reviews}) i`,
];

const INDEXES = `
ALTER TABLE orders ADD CONSTRAINT orders_restaurant_fk FOREIGN KEY (restaurant_id) REFERENCES restaurants(id);
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers(id);
ALTER TABLE order_lines ADD CONSTRAINT order_lines_order_fk FOREIGN KEY (order_id) REFERENCES orders(id);
ALTER TABLE order_lines ADD CONSTRAINT order_lines_item_fk FOREIGN KEY (menu_item_id) REFERENCES menu_items(id);
CREATE UNIQUE INDEX customers_email_key ON customers (email);
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at DESC);
CREATE INDEX orders_restaurant_created_idx ON orders (restaurant_id, created_at);
CREATE INDEX orders_open_idx ON orders (restaurant_id) WHERE status IN ('received', 'cooking', 'ready');
CREATE INDEX order_lines_order_idx ON order_lines (order_id);
CREATE INDEX reservations_restaurant_starts_idx ON reservations (restaurant_id, starts_at);
CREATE INDEX reservations_table_ends_idx ON reservations (table_id, ends_at);
CREATE INDEX reservations_customer_idx ON reservations (customer_id);
CREATE INDEX reviews_restaurant_created_idx ON reviews (restaurant_id, created_at DESC);
CREATE INDEX reviews_customer_idx ON reviews (customer_id);
`;

async function withClient<T>(pgUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'bistro-migrate' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Create the schema and load the seed (about 20–40 s on 2 cores); ends with VACUUM ANALYZE. */
export async function seedBistro(pgUrl: string): Promise<void> {
  await withClient(pgUrl, async (c) => {
    await c.query('SET maintenance_work_mem = \'128MB\'');
    await c.query('SET work_mem = \'64MB\'');
    await c.query(DDL);
    for (const sql of LOAD) await c.query(sql);
    await c.query(INDEXES);
    await c.query('VACUUM ANALYZE');
  });
}

/**
 * The deploy's migration for a build: undo writes of earlier runs (new
 * orders, payments, reservations, reviews, kitchen bumps), then bring the
 * reservations index and the reviews CHECK constraint to the build's state.
 */
export async function migrateBistro(pgUrl: string, fault: BistroFault | null): Promise<void> {
  await withClient(pgUrl, async (c) => {
    await c.query('BEGIN');
    await c.query(`UPDATE customers c SET loyalty_points = c.loyalty_points - p.points
                   FROM (SELECT customer_id, sum(points) AS points FROM payments GROUP BY customer_id) p WHERE p.customer_id = c.id`);
    await c.query('DELETE FROM payments');
    await c.query('UPDATE orders SET paid_at = NULL WHERE paid_at IS NOT NULL');
    await c.query(`DELETE FROM order_lines WHERE order_id > ${SEED.orders}`);
    await c.query(`DELETE FROM orders WHERE id > ${SEED.orders}`);
    await c.query(`UPDATE orders SET status = (ARRAY['received','cooking'])[1 + id % 2] WHERE id > ${SEED.orders - 400} AND status <> (ARRAY['received','cooking'])[1 + id % 2]`);
    await c.query(`DELETE FROM reservations WHERE id > ${SEED.reservations}`);
    await c.query(`DELETE FROM reviews WHERE id > ${SEED.reviews}`);
    await c.query('COMMIT');
    if (fault === 'reservations-index-dropped') await c.query('DROP INDEX IF EXISTS reservations_restaurant_starts_idx');
    else await c.query('CREATE INDEX IF NOT EXISTS reservations_restaurant_starts_idx ON reservations (restaurant_id, starts_at)');
    await c.query('ALTER TABLE reviews DROP CONSTRAINT IF EXISTS reviews_body_length_check');
    if (fault === 'review-body-check-constraint') await c.query('ALTER TABLE reviews ADD CONSTRAINT reviews_body_length_check CHECK (char_length(body) <= 280) NOT VALID');
    await c.query('ANALYZE reservations, reviews, orders, payments');
  });
}
