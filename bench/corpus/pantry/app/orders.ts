/**
 * Orders: checkout (delivery-slot booking + card authorization) and signed
 * receipts.
 *
 * @module
 */
import Router from '@koa/router';
import { createHmac, pbkdf2Sync, randomUUID } from 'node:crypto';
import { config, HttpError, intParam, pool } from './context.js';
import { storeSystems } from './store-systems.js';

export const orders = new Router();

interface OrderItem { productId: number; quantity: number }

function parseItems(value: unknown): OrderItem[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 50) throw new HttpError(400, 'items must be a non-empty array');
  return value.map((v: any) => ({ productId: intParam(v?.productId, 'productId'), quantity: Math.max(1, Math.min(Number(v?.quantity ?? 1) || 1, 20)) }));
}

const NEXT_SLOT_SQL = `
  SELECT id, fee_cents FROM delivery_slots
  WHERE store_id = $1 AND starts_at > now() + interval '2 hours' AND booked < capacity
  ORDER BY starts_at LIMIT 1`;

orders.post('/orders', async (ctx) => {
  const body = (ctx.request as unknown as { body?: Record<string, unknown> }).body ?? {};
  const householdId = intParam(body.householdId, 'householdId');
  const storeId = intParam(body.storeId, 'storeId');
  const items = parseItems(body.items);
  const prices = await pool.query<{ id: number; price_cents: number }>('SELECT id, price_cents FROM products WHERE id = ANY($1::int[]) AND active', [items.map((i) => i.productId)]);
  const priceOf = new Map(prices.rows.map((r) => [r.id, r.price_cents]));
  const lines = items.filter((i) => priceOf.has(i.productId));
  if (lines.length === 0) throw new HttpError(422, 'no orderable items');
  const subtotal = lines.reduce((s, l) => s + l.quantity * priceOf.get(l.productId)!, 0);
  const reference = `ord_${randomUUID()}`;

  const client = await pool.connect();
  try {
    let slot: { id: number; fee_cents: number } | undefined;
    let authorizationId: string;
    if (config.fault === 'slot-locked-during-payment') {
      // The delivery fee depends on the slot, so lock the slot first, then authorize subtotal + fee.
      await client.query('BEGIN');
      for (let attempt = 0; attempt < 5 && !slot; attempt++) {
        slot = (await client.query<{ id: number; fee_cents: number }>(NEXT_SLOT_SQL + ' FOR UPDATE', [storeId])).rows[0];
      }
      if (!slot) {
        await client.query('ROLLBACK');
        throw new HttpError(409, 'no delivery slot available');
      }
      try {
        authorizationId = (await storeSystems.authorize(householdId, subtotal + slot.fee_cents, reference)).authorizationId;
        await client.query('UPDATE delivery_slots SET booked = booked + 1 WHERE id = $1', [slot.id]);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    } else {
      // Quote the fee of the next free slot, authorize, then book it (re-checking capacity) in a short transaction.
      const preview = (await client.query<{ id: number; fee_cents: number }>(NEXT_SLOT_SQL, [storeId])).rows[0];
      if (!preview) throw new HttpError(409, 'no delivery slot available');
      authorizationId = (await storeSystems.authorize(householdId, subtotal + preview.fee_cents, reference)).authorizationId;
      await client.query('BEGIN');
      for (let attempt = 0; attempt < 5 && !slot; attempt++) {
        slot = (
          await client.query<{ id: number; fee_cents: number }>(
            `UPDATE delivery_slots SET booked = booked + 1
             WHERE id = (SELECT id FROM delivery_slots
                         WHERE store_id = $1 AND starts_at > now() + interval '2 hours' AND booked < capacity
                         ORDER BY starts_at LIMIT 1)
               AND booked < capacity
             RETURNING id, fee_cents`,
            [storeId],
          )
        ).rows[0];
      }
      if (!slot) {
        await client.query('ROLLBACK');
        throw new HttpError(409, 'no delivery slot available');
      }
    }
    try {
      const order = await client.query<{ id: number; created_at: Date }>(
        `INSERT INTO orders (household_id, store_id, slot_id, status, subtotal_cents, delivery_fee_cents, payment_ref, created_at)
         VALUES ($1, $2, $3, 'placed', $4, $5, $6, now()) RETURNING id, created_at`,
        [householdId, storeId, slot.id, subtotal, slot.fee_cents, authorizationId],
      );
      const orderId = order.rows[0]!.id;
      await client.query(
        `INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents)
         SELECT $1, ord, pid, qty, price FROM unnest($2::int[], $3::int[], $4::int[]) WITH ORDINALITY AS t(pid, qty, price, ord)`,
        [orderId, lines.map((l) => l.productId), lines.map((l) => l.quantity), lines.map((l) => priceOf.get(l.productId)!)],
      );
      await client.query('COMMIT');
      ctx.status = 201;
      ctx.body = { orderId, slotId: slot.id, subtotalCents: subtotal, deliveryFeeCents: slot.fee_cents, authorizationId, createdAt: order.rows[0]!.created_at };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
});

/** Receipt-signing keys, one per key version (receipts of older orders keep verifying). */
const receiptKeys = new Map<number, Buffer>();
function receiptKey(version: number): Buffer {
  if (config.fault === 'receipt-key-per-request') {
    return pbkdf2Sync(config.receiptSecret, `pantry-receipts-v${version}`, 210_000, 32, 'sha256');
  }
  let key = receiptKeys.get(version);
  if (!key) {
    key = pbkdf2Sync(config.receiptSecret, `pantry-receipts-v${version}`, 210_000, 32, 'sha256');
    receiptKeys.set(version, key);
  }
  return key;
}

orders.get('/orders/:id/receipt', async (ctx) => {
  const id = intParam(ctx.params.id, 'order id');
  const order = await pool.query<{ id: number; household_id: number; store_id: number; status: string; subtotal_cents: number; delivery_fee_cents: number; created_at: Date; household: string; store: string }>(
    `SELECT o.id, o.household_id, o.store_id, o.status, o.subtotal_cents, o.delivery_fee_cents, o.created_at, h.name AS household, s.name AS store
     FROM orders o JOIN households h ON h.id = o.household_id JOIN stores s ON s.id = o.store_id WHERE o.id = $1`,
    [id],
  );
  if (order.rows.length === 0) throw new HttpError(404, 'no such order');
  const o = order.rows[0]!;
  const lines = await pool.query(
    `SELECT ol.line_no, ol.product_id, p.name, ol.quantity, ol.unit_price_cents, ol.quantity * ol.unit_price_cents AS total_cents
     FROM order_lines ol JOIN products p ON p.id = ol.product_id WHERE ol.order_id = $1 ORDER BY ol.line_no`,
    [id],
  );
  const receipt = {
    orderId: o.id,
    household: o.household,
    store: o.store,
    status: o.status,
    placedAt: o.created_at.toISOString(),
    lines: lines.rows,
    subtotalCents: o.subtotal_cents,
    deliveryFeeCents: o.delivery_fee_cents,
    totalCents: o.subtotal_cents + o.delivery_fee_cents,
    keyVersion: o.created_at.getUTCFullYear() >= 2025 ? 3 : 2,
  };
  const signature = createHmac('sha256', receiptKey(receipt.keyVersion)).update(JSON.stringify(receipt)).digest('base64url');
  ctx.body = { receipt, signature };
});
