/**
 * The fleet's schema, seed data and deploy migration.
 *
 * Volumes: 6 bike models, 600 docking stations (1-25 downtown, the busiest),
 * 12,000 bikes (~90 % docked and available), 60,000 riders, 500,000 rentals
 * over two years (3 % cancelled unlocks), ~1.1 million charge lines (2-3 per
 * completed rental), 60,000 maintenance reports and 730 days of usage
 * counters. Generated inside PostgreSQL with generate_series and a fixed
 * random seed.
 *
 * Secondary indexes are created by {@link migrateFleet}, which every start
 * runs as a deploy would: a missing-index fault is a deploy whose migration
 * lacks an index (and a later healthy start puts it back).
 *
 * @module
 */
import { randomBytes, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import type { FleetFault } from './faults.js';

/** Secondary indexes of the deploy migration: name → the statement's tail after `CREATE [UNIQUE] INDEX name ON`. */
export const INDEXES = {
  riders_email_key: { unique: true, on: 'riders (email)' },
  bikes_station_idx: { unique: false, on: 'bikes (station_id)' },
  rentals_rider_started_idx: { unique: false, on: 'rentals (rider_id, started_at)' },
  rentals_active_rider_idx: { unique: false, on: "rentals (rider_id) WHERE status = 'active'" },
  rentals_active_bike_idx: { unique: false, on: "rentals (bike_id) WHERE status = 'active'" },
  rentals_start_station_idx: { unique: false, on: 'rentals (start_station_id, started_at)' },
  rental_charges_rental_idx: { unique: false, on: 'rental_charges (rental_id)' },
  maintenance_bike_idx: { unique: false, on: 'maintenance_logs (bike_id, created_at)' },
} as const;

/** Row counts and id ranges of the seed (the mixes draw from them). */
export const SEED = {
  models: 6, stations: 600, downtown: 25, bikes: 12_000, riders: 60_000, rentals: 500_000, maintenance: 60_000,
} as const;

/** The password of every seeded rider account (fixture data). */
export const FIXTURE_PASSWORD = 'pedal-power-2026';

/** scrypt cost of stored password hashes (Node's default N). */
export const SCRYPT_N = 16_384;

/** Hash a password as stored in `riders.password_hash`: `scrypt$N$salt$hash` (hex). */
export async function hashPassword(password: string, salt = randomBytes(16).toString('hex')): Promise<string> {
  const hash = (await promisify(scrypt)(password, salt, 64)) as Buffer;
  return `scrypt$${SCRYPT_N}$${salt}$${hash.toString('hex')}`;
}

const DISTRICTS = ['Binnenstad', 'Oost', 'Zuid', 'West', 'Noordoost', 'Overvecht', 'Leidsche Rijn', 'Lunetten', 'Kanaleneiland', 'Zuilen'];
const STREETS = ['Stationsplein', 'Neude', 'Vredenburg', 'Oudegracht', 'Janskerkhof', 'Biltstraat', 'Amsterdamsestraatweg', 'Croeselaan', 'Kanaalstraat', 'Vleutenseweg', 'Maliebaan', 'Nachtegaalstraat'];
const FIRST = ['Anouk', 'Bram', 'Daan', 'Emma', 'Fleur', 'Joris', 'Lotte', 'Milan', 'Noor', 'Sem', 'Tess', 'Yara'];
const LAST = ['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Mulder', 'de Boer'];

const sqlArray = (items: readonly string[]): string => `ARRAY[${items.map((s) => `'${s}'`).join(',')}]`;

const DDL = `
DROP TABLE IF EXISTS daily_usage, maintenance_logs, rental_charges, rentals, riders, bikes, stations, models;
CREATE TABLE models (
  id integer PRIMARY KEY, name text NOT NULL, kind text NOT NULL, range_km integer NOT NULL,
  unlock_fee_cents integer NOT NULL, per_minute_cents integer NOT NULL
);
CREATE TABLE stations (
  id integer PRIMARY KEY, name text NOT NULL, district text NOT NULL, lat double precision NOT NULL, lon double precision NOT NULL,
  capacity integer NOT NULL, bikes_available integer NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE bikes (
  id integer PRIMARY KEY, model_id integer NOT NULL, station_id integer, status text NOT NULL, battery smallint NOT NULL,
  frame_no text NOT NULL, service_due boolean NOT NULL DEFAULT false, last_seen_at timestamptz NOT NULL
);
CREATE TABLE riders (
  id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL, password_hash text NOT NULL, plan text NOT NULL,
  status text NOT NULL, created_at timestamptz NOT NULL
);
CREATE TABLE rentals (
  id serial PRIMARY KEY, rider_id integer NOT NULL, bike_id integer NOT NULL, start_station_id integer NOT NULL, end_station_id integer,
  started_at timestamptz NOT NULL, ended_at timestamptz, duration_s integer NOT NULL DEFAULT 0, distance_m integer NOT NULL DEFAULT 0,
  price_cents integer NOT NULL DEFAULT 0, status text NOT NULL
);
CREATE TABLE rental_charges (
  id serial PRIMARY KEY, rental_id integer NOT NULL, kind text NOT NULL, description text NOT NULL, amount_cents integer NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE maintenance_logs (
  id serial PRIMARY KEY, bike_id integer NOT NULL, category text NOT NULL, severity smallint NOT NULL, note text NOT NULL,
  status text NOT NULL, reported_by integer, due_at timestamptz NOT NULL, created_at timestamptz NOT NULL, resolved_at timestamptz
);
CREATE TABLE daily_usage (day date PRIMARY KEY, rides_started integer NOT NULL DEFAULT 0, unlock_failures integer NOT NULL DEFAULT 0);`;

function data(passwordHash: string): string[] {
  return [
    `SELECT setseed(0.42)`,
    `INSERT INTO models VALUES
      (1, 'Stadsfiets Classic', 'classic', 0, 100, 15), (2, 'Stadsfiets Classic 2', 'classic', 0, 100, 15),
      (3, 'Volt City', 'e-bike', 60, 150, 25), (4, 'Volt City 2', 'e-bike', 80, 150, 25),
      (5, 'Volt Sport', 'e-bike', 70, 150, 30), (6, 'Bakfiets E', 'cargo', 50, 200, 35)`,
    // Stations 1-25 are downtown (within ~700 m of the central square), the rest spread over the city.
    `INSERT INTO stations (id, name, district, lat, lon, capacity, bikes_available, updated_at)
     SELECT s, (${sqlArray(STREETS)})[1 + s % ${STREETS.length}] || ' ' || s,
            CASE WHEN s <= ${SEED.downtown} THEN 'Binnenstad' ELSE (${sqlArray(DISTRICTS)})[1 + s % ${DISTRICTS.length}] END,
            CASE WHEN s <= ${SEED.downtown} THEN 52.0907 + (random() - 0.5) * 0.012 ELSE 52.04 + random() * 0.10 END,
            CASE WHEN s <= ${SEED.downtown} THEN 5.1214 + (random() - 0.5) * 0.018 ELSE 5.03 + random() * 0.18 END,
            20 + (s * 7) % 21, 0, now()
     FROM generate_series(1, ${SEED.stations}) s`,
    // Bike models round-robin (model = 1 + id % 6); 91 % docked and available, 4 % in the workshop, the rest docked with a flat battery.
    `INSERT INTO bikes (id, model_id, station_id, status, battery, frame_no, last_seen_at)
     SELECT b, 1 + b % ${SEED.models}, 1 + (b * 7919) % ${SEED.stations},
            CASE WHEN random() < 0.04 THEN 'maintenance' ELSE 'available' END,
            CASE WHEN 1 + b % ${SEED.models} <= 2 THEN 100 WHEN random() < 0.05 THEN 5 + (random() * 9)::int ELSE 20 + (random() * 80)::int END,
            'NL-' || to_char(b, 'FM000000') || '-' || substr(md5(b::text), 1, 4), now() - interval '10 minutes' * random()
     FROM generate_series(1, ${SEED.bikes}) b`,
    `UPDATE stations s SET bikes_available = b.n FROM (SELECT station_id, count(*) AS n FROM bikes WHERE status = 'available' GROUP BY 1) b WHERE b.station_id = s.id`,
    `INSERT INTO riders
     SELECT r, 'rider' || r || '@example.com', (${sqlArray(FIRST)})[1 + r % ${FIRST.length}] || ' ' || (${sqlArray(LAST)})[1 + (r / 12) % ${LAST.length}],
            '${passwordHash}', (ARRAY['payg', 'payg', 'monthly', 'annual'])[1 + r % 4], 'active', now() - interval '1500 days' * random()
     FROM generate_series(1, ${SEED.riders}) r`,
    // Rental ids grow with time over two years; 30 % start downtown; 3 % are cancelled unlocks (no end).
    `INSERT INTO rentals (id, rider_id, bike_id, start_station_id, end_station_id, started_at, ended_at, duration_s, distance_m, price_cents, status)
     SELECT n, rider, bike, start_station, CASE WHEN cancelled THEN NULL ELSE end_station END, started,
            CASE WHEN cancelled THEN started + interval '20 seconds' ELSE started + make_interval(secs => dur) END,
            CASE WHEN cancelled THEN 0 ELSE dur END, CASE WHEN cancelled THEN 0 ELSE (dur * (3.2 + random()))::int END,
            CASE WHEN cancelled THEN 0 ELSE m.unlock_fee_cents + ceil(dur / 60.0)::int * m.per_minute_cents + CASE WHEN n % 5 = 0 THEN 150 ELSE 0 END END,
            CASE WHEN cancelled THEN 'cancelled' ELSE 'completed' END
     FROM (
       SELECT n, 1 + (random() * ${SEED.riders - 1})::int AS rider, 1 + (random() * ${SEED.bikes - 1})::int AS bike,
              CASE WHEN random() < 0.3 THEN 1 + (random() * ${SEED.downtown - 1})::int ELSE 1 + (random() * ${SEED.stations - 1})::int END AS start_station,
              CASE WHEN random() < 0.3 THEN 1 + (random() * ${SEED.downtown - 1})::int ELSE 1 + (random() * ${SEED.stations - 1})::int END AS end_station,
              now() - interval '730 days' + interval '730 days' * (n::float8 / ${SEED.rentals}) AS started,
              180 + (random() * random() * 3400)::int AS dur, random() < 0.03 AS cancelled
       FROM generate_series(1, ${SEED.rentals}) n
     ) r JOIN models m ON m.id = 1 + r.bike % ${SEED.models}`,
    `SELECT setval('rentals_id_seq', ${SEED.rentals})`,
    // Charge lines: unlock fee and minutes for every completed rental, out-of-zone parking for every fifth.
    `INSERT INTO rental_charges (rental_id, kind, description, amount_cents, created_at)
     SELECT r.id, c.kind, c.description, c.amount, r.ended_at
     FROM rentals r JOIN models m ON m.id = 1 + r.bike_id % ${SEED.models}
     CROSS JOIN LATERAL (VALUES
       (1, 'unlock', 'Unlock fee', m.unlock_fee_cents),
       (2, 'minutes', ceil(r.duration_s / 60.0)::int || ' min at ' || m.per_minute_cents || ' ct/min', ceil(r.duration_s / 60.0)::int * m.per_minute_cents),
       (3, 'parking', 'Parked outside a station zone', 150)
     ) c(pos, kind, description, amount)
     WHERE r.status = 'completed' AND (c.pos < 3 OR r.id % 5 = 0)`,
    `INSERT INTO maintenance_logs (bike_id, category, severity, note, status, reported_by, due_at, created_at, resolved_at)
     SELECT 1 + (random() * ${SEED.bikes - 1})::int, cat, CASE cat WHEN 'brakes' THEN 3 WHEN 'flat_tire' THEN 2 ELSE 1 END,
            'Reported via app: ' || cat, CASE WHEN created < now() - interval '3 days' THEN 'resolved' ELSE 'open' END,
            CASE WHEN random() < 0.7 THEN 1 + (random() * ${SEED.riders - 1})::int END, created + interval '24 hours', created,
            CASE WHEN created < now() - interval '3 days' THEN created + interval '20 hours' * random() END
     FROM (SELECT (ARRAY['flat_tire', 'brakes', 'chain', 'lights', 'bell', 'other'])[1 + (random() * 5)::int] AS cat,
                  now() - interval '730 days' * random() AS created
           FROM generate_series(1, ${SEED.maintenance})) m`,
    `INSERT INTO daily_usage SELECT started_at::date, count(*), count(*) FILTER (WHERE status = 'cancelled') FROM rentals GROUP BY 1`,
  ];
}

/** Create the schema and load the data into an empty database. */
export async function seedFleet(pgUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    const passwordHash = await hashPassword(FIXTURE_PASSWORD, 'f1eet5eedsa1t000');
    await client.query(DDL);
    for (const statement of data(passwordHash)) await client.query(statement);
    await createIndexes(client, []);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** Indexes a fault's deploy leaves out. */
export function missingIndexes(fault: FleetFault | null): (keyof typeof INDEXES)[] {
  if (fault === 'missing-index-rentals-rider') return ['rentals_rider_started_idx'];
  if (fault === 'missing-index-charges-rental') return ['rental_charges_rental_idx'];
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
export async function migrateFleet(pgUrl: string, fault: FleetFault | null): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    if (await createIndexes(client, missingIndexes(fault))) await client.query('ANALYZE rentals, rental_charges');
  } finally {
    await client.end();
  }
}
