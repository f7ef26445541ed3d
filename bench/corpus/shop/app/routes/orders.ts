/**
 * Order history routes.
 *
 * @module
 */
import { Router } from 'express';
import { faultOn } from '../config.js';
import { db } from '../db.js';
import { idParam } from './catalog.js';

/** Routes under /users/:id/orders and /orders/:id. */
export const orderRoutes = Router();

interface OrderRow { id: string; number: string; status: string; total_cents: number; created_at: Date }
interface ItemView { productId: number; name: string; qty: number; priceCents: number }

async function itemsOfOrders(orderIds: string[]): Promise<Map<string, ItemView[]>> {
  const byOrder = new Map<string, ItemView[]>(orderIds.map((id) => [id, []]));
  if (faultOn('n-plus-one-order-items')) {
    // The ORM-style version: lazy-load each order's items, then each item's product.
    for (const orderId of orderIds) {
      const items = await db('order_items').where('order_id', orderId).select('product_id', 'qty', 'price_cents');
      for (const item of items) {
        const product = await db('products').where('id', item.product_id).first('name');
        byOrder.get(orderId)!.push({ productId: item.product_id, name: product?.name ?? '', qty: item.qty, priceCents: item.price_cents });
      }
    }
    return byOrder;
  }
  const rows = await db('order_items as oi').join('products as p', 'p.id', 'oi.product_id').whereIn('oi.order_id', orderIds)
    .select('oi.order_id', 'oi.product_id', 'p.name', 'oi.qty', 'oi.price_cents');
  for (const r of rows) byOrder.get(String(r.order_id))?.push({ productId: r.product_id, name: r.name, qty: r.qty, priceCents: r.price_cents });
  return byOrder;
}

orderRoutes.get('/users/:id/orders', async (req, res) => {
  const userId = idParam(req, res);
  if (userId === undefined) return;
  const orders: OrderRow[] = await db('orders').where('user_id', userId).orderBy('created_at', 'desc').limit(10)
    .select('id', 'number', 'status', 'total_cents', 'created_at');
  const items = await itemsOfOrders(orders.map((o) => String(o.id)));
  res.json({
    userId,
    orders: orders.map((o) => ({ id: Number(o.id), number: Number(o.number), status: o.status, totalCents: o.total_cents, createdAt: o.created_at, items: items.get(String(o.id)) })),
  });
});

interface Address { country: string; city: string; street: string }

/** "Street, City (CC)". Digital orders have no address. */
function formatAddress(address: Address | null): string | null {
  if (faultOn('order-null-address')) {
    // The refactor dropped the null check: digital-only orders now throw.
    const a = address as Address;
    return `${a.street}, ${a.city} (${a.country.toUpperCase()})`;
  }
  return address ? `${address.street}, ${address.city} (${address.country.toUpperCase()})` : null;
}

orderRoutes.get('/orders/:id', async (req, res) => {
  const id = idParam(req, res);
  if (id === undefined) return;
  const order = await db('orders').where('id', id).first('id', 'number', 'user_id', 'status', 'total_cents', 'shipping_address', 'created_at');
  if (!order) {
    res.status(404).json({ error: 'order not found' });
    return;
  }
  const items = await itemsOfOrders([String(order.id)]);
  res.json({
    id: Number(order.id), number: Number(order.number), userId: order.user_id, status: order.status, totalCents: order.total_cents,
    shipTo: formatAddress(order.shipping_address), createdAt: order.created_at, items: items.get(String(order.id)),
  });
});
