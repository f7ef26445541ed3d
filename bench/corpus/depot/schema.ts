/**
 * The depot's schema, seed data and deploy migration.
 *
 * Volumes: 12 warehouses, 20,000 SKUs, 240,000 stock rows (every SKU in every
 * warehouse, with its bin), 400,000 fulfilment orders over two years from
 * 50,000 customers and ~1,000,000 order lines. Orders 1-60,000 were imported
 * from the previous system and have no promised ship date; the newest 40,000
 * (360,001-400,000) are still open or being picked, everything older has
 * shipped (or was cancelled). Generated inside PostgreSQL with
 * generate_series and a fixed random seed.
 *
 * Secondary indexes are created by {@link migrateDepot}, which every start
 * runs as a deploy would: a missing-index fault is a deploy whose migration
 * lacks an index (and a later healthy start puts it back).
 *
 * @module
 */
import pg from 'pg';
import type { DepotFault } from './faults.js';

/** Secondary indexes of the deploy migration, by name. */
export const INDEXES = {
  orders_customer_created_idx: 'orders (customer_ref, created_at)',
  orders_backlog_idx: 'orders (warehouse_id, status, ship_by)',
  orders_warehouse_idx: 'orders (warehouse_id)',
  order_lines_order_idx: 'order_lines (order_id)',
  order_lines_sku_idx: 'order_lines (sku_id)',
} as const;

/** Row counts of the seed. */
export const SEED = { warehouses: 12, skus: 20_000, customers: 50_000, orders: 400_000, legacyOrders: 60_000, openFrom: 360_001 } as const;

const WORDS = ['Steel', 'Oak', 'Cotton', 'Nylon', 'Ceramic', 'Bamboo', 'Copper', 'Linen', 'Rubber', 'Glass'];
const THINGS = ['Bracket', 'Hinge', 'Shelf', 'Crate', 'Bolt set', 'Lamp', 'Basket', 'Hose', 'Tray', 'Hook', 'Clamp', 'Bin'];
const CITIES = ['Rotterdam', 'Hamburg', 'Lyon', 'Milan', 'Poznan', 'Gothenburg', 'Leeds', 'Valencia', 'Graz', 'Brno', 'Ghent', 'Porto'];

const sqlArray = (items: readonly string[]): string => `ARRAY[${items.map((s) => `'${s}'`).join(',')}]`;

const DDL = `
DROP TABLE IF EXISTS shipments, order_lines, orders, stock, skus, warehouses, counters;
DROP SEQUENCE IF EXISTS shipment_no_seq;
CREATE TABLE warehouses (id integer PRIMARY KEY, code text NOT NULL, city text NOT NULL);
CREATE TABLE skus (
  id integer PRIMARY KEY, code text NOT NULL, name text NOT NULL, description text NOT NULL,
  category text NOT NULL, weight_g integer NOT NULL, price_cents integer NOT NULL, updated_at timestamptz NOT NULL
);
CREATE TABLE stock (
  sku_id integer NOT NULL, warehouse_id integer NOT NULL, on_hand integer NOT NULL, reserved integer NOT NULL,
  bin text NOT NULL, PRIMARY KEY (sku_id, warehouse_id)
);
CREATE TABLE orders (
  id bigserial PRIMARY KEY, customer_ref text NOT NULL, warehouse_id integer NOT NULL, status text NOT NULL,
  ship_by timestamptz, total_cents bigint NOT NULL, address text NOT NULL, created_at timestamptz NOT NULL
);
CREATE TABLE order_lines (
  id bigserial PRIMARY KEY, order_id bigint NOT NULL, sku_id integer NOT NULL, qty integer NOT NULL, price_cents integer NOT NULL
);
CREATE TABLE shipments (
  id bigserial PRIMARY KEY, order_id bigint NOT NULL, shipment_no bigint NOT NULL, tracking text, created_at timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE shipment_no_seq START 1000000;
CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);`;

const DATA = [
  `SELECT setseed(0.17)`,
  `INSERT INTO warehouses SELECT g, 'WH' || lpad(g::text, 2, '0'), (${sqlArray(CITIES)})[g] FROM generate_series(1, ${SEED.warehouses}) g`,
  `INSERT INTO skus
   SELECT g, 'SKU-' || lpad(g::text, 6, '0'),
          (${sqlArray(WORDS)})[1 + g % ${WORDS.length}] || ' ' || (${sqlArray(THINGS)})[1 + (g / ${WORDS.length}) % ${THINGS.length}] || ' ' || g,
          repeat('Durable, tested and packed flat. ', 4 + g % 5), (${sqlArray(THINGS)})[1 + g % ${THINGS.length}],
          50 + (random() * 5000)::int, 199 + (random() * 20000)::int, now() - interval '300 days' * random()
   FROM generate_series(1, ${SEED.skus}) g`,
  `INSERT INTO stock
   SELECT s, w, (random() * 400)::int + 50000, (random() * 20)::int,
          chr(65 + (s % 20)) || '-' || lpad(((s / 20) % 60)::text, 2, '0') || '-' || (s % 7)
   FROM generate_series(1, ${SEED.skus}) s CROSS JOIN generate_series(1, ${SEED.warehouses}) w`,
  // Order ids grow with time; the newest 40,000 are still open or being picked.
  `INSERT INTO orders
   SELECT g, 'C' || (1 + (random() * ${SEED.customers - 1})::int), 1 + (g % ${SEED.warehouses}),
          CASE WHEN g >= ${SEED.openFrom} THEN (CASE WHEN random() < 0.85 THEN 'open' ELSE 'picking' END)
               WHEN random() < 0.03 THEN 'cancelled' ELSE 'shipped' END,
          CASE WHEN g <= ${SEED.legacyOrders} THEN NULL ELSE at + interval '2 days' + interval '3 days' * random() END,
          0, (100 + g % 900) || ' ' || (${sqlArray(CITIES)})[1 + g % 12] || ' Street', at
   FROM generate_series(1, ${SEED.orders}) g
   CROSS JOIN LATERAL (SELECT now() - interval '730 days' + interval '730 days' * (g::float8 / ${SEED.orders}) AS at) t`,
  `SELECT setval('orders_id_seq', ${SEED.orders})`,
  `INSERT INTO order_lines (order_id, sku_id, qty, price_cents)
   SELECT o, 1 + (random() * ${SEED.skus - 1})::int, 1 + (random() * 3)::int, 199 + (random() * 20000)::int
   FROM generate_series(1, ${SEED.orders}) o CROSS JOIN LATERAL generate_series(1, 1 + (o * 7) % 4) l`,
  `UPDATE orders o SET total_cents = t.total FROM (SELECT order_id, sum(qty * price_cents) AS total FROM order_lines GROUP BY 1) t WHERE t.order_id = o.id`,
  `INSERT INTO counters VALUES ('shipment_no', 1000000)`,
];

/** Create the schema and load the data into an empty database (about 20-40 s on a busy 2-core box). */
export async function seedDepot(pgUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(DDL);
    for (const statement of DATA) await client.query(statement);
    await createIndexes(client, []);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** Indexes a fault's deploy leaves out. */
export function missingIndexes(fault: DepotFault | null): (keyof typeof INDEXES)[] {
  if (fault === 'missing-index-orders-customer') return ['orders_customer_created_idx'];
  // The backlog index was never added to this build: only the old warehouse_id index exists.
  if (fault === 'backlog-index-warehouse-only') return ['orders_backlog_idx'];
  return [];
}

async function createIndexes(client: pg.Client, omit: readonly string[]): Promise<boolean> {
  let changed = false;
  for (const [name, definition] of Object.entries(INDEXES)) {
    const exists = (await client.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [name])).rowCount === 1;
    if (omit.includes(name) && exists) {
      await client.query(`DROP INDEX ${name}`);
      changed = true;
    } else if (!omit.includes(name) && !exists) {
      await client.query(`CREATE INDEX ${name} ON ${definition}`);
      changed = true;
    }
  }
  return changed;
}

/** The deploy migration of a fault's build: every index except the ones the fault lacks. */
export async function migrateDepot(pgUrl: string, fault: DepotFault | null): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    if (await createIndexes(client, missingIndexes(fault))) await client.query('ANALYZE orders, order_lines');
  } finally {
    await client.end();
  }
}
