/**
 * Merchant route: the acquiring dashboard's 30-day summary.
 *
 * @module
 */
import { HttpError, intParam, type Reply, type Request } from '../router.js';
import type { Ctx } from '../context.js';

/** Redis hash of each merchant's 30-day volume rank, refreshed by {@link refreshMerchantRanks}. */
export const RANK_KEY = 'merchants:rank30d';

const RANK_SQL = `
  SELECT merchant_id, rank() OVER (ORDER BY sum(-amount_cents) DESC) AS rank
    FROM entries WHERE kind = 'card' AND value_date >= current_date - 30
   GROUP BY merchant_id`;

/** Recompute every merchant's rank into Redis (a background job: at boot, then every 10 minutes). */
export async function refreshMerchantRanks(ctx: Ctx): Promise<void> {
  const rows = await ctx.db.query<{ merchant_id: number; rank: number }>(RANK_SQL);
  if (rows.length) await ctx.redis.hset(RANK_KEY, Object.fromEntries(rows.map((r) => [r.merchant_id, r.rank])));
}

/** GET /merchants/:id/summary — daily card volume over 30 days, totals and the merchant's rank. */
export async function merchantSummary(ctx: Ctx, req: Request): Promise<Reply> {
  const id = intParam(req.params.id, 'id');
  const [merchant] = await ctx.db.query('SELECT id, name, mcc, country FROM merchants WHERE id = $1', [id]);
  if (!merchant) throw new HttpError(404, `no merchant ${id}`);
  const daily = await ctx.db.query<{ day: string; payments: number; volume_cents: number }>(
    `SELECT value_date::text AS day, count(*)::int AS payments, -sum(amount_cents) AS volume_cents
       FROM entries WHERE merchant_id = $1 AND value_date >= current_date - 30
      GROUP BY value_date ORDER BY value_date`,
    [id],
  );
  let rank: number | null;
  if (ctx.fault === 'merchant-rank-live') {
    // "Always fresh": ranks every merchant over 30 days of card payments to read one row.
    const [row] = await ctx.db.query(`SELECT rank FROM (${RANK_SQL}) r WHERE merchant_id = $1`, [id]);
    rank = row ? Number(row.rank) : null;
  } else {
    const cached = await ctx.redis.hget(RANK_KEY, String(id));
    rank = cached === null ? null : Number(cached);
  }
  const payments = daily.reduce((n, d) => n + d.payments, 0);
  const volume = daily.reduce((n, d) => n + d.volume_cents, 0);
  return { body: { merchant, rank, last30Days: { payments, volumeCents: volume, averageTicketCents: payments ? Math.round(volume / payments) : 0 }, daily } };
}
