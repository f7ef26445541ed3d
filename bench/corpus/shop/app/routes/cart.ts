/**
 * Cart (kept in Redis) and checkout (PostgreSQL transaction plus the
 * payment provider).
 *
 * @module
 */
import { Router } from 'express';
import type { Knex } from 'knex';
import { redis } from '../cache.js';
import { faultOn } from '../config.js';
import { db } from '../db.js';
import { chargePayment } from '../partner.js';
import { idParam } from './catalog.js';

/** Routes /cart/:userId/items and /checkout. */
export const cartRoutes = Router();

const CART_TTL_SECONDS = 7 * 24 * 3600;

const positiveInt = (v: unknown): number | undefined => (Number.isInteger(v) && (v as number) > 0 ? (v as number) : undefined);

cartRoutes.post('/cart/:userId/items', async (req, res) => {
  const userId = idParam(req, res, 'userId');
  if (userId === undefined) return;
  const productId = positiveInt(req.body?.productId);
  const qty = positiveInt(req.body?.qty) ?? 1;
  if (productId === undefined) {
    res.status(400).json({ error: 'productId is required' });
    return;
  }
  const key = `cart:${userId}`;
  const [, , [, items]] = (await redis.multi().hincrby(key, String(productId), qty).expire(key, CART_TTL_SECONDS).hgetall(key).exec()) as [unknown, unknown, [unknown, Record<string, string>]];
  res.status(201).json({ userId, items: Object.entries(items).map(([id, n]) => ({ productId: Number(id), qty: Number(n) })) });
});

class OutOfStock extends Error {}

/** Lock the product row, take the stock, and write the order; returns the order's id and number. */
async function placeOrder(trx: Knex.Transaction, userId: number, productId: number, qty: number, priceCents: number, number: number): Promise<{ id: number; number: number }> {
  const locked = await trx('products').where('id', productId).forUpdate().first('stock');
  if (!locked || locked.stock < qty) throw new OutOfStock();
  await trx('products').where('id', productId).decrement('stock', qty);
  const [order] = await trx('orders')
    .insert({ number, user_id: userId, status: 'paid', total_cents: priceCents * qty, shipping_address: JSON.stringify({ country: 'DE', city: 'Berlin', street: '1 Checkout St' }) })
    .returning(['id', 'number']);
  await trx('order_items').insert({ order_id: order.id, product_id: productId, qty, price_cents: priceCents });
  await trx('order_events').insert({ order_id: order.id, kind: 'created' });
  return { id: Number(order.id), number: Number(order.number) };
}

async function nextOrderNumber(trx: Knex.Transaction): Promise<number> {
  if (faultOn('invoice-counter-lock')) {
    // Finance wanted gap-free invoice numbers: one counter row, updated inside every checkout transaction.
    const { rows } = await trx.raw<{ rows: { value: string }[] }>("UPDATE counters SET value = value + 1 WHERE name = 'invoice' RETURNING value");
    return Number(rows[0].value);
  }
  const { rows } = await trx.raw<{ rows: { n: string }[] }>("SELECT nextval('order_number_seq') AS n");
  return Number(rows[0].n);
}

cartRoutes.post('/checkout', async (req, res) => {
  const userId = positiveInt(req.body?.userId);
  const productId = positiveInt(req.body?.productId);
  const qty = positiveInt(req.body?.qty) ?? 1;
  if (userId === undefined || productId === undefined) {
    res.status(400).json({ error: 'userId and productId are required' });
    return;
  }
  const product = await db('products').where('id', productId).first('price_cents');
  if (!product) {
    res.status(404).json({ error: 'product not found' });
    return;
  }
  let order: { id: number; number: number };
  let paymentId: string;
  try {
    if (faultOn('checkout-holds-connection')) {
      // "Reserve, then charge": the payment call runs inside the transaction, holding a pooled connection.
      ({ order, paymentId } = await db.transaction(async (trx) => {
        const placed = await placeOrder(trx, userId, productId, qty, product.price_cents, await nextOrderNumber(trx));
        return { order: placed, paymentId: await chargePayment(userId, product.price_cents * qty) };
      }));
    } else {
      paymentId = await chargePayment(userId, product.price_cents * qty);
      order = await db.transaction(async (trx) => {
        const number = await nextOrderNumber(trx);
        const placed = await placeOrder(trx, userId, productId, qty, product.price_cents, number);
        if (faultOn('invoice-counter-lock')) await redis.del(`cart:${userId}`); // still inside the transaction
        return placed;
      });
    }
  } catch (error) {
    if (error instanceof OutOfStock) {
      res.status(409).json({ error: 'out of stock' });
      return;
    }
    throw error;
  }
  if (!faultOn('invoice-counter-lock')) await redis.del(`cart:${userId}`);
  res.status(201).json({ orderId: order.id, number: order.number, paymentId });
});
