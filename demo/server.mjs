/**
 * The demo service: a library-lending API over PostgreSQL with a cache and a
 * Prometheus /metrics endpoint, with planted bottlenecks (see faults.mjs).
 *
 *   node demo/server.mjs --pg postgres://… --upstream http://127.0.0.1:N [--redis redis://…]
 *                        [--faults all|none|a,b] [--seed] [--port 0]
 *
 * Prints `{"ready":true,"port":N}` on stdout once it listens.
 */
import http from 'node:http';
import { pbkdf2Sync } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { parseFaults } from './faults.mjs';
import { seed } from './seed.mjs';
import { createMetrics } from './metrics.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    pg: { type: 'string' },
    redis: { type: 'string' },
    upstream: { type: 'string' },
    faults: { type: 'string', default: 'all' },
    seed: { type: 'boolean', default: false },
  },
});
if (!values.pg || !values.upstream) {
  process.stderr.write('demo/server.mjs needs --pg URL and --upstream URL\n');
  process.exit(2);
}
const faults = parseFaults(values.faults);
const on = (name) => faults.has(name);

const pool = new pg.Pool({ connectionString: values.pg, max: on('small-pool') ? 2 : 10, application_name: 'tuneup-demo' });
pool.on('error', () => undefined); // a dropped idle connection must not kill the service

/** The cache: Redis when given, else an in-process map with TTLs. */
const cache = await createCache(values.redis);
let cacheHits = 0;
let cacheMisses = 0;
async function cached(key, ttlS, load) {
  const hit = await cache.get(key);
  if (hit !== null && hit !== undefined) {
    cacheHits += 1;
    return JSON.parse(hit);
  }
  cacheMisses += 1;
  const value = await load();
  await cache.set(key, JSON.stringify(value), ttlS);
  return value;
}

if (values.seed) await seed(pool, { withMemberIndex: !on('missing-index'), onStep: (line) => process.stderr.write(line + '\n') });

const metrics = createMetrics(() => ({
  poolTotal: pool.totalCount,
  poolIdle: pool.idleCount,
  poolWaiting: pool.waitingCount,
  cacheHits,
  cacheMisses,
}));
const upstream = new URL(values.upstream);
const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });

/** Routes: [method, pattern, route template, handler(params, body)]. */
const routes = [
  ['GET', /^\/api\/books\/(\d+)$/, 'GET /api/books/:id', async ([id]) => {
    // cache-never-hits: a key that carries the time never repeats.
    const key = on('cache-never-hits') ? `book:${id}:${Date.now()}:${Math.random()}` : `book:${id}`;
    const book = await cached(key, 60, async () => (await pool.query(
      'SELECT b.id, b.title, b.isbn, b.year, b.genre, b.pages, a.name AS author FROM books b JOIN authors a ON a.id = b.author_id WHERE b.id = $1',
      [id],
    )).rows[0]);
    return book ? [200, book] : [404, { error: 'no such book' }];
  }],
  ['GET', /^\/api\/members\/(\d+)\/loans$/, 'GET /api/members/:id/loans', async ([id]) => {
    // missing-index: without loans(member_id) this is a sequential scan of every loan.
    const rows = (await pool.query(
      'SELECT l.id, l.book_id, l.branch_id, l.loaned_at, l.returned_at FROM loans l WHERE l.member_id = $1 ORDER BY l.loaned_at DESC LIMIT 20',
      [id],
    )).rows;
    return [200, { member: Number(id), loans: rows }];
  }],
  ['GET', /^\/api\/authors\/(\d+)\/books$/, 'GET /api/authors/:id/books', async ([id]) => {
    if (on('n-plus-one')) {
      const books = (await pool.query('SELECT id, title, year FROM books WHERE author_id = $1 ORDER BY year', [id])).rows;
      for (const b of books) {
        b.loans = Number((await pool.query('SELECT count(*) AS n FROM loans WHERE book_id = $1', [b.id])).rows[0].n);
      }
      return [200, books];
    }
    const books = (await pool.query(
      `SELECT b.id, b.title, b.year, count(l.id)::int AS loans FROM books b LEFT JOIN loans l ON l.book_id = b.id
        WHERE b.author_id = $1 GROUP BY b.id ORDER BY b.year`,
      [id],
    )).rows;
    return [200, books];
  }],
  ['GET', /^\/api\/books\/(\d+)\/recommendations$/, 'GET /api/books/:id/recommendations', async ([id]) => {
    // blocking-handler: a synchronous key-derivation standing in for CPU-heavy scoring on the event loop.
    const rounds = on('blocking-handler') ? 24000 : 100;
    const digest = pbkdf2Sync(String(id), 'similarity', rounds, 32, 'sha256');
    const picks = [...digest.subarray(0, 5)].map((b) => 1 + ((Number(id) * 31 + b * 17) % 4000));
    return [200, { book: Number(id), recommendations: picks }];
  }],
  ['GET', /^\/api\/books\/(\d+)\/reviews$/, 'GET /api/books/:id/reviews', async ([id]) => {
    const reviews = await getJson(new URL(`/reviews/${id}`, upstream));
    return [200, { book: Number(id), reviews }];
  }],
  ['POST', /^\/api\/loans$/, 'POST /api/loans', async (_params, body) => {
    const bookId = Number(body?.book);
    const memberId = Number(body?.member);
    if (!Number.isInteger(bookId) || !Number.isInteger(memberId)) return [400, { error: 'book and member are required integers' }];
    const row = (await pool.query(
      'INSERT INTO loans (book_id, member_id, branch_id, loaned_at) VALUES ($1, $2, 1 + $1 % 12, now()) RETURNING id',
      [bookId, memberId],
    )).rows[0];
    return [201, { id: row.id }];
  }],
  ['GET', /^\/api\/branches$/, 'GET /api/branches', async () => {
    return [200, await cached('branches', 300, async () => (await pool.query('SELECT id, name, city FROM branches ORDER BY id')).rows)];
  }],
];

function getJson(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: upstreamAgent, timeout: 10_000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(data));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('upstream timeout')));
    req.on('error', reject);
  });
}

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      try {
        resolve(data ? JSON.parse(data) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

const server = http.createServer(async (req, res) => {
  const started = process.hrtime.bigint();
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
    return;
  }
  if (path === '/healthz') {
    res.writeHead(200).end('ok');
    return;
  }
  let route = 'unmatched';
  let status = 404;
  let payload = { error: 'not found' };
  try {
    for (const [method, pattern, template, handler] of routes) {
      if (req.method !== method) continue;
      const m = pattern.exec(path);
      if (!m) continue;
      route = template;
      const body = method === 'POST' ? await readBody(req) : undefined;
      [status, payload] = await handler(m.slice(1), body);
      break;
    }
  } catch (err) {
    status = 500;
    payload = { error: String(err?.message ?? err) };
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  metrics.observe(req.method, route, status, Number(process.hrtime.bigint() - started) / 1e9);
});
server.keepAliveTimeout = 30_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ ready: true, port: server.address().port, faults: [...faults] }) + '\n');
});

async function shutdown() {
  server.closeAllConnections();
  server.close();
  metrics.close();
  await Promise.allSettled([pool.end(), cache.close()]);
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

async function createCache(url) {
  if (url) {
    const { createClient } = await import('redis');
    const client = createClient({ url });
    client.on('error', () => undefined);
    await client.connect();
    return {
      get: (k) => client.get(k),
      set: (k, v, ttl) => client.set(k, v, { EX: ttl }),
      close: () => client.quit(),
    };
  }
  const map = new Map();
  return {
    get: async (k) => {
      const e = map.get(k);
      if (!e) return null;
      if (e.expires < Date.now()) {
        map.delete(k);
        return null;
      }
      return e.value;
    },
    set: async (k, v, ttl) => {
      // Bounded: a cache that never hits must not also grow without limit.
      if (map.size >= 5000) map.delete(map.keys().next().value);
      map.set(k, { value: v, expires: Date.now() + ttl * 1000 });
    },
    close: async () => undefined,
  };
}
