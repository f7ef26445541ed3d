/**
 * SKU routes: the product card with stock across warehouses (cached in Redis
 * for 30 s; the card is the hottest call, scanners and the shop front poll
 * it), and the 14-day demand forecast from the order history.
 *
 * @module
 */
import type { Context } from 'hono';
import { sql } from 'kysely';
import { HttpError, intParam, type Ctx } from '../context.js';
import { bootstrapForecast, forecast, HISTORY_DAYS } from '../forecast.js';
import { cacheLookups } from '../metrics.js';

const CARD_TTL_S = 30;
const cardKey = (id: number): string => `sku:${id}`;
/** The key the reader looks up; the v2 card format bumped it in the reader only. */
const cardReadKey = (ctx: Ctx, id: number): string => (ctx.fault === 'sku-cache-key-version' ? `sku:v2:${id}` : cardKey(id));

/** GET /skus/:id — the SKU card: master data and stock per warehouse. */
export async function skuCard(ctx: Ctx, c: Context): Promise<Response> {
  const id = intParam(c.req.param('id'), 'id');
  const cached = await ctx.redis.get(cardReadKey(ctx, id));
  if (cached) {
    cacheLookups.inc({ cache: 'sku-card', result: 'hit' });
    return c.body(cached, 200, { 'content-type': 'application/json' });
  }
  cacheLookups.inc({ cache: 'sku-card', result: 'miss' });
  const sku = await ctx.db.selectFrom('skus').selectAll().where('id', '=', id).executeTakeFirst();
  if (!sku) throw new HttpError(404, `no SKU ${id}`);
  const stock = await ctx.db
    .selectFrom('stock').innerJoin('warehouses', 'warehouses.id', 'stock.warehouse_id')
    .select(['warehouses.code as warehouse', 'stock.on_hand', 'stock.reserved', 'stock.bin'])
    .where('stock.sku_id', '=', id).orderBy('warehouses.code').execute();
  const available = stock.reduce((n, s) => n + s.on_hand - s.reserved, 0);
  const body = JSON.stringify({ ...sku, available, stock });
  await ctx.redis.set(cardKey(id), body, { EX: CARD_TTL_S });
  return c.body(body, 200, { 'content-type': 'application/json' });
}

/** Forecast calendars kept for the "explain this forecast" link, newest last. */
const recentCalendars: object[][] = [];
const EXPLAIN_KEEP = 24;

/**
 * The per-warehouse day calendar of two years the forecast chart was meant to
 * split by: one object per day and warehouse, filled from the daily rows.
 */
function calendar(rows: { day: string; units: number }[]): { date: Date; iso: string; warehouse: number; label: string; units: number }[] {
  const byDay = new Map(rows.map((r) => [r.day, r.units]));
  const cells = [];
  const start = Date.now() - 730 * 86_400_000;
  for (let d = 0; d < 730; d++) {
    const date = new Date(start + d * 86_400_000);
    const iso = date.toISOString().slice(0, 10);
    for (let w = 1; w <= 12; w++) cells.push({ date, iso, warehouse: w, label: `${iso}/WH${String(w).padStart(2, '0')}`, units: (byDay.get(iso) ?? 0) / 12 });
  }
  return cells;
}

/** GET /skus/:id/forecast — units expected over the next 14 days, with a 90 % interval. */
export async function skuForecast(ctx: Ctx, c: Context): Promise<Response> {
  const id = intParam(c.req.param('id'), 'id');
  const { rows } = await sql<{ day: string; units: number }>`
    SELECT o.created_at::date::text AS day, sum(l.qty)::int AS units
      FROM order_lines l JOIN orders o ON o.id = l.order_id
     WHERE l.sku_id = ${id} AND o.created_at >= now() - make_interval(days => ${HISTORY_DAYS}) AND o.status <> 'cancelled'
     GROUP BY 1`.execute(ctx.db);
  const series = new Float64Array(HISTORY_DAYS);
  const today = Date.now();
  if (ctx.fault === 'forecast-calendar-objects') {
    const cells = calendar(rows);
    recentCalendars.push(cells);
    if (recentCalendars.length > EXPLAIN_KEEP) recentCalendars.shift();
    for (const cell of cells) {
      const age = Math.floor((today - cell.date.getTime()) / 86_400_000);
      if (age < HISTORY_DAYS) series[HISTORY_DAYS - 1 - age] += cell.units;
    }
  } else {
    for (const r of rows) {
      const age = Math.floor((today - Date.parse(r.day)) / 86_400_000);
      if (age >= 0 && age < HISTORY_DAYS) series[HISTORY_DAYS - 1 - age] += r.units;
    }
  }
  const result = ctx.fault === 'forecast-bootstrap-sync' ? bootstrapForecast(series, BOOTSTRAP_RUNS) : forecast(series);
  return c.json({ skuId: id, horizonDays: 14, ...result, historyDays: HISTORY_DAYS });
}

/** Resamples of the bootstrap forecast. */
export const BOOTSTRAP_RUNS = 3000;
