/**
 * Order routes: one order with its lines, a customer's order history,
 * placing an order (address check at the carrier, stock reservation) and
 * shipping it (stock out, shipment number, carrier label).
 *
 * @module
 */
import type { Context } from 'hono';
import { sql, type Transaction } from 'kysely';
import { HttpError, intParam, type Ctx } from '../context.js';
import type { Database } from '../db.js';

const DAY_MS = 86_400_000;

/** How the promised ship date reads to the customer; legacy orders have none. */
function promise(shipBy: Date | null): { shipBy: string | null; late: boolean } {
  return { shipBy: shipBy?.toISOString() ?? null, late: shipBy !== null && shipBy.getTime() < Date.now() };
}

/** The same, written when every order had a ship-by date. */
function promiseStrict(shipBy: Date): { shipBy: string; late: boolean } {
  return { shipBy: shipBy.toISOString(), late: shipBy.getTime() < Date.now() };
}

/** GET /orders/:id — the order with its lines and the SKUs' names. */
export async function getOrder(ctx: Ctx, c: Context): Promise<Response> {
  const id = intParam(c.req.param('id'), 'id');
  const order = await ctx.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  if (!order) throw new HttpError(404, `no order ${id}`);
  const lines = await ctx.db
    .selectFrom('order_lines').innerJoin('skus', 'skus.id', 'order_lines.sku_id')
    .select(['order_lines.sku_id', 'skus.code', 'skus.name', 'order_lines.qty', 'order_lines.price_cents'])
    .where('order_lines.order_id', '=', id).orderBy('order_lines.id').execute();
  const promised = ctx.fault === 'order-legacy-ship-by-crash' ? promiseStrict(order.ship_by as Date) : promise(order.ship_by);
  return c.json({ ...order, ...promised, lines });
}

/** Order histories already rendered, by customer ("customers re-open their history all day"). */
const historyMemo = new Map<string, { at: Date; orders: unknown[]; lines: unknown[]; body: string; headers: Record<string, string> }>();

/** GET /orders?customer= — the customer's 20 latest orders with their lines. */
export async function customerOrders(ctx: Ctx, c: Context): Promise<Response> {
  const customer = c.req.query('customer');
  if (!customer || !/^C\d+$/.test(customer)) throw new HttpError(400, 'customer must look like C123');
  const memoKey = `${customer}|${c.req.url}`;
  if (ctx.fault === 'customer-orders-memo') {
    const memo = historyMemo.get(memoKey);
    if (memo && Date.now() - memo.at.getTime() < 5_000) return c.body(memo.body, 200, { 'content-type': 'application/json' });
  }
  const orders = await ctx.db
    .selectFrom('orders').selectAll().where('customer_ref', '=', customer)
    .orderBy('created_at', 'desc').limit(20).execute();
  const lines = orders.length === 0 ? [] : await ctx.db
    .selectFrom('order_lines').innerJoin('skus', 'skus.id', 'order_lines.sku_id')
    .select(['order_lines.order_id', 'order_lines.sku_id', 'skus.name', 'skus.description', 'order_lines.qty', 'order_lines.price_cents'])
    .where('order_lines.order_id', 'in', orders.map((o) => o.id)).execute();
  const body = JSON.stringify({
    customer,
    orders: orders.map((o) => ({
      id: o.id, status: o.status, totalCents: o.total_cents, createdAt: o.created_at, ...promise(o.ship_by),
      lines: lines.filter((l) => l.order_id === o.id).map((l) => ({ skuId: l.sku_id, name: l.name, qty: l.qty, priceCents: l.price_cents })),
    })),
  });
  // The memo entry keeps the rows and the request headers for the support view; nothing ever removes it.
  if (ctx.fault === 'customer-orders-memo') historyMemo.set(memoKey, { at: new Date(), orders, lines, body, headers: Object.fromEntries(c.req.raw.headers) });
  return c.body(body, 200, { 'content-type': 'application/json' });
}

interface NewOrder { customer: string; warehouseId: number; skuId: number; qty: number }

function parseNewOrder(raw: unknown): NewOrder {
  const o = (raw ?? {}) as Record<string, unknown>;
  const order = { customer: String(o.customer ?? ''), warehouseId: Number(o.warehouseId), skuId: Number(o.skuId), qty: Number(o.qty) };
  if (!/^C\d+$/.test(order.customer) || !(order.warehouseId >= 1 && order.warehouseId <= 12) || !(order.skuId >= 1 && order.skuId <= 20_000) || !(order.qty >= 1 && order.qty <= 50)) {
    throw new HttpError(400, 'body: customer C<n>, warehouseId 1-12, skuId 1-20000, qty 1-50');
  }
  return order;
}

async function insertOrder(tx: Transaction<Database>, order: NewOrder, address: string): Promise<number> {
  const sku = await tx.selectFrom('skus').select(['price_cents']).where('id', '=', order.skuId).executeTakeFirstOrThrow();
  const created = await tx.insertInto('orders').values({
    customer_ref: order.customer, warehouse_id: order.warehouseId, status: 'open', ship_by: new Date(Date.now() + 3 * DAY_MS),
    total_cents: sku.price_cents * order.qty, address, created_at: new Date(),
  }).returning('id').executeTakeFirstOrThrow();
  await tx.insertInto('order_lines').values({ order_id: created.id, sku_id: order.skuId, qty: order.qty, price_cents: sku.price_cents }).execute();
  await tx.updateTable('stock').set((eb) => ({ reserved: eb('reserved', '+', order.qty) }))
    .where('sku_id', '=', order.skuId).where('warehouse_id', '=', order.warehouseId).execute();
  return created.id;
}

/** POST /orders — place a single-line order: check the address, reserve the stock. */
export async function placeOrder(ctx: Ctx, c: Context): Promise<Response> {
  const order = parseNewOrder(await c.req.json().catch(() => null));
  const address = `${order.skuId % 900 + 1} Harbour Road, ${order.customer}`;
  let id: number;
  if (ctx.fault === 'order-address-check-in-tx') {
    // "Write the row once": the normalized address is fetched inside the transaction that inserts it.
    id = await ctx.db.transaction().execute(async (tx) => insertOrder(tx, order, await ctx.carrier.validateAddress(address)));
  } else {
    const normalized = await ctx.carrier.validateAddress(address);
    id = await ctx.db.transaction().execute((tx) => insertOrder(tx, order, normalized));
  }
  return c.json({ id, status: 'open' }, 201);
}

/** Lock the order, check it can ship, take its lines out of stock, mark it shipped; returns what the label needs. */
async function pickAndPack(tx: Transaction<Database>, id: number): Promise<{ address: string; weightG: number }> {
  const order = await tx.selectFrom('orders').select(['status', 'warehouse_id', 'address']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!order) throw new HttpError(404, `no order ${id}`);
  if (order.status !== 'open' && order.status !== 'picking') throw new HttpError(409, `order ${id} is ${order.status}`);
  const lines = await tx.selectFrom('order_lines').innerJoin('skus', 'skus.id', 'order_lines.sku_id')
    .select(['order_lines.sku_id', 'order_lines.qty', 'skus.weight_g']).where('order_id', '=', id).execute();
  for (const line of lines) {
    await tx.updateTable('stock').set((eb) => ({ on_hand: eb('on_hand', '-', line.qty) }))
      .where('sku_id', '=', line.sku_id).where('warehouse_id', '=', order.warehouse_id).execute();
  }
  await tx.updateTable('orders').set({ status: 'shipped' }).where('id', '=', id).execute();
  return { address: order.address, weightG: lines.reduce((g, l) => g + l.weight_g * l.qty, 0) };
}

/** POST /orders/:id/ship — ship an open order: stock out, shipment number, carrier label. */
export async function shipOrder(ctx: Ctx, c: Context): Promise<Response> {
  const id = intParam(c.req.param('id'), 'id');
  if (ctx.fault === 'shipment-number-counter-row') {
    // Customs wants gapless shipment numbers: a counter row instead of the sequence, and the
    // label bought inside the transaction so a failed label does not burn a number.
    const shipment = await ctx.db.transaction().execute(async (tx) => {
      const { value: shipmentNo } = await tx.updateTable('counters').set((eb) => ({ value: eb('value', '+', 1) }))
        .where('name', '=', 'shipment_no').returning('value').executeTakeFirstOrThrow();
      const parcel = await pickAndPack(tx, id);
      const tracking = await ctx.carrier.label(shipmentNo, parcel.address, parcel.weightG);
      await tx.insertInto('shipments').values({ order_id: id, shipment_no: shipmentNo, tracking }).execute();
      return { shipmentNo, tracking };
    });
    return c.json({ orderId: id, ...shipment }, 201);
  }
  const packed = await ctx.db.transaction().execute(async (tx) => {
    const parcel = await pickAndPack(tx, id);
    const { rows } = await sql<{ no: number }>`SELECT nextval('shipment_no_seq')::int AS no`.execute(tx);
    const shipment = await tx.insertInto('shipments').values({ order_id: id, shipment_no: rows[0].no, tracking: null }).returning('id').executeTakeFirstOrThrow();
    return { ...parcel, shipmentNo: rows[0].no, shipmentId: shipment.id };
  });
  const tracking = await ctx.carrier.label(packed.shipmentNo, packed.address, packed.weightG);
  await ctx.db.updateTable('shipments').set({ tracking }).where('id', '=', packed.shipmentId).execute();
  return c.json({ orderId: id, shipmentNo: packed.shipmentNo, tracking }, 201);
}
