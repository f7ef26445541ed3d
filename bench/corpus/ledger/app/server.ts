/**
 * The ledger process: plain node:http with the small router, a pg Pool,
 * ioredis and prom-client. Boot jobs rebuild the Redis spend counters from
 * the ledger, rank the merchants and load the FX rate book before it
 * listens; it then prints `LEDGER_LISTENING <port>`.
 *
 * @module
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { loadConfig } from './config.js';
import { SPEND_TTL_S, spendKey, type Ctx } from './context.js';
import { Db } from './db.js';
import { httpDuration, registry } from './metrics.js';
import { RateBook } from './ratebook.js';
import { cachedKey } from './receipts.js';
import { HttpError, readJson, Router, send, type Handler, type Request } from './router.js';
import { accountEntries, accountLimits, accountStatement, accountSummary } from './routes/accounts.js';
import { fxQuote, MARKUP_KEY } from './routes/fx.js';
import { merchantSummary, refreshMerchantRanks } from './routes/merchants.js';
import { createTransfer, getTransfer, transferFeed } from './routes/transfers.js';
import { Screener, WATCH_LIST } from './screening.js';
import { Upstream } from './upstream.js';

const config = loadConfig();
const upstream = new Upstream(config.upstreamUrl);
const ctx: Ctx = {
  config,
  fault: config.fault,
  db: new Db(config.pgUrl, config.poolMax),
  redis: new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false }),
  upstream,
  book: new RateBook(upstream),
  screener: new Screener(WATCH_LIST),
};
ctx.redis.on('error', () => {});

/** Rebuild the per-account, per-day spend counters of the last 90 days from the ledger, 500 accounts at a time. */
async function rebuildSpendCounters(): Promise<void> {
  for (let first = 2; first <= 8000; first += 500) {
    const rows = await ctx.db.query<{ account_id: number; day: string; cents: number }>(
      `SELECT account_id, value_date::text AS day, -sum(amount_cents) AS cents FROM entries
        WHERE amount_cents < 0 AND value_date >= current_date - 89 AND account_id BETWEEN $1 AND $2 GROUP BY 1, 2`,
      [first, first + 499],
    );
    const pipeline = ctx.redis.pipeline();
    for (const r of rows) pipeline.set(spendKey(r.account_id, r.day), r.cents, 'EX', SPEND_TTL_S);
    await pipeline.exec();
  }
}

async function boot(): Promise<void> {
  await ctx.book.start();
  await rebuildSpendCounters();
  await refreshMerchantRanks(ctx);
  setInterval(() => void refreshMerchantRanks(ctx).catch(() => {}), 600_000).unref();
  await ctx.redis.hset(MARKUP_KEY, { EURUSD: 35, EURGBP: 35, EURCHF: 40, USDEUR: 35, GBPEUR: 35 });
  // Receipt keys of the account currencies, derived before traffic arrives.
  await Promise.all(['EUR', 'GBP', 'USD', 'SEK', 'CHF'].map(cachedKey));
}

const router = new Router();
const bind = (handler: (c: Ctx, r: Request) => ReturnType<Handler>): Handler => (r) => handler(ctx, r);
router
  .add('GET', '/accounts/:id', bind(accountSummary))
  .add('GET', '/accounts/:id/entries', bind(accountEntries))
  .add('GET', '/accounts/:id/statement', bind(accountStatement))
  .add('GET', '/accounts/:id/limits', bind(accountLimits))
  .add('POST', '/transfers', bind(createTransfer))
  .add('GET', '/transfers/feed', bind(transferFeed))
  .add('GET', '/transfers/:id', bind(getTransfer))
  .add('GET', '/merchants/:id/summary', bind(merchantSummary))
  .add('GET', '/fx/quote', bind(fxQuote));

const server = createServer((req, res) => {
  const started = performance.now();
  const url = new URL(req.url ?? '/', 'http://ledger');
  const method = req.method ?? 'GET';
  if (method === 'GET' && url.pathname === '/metrics') {
    registry.metrics().then((text) => send(res, { body: text, contentType: registry.contentType }), () => send(res, { status: 500, body: { error: 'metrics' } }));
    return;
  }
  if (method === 'GET' && url.pathname === '/health') return send(res, { body: { ok: true } });
  const match = router.match(method, url.pathname);
  const route = match?.template ?? 'unmatched';
  res.once('finish', () => httpDuration.observe({ method, route, status_code: String(res.statusCode) }, (performance.now() - started) / 1000));
  if (!match) return send(res, { status: 404, body: { error: `no route ${method} ${url.pathname}` } });
  readJson(req)
    .then((body) => match.handler({ params: match.params, query: url.searchParams, body }))
    .then(
      (reply) => send(res, reply),
      (error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        send(res, { status, body: { error: error instanceof Error ? error.message : String(error) } });
      },
    );
});
server.keepAliveTimeout = 65_000;

async function shutdown(): Promise<void> {
  ctx.book.stop();
  server.closeAllConnections();
  server.close();
  await Promise.allSettled([ctx.db.pool.end(), ctx.redis.quit()]);
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());

await boot();
// The boot jobs leave ~150 MB of garbage (result sets, pipelines, the rate book's JSON); collect it
// now (node runs with --expose-gc) so traffic starts from the real baseline heap, not a late pause.
(globalThis as { gc?: () => void }).gc?.();
server.listen(config.port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`LEDGER_LISTENING ${typeof address === 'object' && address ? address.port : 0}\n`);
});
