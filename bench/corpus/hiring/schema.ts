/**
 * Schema, seed data and per-fault migrations of the hiring service.
 *
 * Sizes: 5,000 companies, 400 recruiting teams, 2,000 recruiters, 10,000
 * interviewers, 50,000 jobs, 200,000 candidates, 1,000,000 applications,
 * 200,000 interviews, 30,000 offers, 400,000 notifications.
 *
 * @module
 */
import pg from 'pg';
import { createHash, pbkdf2Sync } from 'node:crypto';
import type { HiringFault } from './faults.js';

/** The application's own database role (connection-limited, as on the managed cluster). */
export const APP_ROLE = 'hiring_app';
/** Connections the managed cluster allows the application role. */
export const APP_ROLE_CONNECTION_LIMIT = 8;

export const LOCATIONS = ['Berlin', 'London', 'Paris', 'Amsterdam', 'Madrid', 'Lisbon', 'Dublin', 'Warsaw', 'Prague', 'Vienna',
  'Zurich', 'Stockholm', 'Oslo', 'Copenhagen', 'Helsinki', 'Milan', 'Barcelona', 'Munich', 'Hamburg', 'Brussels',
  'New York', 'Toronto', 'Austin', 'Remote EU', 'Remote US'];
export const DEPARTMENTS = ['Engineering', 'Product', 'Design', 'Sales', 'Marketing', 'Finance', 'Operations', 'Support', 'Data', 'People'];
export const STAGES = ['applied', 'screen', 'interview', 'offer', 'hired', 'rejected'];

/** The seeded candidates' password (test tenant accounts). */
export const SEED_PASSWORD = 'correct horse battery staple';
export const PASSWORD_ITERATIONS = 12_000;

export function hashPassword(password: string, salt: string): string {
  return `pbkdf2-sha512$${PASSWORD_ITERATIONS}$${salt}$${pbkdf2Sync(password, salt, PASSWORD_ITERATIONS, 64, 'sha512').toString('base64')}`;
}

const sqlArray = (xs: string[]): string => `(ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}])`;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'hiring-migrate' });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Create the schema and load the data into an empty database. */
export async function seedHiring(pgUrl: string): Promise<void> {
  const salt = createHash('sha1').update('hiring-seed').digest('hex').slice(0, 16);
  const passwordHash = hashPassword(SEED_PASSWORD, salt);
  await withClient(pgUrl, async (c) => {
    await c.query(`SET maintenance_work_mem = '128MB'; SET work_mem = '32MB'; SELECT setseed(0.42);`);
    await c.query(`
      CREATE TABLE companies (
        id serial PRIMARY KEY, name text NOT NULL, industry text NOT NULL, size_band text NOT NULL,
        website text, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE teams (id serial PRIMARY KEY, company_id int NOT NULL REFERENCES companies(id), name text NOT NULL);
      CREATE TABLE recruiters (
        id serial PRIMARY KEY, company_id int NOT NULL REFERENCES companies(id), team_id int NOT NULL REFERENCES teams(id),
        full_name text NOT NULL, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE recruiter_queues (
        recruiter_id int PRIMARY KEY REFERENCES recruiters(id), team_id int NOT NULL,
        pending_count int NOT NULL DEFAULT 0, overdue_count int NOT NULL DEFAULT 0,
        last_activity_at timestamptz NOT NULL DEFAULT now(), focus_note text);
      CREATE TABLE interviewers (
        id serial PRIMARY KEY, company_id int NOT NULL REFERENCES companies(id), full_name text NOT NULL,
        email text NOT NULL, timezone text NOT NULL);
      CREATE TABLE jobs (
        id serial PRIMARY KEY, company_id int NOT NULL REFERENCES companies(id), recruiter_id int NOT NULL REFERENCES recruiters(id),
        title text NOT NULL, department text NOT NULL, location text NOT NULL, employment_type text NOT NULL,
        remote boolean NOT NULL, status text NOT NULL, salary_min int, salary_max int, description text NOT NULL,
        applicant_count int NOT NULL DEFAULT 0, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
      CREATE TABLE candidates (
        id serial PRIMARY KEY, email text NOT NULL, full_name text NOT NULL, headline text NOT NULL, location text NOT NULL,
        years_experience int NOT NULL, skills text[] NOT NULL, summary text NOT NULL, password_hash text NOT NULL,
        created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
      CREATE TABLE applications (
        id bigserial PRIMARY KEY, ref text, job_id int NOT NULL, candidate_id int NOT NULL, stage text NOT NULL,
        source text NOT NULL, score int, cover_letter text, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
      CREATE TABLE application_events (
        id bigserial PRIMARY KEY, application_id bigint NOT NULL, from_stage text, to_stage text NOT NULL,
        actor_recruiter_id int, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE interviews (
        id serial PRIMARY KEY, application_id bigint NOT NULL, interviewer_id int, kind text NOT NULL,
        scheduled_at timestamptz NOT NULL, duration_min int NOT NULL, status text NOT NULL, calendar_event_id text,
        created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE offers (
        id serial PRIMARY KEY, application_id bigint NOT NULL, salary int NOT NULL, currency text NOT NULL, status text NOT NULL,
        created_at timestamptz NOT NULL);
      CREATE TABLE notifications (
        id bigserial PRIMARY KEY, recruiter_id int NOT NULL, kind text NOT NULL, body text NOT NULL, read_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE ref_counters (name text PRIMARY KEY, value bigint NOT NULL);
      CREATE SEQUENCE application_ref_seq START 1000001;
    `);
    await c.query(`
      INSERT INTO companies (name, industry, size_band, website, created_at)
        SELECT 'Company ' || g, (ARRAY['Software','Fintech','Retail','Health','Logistics','Media','Energy'])[1 + g % 7],
               (ARRAY['1-10','11-50','51-200','201-1000','1000+'])[1 + g % 5], 'https://company' || g || '.example',
               now() - (g % 2000) * interval '1 day'
        FROM generate_series(1, 5000) g;
      INSERT INTO teams (company_id, name) SELECT 1 + (g - 1) % 5000, 'Talent team ' || g FROM generate_series(1, 400) g;
      INSERT INTO recruiters (company_id, team_id, full_name, email)
        SELECT t.company_id, t.id, 'Recruiter ' || g, 'recruiter' || g || '@example.com'
        FROM generate_series(1, 2000) g JOIN teams t ON t.id = 1 + (g - 1) % 400;
      INSERT INTO recruiter_queues (recruiter_id, team_id, pending_count, overdue_count, last_activity_at, focus_note)
        SELECT id, team_id, (random() * 60)::int, (random() * 10)::int, now() - random() * interval '3 days', 'Weekly focus: ' || md5(id::text)
        FROM recruiters;
      INSERT INTO interviewers (company_id, full_name, email, timezone)
        SELECT 1 + (g - 1) % 5000, 'Interviewer ' || g, 'interviewer' || g || '@example.com',
               (ARRAY['Europe/Berlin','Europe/London','America/New_York','America/Toronto'])[1 + g % 4]
        FROM generate_series(1, 10000) g;
      INSERT INTO ref_counters VALUES ('application', 1000000), ('offer', 30000);
    `);
    // Jobs: recruiter r belongs to company of team; jobs keep company consistent with their recruiter.
    await c.query(`
      INSERT INTO jobs (company_id, recruiter_id, title, department, location, employment_type, remote, status,
                        salary_min, salary_max, description, created_at, updated_at)
        SELECT r.company_id, r.id,
               (ARRAY['Senior','Staff','Junior','Lead','Principal'])[1 + g % 5] || ' ' ||
               (ARRAY['Backend Engineer','Frontend Engineer','Data Scientist','Product Manager','Designer','Account Executive','SRE','Analyst'])[1 + (g / 5) % 8],
               ${sqlArray(DEPARTMENTS)}[1 + g % 10], ${sqlArray(LOCATIONS)}[1 + (g * 7) % 25],
               (ARRAY['full-time','part-time','contract'])[1 + (g % 11 = 0)::int + (g % 13 = 0)::int],
               g % 4 = 0, CASE WHEN g % 10 < 8 THEN 'open' ELSE 'closed' END,
               40000 + (g % 50) * 1000, 60000 + (g % 50) * 1500,
               'We are looking for a motivated colleague to join our team. ' || repeat(md5(g::text) || ' ', 6) ||
               'You will work with a cross-functional group on products used by millions. Benefits include pension, learning budget and flexible hours.',
               now() - (g % 365) * interval '1 day', now() - (g % 30) * interval '1 day'
        FROM generate_series(1, 50000) g JOIN recruiters r ON r.id = 1 + (g * 13) % 2000;
    `);
    await c.query(`
      INSERT INTO candidates (email, full_name, headline, location, years_experience, skills, summary, password_hash, created_at, updated_at)
        SELECT 'candidate' || g || '@mail.example', 'Candidate ' || g,
               (ARRAY['Backend developer','Data analyst','Product designer','Sales lead','Engineering manager','Support specialist'])[1 + g % 6],
               ${sqlArray(LOCATIONS)}[1 + g % 25], g % 25,
               ARRAY[(ARRAY['go','rust','typescript','python','sql','figma','kubernetes','sales','excel','react'])[1 + g % 10],
                     (ARRAY['aws','gcp','postgres','redis','java','kotlin','swift','tableau'])[1 + g % 8]],
               'Experienced professional. ' || md5(g::text) || ' ' || md5((g + 1)::text),
               $1, now() - (g % 1000) * interval '1 day', now() - (g % 100) * interval '1 day'
        FROM generate_series(1, 200000) g;
    `, [passwordHash]);
    await c.query(`
      INSERT INTO applications (ref, job_id, candidate_id, stage, source, score, cover_letter, created_at, updated_at)
        SELECT 'APP-' || g, 1 + (hashint4(g + 13) & 2147483647) % 50000, (1 + (g::bigint * 104729) % 200000)::int,
               ${sqlArray(STAGES)}[1 + (hashint4(g) & 2147483647) % 6],
               (ARRAY['careers-page','linkedin','referral','agency','job-board'])[1 + g % 5],
               (hashint4(g + 7) & 2147483647) % 101,
               CASE WHEN g % 3 = 0 THEN 'Dear hiring team, I am excited to apply. ' || md5(g::text) END,
               now() - (g % 400) * interval '1 day', now() - (g % 60) * interval '1 day'
        FROM generate_series(1, 1000000) g;
    `);
    await c.query(`
      INSERT INTO interviews (application_id, interviewer_id, kind, scheduled_at, duration_min, status, calendar_event_id)
        SELECT 1 + (g * 31) % 1000000, CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + g % 10000 END,
               (ARRAY['phone-screen','technical','onsite','culture','hiring-manager'])[1 + g % 5],
               now() + ((g % 60) - 30) * interval '1 day' + (g % 8) * interval '1 hour', (ARRAY[30,45,60,90])[1 + g % 4],
               CASE WHEN g % 60 < 30 THEN 'completed' ELSE 'scheduled' END, 'evt_' || md5(g::text)
        FROM generate_series(1, 200000) g;
      INSERT INTO offers (application_id, salary, currency, status, created_at)
        SELECT 1 + (g * 97) % 1000000, 50000 + (g % 80) * 1000, 'EUR',
               (ARRAY['draft','sent','accepted','declined'])[1 + g % 4], now() - (g % 200) * interval '1 day'
        FROM generate_series(1, 30000) g;
      INSERT INTO notifications (recruiter_id, kind, body, read_at, created_at)
        SELECT 1 + g % 2000, (ARRAY['new-application','interview-feedback','offer-accepted','mention'])[1 + g % 4],
               'Notification ' || g || ': ' || md5(g::text), CASE WHEN g % 3 = 0 THEN NULL ELSE now() END,
               now() - (g % 10000) * interval '1 minute'
        FROM generate_series(1, 400000) g;
    `);
    await c.query(`
      UPDATE jobs j SET applicant_count = s.n FROM (SELECT job_id, count(*) n FROM applications GROUP BY job_id) s WHERE s.job_id = j.id;
      CREATE UNIQUE INDEX candidates_email_key ON candidates (email);
      CREATE INDEX jobs_company_id_idx ON jobs (company_id);
      CREATE INDEX jobs_recruiter_id_idx ON jobs (recruiter_id);
      CREATE INDEX jobs_location_status_idx ON jobs (location, status, created_at DESC);
      CREATE INDEX applications_job_id_idx ON applications (job_id, created_at DESC);
      CREATE INDEX applications_candidate_id_idx ON applications (candidate_id);
      CREATE INDEX application_events_application_id_idx ON application_events (application_id);
      CREATE INDEX interviews_application_id_idx ON interviews (application_id);
      CREATE INDEX offers_application_id_idx ON offers (application_id);
      CREATE INDEX notifications_recruiter_idx ON notifications (recruiter_id, created_at DESC);
      CREATE INDEX recruiters_team_id_idx ON recruiters (team_id);
    `);
    await c.query('VACUUM ANALYZE');
  });
}

function appRoleUrl(pgUrl: string): URL {
  const u = new URL(pgUrl);
  u.username = APP_ROLE;
  return u;
}

/**
 * The deploy's migration for a fault's build: the application role, the
 * index set, and the recruiter_queues maintenance state. Returns the URL the
 * application connects with.
 */
export async function migrateHiring(pgUrl: string, fault: HiringFault | null): Promise<string> {
  return withClient(pgUrl, async (c) => {
    const password = decodeURIComponent(new URL(pgUrl).password);
    const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    if (!exists.rowCount) await c.query(`CREATE ROLE ${APP_ROLE} LOGIN`);
    await c.query(`ALTER ROLE ${APP_ROLE} CONNECTION LIMIT ${APP_ROLE_CONNECTION_LIMIT}`);
    if (password) await c.query(`ALTER ROLE ${APP_ROLE} PASSWORD '${password.replace(/'/g, "''")}'`);
    await c.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE};`);
    // Interviews scheduled by earlier runs, applications made by earlier runs: back to the seeded state.
    await c.query(`DELETE FROM interviews WHERE id > 200000; DELETE FROM applications WHERE id > 1000000;`);

    // The notifications index was rebuilt by the retention migration; the fault's build shipped it on created_at only.
    if (fault === 'notifications-recruiter-index-dropped') {
      await c.query('DROP INDEX IF EXISTS notifications_recruiter_idx');
      await c.query('CREATE INDEX IF NOT EXISTS notifications_created_at_idx ON notifications (created_at)');
    } else {
      await c.query('DROP INDEX IF EXISTS notifications_created_at_idx');
      await c.query('CREATE INDEX IF NOT EXISTS notifications_recruiter_idx ON notifications (recruiter_id, created_at DESC)');
    }

    // recruiter_queues: a small, hot table. Rebuild it clean, then (bloat build) with autovacuum off
    // and a backlog of dead row versions from the queue-recalculation job.
    await c.query('ALTER TABLE recruiter_queues RESET (autovacuum_enabled)');
    await c.query('VACUUM FULL recruiter_queues');
    if (fault === 'recruiter-queues-bloat') {
      await c.query('ALTER TABLE recruiter_queues SET (autovacuum_enabled = false)');
      await c.query('BEGIN');
      for (let i = 0; i < 150; i++) {
        await c.query(`UPDATE recruiter_queues SET pending_count = (pending_count + 1) % 60, last_activity_at = now(),
                         focus_note = 'Weekly focus: ' || repeat(md5(recruiter_id::text || '${i}'), 4)`);
      }
      await c.query('COMMIT');
    }
    await c.query('ANALYZE recruiter_queues');
    await c.query('ANALYZE notifications');
    return appRoleUrl(pgUrl).toString();
  });
}
