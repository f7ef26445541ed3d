/**
 * The bikeshare's schema and seed (deterministic: setseed + generate_series),
 * and the per-deploy migration that puts the database into a fault's state
 * and resets the live fleet (docks, bikes, active trips) to the seeded one,
 * so every case starts from the same world.
 *
 * Sizes: 1,200 stations in 8 districts, ~33,000 docks, 26,000 bikes (45 %
 * e-bikes), 200,000 riders with memberships, 405,000 trips (5,000 active),
 * 400,000 payments, 100,000 passes, 500,000 notifications, 60,000
 * maintenance tickets, 2,000 reservations.
 *
 * Riders 1..20,000 are the frequent commuters (three quarters of the trips,
 * half of the payments and notifications belong to them): they are the app's
 * active users in the request mix. Time columns grow with the id (rows were
 * inserted as they happened), over the last 365 days.
 *
 * @module
 */
import pg from 'pg';
import type { BikeshareFault } from './faults.js';

export const DISTRICTS = ['downtown', 'riverside', 'university', 'harbor', 'old-town', 'midtown', 'northside', 'eastgate'] as const;

/** Highest ids of the seed; rows above them are created by traffic and removed by the migration. */
export const SEED_MAX = {
  trips: 405_000,
  completedTrips: 400_000,
  payments: 400_000,
  passes: 100_000,
  notifications: 500_000,
  tickets: 60_000,
} as const;

/** Active trips (returnable) are 400,001..405,000, ridden by riders 180,001..185,000 on bikes 20,001..25,000. */
export const ACTIVE_TRIPS = { first: 400_001, last: 405_000 } as const;

const DISTRICT_ARRAY = `ARRAY[${DISTRICTS.map((d) => `'${d}'`).join(',')}]`;

const SCHEMA = `
DROP TABLE IF EXISTS reservations, notifications, maintenance_tickets, payments, passes, campaigns, trips, memberships, riders, docks, bikes, stations CASCADE;

CREATE TABLE stations (
  id integer PRIMARY KEY,
  name text NOT NULL,
  district text NOT NULL,
  address text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  capacity integer NOT NULL,
  status text NOT NULL DEFAULT 'active',
  opened_on date NOT NULL
);

CREATE TABLE bikes (
  id integer PRIMARY KEY,
  serial text NOT NULL UNIQUE,
  kind text NOT NULL,
  status text NOT NULL,
  station_id integer REFERENCES stations(id),
  telemetry jsonb,
  odometer_km integer NOT NULL,
  commissioned_on date NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE docks (
  id serial PRIMARY KEY,
  station_id integer NOT NULL REFERENCES stations(id),
  slot integer NOT NULL,
  bike_id integer,
  status text NOT NULL DEFAULT 'ok',
  UNIQUE (station_id, slot)
);

CREATE TABLE riders (
  id integer PRIMARY KEY,
  email text NOT NULL UNIQUE,
  full_name text NOT NULL,
  phone text NOT NULL,
  home_district text NOT NULL,
  locale text NOT NULL,
  marketing_opt_in boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL
);

CREATE TABLE memberships (
  id integer PRIMARY KEY,
  rider_id integer NOT NULL UNIQUE REFERENCES riders(id),
  plan text NOT NULL,
  status text NOT NULL,
  started_at timestamptz NOT NULL,
  renews_at timestamptz
);

CREATE TABLE trips (
  id bigserial PRIMARY KEY,
  rider_id integer NOT NULL,
  bike_id integer NOT NULL,
  start_station_id integer NOT NULL,
  end_station_id integer,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  duration_s integer,
  distance_m integer,
  fare_cents integer,
  status text NOT NULL
);

CREATE TABLE campaigns (
  id integer PRIMARY KEY,
  city text NOT NULL,
  code text NOT NULL,
  discount_pct integer NOT NULL,
  redeemed integer NOT NULL DEFAULT 0,
  cap integer NOT NULL,
  active boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE passes (
  id bigserial PRIMARY KEY,
  rider_id integer NOT NULL,
  kind text NOT NULL,
  price_cents integer NOT NULL,
  discount_cents integer NOT NULL DEFAULT 0,
  campaign_id integer,
  purchased_at timestamptz NOT NULL,
  valid_until timestamptz NOT NULL
);

CREATE TABLE payments (
  id bigserial PRIMARY KEY,
  rider_id integer NOT NULL,
  trip_id bigint,
  pass_id bigint,
  kind text NOT NULL,
  amount_cents integer NOT NULL,
  currency text NOT NULL DEFAULT 'USD',
  status text NOT NULL,
  gateway_ref text NOT NULL,
  card_last4 text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE maintenance_tickets (
  id bigserial PRIMARY KEY,
  bike_id integer,
  station_id integer,
  rider_id integer,
  category text NOT NULL,
  description text NOT NULL,
  status text NOT NULL,
  opened_at timestamptz NOT NULL,
  closed_at timestamptz
);

CREATE TABLE notifications (
  id bigserial PRIMARY KEY,
  rider_id integer NOT NULL,
  channel text NOT NULL,
  kind text NOT NULL,
  variant integer NOT NULL,
  params jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz
);

CREATE TABLE reservations (
  id serial PRIMARY KEY,
  rider_id integer NOT NULL,
  station_id integer NOT NULL,
  created_at timestamptz NOT NULL
);
`;

const DATA = `
SELECT setseed(0.2026);

INSERT INTO stations (id, name, district, address, lat, lon, capacity, status, opened_on)
SELECT i,
       (ARRAY['Lake','Wells','Clark','Halsted','Damen','Ashland','Western','Racine','Morgan','Canal'])[1 + i % 10] || ' & ' ||
       (ARRAY['Division','Chicago Ave','Grand','Madison','Harrison','Roosevelt','Cermak','Fullerton','Belmont','Irving Park','Montrose'])[1 + (i / 10) % 11] || ' #' || i,
       (${DISTRICT_ARRAY})[1 + least(1, floor((lat - 41.82) / 0.08)::int) * 4 + least(3, floor((lon + 87.76) / 0.04)::int)],
       (100 + (i * 37) % 4900) || ' N ' || (ARRAY['Lake','Wells','Clark','Halsted','Damen','Ashland','Western','Racine','Morgan','Canal'])[1 + i % 10] || ' St',
       lat, lon,
       20 + (i % 4) * 5,
       'active',
       date '2015-05-01' + (i * 7) % 3500
FROM (SELECT i, 41.82 + random() * 0.16 AS lat, -87.76 + random() * 0.16 AS lon FROM generate_series(1, 1200) AS i) AS g;

INSERT INTO docks (station_id, slot, status)
SELECT s.id, g, CASE WHEN (s.id * 31 + g * 17) % 50 = 0 THEN 'broken' ELSE 'ok' END
FROM stations s CROSS JOIN LATERAL generate_series(1, s.capacity) AS g
ORDER BY s.id, g;

INSERT INTO bikes (id, serial, kind, status, station_id, telemetry, odometer_km, commissioned_on, updated_at)
SELECT i, 'BK-' || lpad(i::text, 6, '0'),
       CASE WHEN i % 20 < 9 THEN 'ebike' ELSE 'classic' END,
       'maintenance', NULL,
       CASE WHEN i % 20 < 9 THEN jsonb_build_object(
         'battery', jsonb_build_object('level', 15 + (random() * 85)::int, 'health', 70 + (random() * 30)::int, 'cycles', (random() * 900)::int),
         'firmware', 'v' || (3 + i % 3) || '.2.' || (i % 7),
         'last_ping_s', (random() * 600)::int) END,
       (random() * 9000)::int,
       date '2019-03-01' + (i % 1800),
       now()
FROM generate_series(1, 26000) AS i;

INSERT INTO riders (id, email, full_name, phone, home_district, locale, marketing_opt_in, created_at)
SELECT i, 'rider' || i || '@' || (ARRAY['mail.com','example.org','inbox.net','city.gov'])[1 + i % 4],
       (ARRAY['Ana','Ben','Chloe','Dev','Eli','Fatima','Gus','Hana','Ivan','Jia','Kofi','Lena'])[1 + i % 12] || ' ' ||
       (ARRAY['Novak','Garcia','Kim','Okafor','Smith','Rossi','Chen','Kowalski','Haddad','Silva'])[1 + (i / 12) % 10],
       '+1312' || lpad(((i * 7919) % 10000000)::text, 7, '0'),
       (${DISTRICT_ARRAY})[1 + i % 8],
       (ARRAY['en','en','en','es','pl','zh','fr','de'])[1 + (i / 3) % 8],
       i % 3 = 0,
       now() - random() * interval '2000 days'
FROM generate_series(1, 200000) AS i;

INSERT INTO memberships (id, rider_id, plan, status, started_at, renews_at)
SELECT i, i, plan, CASE WHEN plan = 'payg' THEN 'none' ELSE 'active' END,
       now() - random() * interval '700 days',
       CASE WHEN plan = 'payg' THEN NULL ELSE now() + random() * interval '330 days' END
FROM (SELECT i, CASE WHEN i <= 20000 THEN (ARRAY['annual','annual','annual','monthly'])[1 + i % 4]
                     ELSE (ARRAY['annual','monthly','monthly','payg','payg','payg','payg','payg'])[1 + (random() * 7)::int] END AS plan
      FROM generate_series(1, 200000) AS i) AS g;

INSERT INTO trips (id, rider_id, bike_id, start_station_id, end_station_id, started_at, ended_at, duration_s, distance_m, fare_cents, status)
SELECT i, rider_id, bike_id, start_station_id, end_station_id, started_at,
       started_at + make_interval(secs => duration_s), duration_s, (duration_s * (2.5 + random() * 2.5))::int,
       CASE WHEN rider_id <= 20000 THEN greatest(0, (duration_s - 2700) / 60 * 15) ELSE 100 + duration_s / 60 * 18 END,
       'completed'
FROM (SELECT i,
             CASE WHEN i % 4 <> 0 THEN 1 + ((i / 4) * 3 + i % 4 - 1) % 20000 ELSE 1 + (random() * 199999)::int END AS rider_id,
             1 + (random() * 25999)::int AS bike_id,
             1 + (random() * 1199)::int AS start_station_id,
             1 + (random() * 1199)::int AS end_station_id,
             now() - interval '1 hour' - (${SEED_MAX.completedTrips} - i) * (interval '365 days' / ${SEED_MAX.completedTrips}) - random() * interval '60 seconds' AS started_at,
             (180 + random() * 2400)::int AS duration_s
      FROM generate_series(1, ${SEED_MAX.completedTrips}) AS i) AS g;

INSERT INTO trips (id, rider_id, bike_id, start_station_id, started_at, status)
SELECT ${SEED_MAX.completedTrips} + k, 180000 + k, 20000 + k, 1 + (random() * 1199)::int,
       now() - interval '5 minutes' - random() * interval '40 minutes', 'active'
FROM generate_series(1, ${SEED_MAX.trips - SEED_MAX.completedTrips}) AS k;
SELECT setval('trips_id_seq', ${SEED_MAX.trips});

INSERT INTO campaigns (id, city, code, discount_pct, redeemed, cap, active) VALUES
  (1, 'metro', 'WINTERWHEELS', 15, 0, 1000, false),
  (2, 'metro', 'BIKEWEEK', 20, 0, 100000000, true),
  (3, 'metro', 'STUDENT', 50, 0, 5000, false);

INSERT INTO passes (id, rider_id, kind, price_cents, discount_cents, campaign_id, purchased_at, valid_until)
SELECT i, rider_id, kind, CASE kind WHEN 'day' THEN 1500 WHEN 'week' THEN 3500 ELSE 7900 END, 0, NULL, purchased_at,
       purchased_at + CASE kind WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days' ELSE interval '30 days' END
FROM (SELECT i, 20001 + (random() * 179999)::int AS rider_id,
             (ARRAY['day','day','day','week','month'])[1 + (random() * 4)::int] AS kind,
             now() - random() * interval '365 days' AS purchased_at
      FROM generate_series(1, ${SEED_MAX.passes}) AS i) AS g;
SELECT setval('passes_id_seq', ${SEED_MAX.passes});

INSERT INTO payments (id, rider_id, trip_id, pass_id, kind, amount_cents, currency, status, gateway_ref, card_last4, created_at)
SELECT i,
       CASE WHEN i % 2 = 0 THEN 1 + (i / 2) % 20000 ELSE 1 + (random() * 199999)::int END,
       CASE WHEN i % 4 <> 3 THEN 1 + (random() * ${SEED_MAX.completedTrips - 1})::int END,
       CASE WHEN i % 4 = 3 THEN 1 + (random() * 99999)::int END,
       CASE WHEN i % 4 = 3 THEN 'pass' ELSE 'trip' END,
       100 + (random() * 2900)::int, 'USD',
       CASE WHEN random() < 0.985 THEN 'succeeded' ELSE 'failed' END,
       'ch_' || md5(i::text),
       lpad(((i * 7) % 10000)::text, 4, '0'),
       now() - (${SEED_MAX.payments} - i) * (interval '365 days' / ${SEED_MAX.payments}) - random() * interval '60 seconds'
FROM generate_series(1, ${SEED_MAX.payments}) AS i;
SELECT setval('payments_id_seq', ${SEED_MAX.payments});

INSERT INTO maintenance_tickets (id, bike_id, station_id, rider_id, category, description, status, opened_at, closed_at)
SELECT i, 1 + (random() * 25999)::int, 1 + (random() * 1199)::int, 1 + (random() * 199999)::int,
       (ARRAY['flat_tire','brakes','chain','battery','dock_fault','lights','other'])[1 + i % 7],
       'Reported via app: ' || (ARRAY['wobbly','squeaks','will not unlock','low power','bent','missing part'])[1 + i % 6],
       CASE WHEN i % 25 = 0 THEN 'open' ELSE 'closed' END,
       opened_at, CASE WHEN i % 25 = 0 THEN NULL ELSE opened_at + interval '2 days' END
FROM (SELECT i, now() - (${SEED_MAX.tickets} - i) * (interval '365 days' / ${SEED_MAX.tickets}) AS opened_at FROM generate_series(1, ${SEED_MAX.tickets}) AS i) AS g;
SELECT setval('maintenance_tickets_id_seq', ${SEED_MAX.tickets});

INSERT INTO notifications (id, rider_id, channel, kind, variant, params, created_at, read_at)
SELECT i,
       CASE WHEN i % 2 = 0 THEN 1 + (i / 2) % 20000 ELSE 1 + (random() * 199999)::int END,
       (ARRAY['push','push','push','sms','email'])[1 + i % 5],
       (ARRAY['trip_receipt','trip_started','pass_expiring','pass_purchased','dock_full_nearby','maintenance_update',
              'membership_renewal','promo','station_closed','payment_failed','ride_streak','service_alert'])[1 + (i / 5) % 12],
       (i * 13) % 400,
       jsonb_build_object('amount', (random() * 3000)::int, 'station', 1 + (i % 1200), 'minutes', (random() * 60)::int),
       created_at,
       CASE WHEN random() < 0.7 THEN created_at + interval '3 hours' END
FROM (SELECT i, now() - (${SEED_MAX.notifications} - i) * (interval '365 days' / ${SEED_MAX.notifications}) - random() * interval '60 seconds' AS created_at FROM generate_series(1, ${SEED_MAX.notifications}) AS i) AS g;
SELECT setval('notifications_id_seq', ${SEED_MAX.notifications});

INSERT INTO reservations (rider_id, station_id, created_at)
SELECT 190000 + k, 1 + (random() * 1199)::int, now() - random() * interval '8 minutes'
FROM generate_series(1, 2000) AS k;
`;

const INDEXES = `
CREATE INDEX stations_district_idx ON stations (district);
CREATE INDEX stations_lat_lon_idx ON stations (lat, lon);
CREATE INDEX bikes_station_idx ON bikes (station_id);
CREATE INDEX docks_bike_idx ON docks (bike_id) WHERE bike_id IS NOT NULL;
CREATE INDEX trips_rider_started_idx ON trips (rider_id, started_at DESC);
CREATE INDEX trips_started_idx ON trips (started_at);
CREATE INDEX trips_active_rider_idx ON trips (rider_id) WHERE status = 'active';
CREATE INDEX trips_bike_idx ON trips (bike_id);
CREATE INDEX passes_rider_idx ON passes (rider_id, valid_until);
CREATE INDEX payments_trip_idx ON payments (trip_id);
CREATE INDEX maintenance_tickets_bike_idx ON maintenance_tickets (bike_id, opened_at DESC);
CREATE INDEX maintenance_tickets_open_station_idx ON maintenance_tickets (station_id) WHERE status = 'open';
CREATE INDEX notifications_rider_created_idx ON notifications (rider_id, created_at DESC);
`;

/** The index the missing-index fault drops (created by every other build's migration). */
const PAYMENTS_RIDER_INDEX = 'CREATE INDEX IF NOT EXISTS payments_rider_created_idx ON payments (rider_id, created_at DESC)';

/**
 * The seeded fleet layout, idempotent: 60 % of each station's working docks
 * hold a bike (bikes 1..~19,400), bikes 20,001..25,000 are out on the active
 * trips, the rest are in the depot.
 */
const RESET_FLEET = `
WITH slots AS (
  SELECT d.id, row_number() OVER (ORDER BY d.id) AS rn
  FROM docks d JOIN stations s ON s.id = d.station_id
  WHERE d.status = 'ok' AND d.slot <= (s.capacity * 6) / 10
), target AS (
  SELECT d.id, CASE WHEN sl.rn <= 20000 THEN sl.rn::int END AS bike_id
  FROM docks d LEFT JOIN slots sl ON sl.id = d.id
)
UPDATE docks d SET bike_id = t.bike_id FROM target t WHERE d.id = t.id AND d.bike_id IS DISTINCT FROM t.bike_id;

UPDATE bikes b SET status = 'available', station_id = d.station_id, updated_at = now()
FROM docks d WHERE d.bike_id = b.id AND (b.status <> 'available' OR b.station_id IS DISTINCT FROM d.station_id);

UPDATE bikes SET status = 'in_use', station_id = NULL, updated_at = now()
WHERE id BETWEEN 20001 AND 25000 AND (status <> 'in_use' OR station_id IS NOT NULL);

UPDATE bikes b SET status = 'maintenance', station_id = NULL, updated_at = now()
WHERE (b.id < 20001 OR b.id > 25000) AND b.status <> 'maintenance'
  AND NOT EXISTS (SELECT 1 FROM docks d WHERE d.bike_id = b.id);
`;

/** Traffic's writes undone: new rows deleted, returned active trips re-opened, campaign counter reset. */
const RESET_TRAFFIC = `
DELETE FROM trips WHERE id > ${SEED_MAX.trips};
UPDATE trips SET status = 'active', end_station_id = NULL, ended_at = NULL, duration_s = NULL, distance_m = NULL, fare_cents = NULL
WHERE id > ${SEED_MAX.completedTrips} AND status <> 'active';
SELECT setval('trips_id_seq', ${SEED_MAX.trips});
DELETE FROM payments WHERE id > ${SEED_MAX.payments};
SELECT setval('payments_id_seq', ${SEED_MAX.payments});
DELETE FROM passes WHERE id > ${SEED_MAX.passes};
SELECT setval('passes_id_seq', ${SEED_MAX.passes});
DELETE FROM notifications WHERE id > ${SEED_MAX.notifications};
SELECT setval('notifications_id_seq', ${SEED_MAX.notifications});
DELETE FROM maintenance_tickets WHERE id > ${SEED_MAX.tickets};
SELECT setval('maintenance_tickets_id_seq', ${SEED_MAX.tickets});
UPDATE campaigns SET redeemed = 0, updated_at = now() WHERE redeemed <> 0;
`;

async function withClient<T>(pgUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'bikeshare-migrate' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Create the schema and load the data into an empty database. */
export async function seedBikeshare(pgUrl: string): Promise<void> {
  await withClient(pgUrl, async (c) => {
    await c.query(SCHEMA);
    await c.query(DATA);
    await c.query(INDEXES);
    await c.query(PAYMENTS_RIDER_INDEX);
    await c.query(RESET_FLEET);
    await c.query('VACUUM ANALYZE');
  });
}

/** The deploy's migration for `fault`'s build, plus the reset of the live state. */
export async function migrateBikeshare(pgUrl: string, fault: BikeshareFault | null): Promise<void> {
  await withClient(pgUrl, async (c) => {
    await c.query(RESET_TRAFFIC);
    await c.query(RESET_FLEET);
    if (fault === 'payments-index-dropped') await c.query('DROP INDEX IF EXISTS payments_rider_created_idx');
    else await c.query(PAYMENTS_RIDER_INDEX);
    await c.query('VACUUM ANALYZE docks, bikes, trips, payments, passes, campaigns, notifications, maintenance_tickets');
  });
}
