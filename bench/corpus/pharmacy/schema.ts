/**
 * The pharmacy's schema, deterministic seed and per-build migration.
 *
 * Seed (setseed + generate_series, about 2 million rows):
 *   stores 200, drugs 20 000 (NDC `<10000+id>-0100-01`), inventory 300 000
 *   (every store stocks the 1 500 most dispensed drugs), patients 100 000,
 *   prescriptions 300 000, fills 600 000 (90 000 of them queued or ready for
 *   pickup), claims 400 000, drug interactions about 30 000 pairs, and the
 *   chain-wide daily fill counter.
 *
 * The migration is what a deploy of a build runs: it puts back the rows the
 * previous run's traffic changed (new fills and claims, refill counts, stock
 * levels, today's counter) and drops or creates the build's indexes.
 *
 * @module
 */
import pg from 'pg';
import type { PharmacyFault } from './faults.js';

export const SEED_FILLS = 600_000;
export const SEED_CLAIMS = 400_000;

/** refills_used and on_hand as the seed left them (the migration restores these). */
const RX_REFILLS_USED = '(id * 13) % (refills_allowed / 2 + 1)';
const INVENTORY_ON_HAND = '((store_id * 31 + drug_id * 17) % 240)';

const SEED_SQL = `
DROP TABLE IF EXISTS daily_fill_counters, interactions, claims, fills, prescriptions, patients, inventory, drugs, stores CASCADE;

SELECT setseed(0.4242);

CREATE TABLE stores (
  id int PRIMARY KEY,
  name text NOT NULL,
  city text NOT NULL,
  state text NOT NULL,
  phone text NOT NULL,
  opened_on date NOT NULL
);
INSERT INTO stores
SELECT i,
       'Riverside Pharmacy #' || lpad(i::text, 4, '0'),
       (ARRAY['Springfield','Riverton','Lakeside','Fairview','Georgetown','Madison','Clinton','Franklin','Greenville','Salem','Bristol','Oakland'])[1 + i % 12],
       (ARRAY['OH','PA','NY','NJ','MI','IN','IL','WI'])[1 + i % 8],
       '(800) 555-' || lpad(i::text, 4, '0'),
       date '2001-01-01' + (i * 37)
FROM generate_series(1, 200) i;

CREATE TABLE drugs (
  id int PRIMARY KEY,
  ndc text NOT NULL,
  name text NOT NULL,
  generic_name text NOT NULL,
  strength text NOT NULL,
  form text NOT NULL,
  schedule smallint NOT NULL,
  manufacturer text NOT NULL,
  unit_price_cents int NOT NULL,
  monograph text NOT NULL
);
INSERT INTO drugs
SELECT i,
       (10000 + i)::text || '-0100-01',
       g.generic || ' ' || s.strength || ' ' || f.form,
       g.generic,
       s.strength,
       f.form,
       CASE WHEN i % 23 = 0 THEN 2 WHEN i % 11 = 0 THEN 4 ELSE 0 END,
       (ARRAY['Teva','Mylan','Sandoz','Aurobindo','Lupin','Zydus','Sun Pharma','Cipla','Amneal','Apotex'])[1 + i % 10],
       50 + (i * 7919) % 4950,
       'Indications: ' || g.generic || ' is indicated for the treatment of ' ||
         (ARRAY['hypertension','hyperlipidemia','type 2 diabetes','hypothyroidism','major depressive disorder','GERD','asthma','bacterial infections','chronic pain','insomnia'])[1 + i % 10] ||
         '. Dosage: take as directed by the prescriber; do not exceed the prescribed dose. ' ||
         'Warnings: may cause dizziness, nausea, headache or drowsiness; avoid alcohol; tell your doctor if you are pregnant or nursing. ' ||
         'Storage: store at 20-25 C in a tight, light-resistant container. Lot reference ' || md5(i::text) || md5((i * 3)::text) || '.'
FROM generate_series(1, 20000) i
CROSS JOIN LATERAL (SELECT (ARRAY['amlodi','atorva','lisino','metfor','levothy','sertra','omepra','albute','amoxi','gabapen','losar','simva','hydroco','trazo','pantopra','escitalo','rosuva','bupro','furose','predni'])[1 + i % 20]
                          || (ARRAY['pine','statin','pril','min','roxine','line','zole','terol','cillin','tin','tan','done','dil','xone','mide','sone','fen','lam','zepam','micin'])[1 + (i / 20) % 20]
                          || CASE WHEN i > 400 THEN ' ' || (ARRAY['xr','er','odt','hcl','sodium','dr','la','cr'])[1 + (i / 400) % 8] ELSE '' END AS generic) g
CROSS JOIN LATERAL (SELECT (ARRAY['5 mg','10 mg','20 mg','25 mg','40 mg','50 mg','100 mg','250 mg','500 mg','1 g'])[1 + (i / 7) % 10] AS strength) s
CROSS JOIN LATERAL (SELECT (ARRAY['tablet','capsule','oral solution','inhaler','cream','injection'])[1 + (i / 3) % 6] AS form) f;

CREATE TABLE inventory (
  store_id int NOT NULL,
  drug_id int NOT NULL,
  on_hand int NOT NULL,
  reorder_point int NOT NULL,
  bin text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (store_id, drug_id)
);
INSERT INTO inventory
SELECT s, d, ((s * 31 + d * 17) % 240), 20 + (d % 5) * 10,
       chr(65 + d % 20) || '-' || lpad((d % 60)::text, 2, '0'),
       now() - (random() * interval '30 days')
FROM generate_series(1, 200) s, generate_series(1, 1500) d;

CREATE TABLE patients (
  id int PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  dob date NOT NULL,
  phone text NOT NULL,
  email text NOT NULL,
  insurer text NOT NULL,
  member_id text NOT NULL,
  home_store_id int NOT NULL,
  allergies text[] NOT NULL,
  created_at timestamptz NOT NULL
);
INSERT INTO patients
SELECT i,
       (ARRAY['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David','Elizabeth','William','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah','Maria','Daniel'])[1 + i % 20],
       (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez','Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez','Thompson','White','Harris'])[1 + (i / 20) % 25],
       date '1935-01-01' + ((i * 7919) % 30000),
       '(555) ' || substr(lpad(i::text, 7, '0'), 1, 3) || '-' || substr(lpad(i::text, 7, '0'), 4, 4),
       'patient' || i || '@example.net',
       (ARRAY['UHC','AET','BCB','CIG','HUM'])[1 + i % 5],
       CASE WHEN (i * 7) % 20 < 13
            THEN (ARRAY['UHC','AET','BCB','CIG','HUM'])[1 + i % 5] || lpad(((i::bigint * 104729) % 1000000000)::text, 9, '0')
            ELSE 'W' || lpad(((i::bigint * 15485863) % 100000000)::text, 8, '0') || '-0' || (1 + i % 4) END,
       1 + (i * 7) % 200,
       CASE WHEN i % 9 = 0 THEN ARRAY['penicillin'] WHEN i % 13 = 0 THEN ARRAY['sulfa','codeine'] ELSE ARRAY[]::text[] END,
       now() - ((i % 3000) * interval '1 day')
FROM generate_series(1, 100000) i;

CREATE TABLE prescriptions (
  id int PRIMARY KEY,
  rx_number text NOT NULL,
  patient_id int NOT NULL,
  store_id int NOT NULL,
  drug_id int NOT NULL,
  prescriber text NOT NULL,
  sig text NOT NULL,
  quantity int NOT NULL,
  days_supply int NOT NULL,
  refills_allowed int NOT NULL,
  refills_used int NOT NULL,
  status text NOT NULL,
  written_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
INSERT INTO prescriptions
SELECT id, 'RX' || lpad(id::text, 8, '0'), patient_id, 1 + (patient_id * 7) % 200, drug_id,
       'Dr. ' || (ARRAY['Adams','Baker','Chen','Diaz','Evans','Fischer','Gupta','Hughes','Ito','Jensen'])[1 + id % 10],
       (ARRAY['Take 1 tablet by mouth daily','Take 1 tablet twice daily','Take 1 capsule at bedtime','Inhale 2 puffs every 4-6 hours as needed','Apply thin layer twice daily'])[1 + id % 5],
       (ARRAY[30, 60, 90])[1 + id % 3], (ARRAY[30, 30, 90])[1 + id % 3],
       refills_allowed, (id * 13) % (refills_allowed / 2 + 1),
       CASE WHEN id % 10 < 8 THEN 'active' WHEN id % 10 = 8 THEN 'expired' ELSE 'cancelled' END,
       now() - (random() * interval '700 days'), now() - (random() * interval '60 days')
FROM (SELECT id, 1 + ((id::bigint * 7919) % 100000)::int AS patient_id,
             1 + floor(1500 * power(random(), 2))::int AS drug_id,
             (ARRAY[0, 2, 3, 5, 11, 11])[1 + id % 6] AS refills_allowed
      FROM generate_series(1, 300000) id) x;

CREATE TABLE fills (
  id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  prescription_id int NOT NULL,
  store_id int NOT NULL,
  fill_number int NOT NULL,
  ticket int,
  quantity int NOT NULL,
  status text NOT NULL,
  copay_cents int NOT NULL,
  filled_at timestamptz NOT NULL,
  picked_up_at timestamptz
);
INSERT INTO fills (id, prescription_id, store_id, fill_number, quantity, status, copay_cents, filled_at, picked_up_at)
SELECT (p.id - 1) * 2 + k, p.id, p.store_id, k, p.quantity, st.status, (p.id * 37 + k) % 4000,
       CASE WHEN st.status = 'picked_up' THEN now() - interval '7 days' - (random() * interval '358 days')
            ELSE now() - (random() * interval '7 days') END,
       CASE WHEN st.status = 'picked_up' THEN now() - interval '6 days' ELSE NULL END
FROM prescriptions p
CROSS JOIN generate_series(1, 2) k
CROSS JOIN LATERAL (SELECT CASE WHEN k = 2 AND abs(hashint4(p.id)) % 10 < 2 THEN 'ready' WHEN k = 2 AND abs(hashint4(p.id)) % 10 = 2 THEN 'queued' ELSE 'picked_up' END AS status) st;
SELECT setval(pg_get_serial_sequence('fills', 'id'), ${SEED_FILLS});

CREATE TABLE claims (
  id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  fill_id int NOT NULL,
  patient_id int NOT NULL,
  insurer text NOT NULL,
  status text NOT NULL,
  billed_cents int NOT NULL,
  paid_cents int NOT NULL,
  payer_ref text NOT NULL,
  submitted_at timestamptz NOT NULL
);
INSERT INTO claims (id, fill_id, patient_id, insurer, status, billed_cents, paid_cents, payer_ref, submitted_at)
SELECT c, 1 + (c * 3) % ${SEED_FILLS}, 1 + ((c::bigint * 7919) % 100000)::int, (ARRAY['UHC','AET','BCB','CIG','HUM'])[1 + c % 5],
       CASE WHEN c % 17 = 0 THEN 'rejected' ELSE 'paid' END, 1000 + c % 9000, 800 + c % 8000,
       'PBM-' || md5(c::text), now() - (random() * interval '365 days')
FROM generate_series(1, ${SEED_CLAIMS}) c;
SELECT setval(pg_get_serial_sequence('claims', 'id'), ${SEED_CLAIMS});

CREATE TABLE interactions (
  drug_a int NOT NULL,
  drug_b int NOT NULL,
  severity text NOT NULL,
  description text NOT NULL,
  PRIMARY KEY (drug_a, drug_b)
);
INSERT INTO interactions
SELECT DISTINCT ON (a, b) a, b, (ARRAY['minor','moderate','major'])[1 + (a + b) % 3],
       'Concurrent use may alter the effect or level of one of the drugs; monitor the patient.'
FROM (SELECT least(x, y) AS a, greatest(x, y) AS b FROM (
        SELECT 1 + floor(2000 * random())::int AS x, 1 + floor(2000 * random())::int AS y FROM generate_series(1, 31000)) r
      WHERE x <> y) p;

CREATE TABLE daily_fill_counters (
  day date PRIMARY KEY,
  fills int NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX drugs_ndc_key ON drugs (ndc);
CREATE INDEX drugs_generic_name_idx ON drugs (generic_name);
CREATE INDEX inventory_drug_idx ON inventory (drug_id);
CREATE INDEX patients_phone_idx ON patients (phone);
CREATE INDEX prescriptions_patient_idx ON prescriptions (patient_id);
CREATE INDEX prescriptions_drug_idx ON prescriptions (drug_id);
CREATE INDEX fills_prescription_idx ON fills (prescription_id, filled_at DESC);
CREATE INDEX fills_store_status_idx ON fills (store_id, status, filled_at);
CREATE INDEX fills_store_filled_idx ON fills (store_id, filled_at);
CREATE INDEX claims_fill_idx ON claims (fill_id);
CREATE INDEX interactions_drug_b_idx ON interactions (drug_b);
`;

/** Create the schema and load the data into an empty database (about 20 s). */
export async function seedPharmacy(pgUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'pharmacy-seed' });
  await client.connect();
  try {
    await client.query('SET maintenance_work_mem = \'128MB\'');
    await client.query(SEED_SQL);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** The deploy of a build: undo the previous run's writes, then the build's indexes. */
export async function migratePharmacy(pgUrl: string, fault: PharmacyFault | null): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl, application_name: 'pharmacy-migrate' });
  await client.connect();
  try {
    await client.query(`DELETE FROM fills WHERE id > ${SEED_FILLS}`);
    await client.query(`DELETE FROM claims WHERE id > ${SEED_CLAIMS}`);
    await client.query(`UPDATE prescriptions SET refills_used = ${RX_REFILLS_USED} WHERE refills_used <> ${RX_REFILLS_USED}`);
    await client.query(`UPDATE inventory SET on_hand = ${INVENTORY_ON_HAND} WHERE on_hand <> ${INVENTORY_ON_HAND}`);
    await client.query('DELETE FROM daily_fill_counters');
    await client.query(`INSERT INTO daily_fill_counters VALUES (current_date, 0, now())`);
    if (fault === 'prescriptions-patient-index-dropped') {
      await client.query('DROP INDEX IF EXISTS prescriptions_patient_idx');
    } else {
      await client.query('CREATE INDEX IF NOT EXISTS prescriptions_patient_idx ON prescriptions (patient_id)');
    }
    await client.query('VACUUM ANALYZE fills, claims, prescriptions, inventory, daily_fill_counters');
  } finally {
    await client.end();
  }
}
