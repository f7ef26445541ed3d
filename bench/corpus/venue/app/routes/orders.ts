/**
 * Order routes: checkout (charge the card at the payment provider, write the
 * order and its general-admission tickets), the order receipt, and a
 * customer's order history.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { CreationAttributes } from 'sequelize';
import { HttpError, intParam, type Ctx } from '../context.js';
import { Customer, Event, Order, Seat, Ticket, Venue } from '../db.js';

interface NewOrder { customerId: number; eventId: number; quantity: number }

function parseNewOrder(raw: unknown): NewOrder {
  const o = (raw ?? {}) as Record<string, unknown>;
  const order = { customerId: intParam(o.customerId, 'customerId'), eventId: intParam(o.eventId, 'eventId'), quantity: intParam(o.quantity, 'quantity') };
  if (order.quantity > 8) throw new HttpError(400, 'at most 8 tickets per order');
  return order;
}

const ticketCode = (): string => `TW${randomBytes(6).toString('hex').toUpperCase()}`;

/** POST /orders {customerId, eventId, quantity} — buy general-admission tickets: charge, then write the order. */
export async function placeOrder(ctx: Ctx, c: Context, raw: unknown): Promise<void> {
  const input = parseNewOrder(raw);
  const event = await Event.findByPk(input.eventId, { attributes: ['id', 'status', 'capacity', 'sold', 'held', 'priceTiers'] });
  if (!event) throw new HttpError(404, `no event ${input.eventId}`);
  if (event.status !== 'on_sale') throw new HttpError(409, `event ${event.id} is not on sale`);
  if (event.capacity - event.sold - event.held < input.quantity) throw new HttpError(409, `event ${event.id} is sold out`);
  const tier = event.priceTiers[input.customerId % event.priceTiers.length];
  const amountCents = tier.priceCents * input.quantity;
  const customer = await Customer.findByPk(input.customerId, { attributes: ['id', 'name'] });
  if (!customer) throw new HttpError(404, `no customer ${input.customerId}`);
  const tickets = (orderId: number): CreationAttributes<Ticket>[] => Array.from({ length: input.quantity }, (_, i) => ({
    orderId, eventId: event.id, seatId: null, code: ticketCode(), tier: tier.tier, priceCents: tier.priceCents,
    holderName: i === 0 ? customer.name : `${customer.name} +${i}`, issuedAt: new Date(), scannedAt: null,
  }));
  let order: Order;
  if (ctx.fault === 'charge-in-transaction') {
    // "No paid order without tickets, no tickets without payment": the charge moved into the order's
    // transaction, between writing the pending order and marking it paid.
    order = await ctx.db.transaction(async (transaction) => {
      const pending = await Order.create({
        customerId: customer.id, guestEmail: null, eventId: event.id, status: 'pending', ticketCount: input.quantity,
        totalCents: amountCents, paymentRef: null, createdAt: new Date(),
      }, { transaction });
      await Ticket.bulkCreate(tickets(pending.id), { transaction });
      const chargeId = await ctx.payments.charge(`ord_${pending.id}`, amountCents);
      await pending.update({ status: 'paid', paymentRef: chargeId }, { transaction });
      await Event.increment('sold', { by: input.quantity, where: { id: event.id }, transaction });
      return pending;
    });
  } else {
    const chargeId = await ctx.payments.charge(`ord_${randomUUID()}`, amountCents);
    order = await ctx.db.transaction(async (transaction) => {
      const paid = await Order.create({
        customerId: customer.id, guestEmail: null, eventId: event.id, status: 'paid', ticketCount: input.quantity,
        totalCents: amountCents, paymentRef: chargeId, createdAt: new Date(),
      }, { transaction });
      await Ticket.bulkCreate(tickets(paid.id), { transaction });
      await Event.increment('sold', { by: input.quantity, where: { id: event.id }, transaction });
      return paid;
    });
  }
  c.status = 201;
  c.body = { id: order.id, status: order.status, totalCents: order.totalCents, tickets: input.quantity };
}

/** Who the receipt is addressed to; guest checkouts have no customer, only an email. */
function buyer(order: Order): { name: string; email: string; greeting: string } {
  if (!order.customer) return { name: 'Guest', email: order.guestEmail ?? '', greeting: 'Hi there' };
  return { name: order.customer.name, email: order.customer.email, greeting: `Hi ${order.customer.name.split(' ')[0]}` };
}

/** The same, as written before guest checkout existed. */
function buyerOfAccount(customer: Customer): { name: string; email: string; greeting: string } {
  return { name: customer.name, email: customer.email, greeting: `Hi ${customer.name.split(' ')[0]}` };
}

/** GET /orders/:id — the receipt: event, venue, buyer and tickets with their seats. */
export async function getOrder(ctx: Ctx, c: Context & { params: Record<string, string> }): Promise<void> {
  const id = intParam(c.params.id, 'id');
  const order = await Order.findByPk(id, {
    include: [
      { model: Customer, as: 'customer' },
      { model: Event, as: 'event', attributes: ['id', 'title', 'startsAt', 'venueId'], include: [{ model: Venue, as: 'venue', attributes: ['name', 'city'] }] },
    ],
  });
  if (!order) throw new HttpError(404, `no order ${id}`);
  const tickets = await Ticket.findAll({ where: { orderId: id }, include: [{ model: Seat, as: 'seat' }], order: [['id', 'ASC']] });
  c.body = {
    id: order.id, status: order.status, totalCents: order.totalCents, createdAt: order.createdAt, paymentRef: order.paymentRef,
    buyer: ctx.fault === 'order-guest-receipt-crash' ? buyerOfAccount(order.customer!) : buyer(order),
    event: { id: order.event!.id, title: order.event!.title, startsAt: order.event!.startsAt, venue: order.event!.venue?.name, city: order.event!.venue?.city },
    tickets: tickets.map((t) => ({
      code: t.code, tier: t.tier, priceCents: t.priceCents, holder: t.holderName,
      seat: t.seat ? `${t.seat.section}-${t.seat.rowLabel}-${t.seat.number}` : 'general admission',
    })),
  };
}

const HISTORY_PAGE = 20;

/** GET /customers/:id/orders — the customer's 20 latest orders with their events. */
export async function customerOrders(ctx: Ctx, c: Context & { params: Record<string, string> }): Promise<void> {
  const customerId = intParam(c.params.id, 'id');
  let orders: Order[];
  if (ctx.fault === 'customer-orders-lazy-events') {
    // The event and its venue are loaded through the association getters, order by order.
    orders = await Order.findAll({ where: { customerId }, order: [['createdAt', 'DESC']], limit: HISTORY_PAGE });
    for (const order of orders) {
      const event = await order.getEvent({ attributes: ['id', 'title', 'startsAt', 'venueId'] });
      event.venue = await event.getVenue({ attributes: ['name', 'city'] });
      order.event = event;
    }
  } else {
    orders = await Order.findAll({
      where: { customerId }, order: [['createdAt', 'DESC']], limit: HISTORY_PAGE,
      include: [{ model: Event, as: 'event', attributes: ['id', 'title', 'startsAt', 'venueId'], include: [{ model: Venue, as: 'venue', attributes: ['name', 'city'] }] }],
    });
  }
  c.body = {
    customerId,
    orders: orders.map((o) => ({
      id: o.id, status: o.status, tickets: o.ticketCount, totalCents: o.totalCents, createdAt: o.createdAt,
      event: { id: o.event!.id, title: o.event!.title, startsAt: o.event!.startsAt, venue: o.event!.venue?.name, city: o.event!.venue?.city },
    })),
  };
}
