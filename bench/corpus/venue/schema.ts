/**
 * The venue's schema, seed data and deploy migration.
 *
 * Volumes: 40 venues in 12 cities (venues 1-4 are 12,000-seat arenas, the
 * others 1,000-4,000 seats; ~138,000 seats), 4,000 events (1-400 upcoming and
 * on sale, 401-4,000 past), 40,000 customers, 350,000 orders over two years
 * (12 % guest checkouts without a customer) and ~875,000 tickets (1-4 per
 * order, codes `TK10000001`…). Generated inside PostgreSQL with
 * generate_series and a fixed random seed.
 *
 * Secondary indexes are created by {@link migrateVenue}, which every start
 * runs as a deploy would: a missing-index fault is a deploy whose migration
 * lacks an index (and a later healthy start puts it back).
 *
 * @module
 */
import pg from 'pg';
import type { VenueFault } from './faults.js';

/** Secondary indexes of the deploy migration: name → the statement's tail after `CREATE [UNIQUE] INDEX name ON`. */
export const INDEXES = {
  orders_customer_created_idx: { unique: false, on: 'orders (customer_id, created_at)' },
  orders_event_idx: { unique: false, on: 'orders (event_id)' },
  tickets_order_idx: { unique: false, on: 'tickets (order_id)' },
  tickets_event_seat_idx: { unique: false, on: 'tickets (event_id, seat_id)' },
  tickets_code_key: { unique: true, on: 'tickets (code)' },
  seats_venue_idx: { unique: false, on: 'seats (venue_id, id)' },
  holds_event_seat_idx: { unique: false, on: 'holds (event_id, seat_id)' },
  holds_event_customer_idx: { unique: false, on: 'holds (event_id, customer_id)' },
} as const;

/** Row counts and id ranges of the seed (the mixes draw from them). */
export const SEED = {
  venues: 40, arenas: 4, arenaSeats: 12_000, events: 4_000, upcoming: 400, customers: 40_000, orders: 350_000,
  /** Ticket codes are 'TK' || (10,000,000 + id). */
  ticketCodeBase: 10_000_000,
} as const;

const CITIES = ['Amsterdam', 'Antwerp', 'Berlin', 'Bologna', 'Cork', 'Krakow', 'Lisbon', 'Lyon', 'Malmo', 'Munich', 'Seville', 'Vienna'];
const ACTS = ['The Night Owls', 'Paper Lanterns', 'Orchestra Nova', 'Brass Republic', 'Luna Park', 'Static Bloom', 'The Cartographers', 'Velvet Engine', 'Copper Tide', 'Northern Choir'];
const KINDS = ['Live', 'Tour', 'Unplugged', 'Festival Night', 'Gala', 'Matinee'];

const sqlArray = (items: readonly string[]): string => `ARRAY[${items.map((s) => `'${s}'`).join(',')}]`;

const DDL = `
DROP TABLE IF EXISTS holds, tickets, orders, customers, events, seats, venues;
CREATE TABLE venues (id integer PRIMARY KEY, name text NOT NULL, city text NOT NULL, capacity integer NOT NULL, first_seat_id integer);
CREATE TABLE seats (
  id integer PRIMARY KEY, venue_id integer NOT NULL, section text NOT NULL, row_label text NOT NULL, number integer NOT NULL, tier smallint NOT NULL
);
CREATE TABLE events (
  id integer PRIMARY KEY, venue_id integer NOT NULL, title text NOT NULL, description text NOT NULL, city text NOT NULL,
  starts_at timestamptz NOT NULL, status text NOT NULL, capacity integer NOT NULL, sold integer NOT NULL DEFAULT 0,
  held integer NOT NULL DEFAULT 0, price_tiers jsonb NOT NULL, updated_at timestamptz NOT NULL
);
CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE orders (
  id serial PRIMARY KEY, customer_id integer, guest_email text, event_id integer NOT NULL, status text NOT NULL,
  ticket_count integer NOT NULL, total_cents integer NOT NULL, payment_ref text, created_at timestamptz NOT NULL
);
CREATE TABLE tickets (
  id serial PRIMARY KEY, order_id integer NOT NULL, event_id integer NOT NULL, seat_id integer, code text NOT NULL,
  tier smallint NOT NULL, price_cents integer NOT NULL, holder_name text NOT NULL, issued_at timestamptz NOT NULL, scanned_at timestamptz
);
CREATE TABLE holds (
  id serial PRIMARY KEY, event_id integer NOT NULL, seat_id integer NOT NULL, customer_id integer NOT NULL,
  expires_at timestamptz NOT NULL, created_at timestamptz NOT NULL DEFAULT now()
);`;

const DATA = [
  `SELECT setseed(0.29)`,
  `INSERT INTO venues (id, name, city, capacity)
   SELECT v, CASE WHEN v <= ${SEED.arenas} THEN 'Arena ' ELSE 'Hall ' END || v, (${sqlArray(CITIES)})[1 + v % ${CITIES.length}],
          CASE WHEN v <= ${SEED.arenas} THEN ${SEED.arenaSeats} ELSE 1000 + (v * 997) % 3000 END
   FROM generate_series(1, ${SEED.venues}) v`,
  // Seats of a venue have consecutive ids; sections of 1,000 seats, rows of 25.
  `INSERT INTO seats
   SELECT row_number() OVER (ORDER BY v.id, k), v.id, chr(65 + k / 1000), ((k % 1000) / 25 + 1)::text, k % 25 + 1, 1 + (k / 1000) % 4
   FROM venues v CROSS JOIN LATERAL generate_series(0, v.capacity - 1) k`,
  `UPDATE venues v SET first_seat_id = s.first FROM (SELECT venue_id, min(id) AS first FROM seats GROUP BY 1) s WHERE s.venue_id = v.id`,
  // Events 1-400 are upcoming and on sale (event 1 at arena 1 is the big on-sale); the rest are past.
  `INSERT INTO events
   SELECT e, v.id, (${sqlArray(ACTS)})[1 + e % ${ACTS.length}] || ' ' || (${sqlArray(KINDS)})[1 + (e / 10) % ${KINDS.length}] || ' #' || e,
          repeat('An evening to remember, doors open one hour before the show. ', 3 + e % 4), v.city,
          CASE WHEN e <= ${SEED.upcoming} THEN now() + interval '11 hours' * e ELSE now() - interval '4 hours' * (e - ${SEED.upcoming}) END,
          CASE WHEN e <= ${SEED.upcoming} THEN 'on_sale' ELSE 'past' END, v.capacity, 0, 0,
          jsonb_build_array(
            jsonb_build_object('tier', 1, 'name', 'Front stalls', 'priceCents', 8900 + e % 50 * 100),
            jsonb_build_object('tier', 2, 'name', 'Stalls', 'priceCents', 6900 + e % 50 * 100),
            jsonb_build_object('tier', 3, 'name', 'Balcony', 'priceCents', 4900 + e % 50 * 100),
            jsonb_build_object('tier', 4, 'name', 'Upper balcony', 'priceCents', 2900 + e % 50 * 100)),
          now() - interval '30 days' * random()
   FROM generate_series(1, ${SEED.events}) e JOIN venues v ON v.id = 1 + (e - 1) % ${SEED.venues}`,
  `INSERT INTO customers
   SELECT c, 'fan' || c || '@example.org', (${sqlArray(['Ana', 'Ben', 'Chloe', 'Dario', 'Eva', 'Finn', 'Greta', 'Hugo'])})[1 + c % 8] || ' ' || (${sqlArray(['Smit', 'Rossi', 'Novak', 'Berg', 'Costa', 'Weber'])})[1 + c % 6],
          now() - interval '1000 days' * random()
   FROM generate_series(1, ${SEED.customers}) c`,
  // Order ids grow with time; 12 % are guest checkouts (no customer, an email only).
  `INSERT INTO orders
   SELECT o, CASE WHEN guest THEN NULL ELSE 1 + (random() * ${SEED.customers - 1})::int END,
          CASE WHEN guest THEN 'guest' || o || '@example.net' END,
          1 + (o::bigint * 7919) % ${SEED.events}, CASE WHEN random() < 0.02 THEN 'refunded' ELSE 'paid' END, 1 + (o * 7) % 4, 0,
          'ch_' || md5(o::text), now() - interval '730 days' + interval '730 days' * (o::float8 / ${SEED.orders})
   FROM generate_series(1, ${SEED.orders}) o CROSS JOIN LATERAL (SELECT (o::bigint * 2654435761) % 100 < 12 AS guest) g`,
  `SELECT setval('orders_id_seq', ${SEED.orders})`,
  `INSERT INTO tickets (id, order_id, event_id, seat_id, code, tier, price_cents, holder_name, issued_at)
   SELECT g.tid, o.id, o.event_id, v.first_seat_id + (o.id * 13 + g.l * 7) % v.capacity, 'TK' || (${SEED.ticketCodeBase} + g.tid),
          1 + (o.id + g.l) % 4, 2900 + (o.id % 60) * 100, 'Holder ' || o.id || '-' || g.l, o.created_at
   FROM (SELECT nextval('tickets_id_seq') AS tid, n AS oid, l FROM generate_series(1, ${SEED.orders}) n CROSS JOIN LATERAL generate_series(1, 1 + (n * 7) % 4) l) g
   JOIN orders o ON o.id = g.oid JOIN events e ON e.id = o.event_id JOIN venues v ON v.id = e.venue_id`,
  `UPDATE orders o SET total_cents = t.total FROM (SELECT order_id, sum(price_cents) AS total FROM tickets GROUP BY 1) t WHERE t.order_id = o.id`,
  `UPDATE events e SET sold = t.n FROM (SELECT event_id, count(*) AS n FROM tickets GROUP BY 1) t WHERE t.event_id = e.id`,
];

/** Create the schema and load the data into an empty database (about 15 s on a busy 2-core box). */
export async function seedVenue(pgUrl: string): Promise<void> {
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
export function missingIndexes(fault: VenueFault | null): (keyof typeof INDEXES)[] {
  if (fault === 'missing-index-orders-customer') return ['orders_customer_created_idx'];
  if (fault === 'missing-index-tickets-order') return ['tickets_order_idx'];
  return [];
}

async function createIndexes(client: pg.Client, omit: readonly string[]): Promise<boolean> {
  let changed = false;
  for (const [name, { unique, on }] of Object.entries(INDEXES)) {
    const exists = (await client.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [name])).rowCount === 1;
    if (omit.includes(name) && exists) {
      await client.query(`DROP INDEX ${name}`);
      changed = true;
    } else if (!omit.includes(name) && !exists) {
      await client.query(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${on}`);
      changed = true;
    }
  }
  return changed;
}

/** The deploy migration of a fault's build: every index except the ones the fault lacks. */
export async function migrateVenue(pgUrl: string, fault: VenueFault | null): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    if (await createIndexes(client, missingIndexes(fault))) await client.query('ANALYZE orders, tickets');
  } finally {
    await client.end();
  }
}
