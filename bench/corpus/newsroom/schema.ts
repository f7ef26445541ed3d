/**
 * The newsroom's database: DDL, the seed (a year of a five-title news group:
 * 200k articles with bodies, revisions, tags and images, 250k readers, 1M
 * comments, subscriptions and newsletter lists) and the deploy migration
 * that puts the database into the state a fault's build expects.
 *
 * Everything is generated inside PostgreSQL with generate_series so the seed
 * takes seconds, not minutes; three connections load independent tables in
 * parallel and indexes are built after the data.
 *
 * @module
 */
import postgres from 'postgres';
import type { NewsroomFault } from './faults.js';
import { FIRST_NAMES, LAST_NAMES, TOP_TAGS, WORDS } from './words.js';

/** Row counts of the seed (also quoted in CALIBRATION.md). */
export const SEED = {
  publications: 5,
  sectionsPerPublication: 12,
  authorsPerPublication: 400,
  tags: 3000,
  articles: 200_000,
  readers: 250_000,
  /** Top-level comments; a quarter as many replies are added on top. */
  comments: 800_000,
  replies: 200_000,
  newsletters: 12,
  picksPerSection: 100,
  /** Articles per hour bucket in the trending export (24 buckets). */
  trendingPerHour: 4_000,
} as const;

/** The role the authors' dashboard reports connect as (read-only, limited connections). */
export const ANALYTICS_ROLE = 'newsroom_analytics';
/** Password of {@link ANALYTICS_ROLE}; harmless with trust auth, needed with md5/scram. */
export const ANALYTICS_PASSWORD = 'newsroom-analytics';
/** CONNECTION LIMIT of {@link ANALYTICS_ROLE}: the DBA's share for reporting on a max_connections=50 server. */
export const ANALYTICS_CONNECTION_LIMIT = 12;

/** The URL of `pgUrl`'s database as {@link ANALYTICS_ROLE}. */
export function analyticsUrl(pgUrl: string): string {
  const u = new URL(pgUrl);
  u.username = ANALYTICS_ROLE;
  u.password = ANALYTICS_PASSWORD;
  return u.toString();
}

const arr = (xs: readonly string[]): string => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]::text[]`;

const DDL = `
CREATE TABLE publications (
  id integer PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  domain text NOT NULL,
  paywall text NOT NULL,
  meter_limit integer NOT NULL DEFAULT 5,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sections (
  id integer PRIMARY KEY,
  publication_id integer NOT NULL REFERENCES publications(id),
  slug text NOT NULL,
  name text NOT NULL,
  position integer NOT NULL,
  UNIQUE (publication_id, slug)
);
CREATE TABLE authors (
  id integer PRIMARY KEY,
  publication_id integer NOT NULL REFERENCES publications(id),
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  job_title text,
  bio text NOT NULL,
  avatar_key text,
  twitter text,
  created_at timestamptz NOT NULL
);
CREATE TABLE tags (
  id integer PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  kind text NOT NULL
);
CREATE TABLE articles (
  id bigint PRIMARY KEY,
  publication_id integer NOT NULL,
  section_id integer NOT NULL,
  author_id integer NOT NULL,
  primary_tag_id integer,
  slug text NOT NULL,
  title text NOT NULL,
  dek text NOT NULL,
  status text NOT NULL,
  access text NOT NULL,
  word_count integer NOT NULL,
  hero_image_key text,
  view_count bigint NOT NULL DEFAULT 0,
  comment_count integer NOT NULL DEFAULT 0,
  revision_no integer NOT NULL DEFAULT 1,
  published_at timestamptz,
  updated_at timestamptz NOT NULL,
  search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english', title || ' ' || dek)) STORED
);
CREATE TABLE article_bodies (
  article_id bigint PRIMARY KEY,
  body text COMPRESSION lz4 NOT NULL,
  format text NOT NULL DEFAULT 'html',
  updated_at timestamptz NOT NULL
);
CREATE TABLE article_revisions (
  id bigserial PRIMARY KEY,
  article_id bigint NOT NULL,
  revision_no integer NOT NULL,
  editor_id integer NOT NULL,
  title text NOT NULL,
  diff text NOT NULL,
  note text,
  created_at timestamptz NOT NULL
);
CREATE TABLE article_tags (
  article_id bigint NOT NULL,
  tag_id integer NOT NULL,
  PRIMARY KEY (article_id, tag_id)
);
CREATE TABLE article_images (
  id bigint PRIMARY KEY,
  article_id bigint NOT NULL,
  position smallint NOT NULL,
  cdn_key text NOT NULL,
  caption text NOT NULL,
  credit text NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL
);
CREATE TABLE readers (
  id integer PRIMARY KEY,
  email text NOT NULL,
  display_name text NOT NULL,
  avatar_key text,
  country text NOT NULL,
  marketing_opt_in boolean NOT NULL,
  created_at timestamptz NOT NULL,
  last_login_at timestamptz
);
CREATE TABLE subscriptions (
  id bigserial PRIMARY KEY,
  reader_id integer NOT NULL,
  publication_id integer NOT NULL,
  plan text NOT NULL,
  status text NOT NULL,
  price_cents integer NOT NULL,
  started_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE comments (
  id bigserial PRIMARY KEY,
  article_id bigint NOT NULL,
  reader_id integer NOT NULL,
  parent_id bigint,
  body text NOT NULL,
  status text NOT NULL,
  toxicity real,
  created_at timestamptz NOT NULL,
  edited_at timestamptz
);
CREATE TABLE newsletters (
  id integer PRIMARY KEY,
  publication_id integer NOT NULL REFERENCES publications(id),
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  cadence text NOT NULL,
  subscriber_cap integer,
  subscriber_count integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE newsletter_signups (
  id bigserial PRIMARY KEY,
  newsletter_id integer NOT NULL,
  reader_id integer NOT NULL,
  status text NOT NULL,
  source text NOT NULL,
  created_at timestamptz NOT NULL,
  confirmed_at timestamptz
);
CREATE TABLE editorial_picks (
  id serial PRIMARY KEY,
  section_id integer NOT NULL,
  article_id bigint NOT NULL,
  position smallint NOT NULL,
  headline_override text,
  kicker text,
  image_crop jsonb NOT NULL,
  score real NOT NULL,
  pinned_by integer NOT NULL,
  expires_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE article_hourly_views (
  hour timestamptz NOT NULL,
  article_id bigint NOT NULL,
  views integer NOT NULL,
  PRIMARY KEY (hour, article_id)
);
CREATE TABLE outbox_events (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  aggregate_id bigint NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE seed_watermarks (
  table_name text PRIMARY KEY,
  max_id bigint NOT NULL
);
`;

/** The index the missing-index fault's migration dropped ("unused on the replica"). */
export const TAG_INDEX_DDL = 'CREATE INDEX IF NOT EXISTS article_tags_tag_id_idx ON article_tags (tag_id, article_id)';

const INDEXES: string[][] = [
  [
    'CREATE INDEX articles_section_published_idx ON articles (section_id, published_at DESC) WHERE status = \'published\'',
    'CREATE INDEX articles_author_published_idx ON articles (author_id, published_at DESC)',
    'CREATE INDEX articles_publication_published_idx ON articles (publication_id, published_at DESC) WHERE status = \'published\'',
    'CREATE INDEX articles_search_idx ON articles USING gin (search_vector)',
    'CREATE UNIQUE INDEX articles_slug_idx ON articles (publication_id, slug)',
    'CREATE INDEX article_revisions_article_idx ON article_revisions (article_id, revision_no)',
    'CREATE INDEX article_images_article_idx ON article_images (article_id, position)',
  ],
  [
    'CREATE INDEX comments_article_created_idx ON comments (article_id, created_at DESC) WHERE status = \'approved\'',
    'CREATE INDEX comments_parent_idx ON comments (parent_id) WHERE parent_id IS NOT NULL',
    'CREATE INDEX comments_created_idx ON comments (created_at)',
    'CREATE INDEX comments_pending_idx ON comments (created_at) WHERE status = \'pending\'',
  ],
  [
    TAG_INDEX_DDL,
    'CREATE UNIQUE INDEX readers_email_key ON readers (email)',
    'CREATE INDEX subscriptions_reader_idx ON subscriptions (reader_id)',
    'CREATE UNIQUE INDEX subscriptions_one_active_idx ON subscriptions (reader_id, publication_id) WHERE status = \'active\'',
    'CREATE UNIQUE INDEX newsletter_signups_reader_idx ON newsletter_signups (newsletter_id, reader_id)',
    'CREATE INDEX newsletter_signups_status_idx ON newsletter_signups (newsletter_id, status)',
    'CREATE INDEX editorial_picks_article_idx ON editorial_picks (article_id)',
    'CREATE INDEX editorial_picks_expires_idx ON editorial_picks (expires_at)',
  ],
];

/**
 * Published time of article `id` as SQL (ids are chronological: the newest
 * article is id = SEED.articles, one every 160 s going back about a year).
 */
const publishedAt = (id: string): string => `(now() - ((${SEED.articles} - ${id}) * interval '160 seconds') - ((${id} * 37) % 150) * interval '1 second')`;

/** Create the schema and load the data into an empty database. */
export async function seedNewsroom(pgUrl: string): Promise<void> {
  // JIT compilation only slows these one-shot bulk statements down.
  const sql = postgres(pgUrl, { max: 3, onnotice: () => {}, idle_timeout: 5, connection: { jit: 'off' } });
  const W = arr(WORDS);
  const NW = WORDS.length;
  const F = arr(FIRST_NAMES);
  const NF = FIRST_NAMES.length;
  const L = arr(LAST_NAMES);
  const NL = LAST_NAMES.length;
  const pick = (arrName: string, n: number): string => `${arrName}[1 + floor(random() * ${n})::int]`;
  // NEWSROOM_SEED_VERBOSE=1 prints how long each step took (for keeping the seed under its time budget).
  const verbose = process.env.NEWSROOM_SEED_VERBOSE === '1';
  const t0 = performance.now();
  const step = async (name: string, text: string): Promise<void> => {
    const t = performance.now();
    await sql.unsafe(text);
    if (verbose) console.log(`  seed ${name}: ${((performance.now() - t) / 1000).toFixed(1)} s (at ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  };
  try {
    await sql.unsafe(DDL);
    // Text pools the big tables are assembled from (joined by id arithmetic, so no per-row string building).
    await sql.unsafe(`
      CREATE UNLOGGED TABLE seed_sentences AS
        SELECT s AS id, upper(left(t, 1)) || substr(t, 2) || '.' AS text
        FROM (SELECT s, (SELECT string_agg(v.w[1 + floor(random() * ${NW})::int + 0 * k], ' ') FROM generate_series(1, 7 + s % 11) k) AS t
              FROM generate_series(1, 3000) s, (SELECT ${W} AS w) v) x;
      CREATE UNLOGGED TABLE seed_title_parts AS
        SELECT s AS id, (SELECT string_agg(v.w[1 + floor(random() * ${NW})::int + 0 * k], ' ') FROM generate_series(1, 3 + s % 2) k) AS text
        FROM generate_series(1, 8000) s, (SELECT ${W} AS w) v;
      CREATE UNLOGGED TABLE seed_paragraphs AS
        SELECT p AS id, string_agg(s.text, ' ' ORDER BY k) AS text
        FROM generate_series(1, 600) p CROSS JOIN generate_series(1, 6) k
        JOIN seed_sentences s ON s.id = 1 + ((p * 131 + k * 977) % 3000)
        GROUP BY p;
      CREATE UNLOGGED TABLE seed_comment_pool AS
        SELECT c AS id, string_agg(s.text, ' ' ORDER BY k) AS text
        FROM generate_series(1, 1000) c CROSS JOIN generate_series(1, 1 + c % 3) k
        JOIN seed_sentences s ON s.id = 1 + ((c * 389 + k * 61) % 3000)
        GROUP BY c;
      INSERT INTO publications (id, slug, name, domain, paywall, meter_limit) VALUES
        (1, 'daily-ledger', 'The Daily Ledger', 'dailyledger.example', 'metered', 5),
        (2, 'harbor-times', 'The Harbor Times', 'harbortimes.example', 'metered', 3),
        (3, 'valley-courier', 'Valley Courier', 'valleycourier.example', 'free', 0),
        (4, 'metro-wire', 'Metro Wire', 'metrowire.example', 'hard', 0),
        (5, 'sports-desk', 'The Sports Desk', 'sportsdesk.example', 'metered', 10);
      INSERT INTO sections (id, publication_id, slug, name, position)
        SELECT (p - 1) * 12 + k, p, s.slug, initcap(replace(s.slug, '-', ' ')), k
        FROM generate_series(1, 5) p
        CROSS JOIN LATERAL unnest(ARRAY['news','politics','business','local','world','opinion','sports','culture','science','health','food','travel']) WITH ORDINALITY AS s(slug, k);
      INSERT INTO authors (id, publication_id, slug, name, job_title, bio, avatar_key, twitter, created_at)
        SELECT a, 1 + (a - 1) / ${SEED.authorsPerPublication}, f || '-' || l || '-' || a, initcap(f) || ' ' || initcap(l),
               (ARRAY['Staff Writer','Reporter','Senior Correspondent','Columnist','Editor','Data Reporter'])[1 + a % 6],
               s.text, 'authors/' || a || '.jpg', '@' || f || l || a, now() - (a % 3000) * interval '1 day'
        FROM (SELECT a, ${pick('v.f', NF)} AS f, ${pick('v.l', NL)} AS l FROM generate_series(1, ${SEED.publications * SEED.authorsPerPublication}) a, (SELECT ${F} AS f, ${L} AS l) v) x
        JOIN seed_sentences s ON s.id = 1 + (a * 7) % 3000;
      INSERT INTO tags (id, slug, name, kind)
        SELECT t, slug, initcap(replace(slug, '-', ' ')), CASE WHEN t <= 40 THEN 'topic' WHEN t % 3 = 0 THEN 'place' WHEN t % 3 = 1 THEN 'person' ELSE 'topic' END
        FROM (SELECT t, CASE WHEN t <= 40 THEN (${arr(TOP_TAGS)})[t] ELSE ${pick('v.w', NW)} || '-' || ${pick('v.w', NW)} || '-' || t END AS slug
              FROM generate_series(1, ${SEED.tags}) t, (SELECT ${W} AS w) v) x;
      INSERT INTO newsletters (id, publication_id, slug, name, cadence, subscriber_cap)
        SELECT n, 1 + (n - 1) % 5, s, initcap(replace(s, '-', ' ')), CASE WHEN n % 3 = 0 THEN 'weekly' ELSE 'daily' END, CASE WHEN n = 12 THEN 50000 END
        FROM unnest(ARRAY['morning-briefing','harbor-today','valley-weekend','metro-after-dark','game-day','evening-edition','markets-close','opinion-digest','climate-watch','food-weekly','travel-letters','beta-investigations']) WITH ORDINALITY AS x(s, n);
    `);

    const articlesChain = async (): Promise<void> => {
      await step('articles', `
        INSERT INTO articles (id, publication_id, section_id, author_id, primary_tag_id, slug, title, dek, status, access, word_count, hero_image_key, view_count, comment_count, revision_no, published_at, updated_at)
        SELECT g, pub, sec, (pub - 1) * ${SEED.authorsPerPublication} + 1 + floor(random() * ${SEED.authorsPerPublication})::int, 1 + (g * 104729) % 1000,
               lower(replace(title, ' ', '-')) || '-' || g, upper(left(title, 1)) || substr(title, 2), dek,
               CASE WHEN g % 50 = 7 AND g <= ${SEED.articles - 20_000} THEN 'draft' WHEN g % 100 = 13 AND g <= ${SEED.articles - 20_000} THEN 'archived' ELSE 'published' END,
               CASE WHEN (g / 60) % 10 < 6 THEN 'metered' WHEN (g / 60) % 10 < 9 THEN 'free' ELSE 'premium' END,
               CASE WHEN g % 3 = 0 THEN 520 + g % 90 ELSE 420 + g % 80 END,
               'hero/' || g || '.jpg',
               floor(40000 / (1 + (${SEED.articles} - g) / 400.0) * (0.5 + random()))::bigint,
               floor(300 / (1 + (${SEED.articles} - g) / 200.0))::int,
               1 + CASE WHEN g > ${SEED.articles - 60_000} THEN g % 4 ELSE 0 END,
               CASE WHEN g % 50 = 7 AND g <= ${SEED.articles - 20_000} THEN NULL ELSE ${publishedAt('g')} END,
               ${publishedAt('g')} + (g % 7) * interval '1 hour'
        FROM (SELECT g, 1 + (g * 31 % 60) AS sec, 1 + (g * 31 % 60) / 12 AS pub, h.text || ' ' || t.text AS title, d.text AS dek
              FROM generate_series(1::bigint, ${SEED.articles}) g
              JOIN seed_title_parts h ON h.id = 1 + (g * 7) % 8000
              JOIN seed_title_parts t ON t.id = 1 + (g * 7919 + 3) % 7993
              JOIN seed_sentences d ON d.id = 1 + (g * 11) % 3000) a
      `);
      await step('article_bodies', `
        INSERT INTO article_bodies (article_id, body, format, updated_at)
        SELECT g, '<p>' || p1.text || E'</p>\\n<p>' || p2.text || E'</p>\\n<h2>' || initcap(left(p3.text, 40)) || E'</h2>\\n<p>' || p3.text || E'</p>\\n<p>' || p4.text || '</p>'
                  || CASE WHEN g % 3 = 0 THEN E'\\n<p>' || p5.text || '</p>' ELSE '' END, 'html', now()
        FROM generate_series(1, ${SEED.articles}) g
        JOIN seed_paragraphs p1 ON p1.id = 1 + (g * 7) % 600
        JOIN seed_paragraphs p2 ON p2.id = 1 + (g * 13 + 1) % 600
        JOIN seed_paragraphs p3 ON p3.id = 1 + (g * 29 + 2) % 600
        JOIN seed_paragraphs p4 ON p4.id = 1 + (g * 41 + 3) % 600
        JOIN seed_paragraphs p5 ON p5.id = 1 + (g * 53 + 4) % 600
      `);
      // Revision history is kept for the last 60k articles (older ones are compacted by the archive job).
      await step('article_revisions', `
        INSERT INTO article_revisions (article_id, revision_no, editor_id, title, diff, note, created_at)
        SELECT a.id, r, 1 + (a.id * 13 + r) % 2000, a.title,
               '@@ -' || (r * 7) || ',6 +' || (r * 7) || E',7 @@\\n-' || s1.text || E'\\n+' || s2.text || E'\\n ' || s3.text,
               (ARRAY['copy edit','updated with new details','headline change','fixed typo','legal review','added reaction'])[1 + (a.id + r) % 6],
               a.updated_at - (4 - r) * interval '20 minutes'
        FROM articles a CROSS JOIN LATERAL generate_series(1, a.revision_no) r
        JOIN seed_sentences s1 ON s1.id = 1 + (a.id * 3 + r) % 3000
        JOIN seed_sentences s2 ON s2.id = 1 + (a.id * 5 + r) % 3000
        JOIN seed_sentences s3 ON s3.id = 1 + (a.id * 7 + r) % 3000
        WHERE a.id > ${SEED.articles - 60_000}
      `);
      await step('editorial_picks', `
        INSERT INTO editorial_picks (section_id, article_id, position, headline_override, kicker, image_crop, score, pinned_by, expires_at, updated_at)
        SELECT section_id, id, rn, CASE WHEN rn % 4 = 0 THEN 'Live: ' || title END, (ARRAY['Breaking','Analysis','Exclusive','Explainer','Opinion'])[1 + rn % 5],
               jsonb_build_object('x', rn % 100, 'y', (rn * 7) % 100, 'w', 1600, 'h', 900, 'focal', jsonb_build_array(0.5, 0.4), 'variants', jsonb_build_array('16x9','4x3','1x1')),
               1.0 / rn, 1 + (id % 2000), now() + ((rn % 14) - 7) * interval '1 day' + (id % 1440) * interval '1 minute', now()
        FROM (SELECT id, section_id, title, row_number() OVER (PARTITION BY section_id ORDER BY id DESC) AS rn FROM articles WHERE status = 'published') x
        WHERE rn <= ${SEED.picksPerSection}
      `);
    };

    const readersChain = async (): Promise<void> => {
      await step('readers', `
        INSERT INTO readers (id, email, display_name, avatar_key, country, marketing_opt_in, created_at, last_login_at)
        SELECT r, f || '.' || l || r || '@' || (ARRAY['mail.example','inbox.example','post.example','webmail.example'])[1 + r % 4],
               initcap(f) || ' ' || upper(left(l, 1)) || '.', CASE WHEN r % 3 = 0 THEN 'avatars/' || r || '.png' END,
               (ARRAY['US','US','US','GB','CA','DE','FR','AU','IN','BR'])[1 + r % 10], r % 4 <> 0,
               now() - (r % 2000) * interval '1 day', now() - (r % 90) * interval '1 day'
        FROM (SELECT r, ${pick('v.f', NF)} AS f, ${pick('v.l', NL)} AS l FROM generate_series(1, ${SEED.readers}) r, (SELECT ${F} AS f, ${L} AS l) v) x
      `);
      await step('subscriptions', `
        -- Readers 1..100k subscribe (70% to the flagship), readers 1..20k also have a lapsed subscription elsewhere.
        INSERT INTO subscriptions (reader_id, publication_id, plan, status, price_cents, started_at, expires_at, created_at, updated_at)
        SELECT r, CASE WHEN r % 10 < 7 THEN 1 ELSE 2 + r % 4 END,
               (ARRAY['digital-monthly','digital-annual','all-access','student'])[1 + r % 4],
               CASE WHEN r % 20 = 3 THEN 'past_due' WHEN r % 10 = 5 THEN 'cancelled' ELSE 'active' END,
               (ARRAY[1500, 14900, 2900, 500])[1 + r % 4],
               now() - (r % 700) * interval '1 day', now() + (30 + r % 300) * interval '1 day', now() - (r % 700) * interval '1 day', now()
        FROM generate_series(1, 100000) r
        UNION ALL
        SELECT r, 2 + (r + 1) % 4, 'digital-monthly', 'expired', 1500, now() - interval '2 years', now() - interval '1 year', now() - interval '2 years', now() - interval '1 year'
        FROM generate_series(1, 20000) r
      `);
      await step('newsletter_signups', `
        -- The flagship briefing reaches 200k readers; the other lists are smaller.
        INSERT INTO newsletter_signups (newsletter_id, reader_id, status, source, created_at, confirmed_at)
        SELECT n, rid, CASE WHEN rid % 10 = 0 THEN 'unsubscribed' ELSE 'active' END,
               (ARRAY['article-footer','homepage','registration','import'])[1 + g % 4], now() - (g % 900) * interval '1 day', now() - (g % 900) * interval '1 day' + interval '5 minutes'
        FROM generate_series(1, ${SEED.newsletters}) n
        CROSS JOIN LATERAL generate_series(1, CASE WHEN n = 1 THEN 200000 ELSE 20000 END) g
        CROSS JOIN LATERAL (SELECT CASE WHEN n = 1 THEN g ELSE 1 + (g * 7919 + n * 104729) % ${SEED.readers} END AS rid) x
      `);
      await step('newsletters', `
        UPDATE newsletters n SET subscriber_count = c.cnt FROM (SELECT newsletter_id, count(*) AS cnt FROM newsletter_signups WHERE status = 'active' GROUP BY 1) c WHERE c.newsletter_id = n.id
      `);
      await step('article_images', `
        INSERT INTO article_images (id, article_id, position, cdn_key, caption, credit, width, height)
        SELECT g * 16 + pos, g, pos, 'articles/' || g || '/' || pos || '.jpg', left(s.text, 70),
               (ARRAY['Staff photographer','Associated Wire','Reuters-like Agency','Handout','Getty-like Images'])[(1 + (g + pos) % 5)::int],
               CASE WHEN pos % 2 = 0 THEN 2400 ELSE 1600 END, CASE WHEN pos % 2 = 0 THEN 1600 ELSE 900 END
        FROM generate_series(1, ${SEED.articles}) g
        CROSS JOIN LATERAL generate_series(1, CASE WHEN g % 20 = 0 THEN 10 ELSE 1 + g % 3 END) pos
        JOIN seed_sentences s ON s.id = 1 + (g * 3 + pos) % 3000
      `);
      await step('article_hourly_views', `
        -- The analytics export the trending buckets are rebuilt from (24 hourly buckets).
        INSERT INTO article_hourly_views (hour, article_id, views)
        SELECT date_trunc('hour', now()) - h * interval '1 hour', ${SEED.articles} - k,
               greatest(1, floor(6000 / (1 + k / 25.0) * (0.5 + ((g * 31 + h) % 100) / 100.0)))::int
        FROM generate_series(0, 23) h CROSS JOIN LATERAL generate_series(1, ${SEED.trendingPerHour}) g
        CROSS JOIN LATERAL (SELECT (g * 7919 + h * 131) % 20000 AS k) x
      `);
    };

    const commentsChain = async (): Promise<void> => {
      // Comments cluster on recent articles: article = newest - N * u^2.
      await step('comments', `
        INSERT INTO comments (article_id, reader_id, parent_id, body, status, toxicity, created_at)
        SELECT aid, 1 + (g * 7919) % ${SEED.readers}, NULL, p.text,
               CASE WHEN g % 25 IN (1, 2) THEN 'pending' WHEN g % 25 = 3 THEN 'rejected' ELSE 'approved' END,
               ((g * 37) % 100) / 100.0,
               ${publishedAt('aid')} + least(now() - ${publishedAt('aid')}, interval '3 days') * random()
        FROM (SELECT g, ${SEED.articles} - floor(${SEED.articles - 1} * power(random(), 2))::bigint AS aid FROM generate_series(1::bigint, ${SEED.comments}) g) x
        JOIN seed_comment_pool p ON p.id = 1 + (g * 13) % 1000
      `);
      await step('comments', `
        INSERT INTO comments (article_id, reader_id, parent_id, body, status, toxicity, created_at)
        SELECT c.article_id, 1 + (c.id * 104729) % ${SEED.readers}, c.id, p.text, CASE WHEN c.id % 20 = 1 THEN 'pending' ELSE 'approved' END, 0.1,
               c.created_at + (c.id % 600) * interval '1 second'
        FROM comments c JOIN seed_comment_pool p ON p.id = 1 + (c.id * 7) % 1000
        WHERE c.id % 4 = 0 AND c.id <= ${SEED.replies * 4}
      `);
      await step('article_tags', `
        INSERT INTO article_tags (article_id, tag_id)
        SELECT g, t FROM generate_series(1::bigint, ${SEED.articles}) g
        CROSS JOIN LATERAL (VALUES (1 + (g * 104729) % 1000), (1001 + (g * 7919 + 11) % 1000), (2001 + (g * 15485863 + 29) % 1000)) v(t)
      `);
    };

    await Promise.all([articlesChain(), readersChain(), commentsChain()]);
    await Promise.all(INDEXES.map(async (group, i) => { for (const ddl of group) await step(`index group ${i}`, ddl); }));
    await sql.unsafe(`
      ALTER TABLE articles ADD CONSTRAINT articles_section_fk FOREIGN KEY (section_id) REFERENCES sections(id) NOT VALID;
      ALTER TABLE articles ADD CONSTRAINT articles_author_fk FOREIGN KEY (author_id) REFERENCES authors(id) NOT VALID;
      ALTER TABLE comments ADD CONSTRAINT comments_article_fk FOREIGN KEY (article_id) REFERENCES articles(id) NOT VALID;
      ALTER TABLE article_tags ADD CONSTRAINT article_tags_tag_fk FOREIGN KEY (tag_id) REFERENCES tags(id) NOT VALID;
      DROP TABLE seed_sentences, seed_title_parts, seed_paragraphs, seed_comment_pool;
      INSERT INTO seed_watermarks (table_name, max_id)
        SELECT 'comments', max(id) FROM comments UNION ALL
        SELECT 'article_revisions', max(id) FROM article_revisions UNION ALL
        SELECT 'subscriptions', max(id) FROM subscriptions UNION ALL
        SELECT 'newsletter_signups', max(id) FROM newsletter_signups;
    `);
    // Visibility map + statistics: index-only scans and sane plans from the first request on.
    await Promise.all([
      step('vacuum 1', 'VACUUM (ANALYZE) articles, article_tags, readers, subscriptions, newsletter_signups, newsletters, editorial_picks, article_hourly_views, authors, sections, tags, publications'),
      step('vacuum 2', 'VACUUM (ANALYZE) comments, article_revisions'),
      step('vacuum 3', 'VACUUM (ANALYZE) article_bodies, article_images'),
    ]);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * The deploy migration of a build: undo whatever an earlier case's deploy
 * left behind (rows written by load, a dropped index, a bloated table), then
 * apply the fault's database state. Idempotent.
 */
export async function migrateNewsroom(pgUrl: string, fault: NewsroomFault | null): Promise<void> {
  const sql = postgres(pgUrl, { max: 1, onnotice: () => {}, idle_timeout: 5 });
  try {
    // Rows written by earlier load runs go, so every case starts from the seeded data.
    await sql.unsafe(`
      DELETE FROM comments WHERE id > (SELECT max_id FROM seed_watermarks WHERE table_name = 'comments');
      DELETE FROM article_revisions WHERE id > (SELECT max_id FROM seed_watermarks WHERE table_name = 'article_revisions');
      DELETE FROM subscriptions WHERE id > (SELECT max_id FROM seed_watermarks WHERE table_name = 'subscriptions');
      DELETE FROM newsletter_signups WHERE id > (SELECT max_id FROM seed_watermarks WHERE table_name = 'newsletter_signups');
      -- Seeded unsubscribes (every tenth reader) that load re-activated.
      UPDATE newsletter_signups SET status = 'unsubscribed'
        WHERE id <= (SELECT max_id FROM seed_watermarks WHERE table_name = 'newsletter_signups') AND reader_id % 10 = 0 AND status <> 'unsubscribed';
      TRUNCATE outbox_events;
      UPDATE newsletters n SET subscriber_count = c.cnt FROM (SELECT newsletter_id, count(*) AS cnt FROM newsletter_signups WHERE status = 'active' GROUP BY 1) c
        WHERE c.newsletter_id = n.id AND n.subscriber_count <> c.cnt;
    `);
    // The reporting role (cluster-wide, so it may exist from another database's deploy).
    await sql.unsafe(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ANALYTICS_ROLE}') THEN
          CREATE ROLE ${ANALYTICS_ROLE} LOGIN PASSWORD '${ANALYTICS_PASSWORD}';
        END IF;
      END $$;
      ALTER ROLE ${ANALYTICS_ROLE} LOGIN PASSWORD '${ANALYTICS_PASSWORD}' CONNECTION LIMIT ${ANALYTICS_CONNECTION_LIMIT};
      GRANT USAGE ON SCHEMA public TO ${ANALYTICS_ROLE};
      GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ANALYTICS_ROLE};
    `);
    const database = `"${decodeURIComponent(new URL(pgUrl).pathname.slice(1)).replace(/"/g, '""')}"`;
    await sql.unsafe(`GRANT CONNECT ON DATABASE ${database} TO ${ANALYTICS_ROLE}`);
    // The DBA's setting for this OLTP database: on 2-vCPU instances parallel workers only added latency.
    await sql.unsafe(`ALTER DATABASE ${database} SET max_parallel_workers_per_gather = 0`);

    // missing-index: the cleanup migration that dropped "unused" indexes took the tag lookup with it.
    if (fault === 'tag-index-dropped') await sql.unsafe('DROP INDEX IF EXISTS article_tags_tag_id_idx');
    else await sql.unsafe(TAG_INDEX_DDL);

    // table-bloat: autovacuum was switched off on editorial_picks during an incident and the
    // re-ranking backfill of this deploy rewrote every pick dozens of times.
    const [picks] = await sql<{ pages: number; off: boolean }[]>`
      SELECT pg_relation_size('editorial_picks') / 8192 AS pages,
             coalesce('autovacuum_enabled=false' = ANY(reloptions), false) AS off
      FROM pg_class WHERE relname = 'editorial_picks'`;
    if (fault === 'picks-bloat') {
      if (Number(picks!.pages) > 2000) await sql.unsafe('VACUUM FULL editorial_picks');
      await sql.unsafe('ALTER TABLE editorial_picks SET (autovacuum_enabled = false)');
      await sql.unsafe(`
        DO $$ BEGIN
          FOR round IN 1..${PICKS_BACKFILL_ROUNDS} LOOP
            UPDATE editorial_picks SET score = score * 0.97 + 0.03 * random(), expires_at = expires_at + interval '1 minute', updated_at = now();
          END LOOP;
        END $$;
      `);
    } else if (picks!.off || Number(picks!.pages) > 2000) {
      await sql.unsafe('ALTER TABLE editorial_picks RESET (autovacuum_enabled)');
      await sql.unsafe('VACUUM FULL editorial_picks');
      await sql.unsafe('ANALYZE editorial_picks');
    }
    // The cleanup above left dead rows behind: vacuum the small tables the hot paths count over, analyze the rest.
    await sql.unsafe('VACUUM (ANALYZE) newsletter_signups, subscriptions, newsletters');
    await sql.unsafe('ANALYZE article_tags, comments, article_revisions');
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** How many times the picks-bloat deploy's backfill rewrites every editorial pick. */
export const PICKS_BACKFILL_ROUNDS = 40;
