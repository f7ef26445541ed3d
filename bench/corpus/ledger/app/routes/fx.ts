/**
 * FX quote route: converts an amount at the day's bid/ask from the rate
 * book's index, less the pair's markup from Redis, with a 7-day trend,
 * formatted in the target currency. Every quote is audited: records are
 * buffered and written to a Redis stream twice a second.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { crossTrend, indexBook, type BookIndex } from '../ratebook.js';
import { HttpError, intParam, type Reply, type Request } from '../router.js';
import type { Ctx } from '../context.js';

/** Redis hash of markups (basis points) per currency pair; pairs without one use the default. */
export const MARKUP_KEY = 'fx:markup-bps';
const DEFAULT_MARKUP_BPS = 50;

const digitsCache = new Map<string, number>();
/** Minor-unit digits of a currency (JPY 0, EUR 2, BHD 3). */
function minorDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) digitsCache.set(currency, (d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2));
  return d;
}

const formatters = new Map<string, Intl.NumberFormat>();
function formatter(currency: string, alwaysTwoDecimals: boolean): Intl.NumberFormat {
  if (alwaysTwoDecimals) {
    // "Always show cents": fine for EUR, a RangeError for zero-decimal currencies (min 2 > max 0).
    return new Intl.NumberFormat('en', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: minorDigits(currency) });
  }
  let f = formatters.get(currency);
  if (!f) formatters.set(currency, (f = new Intl.NumberFormat('en', { style: 'currency', currency })));
  return f;
}

/** A quote waiting for the audit flush, with the rate index it was priced from. */
interface AuditRecord { quoteId: string; from: string; to: string; day: string; rate: number; index: BookIndex }

const auditBuffer: AuditRecord[] = [];
let auditTimer: NodeJS.Timeout | undefined;

/** Write the buffered quote audits (the fixings used, not the index) to the audit stream every 500 ms. */
function scheduleAuditFlush(ctx: Ctx): void {
  auditTimer ??= setInterval(() => {
    if (auditBuffer.length === 0) return;
    const records = auditBuffer.splice(0).map(({ index, ...r }) => ({ ...r, fixings: [index.get(r.from)!.get(r.day), index.get(r.to)!.get(r.day)] }));
    ctx.redis.xadd('fx:quote-audit', 'MAXLEN', '~', '10000', '*', 'records', JSON.stringify(records)).catch(() => {});
  }, 500);
  auditTimer.unref();
}

/** GET /fx/quote?from=EUR&to=USD&amount=<minor units> — a 30-second quote. */
export async function fxQuote(ctx: Ctx, req: Request): Promise<Reply> {
  const from = (req.query.get('from') ?? 'EUR').toUpperCase();
  const to = (req.query.get('to') ?? '').toUpperCase();
  const amount = intParam(req.query.get('amount'), 'amount');
  // The fault builds the date-indexed lookup of the whole book (~60,000 fixings in 162 Maps) on every
  // quote instead of once per refresh; the audit record then holds it until the next flush (~0.5 s).
  const index = ctx.fault === 'quote-book-index-per-request' ? indexBook(ctx.book.history) : ctx.book.index;
  const today = ctx.book.days.at(-1)!;
  const fromFixing = index.get(from)?.get(today);
  const toFixing = index.get(to)?.get(today);
  if (!fromFixing || !toFixing) throw new HttpError(400, `unknown currency pair ${from}/${to}`);
  const markupBps = Number((await ctx.redis.hget(MARKUP_KEY, from + to)) ?? DEFAULT_MARKUP_BPS);
  // The customer sells `from` at our bid and buys `to` at our ask, less the markup.
  const rate = (toFixing.bid / fromFixing.ask) * (1 - markupBps / 10_000);
  const converted = Math.round(amount * 10 ** (minorDigits(to) - minorDigits(from)) * rate);
  const display = formatter(to, ctx.fault === 'quote-minor-units-crash').format(converted / 10 ** minorDigits(to));
  const quoteId = randomUUID();
  scheduleAuditFlush(ctx);
  auditBuffer.push({ quoteId, from, to, day: today, rate, index });
  return {
    body: {
      quoteId, from, to, amountMinor: amount, rate: Number(rate.toPrecision(7)), markupBps,
      convertedMinor: converted, display, trend: crossTrend(index, from, to, ctx.book.days.slice(-7)), expiresAt: new Date(Date.now() + 30_000).toISOString(),
    },
  };
}
