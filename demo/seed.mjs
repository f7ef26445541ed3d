/**
 * Schema and seed data of the demo, in set-based SQL so it loads in a few
 * seconds even on PGlite. Sizes are chosen so that a sequential scan of
 * `loans` costs tens of milliseconds and an index lookup well under one.
 */
export const SIZES = { authors: 400, books: 4000, members: 2000, loans: 60000, branches: 12 };

/** Create and fill the tables; the index on loans.member_id only when `withMemberIndex`. */
export async function seed(pool, { withMemberIndex, onStep = () => undefined }) {
  const t0 = Date.now();
  const s = SIZES;
  await pool.query(`
    DROP TABLE IF EXISTS loans, books, authors, members, branches CASCADE;
    CREATE TABLE branches (id int PRIMARY KEY, name text NOT NULL, city text NOT NULL);
    CREATE TABLE authors (id int PRIMARY KEY, name text NOT NULL, born int);
    CREATE TABLE books (id int PRIMARY KEY, author_id int NOT NULL, title text NOT NULL,
                        isbn text NOT NULL, year int NOT NULL, genre text NOT NULL, pages int NOT NULL);
    CREATE TABLE members (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL, joined date NOT NULL);
    CREATE TABLE loans (id serial PRIMARY KEY, book_id int NOT NULL, member_id int NOT NULL,
                        branch_id int NOT NULL, loaned_at timestamptz NOT NULL, returned_at timestamptz, note text);
  `);
  await pool.query(`INSERT INTO branches SELECT g, 'Branch ' || g, (ARRAY['Lyon','Porto','Ghent','Turin'])[1 + g % 4] FROM generate_series(1, ${s.branches}) g`);
  await pool.query(`INSERT INTO authors SELECT g, 'Author ' || g, 1900 + g % 100 FROM generate_series(1, ${s.authors}) g`);
  await pool.query(`INSERT INTO books SELECT g, 1 + g % ${s.authors}, 'Title ' || md5(g::text), '978' || lpad(g::text, 10, '0'), 1950 + g % 70,
                      (ARRAY['novel','essay','poetry','history','science'])[1 + g % 5], 80 + g % 600 FROM generate_series(1, ${s.books}) g`);
  await pool.query(`INSERT INTO members SELECT g, 'Member ' || g, 'm' || g || '@example.org', date '2015-01-01' + g % 3000 FROM generate_series(1, ${s.members}) g`);
  await pool.query(`INSERT INTO loans (book_id, member_id, branch_id, loaned_at, returned_at, note)
                      SELECT 1 + (g::bigint * 7919) % ${s.books}, 1 + (g::bigint * 104729) % ${s.members}, 1 + g % ${s.branches},
                             now() - (g % 2000) * interval '1 day', CASE WHEN g % 10 = 0 THEN NULL ELSE now() - (g % 1900) * interval '1 day' END,
                             repeat('x', 40)
                        FROM generate_series(1, ${s.loans}) g`);
  await pool.query('CREATE INDEX loans_book_id_idx ON loans (book_id)');
  await pool.query('CREATE INDEX books_author_id_idx ON books (author_id)');
  if (withMemberIndex) await pool.query('CREATE INDEX loans_member_id_idx ON loans (member_id)');
  // PostgreSQL ≥ 15 flushes a backend's pending table counts up to a second late: an ANALYZE right after
  // the inserts can be overtaken by their counts, doubling n_live_tup and leaving every row "modified since
  // analyze". Flush them first (a database that has been running has settled statistics).
  await pool.query('SELECT pg_stat_force_next_flush()').catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await pool.query('ANALYZE');
  onStep(`seeded in ${Date.now() - t0} ms`);
}
