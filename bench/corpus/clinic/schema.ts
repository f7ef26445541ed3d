/**
 * Schema, seed data and per-deploy migrations of the clinic corpus service.
 *
 * The seed is generated inside PostgreSQL with `generate_series` so a few
 * hundred thousand rows load in seconds: 8 clinics, 12 specialties, 200
 * doctors, 60k patients, 300k appointments over two years, 150k
 * prescriptions. The app connects as the non-superuser role `clinic_app`
 * (as a real service would), which also leaves PostgreSQL's reserved
 * superuser slots to the diagnosis probes.
 *
 * @module
 */
import postgres from 'postgres';

/** Role the service connects as (created by {@link seedClinic}). */
export const APP_ROLE = 'clinic_app';

/** Row counts of the seed (the mixes draw ids from these ranges). */
export const SEED = { clinics: 8, doctors: 200, patients: 60_000, appointments: 300_000, prescriptions: 150_000 } as const;

/** Indexes the service's migrations create; a "missing index" fault is a deploy where one was never created. */
export const INDEXES = {
  appointmentsPatient: 'CREATE INDEX IF NOT EXISTS appointments_patient_starts_idx ON appointments (patient_id, starts_at DESC)',
  appointmentsDoctor: 'CREATE INDEX IF NOT EXISTS appointments_doctor_starts_idx ON appointments (doctor_id, starts_at)',
  prescriptionsAppointment: 'CREATE INDEX IF NOT EXISTS prescriptions_appointment_idx ON prescriptions (appointment_id)',
} as const;

/** Index name of each {@link INDEXES} entry (for DROP INDEX). */
export const INDEX_NAMES: Record<keyof typeof INDEXES, string> = {
  appointmentsPatient: 'appointments_patient_starts_idx',
  appointmentsDoctor: 'appointments_doctor_starts_idx',
  prescriptionsAppointment: 'prescriptions_appointment_idx',
};

const SCHEMA_AND_DATA = `
SELECT setseed(0.4242);
DROP TABLE IF EXISTS eligibility_checks, booking_counters, clinic_counters, prescriptions, appointments, patients, doctors, specialties, clinics CASCADE;

CREATE TABLE clinics (id int PRIMARY KEY, name text NOT NULL, city text NOT NULL);
INSERT INTO clinics
SELECT g, 'Clinic ' || (ARRAY['Lyon','Porto','Graz','Ghent','Turku','Bergen','Split','Leeds'])[g], (ARRAY['Lyon','Porto','Graz','Ghent','Turku','Bergen','Split','Leeds'])[g]
FROM generate_series(1, 8) g;

CREATE TABLE specialties (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO specialties
SELECT g, (ARRAY['General practice','Cardiology','Dermatology','Pediatrics','Orthopedics','Neurology','Ophthalmology','Gynecology','Psychiatry','ENT','Endocrinology','Physiotherapy'])[g]
FROM generate_series(1, 12) g;

CREATE TABLE doctors (
  id int PRIMARY KEY,
  clinic_id int NOT NULL REFERENCES clinics,
  specialty_id int NOT NULL REFERENCES specialties,
  name text NOT NULL,
  bio text NOT NULL
);
INSERT INTO doctors
SELECT g, 1 + g % 8, 1 + g % 12,
  'Dr. ' || (ARRAY['Ana','Ben','Chloe','David','Eva','Farid','Greta','Hugo','Ines','Jonas'])[1 + g % 10] || ' ' ||
  (ARRAY['Almeida','Berger','Costa','Dubois','Eriksen','Fischer','Garcia','Horvat','Ivanova','Jensen','Kowalski','Larsen'])[1 + (g / 10) % 12],
  'Board-certified physician with ' || (5 + g % 25) || ' years of practice. ' || repeat('Special interest in preventive care and patient education. ', 3)
FROM generate_series(1, ${200}) g;

CREATE TABLE patients (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  email text,
  phone text NOT NULL,
  birth_date date NOT NULL,
  city text NOT NULL,
  insurer_member_id text NOT NULL,
  created_at timestamptz NOT NULL
);
INSERT INTO patients
SELECT g,
  (ARRAY['Aino','Bruno','Carla','Dmitri','Elif','Femi','Gina','Hana','Igor','Julia','Kai','Lena','Marco','Nora','Omar','Pia','Quinn','Rosa','Sven','Tara'])[1 + g % 20] || ' ' ||
  (ARRAY['Novak','Silva','Meyer','Rossi','Nowak','Moreau','Smit','Lind','Popescu','Horvath','Kaya','Murphy','Santos','Weber','Virtanen','Nielsen','Janssen','Kovac','Ruiz','Berg','Petrov','Marin','Haas','Toth','Olsen'])[1 + (g / 20) % 25],
  -- About one patient in eight registered at the front desk without an e-mail address.
  CASE WHEN g % 8 = 3 THEN NULL ELSE 'Patient.' || g || '@Example.org' END,
  '+33 6 ' || lpad((g::bigint * 7919 % 100000000)::text, 8, '0'),
  date '1940-01-01' + (random() * 29000)::int,
  (ARRAY['Lyon','Porto','Graz','Ghent','Turku','Bergen','Split','Leeds'])[1 + g % 8],
  'M' || lpad((g::bigint * 104729 % 1000000000)::text, 9, '0'),
  timestamptz '2019-01-01' + random() * interval '2000 days'
FROM generate_series(1, ${60_000}) g;

CREATE TABLE appointments (
  id bigserial PRIMARY KEY,
  patient_id bigint NOT NULL,
  doctor_id int NOT NULL,
  starts_at timestamptz NOT NULL,
  duration_min int NOT NULL,
  status text NOT NULL,
  reason text NOT NULL,
  notes text NOT NULL,
  booking_no bigint,
  created_at timestamptz NOT NULL
);
INSERT INTO appointments (id, patient_id, doctor_id, starts_at, duration_min, status, reason, notes, created_at)
SELECT g, 1 + (random() * ${60_000 - 1})::int, 1 + (random() * ${200 - 1})::int, s.starts_at,
  (ARRAY[15, 30, 30, 45])[1 + (random() * 3)::int],
  CASE WHEN s.starts_at > timestamptz '2026-12-01' THEN 'booked'
       ELSE (ARRAY['completed','completed','completed','completed','cancelled','no-show'])[1 + (random() * 5)::int] END,
  r.reason,
  'Patient reports ' || lower(r.reason) || '. Vitals recorded, history reviewed. ' || (ARRAY['Follow-up in two weeks.','No further action.','Referred for imaging.','Lab work ordered.'])[1 + (random() * 3)::int],
  s.starts_at - (1 + random() * 40) * interval '1 day'
FROM generate_series(1, ${300_000}) g
CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01 08:00+00' + (g % 730) * interval '1 day' + floor(random() * 20) * interval '30 minutes' AS starts_at) s
-- g * 0 correlates the subquery with the row, so random() is drawn per row, not once.
CROSS JOIN LATERAL (SELECT (ARRAY['Persistent cough','Back pain','Annual check-up','Skin rash','Headache','Knee injury','Blood pressure control','Vaccination','Anxiety','Ear pain'])[1 + (random() * 9)::int + (g * 0)] AS reason) r;
SELECT setval('appointments_id_seq', ${300_000});

CREATE TABLE prescriptions (
  id bigserial PRIMARY KEY,
  appointment_id bigint NOT NULL,
  drug_code text NOT NULL,
  dose text NOT NULL,
  days int NOT NULL
);
INSERT INTO prescriptions (id, appointment_id, drug_code, dose, days)
SELECT g, 1 + (random() * ${300_000 - 1})::int, 'D' || lpad((random() * 4999)::int::text, 5, '0'),
  (ARRAY['1 tablet daily','2 tablets daily','10 ml twice daily','apply twice daily','1 capsule at night'])[1 + (random() * 4)::int],
  (ARRAY[5, 7, 10, 14, 30, 90])[1 + (random() * 5)::int]
FROM generate_series(1, ${150_000}) g;
SELECT setval('prescriptions_id_seq', ${150_000});

-- Booking numbers are printed on invoices; one global sequence row.
CREATE TABLE booking_counters (id int PRIMARY KEY, next_no bigint NOT NULL);
INSERT INTO booking_counters VALUES (1, 1000000);
CREATE TABLE clinic_counters (clinic_id int PRIMARY KEY REFERENCES clinics, bookings bigint NOT NULL DEFAULT 0);
INSERT INTO clinic_counters SELECT id, 0 FROM clinics;

CREATE TABLE eligibility_checks (
  id bigserial PRIMARY KEY,
  patient_id bigint NOT NULL,
  checked_at timestamptz NOT NULL DEFAULT now(),
  eligible boolean NOT NULL,
  plan text
);

${Object.values(INDEXES).join(';\n')};

DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN CREATE ROLE ${APP_ROLE} LOGIN; END IF;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE};
`;

/** Create the schema and load the seed (drops and recreates the clinic tables). */
export async function seedClinic(adminUrl: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(SCHEMA_AND_DATA);
    // VACUUM cannot run inside the implicit transaction of a multi-statement query.
    await sql.unsafe('VACUUM ANALYZE');
  } finally {
    await sql.end();
  }
}

/**
 * The deploy-time migration: create the service's indexes, except those a
 * fault says were never created. Runs with the admin URL (index DDL needs the
 * table owner).
 */
export async function migrateClinic(adminUrl: string, missing: (keyof typeof INDEXES)[]): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    for (const key of Object.keys(INDEXES) as (keyof typeof INDEXES)[]) {
      if (missing.includes(key)) await sql.unsafe(`DROP INDEX IF EXISTS ${INDEX_NAMES[key]}`);
      else await sql.unsafe(INDEXES[key]);
    }
    await sql.unsafe('ANALYZE appointments, prescriptions');
  } finally {
    await sql.end();
  }
}

/** URL of the application role on the same server and database as `adminUrl`. */
export function appUrl(adminUrl: string): string {
  const url = new URL(adminUrl);
  url.username = APP_ROLE;
  url.password = '';
  return url.toString();
}
