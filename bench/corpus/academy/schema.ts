/**
 * The academy's schema, seed data and deploy migration.
 *
 * Volumes: 1,500 instructors, 6,000 courses (1-40 this week's featured
 * courses) in 12 categories and 3 levels, ~125,000 lessons (12-30 a course:
 * videos, readings with a Markdown body, every sixth a quiz), ~18,600 quizzes
 * with 8 questions each, 200,000 learners (1-20,000 the regulars with 10
 * enrolments each, the rest 2), ~560,000 enrolments, ~750,000 lesson-progress
 * rows (the regulars' courses in progress), 500,000 quiz attempts and 60,000 certificates.
 * Generated inside PostgreSQL with generate_series and a fixed random seed.
 *
 * Enrolment id ranges the mixes rely on: 1-100,000 completed and without a
 * certificate yet (claimable), 100,001-110,000 in progress with activity in the
 * last day (today's learners, whom the streak job visits), 110,001-170,000
 * completed with a certificate.
 *
 * Secondary indexes are created by {@link migrateAcademy}, which every start
 * runs as a deploy would: a missing-index fault is a deploy whose migration
 * lacks an index (and a later healthy start puts it back).
 *
 * @module
 */
import { createHash, randomBytes, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import type { AcademyFault } from './faults.js';

/** Secondary indexes of the deploy migration: name → the statement's tail after `CREATE [UNIQUE] INDEX name ON`. */
export const INDEXES = {
  learners_email_key: { unique: true, on: 'learners (email)' },
  courses_instructor_idx: { unique: false, on: 'courses (instructor_id)' },
  courses_category_level_rating_idx: { unique: false, on: 'courses (category, level, rating DESC) WHERE published' },
  lessons_course_position_key: { unique: true, on: 'lessons (course_id, position)' },
  enrolments_learner_course_key: { unique: true, on: 'enrolments (learner_id, course_id)' },
  // Covering: the course page's figures and the instructor statistics read it index-only.
  enrolments_course_idx: { unique: false, on: 'enrolments (course_id) INCLUDE (status, progress_pct, rating, enrolled_at, learner_id)' },
  enrolments_last_activity_idx: { unique: false, on: 'enrolments (last_activity_at)' },
  lesson_progress_course_idx: { unique: false, on: 'lesson_progress (learner_id, course_id)' },
  quizzes_lesson_key: { unique: true, on: 'quizzes (lesson_id)' },
  quiz_questions_quiz_idx: { unique: false, on: 'quiz_questions (quiz_id, position)' },
  quiz_attempts_learner_quiz_idx: { unique: false, on: 'quiz_attempts (learner_id, quiz_id)' },
  certificates_enrolment_key: { unique: true, on: 'certificates (enrolment_id)' },
} as const;

/** Row counts and id ranges of the seed (the mixes draw from them). */
export const SEED = {
  instructors: 1_500,
  courses: 6_000,
  featured: 40,
  learners: 200_000,
  regulars: 20_000,
  attempts: 500_000,
  /** Enrolments 1..claimable are completed without a certificate. */
  claimable: 100_000,
  /** Enrolments claimable+1..todayEnd are in progress with activity in the last day. */
  todayEnd: 110_000,
  /** Enrolments todayEnd+1..certifiedEnd are completed with a certificate. */
  certifiedEnd: 170_000,
} as const;

/** Lessons of course `c` (12-30). */
export const lessonsOf = (c: number): number => 12 + ((c * 7) % 19);

/** Total lessons of the seed (lesson ids are dense: 1..LESSONS, in course order). */
export const LESSONS = Array.from({ length: SEED.courses }, (_, i) => lessonsOf(i + 1)).reduce((a, b) => a + b, 0);

/** Quizzes of the seed: every sixth lesson position (6, 12, 18, 24, 30); ids dense in lesson order. */
export const QUIZZES = Array.from({ length: SEED.courses }, (_, i) => Math.floor(lessonsOf(i + 1) / 6)).reduce((a, b) => a + b, 0);

/** The password of every seeded learner account (fixture data). */
export const FIXTURE_PASSWORD = 'learn-all-the-things';

/** scrypt cost of stored password hashes (Node's default N). */
export const SCRYPT_N = 16_384;

/** Hash a password as stored in `learners.password_hash`: `scrypt$N$salt$hash` (hex). */
export async function hashPassword(password: string, salt = randomBytes(16).toString('hex')): Promise<string> {
  const hash = (await promisify(scrypt)(password, salt, 64)) as Buffer;
  return `scrypt$${SCRYPT_N}$${salt}$${hash.toString('hex')}`;
}

/** The legacy hash of accounts imported from the old platform (every fifth learner): `sha256$salt$hex`. */
export function legacyHash(password: string, salt: string): string {
  return `sha256$${salt}$${createHash('sha256').update(salt + password).digest('hex')}`;
}

export const CATEGORIES = ['web-development', 'data-science', 'machine-learning', 'design', 'business', 'marketing', 'photography', 'music', 'languages', 'cloud', 'security', 'personal-finance'] as const;
export const LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
const TOPICS = ['Foundations', 'Hands-on Projects', 'Best Practices', 'From Zero to Pro', 'Deep Dive', 'Masterclass', 'Crash Course', 'Bootcamp'];
const SUBJECTS = ['TypeScript', 'SQL', 'Pandas', 'Neural Networks', 'Figma', 'Product Strategy', 'SEO', 'Portraits', 'Jazz Piano', 'Spanish', 'Kubernetes', 'Threat Modelling', 'Budgeting', 'React', 'Statistics', 'Watercolour'];
const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya', 'Nico', 'Omar', 'Priya'];
const LAST = ['Okafor', 'Schmidt', 'Tanaka', 'Silva', 'Novak', 'Haddad', 'Kowalski', 'Murphy', 'Rossi', 'Larsen'];

const sqlArray = (items: readonly string[]): string => `ARRAY[${items.map((s) => `'${s}'`).join(',')}]`;

const DDL = `
DROP TABLE IF EXISTS streak_leaderboard, certificates, quiz_attempts, quiz_questions, quizzes, lesson_progress, enrolments, learners, lessons, courses, instructors;
CREATE TABLE instructors (id integer PRIMARY KEY, name text NOT NULL, headline text NOT NULL, bio text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE courses (
  id integer PRIMARY KEY, instructor_id integer NOT NULL, slug text NOT NULL, title text NOT NULL, category text NOT NULL, level text NOT NULL,
  summary text NOT NULL, description text NOT NULL, price_cents integer NOT NULL, rating numeric(3,2) NOT NULL, published boolean NOT NULL,
  lesson_count integer NOT NULL, duration_s integer NOT NULL, updated_at timestamptz NOT NULL, created_at timestamptz NOT NULL
);
CREATE TABLE lessons (
  id integer PRIMARY KEY, course_id integer NOT NULL, position integer NOT NULL, title text NOT NULL, kind text NOT NULL,
  duration_s integer NOT NULL, video_asset text, summary text NOT NULL, body text NOT NULL, updated_at timestamptz NOT NULL
);
CREATE TABLE learners (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL, password_hash text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE enrolments (
  id serial PRIMARY KEY, learner_id integer NOT NULL, course_id integer NOT NULL, status text NOT NULL, progress_pct smallint NOT NULL,
  streak_days integer NOT NULL DEFAULT 0, at_risk boolean NOT NULL DEFAULT false, enrolled_at timestamptz NOT NULL,
  last_activity_at timestamptz NOT NULL, completed_at timestamptz, rating smallint
);
CREATE TABLE lesson_progress (
  learner_id integer NOT NULL, lesson_id integer NOT NULL, course_id integer NOT NULL, completed_at timestamptz NOT NULL,
  PRIMARY KEY (learner_id, lesson_id)
);
CREATE TABLE quizzes (id integer PRIMARY KEY, lesson_id integer NOT NULL, course_id integer NOT NULL, pass_pct integer NOT NULL, max_attempts integer NOT NULL);
CREATE TABLE quiz_questions (id serial PRIMARY KEY, quiz_id integer NOT NULL, position integer NOT NULL, prompt text NOT NULL, options jsonb NOT NULL, correct smallint NOT NULL);
CREATE TABLE quiz_attempts (
  id serial PRIMARY KEY, quiz_id integer NOT NULL, learner_id integer NOT NULL, score_pct smallint NOT NULL, passed boolean NOT NULL,
  answers smallint[] NOT NULL, submitted_at timestamptz NOT NULL
);
CREATE TABLE certificates (
  id serial PRIMARY KEY, enrolment_id integer NOT NULL, learner_id integer NOT NULL, course_id integer NOT NULL, serial text NOT NULL,
  document_url text NOT NULL, sha256 text NOT NULL, public_key text, issued_at timestamptz NOT NULL
);
CREATE TABLE streak_leaderboard (course_id integer NOT NULL, learner_id integer NOT NULL, lessons_7d integer NOT NULL, computed_at timestamptz NOT NULL);`;

function data(scryptHash: string): string[] {
  const lessonsOfSql = (c: string): string => `(12 + ((${c}) * 7) % 19)`;
  return [
    `SELECT setseed(0.17)`,
    `INSERT INTO instructors
     SELECT i, (${sqlArray(FIRST)})[1 + i % ${FIRST.length}] || ' ' || (${sqlArray(LAST)})[1 + (i / 16) % ${LAST.length}],
            (${sqlArray(SUBJECTS)})[1 + i % ${SUBJECTS.length}] || ' educator and practitioner',
            repeat('Teaching since ' || (2005 + i % 18) || ', ' || md5(i::text) || '. ', 4), now() - interval '3000 days' * random()
     FROM generate_series(1, ${SEED.instructors}) i`,
    // Course c belongs to instructor 1 + (c - 1) % 1500: the featured courses 1-40 to instructors 1-40.
    `INSERT INTO courses
     SELECT c, 1 + (c - 1) % ${SEED.instructors}, 'course-' || c,
            (${sqlArray(SUBJECTS)})[1 + c % ${SUBJECTS.length}] || ' ' || (${sqlArray(TOPICS)})[1 + (c / 16) % ${TOPICS.length}] || ' ' || (c % 97),
            (${sqlArray(CATEGORIES)})[1 + (c * 5) % ${CATEGORIES.length}], (${sqlArray(LEVELS)})[1 + (c / 3) % 3],
            'Learn ' || md5(c::text) || ' step by step.', repeat('What you will learn: ' || md5((c * 3)::text) || '. ', 12),
            CASE WHEN c % 9 = 0 THEN 0 ELSE 1999 + (c % 8) * 1000 END,
            CASE WHEN c <= ${SEED.featured} THEN 4.5 + random() * 0.5 ELSE 3.2 + random() * 1.8 END,
            c % 25 <> 0, ${lessonsOfSql('c')}, 0, now() - interval '400 days' + interval '300 days' * random(), now() - interval '1500 days' * random()
     FROM generate_series(1, ${SEED.courses}) c`,
    // Lessons: ids dense in course order; every sixth position a quiz, every third a reading, the rest videos.
    `INSERT INTO lessons
     SELECT row_number() OVER (ORDER BY c, p), c, p, 'Lesson ' || p || ': ' || substr(md5((c * 100 + p)::text), 1, 10),
            CASE WHEN p % 6 = 0 THEN 'quiz' WHEN p % 3 = 0 THEN 'reading' ELSE 'video' END,
            CASE WHEN p % 6 = 0 THEN 600 ELSE 240 + (c * p * 37) % 900 END,
            CASE WHEN p % 6 <> 0 AND p % 3 <> 0 THEN 'vid_' || md5((c * 1000 + p)::text) END,
            'In this lesson: ' || md5((c + p)::text),
            '## Lesson ' || p || E'\n\n' || repeat(
              'Today we look at **' || substr(md5((c * p)::text), 1, 8) || '** and why it matters. ' ||
              'Read the [reference](https://docs.example.com/' || c || '/' || p || ') first, then try the example below. ' ||
              E'\n\n- keep the _' || substr(md5(p::text), 1, 6) || E'_ invariant\n- measure before changing anything\n- write the test first\n\n' ||
              E'\`\`\`ts\nconst answer = compute(' || p || E');\nconsole.log(answer);\n\`\`\`\n\n', 3 + (c + p) % 4),
            now() - interval '200 days' * random()
     FROM generate_series(1, ${SEED.courses}) c, generate_series(1, 30) p WHERE p <= ${lessonsOfSql('c')}`,
    `UPDATE courses c SET duration_s = l.d FROM (SELECT course_id, sum(duration_s) AS d FROM lessons GROUP BY 1) l WHERE l.course_id = c.id`,
    `INSERT INTO quizzes SELECT row_number() OVER (ORDER BY id), id, course_id, 70, 3 FROM lessons WHERE kind = 'quiz'`,
    `INSERT INTO quiz_questions (quiz_id, position, prompt, options, correct)
     SELECT q, p, 'Question ' || p || ': which statement about ' || substr(md5((q * 10 + p)::text), 1, 8) || ' holds?',
            jsonb_build_array('It always holds', 'It holds for ' || substr(md5(q::text), 1, 5), 'It never holds', 'It depends on the input'),
            (q + p) % 4
     FROM generate_series(1, ${QUIZZES}) q, generate_series(1, 8) p`,
    // Every fifth learner was imported from the old platform and still has its legacy hash.
    `INSERT INTO learners
     SELECT l, 'learner' || l || '@example.com', (${sqlArray(FIRST)})[1 + l % ${FIRST.length}] || ' ' || (${sqlArray(LAST)})[1 + (l / 16) % ${LAST.length}],
            CASE WHEN l % 5 = 0 THEN 'sha256$' || substr(md5(l::text), 1, 16) || '$' || encode(sha256((substr(md5(l::text), 1, 16) || '${FIXTURE_PASSWORD}')::bytea), 'hex')
                 ELSE '${scryptHash}' END,
            now() - interval '1200 days' * random()
     FROM generate_series(1, ${SEED.learners}) l`,
    // Regulars (1-20,000) take 10 courses, the others 2; a regular's first course and half of the others' are featured.
    `INSERT INTO enrolments (id, learner_id, course_id, status, progress_pct, enrolled_at, last_activity_at, rating)
     SELECT row_number() OVER (ORDER BY random()), learner_id, course_id, 'active', (random() * random() * 95)::int,
            now() - interval '300 days' * random(), now() - interval '3 days' - interval '200 days' * random(),
            CASE WHEN random() < 0.3 THEN 3 + (random() * 2)::int END
     FROM (SELECT DISTINCT learner_id, course_id FROM (
       SELECT l AS learner_id,
              CASE WHEN k = 0 AND (l <= ${SEED.regulars} OR random() < 0.5) THEN 1 + l % ${SEED.featured} ELSE 1 + ((l * 7919 + k * 2729) % ${SEED.courses}) END AS course_id
       FROM generate_series(1, ${SEED.learners}) l, generate_series(0, 9) k
       WHERE k < CASE WHEN l <= ${SEED.regulars} THEN 10 ELSE 2 END) x) d`,
    `SELECT setval('enrolments_id_seq', (SELECT max(id) FROM enrolments))`,
    `UPDATE enrolments SET status = 'completed', progress_pct = 100, completed_at = enrolled_at + interval '40 days' * random(),
            last_activity_at = least(now() - interval '2 days', enrolled_at + interval '40 days')
     WHERE id <= ${SEED.claimable} OR id BETWEEN ${SEED.todayEnd + 1} AND ${SEED.certifiedEnd}`,
    `UPDATE enrolments SET last_activity_at = now() - interval '20 hours' * random(), streak_days = 1 + (id % 30), progress_pct = greatest(progress_pct, 5)
     WHERE id BETWEEN ${SEED.claimable + 1} AND ${SEED.todayEnd}`,
    // Progress rows of the regulars: the first lessons of each course, as far as the enrolment's progress goes.
    `INSERT INTO lesson_progress
     SELECT e.learner_id, l.id, e.course_id, e.last_activity_at - interval '1 day' * (${lessonsOfSql('e.course_id')} - l.position)
     FROM enrolments e JOIN lessons l ON l.course_id = e.course_id AND l.position <= (e.progress_pct * ${lessonsOfSql('e.course_id')}) / 100
     WHERE e.learner_id <= ${SEED.regulars} AND e.status = 'active'`,
    `INSERT INTO quiz_attempts (quiz_id, learner_id, score_pct, passed, answers, submitted_at)
     SELECT q, CASE WHEN random() < 0.7 THEN 1 + (random() * ${SEED.regulars - 1})::int ELSE 1 + (random() * ${SEED.learners - 1})::int END,
            s, s >= 70, ARRAY[(random()*3)::int, (random()*3)::int, (random()*3)::int, (random()*3)::int, (random()*3)::int, (random()*3)::int, (random()*3)::int, (random()*3)::int]::smallint[],
            now() - interval '500 days' * random()
     FROM (SELECT 1 + (random() * ${QUIZZES - 1})::int AS q, (random() * 8)::int * 125 / 10 AS s FROM generate_series(1, ${SEED.attempts})) a`,
    `INSERT INTO certificates (enrolment_id, learner_id, course_id, serial, document_url, sha256, issued_at)
     SELECT id, learner_id, course_id, 'ACD-' || to_char(id, 'FM0000000'), 'https://media.example.com/docs/' || md5(id::text) || '.pdf',
            encode(sha256(id::text::bytea), 'hex'), completed_at
     FROM enrolments WHERE id BETWEEN ${SEED.todayEnd + 1} AND ${SEED.certifiedEnd}`,
  ];
}

/** Create the schema and load the data into an empty database. */
export async function seedAcademy(pgUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    const scryptHash = await hashPassword(FIXTURE_PASSWORD, 'acad3myf1xtures0');
    await client.query(DDL);
    for (const statement of data(scryptHash)) await client.query(statement);
    await createIndexes(client, []);
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/** Indexes a fault's deploy leaves out. */
export function missingIndexes(fault: AcademyFault | null): (keyof typeof INDEXES)[] {
  if (fault === 'missing-index-attempts-learner') return ['quiz_attempts_learner_quiz_idx'];
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
export async function migrateAcademy(pgUrl: string, fault: AcademyFault | null): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    if (await createIndexes(client, missingIndexes(fault))) await client.query('ANALYZE quiz_attempts');
  } finally {
    await client.end();
  }
}
