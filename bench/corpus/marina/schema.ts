/**
 * The marina's schema and seed (generate_series, deterministic via setseed),
 * and the per-deploy migration of a fault's world: rows written by earlier
 * runs are removed so every case starts from the seed, and the index set of
 * the build is applied.
 *
 * Volumes: 20 harbours, 2 400 berths, 40 000 owners, 50 000 boats,
 * 600 000 reservations, 400 000 invoices, 300 000 fuel orders,
 * 300 000 harbour-master notices.
 *
 * @module
 */
import pg from 'pg';
import type { MarinaFault } from './faults.js';

export const SEED = {
  harbours: 20,
  berthsPerHarbour: 120,
  berths: 2400,
  owners: 40_000,
  boats: 50_000,
  reservations: 600_000,
  invoices: 400_000,
  /** Invoices above this id are open (the recent ones). */
  firstOpenInvoice: 340_001,
  fuelOrders: 300_000,
  notices: 300_000,
} as const;

const HARBOUR_NAMES = [
  'Port Aven', 'Saltmere', 'Kerlouan', 'Gullhaven', 'Brightwater', 'Mossbank', 'Ravensport', 'Tidewell', 'Cove Hollow', 'Eastquay',
  'Larkspur Bay', 'Northhaven', 'Seabright', 'Stonepier', 'Westmarch', 'Heronsgate', 'Fairlea', 'Pebble Reach', 'Ironcliff', 'Marram Sands',
];

const SCHEMA = `
DROP TABLE IF EXISTS fuel_order_lines, dock_stock, payments, invoices, fuel_orders, reservations, notices, fuel_tanks, receipt_counters, boats, owners, berths, harbours CASCADE;

CREATE TABLE harbours (
  id integer PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  region text NOT NULL,
  latitude numeric(8,5) NOT NULL,
  longitude numeric(8,5) NOT NULL,
  max_draft_m numeric(4,2) NOT NULL,
  phone text NOT NULL,
  vhf_channel integer NOT NULL,
  opened_on date NOT NULL
);

CREATE TABLE berths (
  id integer PRIMARY KEY,
  harbour_id integer NOT NULL REFERENCES harbours(id),
  code text NOT NULL,
  pontoon text NOT NULL,
  length_m numeric(5,2) NOT NULL,
  width_m numeric(4,2) NOT NULL,
  depth_m numeric(4,2) NOT NULL,
  daily_rate_cents integer NOT NULL,
  has_power boolean NOT NULL,
  has_water boolean NOT NULL,
  status text NOT NULL
);

CREATE TABLE owners (
  id integer PRIMARY KEY,
  full_name text NOT NULL,
  email text NOT NULL,
  phone text NOT NULL,
  country text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE boats (
  id integer PRIMARY KEY,
  owner_id integer NOT NULL REFERENCES owners(id),
  name text NOT NULL,
  registration text NOT NULL,
  kind text NOT NULL,
  length_m numeric(5,2) NOT NULL,
  beam_m numeric(4,2) NOT NULL,
  draft_m numeric(4,2) NOT NULL,
  insurance jsonb,
  created_at timestamptz NOT NULL
);

CREATE TABLE reservations (
  id bigserial PRIMARY KEY,
  berth_id integer NOT NULL REFERENCES berths(id),
  boat_id integer NOT NULL REFERENCES boats(id),
  owner_id integer NOT NULL REFERENCES owners(id),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  status text NOT NULL,
  total_cents integer NOT NULL,
  notes text,
  created_at timestamptz NOT NULL
);

CREATE TABLE invoices (
  id bigserial PRIMARY KEY,
  number text NOT NULL,
  owner_id integer NOT NULL REFERENCES owners(id),
  reservation_id bigint,
  harbour_id integer NOT NULL,
  amount_cents integer NOT NULL,
  nights integer NOT NULL,
  length_m numeric(5,2) NOT NULL,
  status text NOT NULL,
  issued_at timestamptz NOT NULL,
  due_on date NOT NULL,
  paid_at timestamptz
);

CREATE TABLE payments (
  id bigserial PRIMARY KEY,
  invoice_id bigint NOT NULL,
  amount_cents integer NOT NULL,
  provider_ref text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fuel_orders (
  id bigserial PRIMARY KEY,
  receipt_no bigint NOT NULL,
  boat_id integer NOT NULL,
  harbour_id integer NOT NULL,
  fuel_type text NOT NULL,
  litres numeric(7,1) NOT NULL,
  price_cents integer NOT NULL,
  status text NOT NULL,
  ordered_at timestamptz NOT NULL,
  fiscal_signature text
);

CREATE TABLE fuel_tanks (
  harbour_id integer NOT NULL,
  fuel_type text NOT NULL,
  capacity_litres integer NOT NULL,
  litres_available numeric(10,1) NOT NULL,
  price_cents_per_litre integer NOT NULL,
  PRIMARY KEY (harbour_id, fuel_type)
);

CREATE TABLE fuel_order_lines (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL,
  sku text NOT NULL,
  qty numeric(7,1) NOT NULL,
  cents integer NOT NULL
);

CREATE TABLE dock_stock (
  harbour_id integer NOT NULL,
  sku text NOT NULL,
  qty_available integer NOT NULL,
  PRIMARY KEY (harbour_id, sku)
);

CREATE TABLE receipt_counters (
  company text PRIMARY KEY,
  last_no bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notices (
  id bigserial PRIMARY KEY,
  harbour_id integer,
  severity text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  published_at timestamptz NOT NULL,
  expires_at timestamptz
);
`;

const DATA = `
SELECT setseed(0.42);

INSERT INTO harbours
SELECT g, 'H' || lpad(g::text, 2, '0'), (ARRAY[${HARBOUR_NAMES.map((n) => `'${n}'`).join(',')}])[g],
       (ARRAY['North Coast','Channel','Western Isles','South Bay'])[1 + g % 4],
       47 + random() * 8, -6 + random() * 8, 2.5 + random() * 3,
       '+44 1' || lpad((g * 7919 % 100000)::text, 5, '0'), 9 + g % 70, date '1960-01-01' + (g * 733)
FROM generate_series(1, ${SEED.harbours}) g;

INSERT INTO berths
SELECT g, 1 + (g - 1) / ${SEED.berthsPerHarbour},
       chr(65 + ((g - 1) % ${SEED.berthsPerHarbour}) / 20) || '-' || lpad((1 + (g - 1) % 20)::text, 2, '0'),
       chr(65 + ((g - 1) % ${SEED.berthsPerHarbour}) / 20),
       round((6 + ((g - 1) % ${SEED.berthsPerHarbour}) / 5.0 + random())::numeric, 2),
       round((2.5 + random() * 4)::numeric, 2), round((2 + random() * 3)::numeric, 2),
       (2000 + ((g - 1) % ${SEED.berthsPerHarbour}) * 60)::int, random() < 0.85, random() < 0.9,
       CASE WHEN random() < 0.03 THEN 'maintenance' ELSE 'active' END
FROM generate_series(1, ${SEED.berths}) g;

INSERT INTO owners
SELECT g, (ARRAY['Ann','Ben','Cora','Dev','Elin','Finn','Gwen','Hal','Ines','Jon','Kai','Lena','Milo','Nora','Olaf','Pia'])[1 + g % 16] || ' ' ||
          (ARRAY['Marsh','Tide','Kerr','Bligh','Drake','Fisher','Hook','Larsen','Moss','Reed','Shore','Wells'])[1 + (g / 16) % 12],
       'owner' || g || '@example.org', '+44 7' || lpad((g::bigint * 104729 % 1000000000)::text, 9, '0'),
       (ARRAY['GB','FR','NL','IE','DE','BE'])[1 + g % 6], now() - (random() * 3000 || ' days')::interval
FROM generate_series(1, ${SEED.owners}) g;

INSERT INTO boats
SELECT g, 1 + (g - 1) % ${SEED.owners},
       (ARRAY['Sea','Salt','Wind','Blue','Storm','Silver','Morning','Wild','Lucky','Golden'])[1 + g % 10] || ' ' ||
       (ARRAY['Spirit','Dancer','Runner','Star','Gull','Tern','Dream','Breeze','Wave','Pearl','Rover'])[1 + (g / 10) % 11],
       'MR-' || lpad(g::text, 6, '0'),
       (ARRAY['sail','motor','sail','catamaran','motor','rib'])[1 + g % 6],
       round((5 + power(random(), 1.6) * 20)::numeric, 2), round((2 + random() * 3)::numeric, 2), round((0.5 + random() * 2)::numeric, 2),
       CASE WHEN g % 9 IN (0, 4) THEN NULL
            ELSE jsonb_build_object('provider', (ARRAY['Neptune Mutual','Harbour Cover','Blue Anchor'])[1 + g % 3],
                                    'policy', 'P' || (g * 7 + 100000), 'expiresOn', (current_date - 200 + (g * 37 % 700))::text) END,
       now() - (random() * 2500 || ' days')::interval
FROM generate_series(1, ${SEED.boats}) g;

INSERT INTO reservations (id, berth_id, boat_id, owner_id, starts_on, ends_on, status, total_cents, notes, created_at)
SELECT s.g, s.berth_id, s.boat_id, 1 + (s.boat_id - 1) % ${SEED.owners}, s.starts_on, s.starts_on + s.nights,
       CASE WHEN s.r < 0.05 THEN 'cancelled' WHEN s.starts_on + s.nights <= current_date THEN 'completed' ELSE 'confirmed' END,
       s.nights * (2000 + ((s.berth_id - 1) % ${SEED.berthsPerHarbour}) * 60),
       CASE WHEN s.r > 0.9 THEN 'arrives late, call VHF on approach' END,
       (s.starts_on - (1 + (s.r * 60)::int))::timestamptz
FROM (
  SELECT g, 1 + floor(random() * ${SEED.berths})::int AS berth_id, 1 + floor(random() * ${SEED.boats})::int AS boat_id,
         current_date - 1200 + floor(random() * 1500)::int AS starts_on, 1 + floor(random() * 6)::int AS nights, random() AS r
  FROM generate_series(1, ${SEED.reservations}) g
) s;

INSERT INTO invoices (id, number, owner_id, reservation_id, harbour_id, amount_cents, nights, length_m, status, issued_at, due_on, paid_at)
SELECT r.id, 'INV-' || lpad(r.id::text, 8, '0'), r.owner_id, r.id, b.harbour_id, r.total_cents, r.ends_on - r.starts_on, b.length_m,
       CASE WHEN r.id >= ${SEED.firstOpenInvoice} THEN 'open' ELSE 'paid' END,
       r.created_at, (r.created_at + interval '30 days')::date,
       CASE WHEN r.id >= ${SEED.firstOpenInvoice} THEN NULL ELSE r.created_at + interval '5 days' END
FROM reservations r JOIN berths b ON b.id = r.berth_id
WHERE r.id <= ${SEED.invoices};

INSERT INTO fuel_orders (id, receipt_no, boat_id, harbour_id, fuel_type, litres, price_cents, status, ordered_at)
SELECT g, g, 1 + floor(random() * ${SEED.boats})::int, 1 + floor(random() * ${SEED.harbours})::int,
       CASE WHEN random() < 0.7 THEN 'diesel' ELSE 'petrol' END, round((20 + random() * 400)::numeric, 1),
       (3000 + random() * 60000)::int, 'delivered', now() - (random() * 1100 || ' days')::interval
FROM generate_series(1, ${SEED.fuelOrders}) g;

INSERT INTO fuel_tanks
SELECT h, t, 40000, 40000, CASE WHEN t = 'diesel' THEN 168 ELSE 185 END
FROM generate_series(1, ${SEED.harbours}) h, unnest(ARRAY['diesel','petrol']) t;

INSERT INTO dock_stock
SELECT h, sku, 1000000 FROM generate_series(1, ${SEED.harbours}) h, unnest(ARRAY['ice-bag','engine-oil-1l','pump-out','fresh-water-100l','gas-bottle']) sku;

INSERT INTO receipt_counters (company, last_no) VALUES ('marina-group', ${SEED.fuelOrders});

INSERT INTO notices (id, harbour_id, severity, title, body, published_at, expires_at)
SELECT g, CASE WHEN s.r < 0.002 THEN NULL ELSE 1 + (g % ${SEED.harbours}) END,
       (ARRAY['info','info','info','tide','tide','weather','weather','works','closure','storm'])[1 + floor(s.r2 * 10)::int],
       (ARRAY['Tide bulletin','Gale warning','Pontoon works','Fuel dock hours','Dredging notice','Regatta traffic','Lock gate schedule','Water supply'])[1 + g % 8] || ' #' || g,
       'Harbour-master notice ' || g || ': ' || repeat('vessels approaching the outer mark keep to the buoyed channel; ', 1 + g % 3),
       s.published_at,
       CASE WHEN s.r < 0.3 THEN NULL ELSE s.published_at + ((1 + floor(s.r2 * 14)) || ' days')::interval END
FROM (SELECT g, random() AS r, random() AS r2, now() - (random() * 1100 || ' days')::interval AS published_at
      FROM generate_series(1, ${SEED.notices}) g) s;
`;

const INDEXES = `
CREATE INDEX berths_harbour_length_idx ON berths (harbour_id, length_m);
CREATE INDEX boats_owner_idx ON boats (owner_id);
CREATE INDEX reservations_berth_starts_idx ON reservations (berth_id, starts_on);
CREATE INDEX reservations_owner_starts_idx ON reservations (owner_id, starts_on);
CREATE INDEX reservations_starts_idx ON reservations (starts_on);
CREATE INDEX invoices_owner_issued_idx ON invoices (owner_id, issued_at);
CREATE INDEX invoices_reservation_idx ON invoices (reservation_id);
CREATE INDEX payments_invoice_idx ON payments (invoice_id);
CREATE INDEX fuel_orders_boat_idx ON fuel_orders (boat_id, ordered_at);
CREATE INDEX fuel_order_lines_order_idx ON fuel_order_lines (order_id);
CREATE INDEX fuel_orders_harbour_idx ON fuel_orders (harbour_id, ordered_at);
CREATE INDEX notices_harbour_published_idx ON notices (harbour_id, published_at);
SELECT setval('reservations_id_seq', ${SEED.reservations});
SELECT setval('invoices_id_seq', ${SEED.invoices});
SELECT setval('fuel_orders_id_seq', ${SEED.fuelOrders});
SELECT setval('notices_id_seq', ${SEED.notices});
`;

async function withClient<T>(pgUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'marina-migrate' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Create the schema and load the seed into an empty database. */
export async function seedMarina(pgUrl: string): Promise<void> {
  await withClient(pgUrl, async (c) => {
    await c.query('SET maintenance_work_mem = \'128MB\'');
    await c.query(SCHEMA);
    await c.query(DATA);
    await c.query(INDEXES);
    await c.query('VACUUM ANALYZE');
  });
}

/**
 * The deploy's migration: back to the seed's rows (drop what earlier runs
 * wrote, reopen paid invoices, reset counters and tanks) and the index set of
 * the build (`owner-reservations-index-dropped` ships without
 * reservations(owner_id, starts_on)).
 */
export async function migrateMarina(pgUrl: string, fault: MarinaFault | null): Promise<void> {
  await withClient(pgUrl, async (c) => {
    await c.query(`
      ALTER TABLE fuel_orders ADD COLUMN IF NOT EXISTS fiscal_signature text;
      DELETE FROM reservations WHERE id > ${SEED.reservations};
      DELETE FROM invoices WHERE id > ${SEED.invoices};
      DELETE FROM fuel_orders WHERE id > ${SEED.fuelOrders};
      TRUNCATE fuel_order_lines;
      UPDATE dock_stock SET qty_available = 1000000;
      UPDATE invoices SET status = 'open', paid_at = NULL WHERE id IN (SELECT invoice_id FROM payments) AND id >= ${SEED.firstOpenInvoice};
      TRUNCATE payments;
      UPDATE receipt_counters SET last_no = ${SEED.fuelOrders}, updated_at = now();
      UPDATE fuel_tanks SET litres_available = capacity_litres;
      SELECT setval('reservations_id_seq', ${SEED.reservations});
      SELECT setval('invoices_id_seq', ${SEED.invoices});
      SELECT setval('fuel_orders_id_seq', ${SEED.fuelOrders});
    `);
    const { rows } = await c.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'reservations_owner_starts_idx'`);
    const present = rows.length > 0;
    if (fault === 'owner-reservations-index-dropped' && present) {
      await c.query('DROP INDEX reservations_owner_starts_idx');
    } else if (fault !== 'owner-reservations-index-dropped' && !present) {
      await c.query('CREATE INDEX reservations_owner_starts_idx ON reservations (owner_id, starts_on)');
    }
    await c.query('VACUUM ANALYZE reservations, invoices, fuel_orders, fuel_order_lines, dock_stock, payments, receipt_counters, fuel_tanks');
  });
}
