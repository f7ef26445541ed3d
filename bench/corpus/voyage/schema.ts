/**
 * The voyage's schema, seed data and per-deploy migration.
 *
 * Volumes: 40 airports, 200 000 flights over 128 days (every airport pair once
 * a day), 100 000 travellers with loyalty accounts, 150 000 hotels, 40 000
 * itineraries, 480 000 bookings (35 % flight-only), 500 000 loyalty
 * transactions. Everything is generated with generate_series.
 *
 * @module
 */
import pg from 'pg';
import type { VoyageFault } from './faults.js';

export const SEED_BOOKINGS = 480_000;
export const SEED_LOYALTY_TRANSACTIONS = 500_000;

const AIRPORTS: [string, string, string, string][] = [
  ['LHR', 'London', 'GB', 'Heathrow'], ['JFK', 'NewYork', 'US', 'John F. Kennedy'], ['CDG', 'Paris', 'FR', 'Charles de Gaulle'],
  ['FRA', 'Frankfurt', 'DE', 'Frankfurt am Main'], ['AMS', 'Amsterdam', 'NL', 'Schiphol'], ['MAD', 'Madrid', 'ES', 'Barajas'],
  ['BCN', 'Barcelona', 'ES', 'El Prat'], ['FCO', 'Rome', 'IT', 'Fiumicino'], ['MUC', 'Munich', 'DE', 'Franz Josef Strauss'],
  ['ZRH', 'Zurich', 'CH', 'Kloten'], ['VIE', 'Vienna', 'AT', 'Schwechat'], ['CPH', 'Copenhagen', 'DK', 'Kastrup'],
  ['ARN', 'Stockholm', 'SE', 'Arlanda'], ['OSL', 'Oslo', 'NO', 'Gardermoen'], ['HEL', 'Helsinki', 'FI', 'Vantaa'],
  ['DUB', 'Dublin', 'IE', 'Dublin'], ['LIS', 'Lisbon', 'PT', 'Humberto Delgado'], ['ATH', 'Athens', 'GR', 'Eleftherios Venizelos'],
  ['IST', 'Istanbul', 'TR', 'Istanbul'], ['DXB', 'Dubai', 'AE', 'Dubai International'], ['DOH', 'Doha', 'QA', 'Hamad'],
  ['SIN', 'Singapore', 'SG', 'Changi'], ['HKG', 'HongKong', 'HK', 'Chek Lap Kok'], ['NRT', 'Tokyo', 'JP', 'Narita'],
  ['ICN', 'Seoul', 'KR', 'Incheon'], ['BKK', 'Bangkok', 'TH', 'Suvarnabhumi'], ['SYD', 'Sydney', 'AU', 'Kingsford Smith'],
  ['LAX', 'LosAngeles', 'US', 'Los Angeles'], ['SFO', 'SanFrancisco', 'US', 'San Francisco'], ['ORD', 'Chicago', 'US', "O'Hare"],
  ['ATL', 'Atlanta', 'US', 'Hartsfield-Jackson'], ['DFW', 'Dallas', 'US', 'Dallas/Fort Worth'], ['MIA', 'Miami', 'US', 'Miami'],
  ['BOS', 'Boston', 'US', 'Logan'], ['YYZ', 'Toronto', 'CA', 'Pearson'], ['YVR', 'Vancouver', 'CA', 'Vancouver'],
  ['MEX', 'MexicoCity', 'MX', 'Benito Juarez'], ['GRU', 'SaoPaulo', 'BR', 'Guarulhos'], ['JNB', 'Johannesburg', 'ZA', 'O. R. Tambo'],
  ['DEL', 'Delhi', 'IN', 'Indira Gandhi'],
];

const SCHEMA = `
DROP TABLE IF EXISTS outbox, loyalty_transactions, loyalty_accounts, loyalty_programmes, bookings, itineraries,
  hotels, travellers, fare_rules, flights, aircraft_types, airports CASCADE;

CREATE TABLE airports (
  code char(3) PRIMARY KEY,
  idx int NOT NULL UNIQUE,
  city text NOT NULL,
  country char(2) NOT NULL,
  name text NOT NULL
);

CREATE TABLE aircraft_types (
  code text PRIMARY KEY,
  name text NOT NULL,
  business_rows int NOT NULL,
  business_letters text NOT NULL,
  premium_rows int NOT NULL,
  premium_letters text NOT NULL,
  economy_rows int NOT NULL,
  economy_letters text NOT NULL
);

CREATE TABLE flights (
  id serial PRIMARY KEY,
  flight_no text NOT NULL,
  carrier char(2) NOT NULL,
  origin char(3) NOT NULL REFERENCES airports(code),
  destination char(3) NOT NULL REFERENCES airports(code),
  depart_at timestamptz NOT NULL,
  arrive_at timestamptz NOT NULL,
  aircraft text NOT NULL REFERENCES aircraft_types(code),
  economy_cents int NOT NULL,
  premium_cents int NOT NULL,
  business_cents int NOT NULL,
  promo_pct int NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'scheduled'
);

CREATE TABLE fare_rules (
  fare_class text PRIMARY KEY,
  cabin text NOT NULL,
  title text NOT NULL,
  refundable boolean NOT NULL,
  change_fee_cents int NOT NULL,
  baggage jsonb NOT NULL,
  conditions text NOT NULL
);

CREATE TABLE travellers (
  id serial PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text NOT NULL,
  phone text NOT NULL,
  nationality char(2) NOT NULL,
  birth_date date NOT NULL,
  passport_no text NOT NULL,
  passport_expiry date NOT NULL,
  document_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hotels (
  id serial PRIMARY KEY,
  name text NOT NULL,
  city text NOT NULL,
  country char(2) NOT NULL,
  stars int NOT NULL,
  rating numeric(2,1) NOT NULL,
  base_rate_cents int NOT NULL,
  address text NOT NULL,
  description text NOT NULL,
  amenities text[] NOT NULL
);

CREATE TABLE itineraries (
  id serial PRIMARY KEY,
  name text NOT NULL,
  owner_id int NOT NULL REFERENCES travellers(id),
  status text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bookings (
  id bigserial PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  traveller_id int NOT NULL,
  itinerary_id int,
  flight_id int NOT NULL,
  cabin text NOT NULL,
  fare_class text NOT NULL,
  seat text,
  hotel_id int,
  checkin date,
  nights int,
  status text NOT NULL,
  total_cents int NOT NULL,
  currency char(3) NOT NULL DEFAULT 'EUR',
  payment_ref text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE loyalty_programmes (
  id int PRIMARY KEY,
  code text NOT NULL,
  name text NOT NULL,
  points_outstanding bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE loyalty_accounts (
  traveller_id int PRIMARY KEY,
  programme_id int NOT NULL REFERENCES loyalty_programmes(id),
  tier text NOT NULL,
  balance int NOT NULL,
  lifetime_points int NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE loyalty_transactions (
  id bigserial PRIMARY KEY,
  traveller_id int NOT NULL,
  booking_id bigint,
  kind text NOT NULL,
  points int NOT NULL,
  description text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

const DATA = `
INSERT INTO aircraft_types VALUES
  ('A320', 'Airbus A320', 3, 'ACDF', 0, '', 26, 'ABCDEF'),
  ('A321', 'Airbus A321', 4, 'ACDF', 0, '', 32, 'ABCDEF'),
  ('B738', 'Boeing 737-800', 3, 'ACDF', 0, '', 28, 'ABCDEF'),
  ('B789', 'Boeing 787-9', 8, 'ADGK', 5, 'ACDEGK', 30, 'ABCDEFGHK'),
  ('A359', 'Airbus A350-900', 9, 'ADGK', 6, 'ACDEGK', 31, 'ABCDEFGHK');

INSERT INTO fare_rules
SELECT c.fare_class, c.cabin, c.title, c.refundable, c.fee,
  jsonb_build_object('cabinBagKg', c.cabin_kg, 'checkedBags', c.bags, 'checkedBagKg', 23),
  'Fare ' || c.fare_class || ' (' || c.title || '). ' ||
  repeat('Changes are permitted up to 24 hours before the scheduled departure of the first flight, subject to the change fee and any fare difference. ' ||
         'Name changes are not permitted. Unused segments are not refundable unless stated otherwise. Taxes and carrier-imposed surcharges may be refunded on request. ', 14)
FROM (VALUES
  ('Y', 'economy', 'Economy Flex', true, 0, 8, 1), ('B', 'economy', 'Economy Classic', false, 7500, 8, 1),
  ('K', 'economy', 'Economy Light', false, 15000, 8, 0), ('W', 'premium', 'Premium Flex', true, 0, 10, 2),
  ('E', 'premium', 'Premium Saver', false, 10000, 10, 2), ('J', 'business', 'Business Flex', true, 0, 12, 2),
  ('C', 'business', 'Business Saver', false, 20000, 12, 2), ('D', 'business', 'Business Light', false, 30000, 12, 1),
  ('Q', 'economy', 'Economy Promo', false, 20000, 8, 0)
) AS c(fare_class, cabin, title, refundable, fee, cabin_kg, bags);

INSERT INTO flights (flight_no, carrier, origin, destination, depart_at, arrive_at, aircraft, economy_cents, premium_cents, business_cents, promo_pct)
SELECT cr.carrier || (100 + i % 8900), cr.carrier, o.code, d.code, t.ts,
  t.ts + make_interval(mins => (75 + (i * 37) % 660)::int),
  (ARRAY['A320','B738','A321','B789','A359'])[1 + (i % 5)::int],
  (8900 + (i * 7919) % 52000)::int, (24900 + (i * 104729) % 80000)::int, (69900 + (i * 15485863) % 260000)::int,
  CASE WHEN i % 7 = 0 THEN (5 + i % 41)::int ELSE 0 END
FROM generate_series(0::bigint, 199999) AS i
CROSS JOIN LATERAL (SELECT timestamptz '2027-01-01 00:00:00+00' + (i / 1560) * interval '1 day' + ((i * 7919) % 1440) * interval '1 minute' AS ts) AS t
CROSS JOIN LATERAL (SELECT (ARRAY['VY','BA','LH','AF','KL','IB','EK','SQ'])[1 + (i % 8)::int] AS carrier) AS cr
JOIN airports o ON o.idx = i % 40
JOIN airports d ON d.idx = (i % 40 + 1 + (i / 40) % 39) % 40;

INSERT INTO travellers (first_name, last_name, email, phone, nationality, birth_date, passport_no, passport_expiry, document_token, created_at)
SELECT (ARRAY['Olivia','Liam','Emma','Noah','Ava','Lucas','Mia','Elias','Sofia','Hugo','Lea','Mateo','Ines','Finn','Clara','Oscar','Maya','Leon','Alma','Theo'])[1 + i % 20],
  (ARRAY['Smith','Muller','Martin','Rossi','Garcia','Jansen','Nilsson','Kowalski','Dubois','Novak','Silva','Murphy','Berg','Weber','Moreau','Costa','Larsen','Fischer','Romano','Lopez','Horvat','Ivanov','Meyer','Keller','Bauer'])[1 + (i * 7) % 25],
  'traveller' || i || '@example.' || (ARRAY['com','net','org'])[1 + i % 3],
  '+44 7700 ' || lpad((i * 7919 % 1000000)::text, 6, '0'),
  (ARRAY['GB','US','DE','FR','NL','ES','IT','SE'])[1 + i % 8],
  date '1950-01-01' + (i * 13 % 20000)::int,
  'P' || lpad((i * 7919 % 100000000)::text, 9, '0'),
  date '2027-06-01' + (i % 3000)::int,
  encode(sha256(convert_to('P' || lpad((i * 7919 % 100000000)::text, 9, '0'), 'UTF8')), 'hex'),
  now() - (i % 2000) * interval '1 day'
FROM generate_series(1, 100000) AS i;

INSERT INTO hotels (name, city, country, stars, rating, base_rate_cents, address, description, amenities)
SELECT (ARRAY['Grand','Royal','Park','City','Harbour','Garden','Central','Riverside','Airport','Boutique'])[1 + i % 10] || ' ' ||
    (ARRAY['Hotel','Inn','Suites','Residence','Lodge'])[1 + (i / 10) % 5] || ' ' || a.city || ' ' || i,
  a.city, a.country, 1 + i % 5, round((2.5 + (i * 37 % 25) / 10.0)::numeric, 1), 6000 + (i * 131 % 40000),
  (1 + i % 300) || ' ' || (ARRAY['High Street','Station Road','Market Square','Harbour Way','Park Lane'])[1 + i % 5],
  'Comfortable rooms a short walk from the centre of ' || a.city || ', with late check-out on request and a 24-hour front desk.',
  (ARRAY['wifi','breakfast','gym','pool','spa','parking'])[1:1 + i % 6]
FROM generate_series(1, 150000) AS i
JOIN airports a ON a.idx = i % 40;

INSERT INTO itineraries (name, owner_id, status, created_at)
SELECT (ARRAY['Team offsite','Family holiday','Sales roadshow','Conference','Wedding trip','Ski week'])[1 + i % 6] || ' ' || i,
  1 + (i * 7919) % 100000, (ARRAY['planned','booked','travelled'])[1 + i % 3], now() - (i % 700) * interval '1 day'
FROM generate_series(1, 40000) AS i;

INSERT INTO bookings (reference, traveller_id, itinerary_id, flight_id, cabin, fare_class, seat, hotel_id, checkin, nights, status, total_cents, payment_ref, created_at)
SELECT upper(lpad(to_hex((i * 2654435761) % 4294967296), 8, '0')),
  (1 + (i * 7919) % 100000)::int, (1 + i % 40000)::int, (1 + (i * 104729) % 200000)::int,
  c.cabin, c.fare_class, (1 + i % 26) || substr('ABCDEF', 1 + ((i / 26) % 6)::int, 1),
  CASE WHEN i % 20 < 7 THEN NULL ELSE (1 + (i * 15485863) % 150000)::int END,
  CASE WHEN i % 20 < 7 THEN NULL ELSE date '2027-01-01' + (i % 120)::int END,
  CASE WHEN i % 20 < 7 THEN NULL ELSE (1 + i % 6)::int END,
  (ARRAY['confirmed','confirmed','confirmed','ticketed','cancelled'])[1 + (i % 5)::int],
  (15000 + (i * 7919) % 250000)::int, 'AUTH-' || i, now() - (i % 900) * interval '1 day' - (i % 1440) * interval '1 minute'
FROM generate_series(1::bigint, ${SEED_BOOKINGS}) AS i
CROSS JOIN LATERAL (SELECT (ARRAY['economy','economy','economy','economy','premium','business'])[1 + (i % 6)::int] AS cabin,
                           (ARRAY['B','K','Q','Y','W','J'])[1 + (i % 6)::int] AS fare_class) AS c;

INSERT INTO loyalty_programmes VALUES (1, 'VOYAGER', 'Voyager Miles', 0, now()), (2, 'VOYAGER-CORP', 'Voyager Corporate', 0, now());

INSERT INTO loyalty_accounts (traveller_id, programme_id, tier, balance, lifetime_points, updated_at)
SELECT i, CASE WHEN i % 10 = 0 THEN 2 ELSE 1 END, (ARRAY['blue','blue','blue','silver','silver','gold','platinum'])[1 + i % 7],
  (i * 7919) % 60000, (i * 7919) % 60000 + ((i::bigint * 104729) % 200000)::int, now() - (i % 300) * interval '1 day'
FROM generate_series(1, 100000) AS i;

INSERT INTO loyalty_transactions (traveller_id, booking_id, kind, points, description, created_at)
SELECT (1 + (i * 7919) % 100000)::int, CASE WHEN i % 3 = 0 THEN NULL ELSE 1 + (i * 104729) % ${SEED_BOOKINGS} END,
  (ARRAY['flight','flight','hotel','partner','redemption'])[1 + (i % 5)::int],
  CASE WHEN i % 5 = 4 THEN -(500 + (i * 31) % 20000)::int ELSE (100 + (i * 37) % 4000)::int END,
  (ARRAY['Flight earn','Flight earn','Hotel stay','Partner: car rental','Award redemption'])[1 + (i % 5)::int],
  now() - (i % 1000) * interval '1 day'
FROM generate_series(1::bigint, ${SEED_LOYALTY_TRANSACTIONS}) AS i;

UPDATE loyalty_programmes p SET points_outstanding = s.total FROM (SELECT programme_id, sum(balance) AS total FROM loyalty_accounts GROUP BY 1) s WHERE s.programme_id = p.id;
`;

const INDEXES = `
CREATE INDEX flights_route_idx ON flights (origin, destination, depart_at);
CREATE INDEX flights_origin_depart_idx ON flights (origin, depart_at);
CREATE INDEX hotels_city_rating_idx ON hotels (city, rating DESC, id);
CREATE INDEX bookings_traveller_idx ON bookings (traveller_id, created_at DESC);
CREATE INDEX bookings_itinerary_idx ON bookings (itinerary_id);
CREATE INDEX bookings_flight_idx ON bookings (flight_id);
CREATE INDEX bookings_hotel_idx ON bookings (hotel_id, checkin);
CREATE INDEX loyalty_transactions_traveller_idx ON loyalty_transactions (traveller_id, created_at DESC);
`;

/** Create the schema and load the data into an empty database. */
export async function seedVoyage(pgUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'voyage-seed' });
  await client.connect();
  try {
    await client.query(SCHEMA);
    const values = AIRPORTS.map((_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`).join(', ');
    await client.query(`INSERT INTO airports (code, idx, city, country, name) VALUES ${values}`,
      AIRPORTS.flatMap(([code, city, country, name], i) => [code, i, city, country, name]));
    await client.query(DATA);
    await client.query(INDEXES);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/**
 * The deploy migration of a build: puts the bookings index in the state the
 * build has, and removes what previous runs wrote so every case starts from
 * the seeded data.
 */
export async function migrateVoyage(pgUrl: string, fault: VoyageFault | null): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'voyage-migrate' });
  await client.connect();
  try {
    await client.query(`DELETE FROM bookings WHERE id > ${SEED_BOOKINGS}`);
    await client.query(`DELETE FROM loyalty_transactions WHERE id > ${SEED_LOYALTY_TRANSACTIONS}`);
    await client.query('TRUNCATE outbox');
    if (fault === 'bookings-traveller-index-dropped') {
      // "Drop unused index" migration: the index looked unused on a replica that serves no account pages.
      await client.query('DROP INDEX IF EXISTS bookings_traveller_idx');
    } else {
      await client.query('CREATE INDEX IF NOT EXISTS bookings_traveller_idx ON bookings (traveller_id, created_at DESC)');
    }
    await client.query('VACUUM ANALYZE bookings, loyalty_transactions, loyalty_programmes, loyalty_accounts');
  } finally {
    await client.end();
  }
}
