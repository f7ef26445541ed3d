/**
 * Account routes: the home-screen summary (cached in Redis), the entry
 * history, monthly statements and spending limits.
 *
 * @module
 */
import pg from 'pg';
import { cacheLookups } from '../metrics.js';
import { HttpError, intParam, type Reply, type Request } from '../router.js';
import { dayKey, spendKey, type Ctx } from '../context.js';

/** Seconds a cached account summary lives. */
const SUMMARY_TTL = 60;

/** GET /accounts/:id — balance, owner, 30-day flows, top spending categories and a 12-month net-flow sparkline. */
export async function accountSummary(ctx: Ctx, req: Request): Promise<Reply> {
  const id = intParam(req.params.id, 'id');
  const key = `account:${id}:summary`;
  const cached = await ctx.redis.get(key);
  cacheLookups.inc({ cache: 'account-summary', result: cached ? 'hit' : 'miss' });
  if (cached) return { body: cached };

  const [account] = await ctx.db.query(
    `SELECT a.id, a.currency, a.balance_cents, a.status, a.daily_limit_cents, a.monthly_limit_cents,
            c.id AS customer_id, c.name, c.email, c.country
       FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE a.id = $1`,
    [id],
  );
  if (!account) throw new HttpError(404, `no account ${id}`);
  const [flows] = await ctx.db.query(
    `SELECT coalesce(sum(amount_cents) FILTER (WHERE amount_cents > 0), 0) AS in_cents,
            coalesce(-sum(amount_cents) FILTER (WHERE amount_cents < 0), 0) AS out_cents, count(*) AS entries
       FROM entries WHERE account_id = $1 AND created_at >= now() - interval '30 days'`,
    [id],
  );
  const categories = await ctx.db.query(
    `SELECT m.mcc, count(*) AS payments, -sum(e.amount_cents) AS spent_cents
       FROM entries e JOIN merchants m ON m.id = e.merchant_id
      WHERE e.account_id = $1 AND e.created_at >= now() - interval '30 days' AND e.kind = 'card'
      GROUP BY m.mcc ORDER BY spent_cents DESC LIMIT 5`,
    [id],
  );
  const months = await ctx.db.query(
    `SELECT to_char(date_trunc('month', created_at), 'YYYY-MM') AS month, sum(amount_cents) AS net_cents, count(*) AS entries
       FROM entries WHERE account_id = $1 AND created_at >= date_trunc('month', now()) - interval '11 months'
      GROUP BY 1 ORDER BY 1`,
    [id],
  );
  const body = JSON.stringify({ account, last30Days: flows, topCategories: categories, last12Months: months });
  if (ctx.fault === 'account-cache-ttl-ms') {
    // "PX for sub-second precision" — but the TTL constant is still in seconds: 60 ms.
    await ctx.redis.set(key, body, 'PX', SUMMARY_TTL);
  } else {
    await ctx.redis.set(key, body, 'EX', SUMMARY_TTL);
  }
  return { body };
}

const HISTORY_SQL = `
  SELECT e.id, e.kind, e.amount_cents, e.description, e.value_date, e.created_at,
         m.name AS merchant, c.name AS counterparty
    FROM entries e
    LEFT JOIN merchants m ON m.id = e.merchant_id
    LEFT JOIN transfers t ON t.id = e.transfer_id
    LEFT JOIN accounts a ON a.id = CASE WHEN e.kind = 'transfer_out' THEN t.to_account_id ELSE t.from_account_id END
    LEFT JOIN customers c ON c.id = a.customer_id
   WHERE e.account_id = $1
   ORDER BY e.created_at DESC LIMIT $2`;

/** GET /accounts/:id/entries — the latest entries with merchant or counterparty names. */
export async function accountEntries(ctx: Ctx, req: Request): Promise<Reply> {
  const id = intParam(req.params.id, 'id');
  const limit = Math.min(100, Number(req.query.get('limit') ?? 50) || 50);

  if (ctx.fault === 'history-pool-per-request') {
    // History reads "go to the replica": a helper builds the replica pool — on every call, never ended.
    const replica = new pg.Pool({ connectionString: ctx.config.pgUrl, max: 2 });
    replica.on('error', () => {});
    const { rows } = await replica.query(HISTORY_SQL, [id, limit]);
    return { body: { accountId: id, entries: rows } };
  }

  if (ctx.fault === 'entries-lazy-names') {
    // The ORM-style version: plain entries, then each entry's merchant or counterparty looked up on its own.
    const rows = await ctx.db.query(
      `SELECT id, kind, amount_cents, description, value_date, created_at, merchant_id, transfer_id
         FROM entries WHERE account_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [id, limit],
    );
    const entries = [];
    for (const { merchant_id, transfer_id, ...entry } of rows) {
      let merchant: string | null = null;
      let counterparty: string | null = null;
      if (merchant_id) [{ name: merchant }] = await ctx.db.query('SELECT name FROM merchants WHERE id = $1', [merchant_id]);
      if (transfer_id) {
        const [t] = await ctx.db.query('SELECT from_account_id, to_account_id FROM transfers WHERE id = $1', [transfer_id]);
        const other = entry.kind === 'transfer_out' ? t.to_account_id : t.from_account_id;
        [{ name: counterparty }] = await ctx.db.query('SELECT c.name FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE a.id = $1', [other]);
      }
      entries.push({ ...entry, merchant, counterparty });
    }
    return { body: { accountId: id, entries } };
  }

  return { body: { accountId: id, entries: await ctx.db.query(HISTORY_SQL, [id, limit]) } };
}

/** Statements memoised per account and month (closed months never change): both renderings. */
const statementMemo = new Map<string, { json: string; html: string }>();

const escapeHtml = (s: unknown): string => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const STATEMENT_CSS = `body{font-family:Helvetica,Arial,sans-serif;margin:32px;color:#1d1d1f}h1{font-size:20px}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;font-size:12px;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.appendix td{font-size:10px;color:#555}`.repeat(8);

/** The printable statement (the web app's print view). */
function renderStatementHtml(s: { account: { id: number; holder: string; currency: string }; month: string; openingCents: number; closingCents: number; lines: Record<string, unknown>[]; fixings: Record<string, number> }): string {
  const rows = s.lines.map((l) => `<tr><td>${escapeHtml(l.value_date)}</td><td>${escapeHtml(l.kind)}</td><td>${escapeHtml(l.description)}</td><td class="num">${(Number(l.amount_cents) / 100).toFixed(2)}</td><td class="num">${(Number(l.balanceCents) / 100).toFixed(2)}</td></tr>`);
  const fixings = Object.entries(s.fixings).map(([code, mid]) => `<tr><td>${code}</td><td class="num">${mid}</td><td class="num">${(1 / mid).toPrecision(7)}</td></tr>`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>Statement ${s.month}</title><style>${STATEMENT_CSS}</style></head><body>
<h1>Account ${s.account.id} — ${escapeHtml(s.account.holder)} (${s.account.currency}), ${s.month}</h1>
<p>Opening balance ${(s.openingCents / 100).toFixed(2)} · Closing balance ${(s.closingCents / 100).toFixed(2)}</p>
<table><thead><tr><th>Date</th><th>Type</th><th>Description</th><th>Amount</th><th>Balance</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<h2>Month-end fixings (per EUR)</h2><table class="appendix"><tbody>${fixings.join('')}</tbody></table></body></html>`;
}

/** GET /accounts/:id/statement?month=YYYY-MM[&format=html] — a closed month's lines, balances and month-end fixings. */
export async function accountStatement(ctx: Ctx, req: Request): Promise<Reply> {
  const id = intParam(req.params.id, 'id');
  const month = req.query.get('month') ?? '';
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new HttpError(400, 'month must be YYYY-MM');
  const memoKey = `${id}:${month}`;
  const html = req.query.get('format') === 'html';
  if (ctx.fault === 'statement-memo-unbounded') {
    // "Render once, serve any format": every statement is kept, both renderings, with no bound.
    const memo = statementMemo.get(memoKey);
    if (memo) return html ? { body: memo.html, contentType: 'text/html' } : { body: memo.json };
  }
  const [y, m] = month.split('-').map(Number);
  const start = new Date(Date.UTC(y, m - 1, 1));
  const end = new Date(Date.UTC(y, m, 1));

  // Healthy: the month-end fixings are fetched before the snapshot transaction opens.
  let fixings = ctx.fault === 'statement-rates-in-tx' ? undefined : await ctx.upstream.endOfMonth(month);
  const { account, lines, after } = await ctx.db.transaction(async (client) => {
    const [account] = (await client.query(
      `SELECT a.id, a.currency, a.balance_cents, c.name, c.country FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE a.id = $1`, [id],
    )).rows;
    if (!account) throw new HttpError(404, `no account ${id}`);
    const { rows: lines } = await client.query(
      `SELECT id, kind, amount_cents, description, value_date, created_at FROM entries
        WHERE account_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at`,
      [id, start, end],
    );
    const [{ after }] = (await client.query(
      'SELECT coalesce(sum(amount_cents), 0) AS after FROM entries WHERE account_id = $1 AND created_at >= $2', [id, end],
    )).rows;
    // "Convert inside the snapshot" — the upstream call now holds the transaction (and its connection) open.
    if (ctx.fault === 'statement-rates-in-tx') fixings = await ctx.upstream.endOfMonth(month);
    return { account, lines, after: Number(after) };
  }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');

  const closing = account.balance_cents - after;
  const opening = closing - lines.reduce((sum: number, l: { amount_cents: number }) => sum + l.amount_cents, 0);
  const rate = fixings![account.currency] ?? 1;
  let running = opening;
  const statement = {
    account: { id: account.id, currency: account.currency, holder: account.name, country: account.country },
    month,
    openingCents: opening,
    closingCents: closing,
    closingInEur: Number((closing / 100 / rate).toFixed(2)),
    lines: lines.map((l: { amount_cents: number }) => ({ ...l, balanceCents: (running += l.amount_cents) })),
    fixings: fixings!,
  };
  if (ctx.fault === 'statement-memo-unbounded') {
    const memo = { json: JSON.stringify(statement), html: renderStatementHtml(statement) };
    statementMemo.set(memoKey, memo);
    return html ? { body: memo.html, contentType: 'text/html' } : { body: memo.json };
  }
  return html ? { body: renderStatementHtml(statement), contentType: 'text/html' } : { body: statement };
}

/** GET /accounts/:id/limits — configured limits and spend today, over 30 and over 90 days. */
export async function accountLimits(ctx: Ctx, req: Request): Promise<Reply> {
  const id = intParam(req.params.id, 'id');
  const [account] = await ctx.db.query('SELECT currency, daily_limit_cents, monthly_limit_cents FROM accounts WHERE id = $1', [id]);
  if (!account) throw new HttpError(404, `no account ${id}`);
  const now = Date.now();
  let keys: string[];
  if (ctx.fault === 'limits-keys-scan') {
    // "Find whatever buckets the account has" — KEYS walks the whole keyspace on every call.
    keys = await ctx.redis.keys(`spend:${id}:*`);
  } else {
    keys = Array.from({ length: 90 }, (_, d) => spendKey(id, dayKey(now - d * 86_400_000)));
  }
  const values = keys.length ? await ctx.redis.mget(keys) : [];
  const today = dayKey(now);
  const day30 = dayKey(now - 29 * 86_400_000);
  const day90 = dayKey(now - 89 * 86_400_000);
  let spentToday = 0;
  let spent30 = 0;
  let spent90 = 0;
  keys.forEach((key, i) => {
    const day = key.slice(key.lastIndexOf(':') + 1);
    const cents = Number(values[i] ?? 0);
    if (day === today) spentToday += cents;
    if (day >= day30) spent30 += cents;
    if (day >= day90) spent90 += cents;
  });
  return {
    body: {
      accountId: id,
      currency: account.currency,
      daily: { limitCents: account.daily_limit_cents, spentCents: spentToday, remainingCents: Math.max(0, account.daily_limit_cents - spentToday) },
      monthly: { limitCents: account.monthly_limit_cents, spentCents: spent30, remainingCents: Math.max(0, account.monthly_limit_cents - spent30) },
      ninetyDaySpendCents: spent90,
    },
  };
}
