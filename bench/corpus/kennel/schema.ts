/**
 * The kennel's schema, seed data and per-deploy migration.
 *
 * Volumes (generate_series, deterministic): 20 facilities, 400 runs, 50k
 * owners, 80k pets, 240k vaccinations, 240k care-schedule items, 400k
 * bookings, ~60k run-nights of forward occupancy, 120k invoices with ~720k
 * lines, 200k daycare visits, 400k photo reports, 150k reviews (half of them tied to a booking).
 *
 * `migrateKennel()` is what a deploy of a given build runs: it resets the
 * tables the service writes during a load (so cases do not inherit each
 * other's writes) and applies the schema state of the fault's build (the
 * photo index, the run-status table's history).
 *
 * @module
 */
import pgPromise from 'pg-promise';
import type { KennelFault } from './faults.js';

const pgp = pgPromise({ noWarnings: true });

/** Run `fn` on one short-lived connection to `pgUrl`. */
async function withDb<T>(pgUrl: string, fn: (db: pgPromise.IDatabase<unknown>) => Promise<T>): Promise<T> {
  const db = pgp({ connectionString: pgUrl, max: 2, application_name: 'kennel-migrate' });
  // An idle connection the server ends (the harness terminating backends to clone or drop the database) is
  // emitted on the pool; unhandled, it kills the corpus runner. A failing query still rejects its own promise.
  db.$pool.on('error', () => undefined);
  try {
    return await fn(db);
  } finally {
    await db.$pool.end();
  }
}

const SCHEMA = `
CREATE TABLE facilities (
  id int PRIMARY KEY, name text NOT NULL, city text NOT NULL, has_daycare boolean NOT NULL,
  daycare_capacity int NOT NULL, present_count int NOT NULL DEFAULT 0, opened_on date NOT NULL);
CREATE TABLE runs (
  id int PRIMARY KEY, facility_id int NOT NULL REFERENCES facilities, label text NOT NULL, size text NOT NULL,
  kind text NOT NULL, nightly_cents int NOT NULL, in_service boolean NOT NULL);
CREATE TABLE owners (
  id int PRIMARY KEY, email text NOT NULL, full_name text NOT NULL, phone text NOT NULL, city text NOT NULL,
  marketing_opt_in boolean NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE pets (
  id int PRIMARY KEY, owner_id int NOT NULL, name text NOT NULL, species text NOT NULL, breed text NOT NULL,
  size text NOT NULL, birth_date date NOT NULL, weight_kg numeric(5,1) NOT NULL, notes text NOT NULL);
CREATE TABLE vaccinations (
  id bigserial PRIMARY KEY, pet_id int NOT NULL, vaccine text NOT NULL, administered_on date NOT NULL,
  expires_on date NOT NULL, clinic text NOT NULL, certificate_no text NOT NULL, verified boolean NOT NULL);
CREATE TABLE care_schedule (
  id int PRIMARY KEY, pet_id int NOT NULL, kind text NOT NULL, minute_of_day int NOT NULL,
  item text NOT NULL, dose text, days_mask int NOT NULL);
CREATE TABLE bookings (
  id bigserial PRIMARY KEY, owner_id int NOT NULL, pet_id int NOT NULL, run_id int NOT NULL, facility_id int NOT NULL,
  start_date date NOT NULL, nights int NOT NULL, status text NOT NULL, deposit_cents int NOT NULL,
  payment_ref text, created_at timestamptz NOT NULL);
CREATE TABLE run_nights (run_id int NOT NULL, night date NOT NULL, booking_id bigint NOT NULL, PRIMARY KEY (run_id, night));
CREATE TABLE service_items (id int PRIMARY KEY, name text NOT NULL, category text NOT NULL, unit_cents int NOT NULL);
CREATE TABLE invoices (
  id bigserial PRIMARY KEY, booking_id bigint NOT NULL, owner_id int NOT NULL, status text NOT NULL,
  issued_at timestamptz NOT NULL, total_cents int NOT NULL DEFAULT 0);
CREATE TABLE invoice_lines (
  invoice_id bigint NOT NULL, line_no int NOT NULL, service_item_id int NOT NULL, pet_id int NOT NULL,
  quantity int NOT NULL, amount_cents int NOT NULL, PRIMARY KEY (invoice_id, line_no));
CREATE TABLE daycare_visits (
  id bigserial PRIMARY KEY, pet_id int NOT NULL, facility_id int NOT NULL, tag text NOT NULL,
  checked_in_at timestamptz NOT NULL, checked_out_at timestamptz);
CREATE TABLE care_tasks (
  id bigserial PRIMARY KEY, visit_id bigint NOT NULL, pet_id int NOT NULL, schedule_id int NOT NULL,
  due_at timestamptz NOT NULL, done_at timestamptz);
CREATE TABLE photo_reports (
  id bigserial PRIMARY KEY, pet_id int NOT NULL, booking_id bigint, taken_at timestamptz NOT NULL,
  caption text NOT NULL, url text NOT NULL, width int NOT NULL, height int NOT NULL);
CREATE TABLE reviews (
  id bigserial PRIMARY KEY, facility_id int NOT NULL, owner_id int NOT NULL, booking_id bigint,
  rating int NOT NULL, title text NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE daycare_tag_counters (day date PRIMARY KEY, last_tag int NOT NULL);
CREATE SEQUENCE daycare_tag_seq;
`;

const DATA = [
  `INSERT INTO facilities
     SELECT g, 'Happy Paws ' || (ARRAY['Leeds','York','Bristol','Bath','Oxford','Reading','Derby','Exeter'])[1 + g % 8] || ' ' || g,
            (ARRAY['Leeds','York','Bristol','Bath','Oxford','Reading','Derby','Exeter'])[1 + g % 8],
            g <= 3, CASE WHEN g <= 3 THEN 80 ELSE 0 END, 0, date '2014-03-01' + g * 97
     FROM generate_series(1, 20) g`,
  `INSERT INTO runs
     SELECT g, 1 + (g - 1) / 20, 'R' || lpad(((g - 1) % 20 + 1)::text, 2, '0'), (ARRAY['S','M','L','XL'])[1 + g % 4],
            CASE WHEN g % 5 = 0 THEN 'suite' ELSE 'standard' END, 3500 + (g % 4) * 800 + CASE WHEN g % 5 = 0 THEN 2500 ELSE 0 END,
            g % 37 <> 0
     FROM generate_series(1, 400) g`,
  `INSERT INTO owners
     SELECT g, 'owner' || g || '@example.com', (ARRAY['Sam','Alex','Jo','Chris','Pat','Robin','Kim','Lee'])[1 + g % 8] || ' ' ||
            (ARRAY['Smith','Jones','Taylor','Brown','Wilson','Evans','Walker','Wright','Green'])[1 + g % 9],
            '+44 7700 ' || lpad((g * 37 % 1000000)::text, 6, '0'),
            (ARRAY['Leeds','York','Bristol','Bath','Oxford','Reading','Derby','Exeter'])[1 + g % 8], g % 3 = 0,
            now() - (g % 2500) * interval '1 day'
     FROM generate_series(1, 50000) g`,
  `INSERT INTO pets
     SELECT g, CASE WHEN g <= 50000 THEN g ELSE g - 50000 END,
            (ARRAY['Bella','Max','Luna','Charlie','Daisy','Milo','Poppy','Teddy','Bailey','Coco','Ruby','Alfie'])[1 + g % 12],
            CASE WHEN g % 10 = 0 THEN 'cat' ELSE 'dog' END,
            (ARRAY['Labrador','Cockapoo','Spaniel','Border Collie','Dachshund','French Bulldog','Jack Russell','Greyhound','Mixed'])[1 + g % 9],
            (ARRAY['S','M','L','XL'])[1 + g % 4], date '2010-01-01' + (g * 13 % 5000), 4 + (g % 40) + 0.5,
            'Friendly with other dogs. ' || (ARRAY['Pulls on lead.','Nervous of thunder.','Loves fetch.','Grain-free diet only.','Needs slow feeder bowl.'])[1 + g % 5]
            || ' Vet: ' || (ARRAY['Riverside Vets','Oak Tree Clinic','Hillview Animal Hospital'])[1 + g % 3]
     FROM generate_series(1, 80000) g`,
  `INSERT INTO vaccinations (pet_id, vaccine, administered_on, expires_on, clinic, certificate_no, verified)
     SELECT 1 + (g - 1) / 3, (ARRAY['rabies','dhpp','bordetella'])[1 + (g - 1) % 3], current_date - (g * 7 % 700),
            current_date - (g * 7 % 700) + 365, (ARRAY['Riverside Vets','Oak Tree Clinic','Hillview Animal Hospital'])[1 + g % 3],
            'VC-' || (100000 + g), g % 11 <> 0
     FROM generate_series(1, 240000) g`,
  `INSERT INTO care_schedule
     SELECT g, 1 + (g - 1) / 3, (ARRAY['feeding','medication','walk'])[1 + (g - 1) % 3],
            (ARRAY[450, 720, 1050])[1 + (g - 1) % 3] + (g % 4) * 15,
            (ARRAY['Kibble 200g','Apoquel 16mg','30 min lead walk'])[1 + (g - 1) % 3],
            CASE WHEN (g - 1) % 3 = 1 THEN '1 tablet' END, 127
     FROM generate_series(1, 240000) g`,
  `INSERT INTO bookings (owner_id, pet_id, run_id, facility_id, start_date, nights, status, deposit_cents, payment_ref, created_at)
     SELECT CASE WHEN p <= 50000 THEN p ELSE p - 50000 END, p, r, 1 + (r - 1) / 20, d, 1 + g % 9,
            CASE WHEN d > current_date THEN 'confirmed' WHEN g % 23 = 0 THEN 'cancelled' ELSE 'completed' END,
            2000 + (g % 5) * 500, 'pay_' || to_hex(g * 2654435761::bigint), d - (g % 60) * interval '1 day'
     FROM (SELECT g, (1 + (g::bigint * 7919) % 80000)::int AS p, (1 + (g::bigint * 104729) % 400)::int AS r, current_date - 900 + (g % 1100) AS d
           FROM generate_series(1, 400000) g) s`,
  `INSERT INTO run_nights
     SELECT b.run_id, b.start_date + i, b.id FROM bookings b, generate_series(0, b.nights - 1) i
     WHERE b.id % 6 = 0 AND b.start_date >= current_date - 14 AND b.status <> 'cancelled'
     ON CONFLICT DO NOTHING`,
  `INSERT INTO service_items VALUES
     (1,'Boarding night (standard)','boarding',3500),(2,'Boarding night (suite)','boarding',6000),(3,'Daycare day','daycare',2800),
     (4,'Bath & brush','grooming',2500),(5,'Nail trim','grooming',900),(6,'Extra walk','activity',800),(7,'Medication admin','care',300),
     (8,'Special diet','care',400),(9,'Pick-up & drop-off','transport',1500),(10,'Puppy training session','training',3000),
     (11,'Photo pack','extras',500),(12,'Late checkout','boarding',1200),(13,'Deposit','payment',2000),(14,'Cat condo night','boarding',2500),
     (15,'Enrichment toy','extras',700),(16,'Vet visit escort','care',2000),(17,'Flea treatment','care',1100),(18,'Ear clean','grooming',600),
     (19,'Teeth brushing','grooming',500),(20,'Pool session','activity',1800),(21,'Webcam access','extras',300),(22,'Bedding wash','care',400),
     (23,'Birthday treat','extras',600),(24,'Holiday surcharge','boarding',1000),(25,'Loyalty credit','credit',-1500)`,
  `INSERT INTO invoices (booking_id, owner_id, status, issued_at)
     SELECT b.id, b.owner_id, CASE WHEN g % 7 = 0 THEN 'open' ELSE 'paid' END, b.created_at + interval '1 day'
     FROM generate_series(1, 120000) g JOIN bookings b ON b.id = g * 3`,
  `INSERT INTO invoice_lines
     SELECT i.id, k, CASE WHEN k = 1 AND i.id % 5 = 0 THEN 25 ELSE 1 + (i.id * k) % 24 END, b.pet_id, 1 + (k % 3),
            CASE WHEN k = 1 AND i.id % 5 = 0 THEN -1500 ELSE 300 + ((i.id * k) % 24) * 250 END
     FROM invoices i JOIN bookings b ON b.id = i.booking_id, generate_series(1, 4 + (i.id % 5)::int) k`,
  `UPDATE invoices i SET total_cents = s.total FROM (SELECT invoice_id, sum(amount_cents * quantity) AS total FROM invoice_lines GROUP BY invoice_id) s
     WHERE s.invoice_id = i.id`,
  `INSERT INTO daycare_visits (pet_id, facility_id, tag, checked_in_at, checked_out_at)
     SELECT 1 + (g * 31) % 80000, 1 + g % 3, 'D' || (g % 500), now() - (g % 700) * interval '1 day' - interval '9 hours',
            now() - (g % 700) * interval '1 day' - interval '1 hour'
     FROM generate_series(1, 200000) g`,
  `INSERT INTO photo_reports (pet_id, booking_id, taken_at, caption, url, width, height)
     SELECT 1 + (g * 7) % 80000, 1 + (g * 13) % 400000, now() - (g % 900000) * interval '1 minute',
            (ARRAY['Enjoying the paddock','Nap time!','Made a new friend','Dinner was a hit','Splash in the pool','Zoomies after breakfast'])[1 + g % 6],
            'https://cdn.kennel.example/photos/' || g || '.jpg', 1600, 1200
     FROM generate_series(1, 400000) g`,
  `INSERT INTO reviews (facility_id, owner_id, booking_id, rating, title, body, created_at)
     SELECT 1 + g % 20, 1 + (g * 13) % 50000, CASE WHEN g % 2 = 0 THEN 1 + (g * 17) % 400000 END,
            (ARRAY[5,5,5,4,4,3,5,2,4,1])[1 + g % 10],
            (ARRAY['Great stay','Staff were lovely','Would book again','Bit pricey','Came home happy'])[1 + g % 5],
            'Came back happy and tired; loved the daily photos. ' ||
            (ARRAY['Will be back.','Run was spotless.','Wish the webcam worked better.','Booking was easy.'])[1 + g % 4],
            now() - (g % 1500) * interval '1 day'
     FROM generate_series(1, 150000) g`,
];

const INDEXES = [
  'CREATE INDEX runs_facility_size_idx ON runs (facility_id, size)',
  'CREATE UNIQUE INDEX owners_email_idx ON owners (email)',
  'CREATE INDEX pets_owner_idx ON pets (owner_id)',
  'CREATE INDEX vaccinations_pet_idx ON vaccinations (pet_id)',
  'CREATE INDEX care_schedule_pet_idx ON care_schedule (pet_id)',
  'CREATE INDEX bookings_owner_start_idx ON bookings (owner_id, start_date DESC)',
  'CREATE INDEX bookings_pet_start_idx ON bookings (pet_id, start_date DESC)',
  'CREATE INDEX bookings_facility_start_idx ON bookings (facility_id, start_date)',
  'CREATE INDEX invoices_booking_idx ON invoices (booking_id)',
  'CREATE INDEX daycare_visits_facility_in_idx ON daycare_visits (facility_id, checked_in_at)',
  'CREATE INDEX daycare_visits_open_idx ON daycare_visits (pet_id) WHERE checked_out_at IS NULL',
  'CREATE INDEX care_tasks_visit_idx ON care_tasks (visit_id)',
  'CREATE INDEX photo_reports_pet_taken_idx ON photo_reports (pet_id, taken_at DESC)',
  'CREATE INDEX reviews_facility_created_idx ON reviews (facility_id, created_at DESC)',
  'CREATE INDEX reviews_booking_idx ON reviews (booking_id)',
];

/** Create the schema and load the data into an empty database (~20-40 s on 2 busy cores). */
export async function seedKennel(pgUrl: string): Promise<void> {
  await withDb(pgUrl, async (db) => {
    await db.none(SCHEMA);
    for (const sql of DATA) await db.none(sql);
    // Indexes after the load: building them once is several times cheaper than maintaining them per row.
    await Promise.all([
      (async () => { for (const sql of INDEXES.filter((_, i) => i % 2 === 0)) await db.none(sql); })(),
      (async () => { for (const sql of INDEXES.filter((_, i) => i % 2 === 1)) await db.none(sql); })(),
    ]);
    await db.none('VACUUM ANALYZE');
  });
}

/**
 * The deploy of a build: reset what a previous load wrote, then bring the
 * schema to the state of `fault`'s build.
 */
export async function migrateKennel(pgUrl: string, fault: KennelFault | null): Promise<void> {
  await withDb(pgUrl, async (db) => {
    // Writes of earlier loads: bookings/visits/vaccinations past the seeded ids, their nights and tasks.
    await db.multi(`
      DELETE FROM run_nights WHERE booking_id > 400000;
      DELETE FROM invoice_lines WHERE invoice_id > 120000;
      DELETE FROM invoices WHERE id > 120000;
      DELETE FROM bookings WHERE id > 400000;
      DELETE FROM daycare_visits WHERE id > 200000;
      DELETE FROM vaccinations WHERE id > 240000;
      TRUNCATE care_tasks, daycare_tag_counters;
      UPDATE facilities SET present_count = 0 WHERE present_count <> 0;
      SELECT setval('bookings_id_seq', 400000); SELECT setval('daycare_visits_id_seq', 200000);
      SELECT setval('vaccinations_id_seq', 240000); SELECT setval('invoices_id_seq', 120000);
    `);

    // The moderation feed's index on taken_at replaced the per-pet index in the faulty build.
    if (fault === 'photos-index-replaced') {
      await db.none('DROP INDEX IF EXISTS photo_reports_pet_taken_idx');
      await db.none('CREATE INDEX IF NOT EXISTS photo_reports_taken_idx ON photo_reports (taken_at DESC)');
    } else {
      await db.none('DROP INDEX IF EXISTS photo_reports_taken_idx');
      await db.none('CREATE INDEX IF NOT EXISTS photo_reports_pet_taken_idx ON photo_reports (pet_id, taken_at DESC)');
    }

    // The run board: one row per run, rewritten by housekeeping all day long. Fillfactor 80 leaves
    // room on each page for HOT updates; 400 rows never needed an index but the primary key.
    const bloated = fault === 'run-status-bloat';
    await db.none(`
      DROP TABLE IF EXISTS run_status;
      CREATE TABLE run_status (run_id int NOT NULL, facility_id int NOT NULL, status text NOT NULL,
                               housekeeping_note text NOT NULL, updated_at timestamptz NOT NULL)
        WITH (fillfactor = 80${bloated ? ', autovacuum_enabled = false' : ''})`);
    if (bloated) {
      // The faulty build's history: autovacuum was switched off on the table for a bulk import and
      // never switched back on, while housekeeping kept rewriting every run's row (1500 times per run
      // here). Replayed as the old row versions, then their removal: they stay behind as dead tuples.
      await db.none(`
        INSERT INTO run_status
          SELECT r.id, r.facility_id, (ARRAY['occupied','clean','needs-cleaning','maintenance'])[1 + (r.id + i) % 4],
                 'Checked by ' || (ARRAY['Ana','Ben','Cat','Dev'])[1 + (r.id + i) % 4] || ', bedding changed, water refilled, door latch ok.',
                 now() - (1500 - i) * interval '1 minute' - interval '1 day'
            FROM generate_series(1, 1500) i, runs r`);
      await db.none(`DELETE FROM run_status`);
    }
    await db.none(`
      INSERT INTO run_status
        SELECT id, facility_id, (ARRAY['occupied','clean','needs-cleaning','occupied','maintenance'])[1 + id % 5],
               'Checked by ' || (ARRAY['Ana','Ben','Cat','Dev'])[1 + id % 4] || ', bedding changed, water refilled, door latch ok.',
               now()
          FROM runs;
      ALTER TABLE run_status ADD PRIMARY KEY (run_id)`);
    if (!bloated) await db.none('VACUUM ANALYZE run_status');
    await db.none('ANALYZE photo_reports');
  });
}
