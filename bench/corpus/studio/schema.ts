/**
 * The studio's data model: drizzle table definitions (what the app queries
 * through), the DDL that creates them, the bulk seed, and the per-deploy
 * migration that puts the database in the state of a fault's build.
 *
 * Data shape (ids are deterministic so load mixes can address real rows):
 * 20 studios x 10 rooms x 5 slots a day = 1000 classes a day, 90 days of
 * history and 14 days ahead (104 000 classes; ids 90 001..104 000 are today
 * and later). Past classes have 8 bookings each, upcoming ones 4: booking ids
 * 1..720 000 are history, 720 001..776 000 upcoming. 60 000 members, about
 * 86 % with a membership (every 7th member is a lapsed drop-in).
 *
 * @module
 */
import { createHmac, randomBytes, scryptSync } from 'node:crypto';
import { relations } from 'drizzle-orm';
import { bigint, bigserial, boolean, integer, jsonb, pgTable, real, serial, text, timestamp } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { StudioFault } from './faults.js';

export const STUDIOS = 20;
export const ROOMS_PER_STUDIO = 10;
export const CLASSES_PER_DAY = STUDIOS * ROOMS_PER_STUDIO * 5;
export const DAYS_PAST = 90;
export const DAYS_AHEAD = 14;
export const CLASS_COUNT = CLASSES_PER_DAY * (DAYS_PAST + DAYS_AHEAD);
/** First class id of today (classes before it are history). */
export const FIRST_UPCOMING_CLASS = CLASSES_PER_DAY * DAYS_PAST + 1;
export const MEMBERS = 60_000;
export const INSTRUCTORS = STUDIOS * 15;
export const CLASS_TYPES = 40;
/** Booking ids of today's and later classes. */
export const FIRST_UPCOMING_BOOKING = (FIRST_UPCOMING_CLASS - 1) * 8 + 1;
export const LAST_BOOKING = FIRST_UPCOMING_BOOKING - 1 + (CLASS_COUNT - FIRST_UPCOMING_CLASS + 1) * 4;

/**
 * The secret the front-desk kiosks were provisioned with (one MDM profile for
 * every studio); each kiosk stores it hashed with its own salt.
 */
export const KIOSK_PROVISIONING_SECRET = 'fd-2c71e9a40b';
/** Server-side pepper of the legacy kiosk secret HMAC. */
export const KIOSK_PEPPER = 'studio-kiosk-pepper-v1';

export const studios = pgTable('studios', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  city: text('city').notNull(),
  timezone: text('timezone').notNull(),
});

export const instructors = pgTable('instructors', {
  id: serial('id').primaryKey(),
  studioId: integer('studio_id').notNull(),
  name: text('name').notNull(),
  bio: text('bio').notNull(),
  specialties: text('specialties').array().notNull(),
  ratingPercentile: real('rating_percentile'),
});

export const classTypes = pgTable('class_types', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  durationMin: integer('duration_min').notNull(),
  intensity: text('intensity').notNull(),
});

export const classes = pgTable('classes', {
  id: serial('id').primaryKey(),
  studioId: integer('studio_id').notNull(),
  roomId: integer('room_id').notNull(),
  instructorId: integer('instructor_id').notNull(),
  classTypeId: integer('class_type_id').notNull(),
  title: text('title').notNull(),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  capacity: integer('capacity').notNull(),
  bookedCount: integer('booked_count').notNull(),
  status: text('status').notNull(),
});

export const members = pgTable('members', {
  id: serial('id').primaryKey(),
  email: text('email').notNull(),
  firstName: text('first_name').notNull(),
  lastName: text('last_name').notNull(),
  phone: text('phone').notNull(),
  homeStudioId: integer('home_studio_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const memberships = pgTable('memberships', {
  id: serial('id').primaryKey(),
  memberId: integer('member_id').notNull(),
  plan: text('plan').notNull(),
  creditsRemaining: integer('credits_remaining').notNull(),
  status: text('status').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

export const bookings = pgTable('bookings', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  classId: integer('class_id').notNull(),
  memberId: integer('member_id').notNull(),
  status: text('status').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  checkedInAt: timestamp('checked_in_at', { withTimezone: true }),
});

export const waitlistEntries = pgTable('waitlist_entries', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  classId: integer('class_id').notNull(),
  memberId: integer('member_id').notNull(),
  position: integer('position').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const reviews = pgTable('reviews', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  classId: integer('class_id').notNull(),
  instructorId: integer('instructor_id').notNull(),
  memberId: integer('member_id').notNull(),
  rating: integer('rating').notNull(),
  body: text('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const payments = pgTable('payments', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  memberId: integer('member_id').notNull(),
  pack: text('pack').notNull(),
  amountCents: integer('amount_cents').notNull(),
  status: text('status').notNull(),
  providerRef: text('provider_ref'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const roomOccupancy = pgTable('room_occupancy', {
  id: integer('id').primaryKey(),
  studioId: integer('studio_id').notNull(),
  roomName: text('room_name').notNull(),
  capacity: integer('capacity').notNull(),
  checkedIn: integer('checked_in').notNull(),
  recent: jsonb('recent').$type<string[]>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const kioskDevices = pgTable('kiosk_devices', {
  id: integer('id').primaryKey(),
  studioId: integer('studio_id').notNull(),
  salt: text('salt').notNull(),
  secretHash: text('secret_hash').notNull(),
  hashScheme: text('hash_scheme').notNull(),
  active: boolean('active').notNull(),
});

export const creditLedger = pgTable('credit_ledger', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  memberId: integer('member_id').notNull(),
  delta: integer('delta').notNull(),
  reason: text('reason').notNull(),
  refId: bigint('ref_id', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const classesRelations = relations(classes, ({ one }) => ({
  instructor: one(instructors, { fields: [classes.instructorId], references: [instructors.id] }),
  classType: one(classTypes, { fields: [classes.classTypeId], references: [classTypes.id] }),
  studio: one(studios, { fields: [classes.studioId], references: [studios.id] }),
}));

/** Everything the app's drizzle instance knows (tables and relations). */
export const schema = {
  studios, instructors, classTypes, classes, members, memberships, bookings, waitlistEntries, reviews, payments,
  roomOccupancy, kioskDevices, creditLedger, classesRelations,
};

const ROOM_NAMES = ['Cycle', 'Reformer', 'Yoga Loft', 'Boxing Ring', 'Hot Room', 'Barre', 'Strength', 'Mat', 'Rowing', 'Spin'];

const DDL = `
CREATE TABLE studios (id serial PRIMARY KEY, name text NOT NULL, city text NOT NULL, timezone text NOT NULL);
CREATE TABLE instructors (id serial PRIMARY KEY, studio_id int NOT NULL REFERENCES studios, name text NOT NULL, bio text NOT NULL,
  specialties text[] NOT NULL, rating_percentile real);
CREATE TABLE class_types (id serial PRIMARY KEY, name text NOT NULL, description text NOT NULL, duration_min int NOT NULL, intensity text NOT NULL);
CREATE TABLE classes (id serial PRIMARY KEY, studio_id int NOT NULL, room_id int NOT NULL, instructor_id int NOT NULL,
  class_type_id int NOT NULL, title text NOT NULL, starts_at timestamptz NOT NULL, capacity int NOT NULL,
  booked_count int NOT NULL DEFAULT 0, status text NOT NULL);
CREATE TABLE members (id serial PRIMARY KEY, email text NOT NULL, first_name text NOT NULL, last_name text NOT NULL,
  phone text NOT NULL, home_studio_id int NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE memberships (id serial PRIMARY KEY, member_id int NOT NULL, plan text NOT NULL, credits_remaining int NOT NULL,
  status text NOT NULL, started_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);
CREATE TABLE bookings (id bigserial PRIMARY KEY, class_id int NOT NULL, member_id int NOT NULL, status text NOT NULL,
  created_at timestamptz NOT NULL, checked_in_at timestamptz);
CREATE TABLE waitlist_entries (id bigserial PRIMARY KEY, class_id int NOT NULL, member_id int NOT NULL, position int NOT NULL,
  created_at timestamptz NOT NULL);
CREATE TABLE reviews (id bigserial PRIMARY KEY, class_id int NOT NULL, instructor_id int NOT NULL, member_id int NOT NULL,
  rating int NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE payments (id bigserial PRIMARY KEY, member_id int NOT NULL, pack text NOT NULL, amount_cents int NOT NULL,
  status text NOT NULL, provider_ref text, created_at timestamptz NOT NULL);
CREATE TABLE room_occupancy (id int PRIMARY KEY, studio_id int NOT NULL, room_name text NOT NULL, capacity int NOT NULL,
  checked_in int NOT NULL, recent jsonb NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE kiosk_devices (id int PRIMARY KEY, studio_id int NOT NULL, salt text NOT NULL, secret_hash text NOT NULL,
  hash_scheme text NOT NULL, active boolean NOT NULL DEFAULT true);
CREATE TABLE credit_ledger (id bigserial PRIMARY KEY, member_id int NOT NULL, delta int NOT NULL, reason text NOT NULL,
  ref_id bigint, created_at timestamptz NOT NULL DEFAULT now());
`;

const INDEXES = `
CREATE INDEX classes_studio_starts_idx ON classes (studio_id, starts_at);
CREATE INDEX classes_instructor_idx ON classes (instructor_id, starts_at);
CREATE UNIQUE INDEX memberships_member_key ON memberships (member_id);
CREATE UNIQUE INDEX bookings_class_member_key ON bookings (class_id, member_id);
CREATE INDEX bookings_member_created_idx ON bookings (member_id, created_at DESC);
CREATE INDEX waitlist_class_position_idx ON waitlist_entries (class_id, position);
CREATE INDEX reviews_instructor_created_idx ON reviews (instructor_id, created_at DESC);
CREATE INDEX reviews_class_idx ON reviews (class_id);
CREATE INDEX payments_member_created_idx ON payments (member_id, created_at DESC);
CREATE INDEX credit_ledger_member_idx ON credit_ledger (member_id, created_at DESC);
`;

/** Start of class `c`'s day, as SQL over an int column/expression `c`. */
const CLASS_STARTS = (c: string): string =>
  `date_trunc('day', now()) - interval '${DAYS_PAST} days' + ((${c} - 1) / ${CLASSES_PER_DAY}) * interval '1 day' + (7 + ((${c} - 1) % 5) * 3) * interval '1 hour'`;

/** Member of seat `s` of class `c` (distinct per class: 44729 is coprime with 60000). */
const SEAT_MEMBER = (c: string, s: string): string => `((${c}::bigint * 7919 + ${s} * 44729) % ${MEMBERS}) + 1`;

/** Create the schema and bulk-load the data into an empty database (about 20-40 s). */
export async function seedStudio(pgUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(DDL);
    await client.query(`
      INSERT INTO studios (id, name, city, timezone)
      SELECT g, (ARRAY['Harbour','Northside','Old Town','Riverside','Midtown','Eastgate','Parkview','Docklands','Hillcrest','Westend'])[1 + (g - 1) % 10]
             || CASE WHEN g > 10 THEN ' II' ELSE '' END,
             (ARRAY['Lisbon','Porto','Madrid','Barcelona'])[1 + g % 4], 'Europe/Lisbon'
      FROM generate_series(1, ${STUDIOS}) g;
      INSERT INTO instructors (id, studio_id, name, bio, specialties)
      SELECT g, 1 + (g - 1) / 15,
             (ARRAY['Ana','Bruno','Carla','Diego','Elena','Filipe','Greta','Hugo','Ines','Joana','Kai','Lara','Marco','Nina','Omar'])[1 + g % 15] || ' ' ||
             (ARRAY['Silva','Costa','Moreau','Garcia','Novak','Berg','Rossi','Lund','Patel','Okafor'])[1 + (g * 7) % 10],
             repeat('Certified coach with a background in sports science and rehabilitation; loves progressive programming, '
                    || 'clear cueing and playlists that carry a room through the last interval. ', 6),
             ARRAY[(ARRAY['spin','hiit','yoga','pilates','boxing','barre','strength'])[1 + g % 7],
                   (ARRAY['mobility','endurance','prenatal','rowing','core'])[1 + g % 5]]
      FROM generate_series(1, ${INSTRUCTORS}) g;
      INSERT INTO class_types (id, name, description, duration_min, intensity)
      SELECT g, (ARRAY['Rhythm Ride','Power Yoga','Reformer Flow','Box Fit','Barre Burn','Strength Lab','Row & Core','Hot Vinyasa'])[1 + g % 8]
                || ' ' || (ARRAY['45','60','Express','Intro','Advanced'])[1 + g % 5],
             repeat('A coached group session built around intervals, technique blocks and a proper cool-down. Bring water and a towel. ', 4),
             CASE WHEN g % 3 = 0 THEN 45 ELSE 60 END, (ARRAY['low','medium','high'])[1 + g % 3]
      FROM generate_series(1, ${CLASS_TYPES}) g;`);
    await client.query(`
      INSERT INTO classes (id, studio_id, room_id, instructor_id, class_type_id, title, starts_at, capacity, booked_count, status)
      SELECT c, studio, room, (studio - 1) * 15 + 1 + (slot * 3 + room + day) % 15, 1 + (room * 5 + slot * 7) % ${CLASS_TYPES},
             'Class ' || c, ${CLASS_STARTS('c')}, 20 + (room % 3) * 5,
             CASE WHEN c < ${FIRST_UPCOMING_CLASS} THEN 8 ELSE 4 END,
             CASE WHEN c < ${FIRST_UPCOMING_CLASS} THEN 'completed' ELSE 'scheduled' END
      FROM (SELECT c, (c - 1) / ${CLASSES_PER_DAY} AS day, ((c - 1) % ${CLASSES_PER_DAY}) / 5 + 1 AS room, (c - 1) % 5 AS slot,
                   (((c - 1) % ${CLASSES_PER_DAY}) / 5) / ${ROOMS_PER_STUDIO} + 1 AS studio
            FROM generate_series(1, ${CLASS_COUNT}) c) x;
      UPDATE classes c SET title = t.name FROM class_types t WHERE t.id = c.class_type_id;`);
    await client.query(`
      INSERT INTO members (id, email, first_name, last_name, phone, home_studio_id, created_at)
      SELECT g, 'member' || g || '@mail.example', (ARRAY['Alex','Maria','João','Sofia','Tiago','Beatriz','Rui','Marta','Pedro','Leonor','Ivo','Clara','Nuno','Rita'])[1 + g % 14],
             (ARRAY['Almeida','Ferreira','Santos','Pereira','Oliveira','Rodrigues','Martins','Sousa','Fernandes','Gomes','Lopes'])[1 + (g * 13) % 11],
             '+3519' || lpad((g * 7919 % 100000000)::text, 8, '0'), 1 + g % ${STUDIOS}, now() - (g % 1400) * interval '1 day'
      FROM generate_series(1, ${MEMBERS}) g;
      INSERT INTO memberships (member_id, plan, credits_remaining, status, started_at, expires_at)
      SELECT g, (ARRAY['unlimited','ten-pack','monthly-8'])[1 + g % 3], 5 + g % 200, 'active',
             now() - (g % 300) * interval '1 day', now() + (30 + g % 300) * interval '1 day'
      FROM generate_series(1, ${MEMBERS}) g WHERE g % 7 <> 0;`);
    await client.query(`
      INSERT INTO bookings (id, class_id, member_id, status, created_at, checked_in_at)
      SELECT (c - 1)::bigint * 8 + s, c, ${SEAT_MEMBER('c', 's')},
             CASE WHEN (c + s) % 10 = 0 THEN 'no_show' ELSE 'attended' END,
             ${CLASS_STARTS('c')} - ((s * 37 + c) % 240) * interval '1 hour',
             CASE WHEN (c + s) % 10 = 0 THEN NULL ELSE ${CLASS_STARTS('c')} - interval '8 minutes' END
      FROM generate_series(1, ${FIRST_UPCOMING_CLASS - 1}) c, generate_series(1, 8) s;
      INSERT INTO bookings (id, class_id, member_id, status, created_at)
      SELECT ${FIRST_UPCOMING_BOOKING - 1}::bigint + (c - ${FIRST_UPCOMING_CLASS}) * 4 + s, c, ${SEAT_MEMBER('c', 's')}, 'booked',
             now() - ((s * 37 + c) % 240) * interval '1 hour'
      FROM generate_series(${FIRST_UPCOMING_CLASS}, ${CLASS_COUNT}) c, generate_series(1, 4) s;
      SELECT setval('bookings_id_seq', ${LAST_BOOKING});`);
    await client.query(`
      INSERT INTO waitlist_entries (class_id, member_id, position, created_at)
      SELECT c, ((c::bigint * 104729 + p * 7919 + 13) % ${MEMBERS}) + 1, p, now() - (60 - p) * interval '1 minute'
      FROM generate_series(${FIRST_UPCOMING_CLASS}, ${CLASS_COUNT}) c, generate_series(1, 30) p
      WHERE p <= 10 + c % 21;
      INSERT INTO reviews (class_id, instructor_id, member_id, rating, body, created_at)
      SELECT cl.id, cl.instructor_id, ${SEAT_MEMBER('cl.id', 'k')},
             CASE WHEN (cl.id * k * 31) % 10 < 5 THEN 5 WHEN (cl.id * k * 31) % 10 < 8 THEN 4 ELSE 1 + (cl.id + k + cl.instructor_id) % 3 END,
             (ARRAY['Great energy, tough intervals.','Loved the playlist and the cues.','Room was too warm but class was good.',
                    'Perfect pace for a Monday.','Would like more form corrections.','Best class of the week!',
                    'Started late, felt rushed.','Challenging and fun, will book again.'])[1 + (cl.id + k) % 8],
             cl.starts_at + k * interval '3 hours'
      FROM classes cl, generate_series(1, 3) k
      WHERE cl.id < ${FIRST_UPCOMING_CLASS} AND (cl.id + k) % 4 <> 0;
      INSERT INTO payments (member_id, pack, amount_cents, status, provider_ref, created_at)
      SELECT 1 + g % ${MEMBERS}, (ARRAY['single','ten-pack','monthly-8','unlimited'])[1 + g % 4],
             (ARRAY[1800, 15000, 9900, 14900])[1 + g % 4], CASE WHEN g % 50 = 0 THEN 'declined' ELSE 'captured' END,
             'ch_' || md5(g::text), now() - (g % 365) * interval '1 day'
      FROM generate_series(1, 300000) g;`);
    await client.query(INDEXES);
    // The nightly ratings job keeps a precomputed percentile per instructor.
    await client.query(`
      UPDATE instructors i SET rating_percentile = r.pct
      FROM (SELECT instructor_id, percent_rank() OVER (ORDER BY avg(rating)) AS pct FROM reviews GROUP BY instructor_id) r
      WHERE r.instructor_id = i.id;
      SELECT setval('studios_id_seq', ${STUDIOS}); SELECT setval('instructors_id_seq', ${INSTRUCTORS});
      SELECT setval('class_types_id_seq', ${CLASS_TYPES}); SELECT setval('classes_id_seq', ${CLASS_COUNT});
      SELECT setval('members_id_seq', ${MEMBERS});`);
    for (let id = 1; id <= STUDIOS; id++) {
      const salt = randomBytes(16).toString('hex');
      await client.query('INSERT INTO kiosk_devices (id, studio_id, salt, secret_hash, hash_scheme) VALUES ($1, $1, $2, $3, $4)', [id, salt, legacyKioskHash(salt, KIOSK_PROVISIONING_SECRET), 'hmac-sha256']);
    }
    await client.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'studio_reader') THEN
          CREATE ROLE studio_reader LOGIN PASSWORD '${READER_PASSWORD}';
        END IF;
      END $$;
      GRANT SELECT ON ALL TABLES IN SCHEMA public TO studio_reader;`);
    await resetOccupancy(client);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** The read-only role the public widgets (instructor reviews) connect as. */
export const READER_ROLE = 'studio_reader';
const READER_PASSWORD = 'studio-reader-ro';

/** `pgUrl` with the read-only role's credentials. */
export function readerUrl(pgUrl: string): string {
  const url = new URL(pgUrl);
  url.username = READER_ROLE;
  url.password = READER_PASSWORD;
  return url.toString();
}

/** The kiosk secret hash the fleet was provisioned with: HMAC-SHA256(pepper, salt:secret). */
export function legacyKioskHash(salt: string, secret: string): string {
  return createHmac('sha256', KIOSK_PEPPER).update(`${salt}:${secret}`).digest('hex');
}

/** scrypt cost the security review asked for on kiosk secrets. */
export const KIOSK_SCRYPT = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** The kiosk secret hash after the scrypt rollout. */
export function scryptKioskHash(salt: string, secret: string): string {
  return scryptSync(secret, salt, 32, KIOSK_SCRYPT).toString('hex');
}

async function resetOccupancy(client: pg.Client): Promise<void> {
  await client.query(`
    DROP TABLE IF EXISTS room_occupancy;
    CREATE TABLE room_occupancy (id int PRIMARY KEY, studio_id int NOT NULL, room_name text NOT NULL, capacity int NOT NULL,
      checked_in int NOT NULL, recent jsonb NOT NULL, updated_at timestamptz NOT NULL);
    INSERT INTO room_occupancy (id, studio_id, room_name, capacity, checked_in, recent, updated_at)
    SELECT r, 1 + (r - 1) / ${ROOMS_PER_STUDIO}, (ARRAY[${ROOM_NAMES.map((n) => `'${n}'`).join(',')}])[1 + (r - 1) % ${ROOMS_PER_STUDIO}],
           20 + (r % 3) * 5, 0, '[]'::jsonb, now()
    FROM generate_series(1, ${STUDIOS * ROOMS_PER_STUDIO}) r;
    GRANT SELECT ON room_occupancy TO ${READER_ROLE};`);
}

/**
 * The deploy's migration: bring the database to the state of `fault`'s
 * build. Every start runs it, so a case never inherits the previous case's
 * index, role, kiosk or occupancy state.
 */
export async function migrateStudio(pgUrl: string, fault: StudioFault | null): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    // Index consolidation: the (class_id, member_id) unique index was meant to cover member lookups too.
    if (fault === 'bookings-index-consolidated') await client.query('DROP INDEX IF EXISTS bookings_member_created_idx');
    else await client.query('CREATE INDEX IF NOT EXISTS bookings_member_created_idx ON bookings (member_id, created_at DESC)');

    // The DBA capped the read-only role; the app's reader pool was sized independently.
    await client.query(`ALTER ROLE ${READER_ROLE} CONNECTION LIMIT ${fault === 'reader-role-capped' ? 2 : -1}`);

    // Kiosk secrets: legacy HMAC or the scrypt rollout.
    const devices = await client.query<{ id: number; salt: string }>('SELECT id, salt FROM kiosk_devices ORDER BY id');
    for (const d of devices.rows) {
      const scrypt = fault === 'kiosk-secret-scrypt';
      await client.query('UPDATE kiosk_devices SET secret_hash = $2, hash_scheme = $3 WHERE id = $1', [
        d.id, scrypt ? scryptKioskHash(d.salt, KIOSK_PROVISIONING_SECRET) : legacyKioskHash(d.salt, KIOSK_PROVISIONING_SECRET), scrypt ? 'scrypt' : 'hmac-sha256',
      ]);
    }

    // Lobby boards: a fresh occupancy table per deploy; in the bloated world autovacuum was switched off on it
    // weeks ago ("it kept fighting the kiosks for the row locks") and every check-in since left a dead version.
    await resetOccupancy(client);
    if (fault === 'occupancy-autovacuum-off') {
      await client.query('ALTER TABLE room_occupancy SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)');
      // ~1500 dead versions per live row, the heap those weeks of updates left. Written as inserted-then-deleted
      // versions, which gives the same dead tuples in linear time.
      await client.query(`
        INSERT INTO room_occupancy (id, studio_id, room_name, capacity, checked_in, recent, updated_at)
        SELECT 1000 + g, 1 + g % ${STUDIOS}, 'Cycle', 25, g % 25,
               jsonb_build_array('Maria S. checked in', 'João P. checked in', 'Sofia M. checked in', 'Tiago F. checked in',
                                 'Beatriz G. checked in', 'Rui A. checked in', 'Marta L. checked in', 'Pedro O. checked in'),
               now() - g * interval '1 second'
        FROM generate_series(1, 300000) g;
        DELETE FROM room_occupancy WHERE id > 1000;`);
    }
    await client.query(`
      UPDATE classes SET booked_count = CASE WHEN id < ${FIRST_UPCOMING_CLASS} THEN 8 ELSE 4 END
      WHERE booked_count <> CASE WHEN id < ${FIRST_UPCOMING_CLASS} THEN 8 ELSE 4 END;
      DELETE FROM bookings WHERE id > ${LAST_BOOKING};
      UPDATE bookings SET status = 'booked', checked_in_at = NULL WHERE id >= ${FIRST_UPCOMING_BOOKING} AND status <> 'booked';
      DELETE FROM payments WHERE id > 300000;
      TRUNCATE credit_ledger;`);
  } finally {
    await client.end();
  }
}
