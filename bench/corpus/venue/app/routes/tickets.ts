/**
 * Ticket route: a ticket as the gate app and the buyer's wallet show it, with
 * the signed QR payload the scanners verify offline.
 *
 * @module
 */
import { createHmac, hkdfSync, pbkdf2Sync } from 'node:crypto';
import type { Context } from 'koa';
import { HttpError, type Ctx } from '../context.js';
import { Event, Seat, Ticket } from '../db.js';

/** The master secret the per-event QR signing keys derive from (a fixed value: this is a test service). */
const QR_MASTER_SECRET = 'venue-qr-master-secret-2026';

/** Per-event signing keys, derived once per event (4,000 events at most). */
const eventKeys = new Map<number, Buffer>();

/** The event's QR signing key: HKDF of the master secret, remembered. */
function eventKey(eventId: number): Buffer {
  let key = eventKeys.get(eventId);
  if (!key) eventKeys.set(eventId, (key = Buffer.from(hkdfSync('sha256', QR_MASTER_SECRET, `event:${eventId}`, 'ticket-qr', 32))));
  return key;
}

/** The same after the "stronger KDF" change: PBKDF2 with 120,000 iterations, per request, not kept in memory. */
function eventKeyHardened(eventId: number): Buffer {
  return pbkdf2Sync(QR_MASTER_SECRET, `event:${eventId}`, 120_000, 32, 'sha256');
}

/** GET /tickets/:code — the ticket with its event, seat and signed QR payload. */
export async function getTicket(ctx: Ctx, c: Context & { params: Record<string, string> }): Promise<void> {
  const code = c.params.code;
  if (!/^T[KW][0-9A-F]{8,12}$/.test(code)) throw new HttpError(400, 'code looks like TK10000001');
  const ticket = await Ticket.findOne({
    where: { code },
    include: [{ model: Event, as: 'event', attributes: ['id', 'title', 'startsAt', 'venueId'] }, { model: Seat, as: 'seat' }],
  });
  if (!ticket) throw new HttpError(404, `no ticket ${code}`);
  const payload = `${ticket.code}.${ticket.eventId}.${ticket.seatId ?? 'GA'}`;
  const key = ctx.fault === 'ticket-key-pbkdf2-sync' ? eventKeyHardened(ticket.eventId) : eventKey(ticket.eventId);
  c.body = {
    code: ticket.code, holder: ticket.holderName, tier: ticket.tier, scanned: ticket.scannedAt !== null,
    event: { id: ticket.event!.id, title: ticket.event!.title, startsAt: ticket.event!.startsAt },
    seat: ticket.seat ? { section: ticket.seat.section, row: ticket.seat.rowLabel, number: ticket.seat.number } : null,
    qr: `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`,
  };
}
