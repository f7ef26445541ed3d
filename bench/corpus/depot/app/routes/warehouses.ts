/**
 * Warehouse routes: the backlog (open orders by promised ship date, what the
 * shift lead watches) and the pick list (the next orders released to the
 * pickers, their lines in bin order).
 *
 * @module
 */
import type { Context } from 'hono';
import { intParam, type Ctx } from '../context.js';

const BACKLOG_PAGE = 50;
const PICK_BATCH = 25;

/** GET /warehouses/:id/backlog — the open orders due first. */
export async function backlog(ctx: Ctx, c: Context): Promise<Response> {
  const warehouseId = intParam(c.req.param('id'), 'id');
  if (ctx.fault === 'backlog-page-unbounded') {
    // The page size became a query parameter without a default, and the lines came along "to save a round trip".
    const limit = c.req.query('limit');
    let query = ctx.db.selectFrom('orders').select(['id', 'customer_ref', 'status', 'ship_by', 'total_cents', 'address', 'created_at'])
      .where('warehouse_id', '=', warehouseId).where('status', 'in', ['open', 'picking']).orderBy('ship_by');
    if (limit) query = query.limit(Number(limit));
    const orders = await query.execute();
    const lines = await ctx.db.selectFrom('order_lines').innerJoin('skus', 'skus.id', 'order_lines.sku_id')
      .innerJoin('orders', 'orders.id', 'order_lines.order_id')
      .select(['order_lines.order_id', 'order_lines.sku_id', 'skus.code', 'skus.name', 'order_lines.qty'])
      .where('orders.warehouse_id', '=', warehouseId).where('orders.status', 'in', ['open', 'picking']).execute();
    const byOrder = new Map<number, typeof lines>();
    for (const l of lines) byOrder.set(l.order_id, [...(byOrder.get(l.order_id) ?? []), l]);
    return c.json({ warehouseId, orders: orders.map((o) => ({ ...o, lines: byOrder.get(o.id) ?? [] })) });
  }
  const orders = await ctx.db.selectFrom('orders').select(['id', 'customer_ref', 'status', 'ship_by', 'total_cents', 'created_at'])
    .where('warehouse_id', '=', warehouseId).where('status', '=', 'open').orderBy('ship_by').limit(BACKLOG_PAGE).execute();
  return c.json({ warehouseId, orders });
}

type PickLine = { order_id: number; sku_id: number; code: string; name: string; qty: number; bin: string };

/** GET /warehouses/:id/picklist — the next 25 orders being picked, lines with their bins. */
export async function picklist(ctx: Ctx, c: Context): Promise<Response> {
  const warehouseId = intParam(c.req.param('id'), 'id');
  const orders = await ctx.db.selectFrom('orders').select(['id', 'ship_by'])
    .where('warehouse_id', '=', warehouseId).where('status', '=', 'picking').orderBy('ship_by').limit(PICK_BATCH).execute();
  const linesOf = (ids: number[]): Promise<PickLine[]> => ctx.db.selectFrom('order_lines')
    .innerJoin('skus', 'skus.id', 'order_lines.sku_id')
    .innerJoin('stock', (j) => j.onRef('stock.sku_id', '=', 'order_lines.sku_id').on('stock.warehouse_id', '=', warehouseId))
    .select(['order_lines.order_id', 'order_lines.sku_id', 'skus.code', 'skus.name', 'order_lines.qty', 'stock.bin'])
    .where('order_lines.order_id', 'in', ids).execute();
  let lines: PickLine[];
  if (ctx.fault === 'picklist-lines-per-order') {
    lines = [];
    for (const order of orders) lines.push(...(await linesOf([order.id])));
  } else {
    lines = orders.length === 0 ? [] : await linesOf(orders.map((o) => o.id));
  }
  lines.sort((a, b) => a.bin.localeCompare(b.bin));
  return c.json({ warehouseId, orders: orders.map((o) => o.id), lines });
}
