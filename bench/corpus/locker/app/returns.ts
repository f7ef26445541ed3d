/**
 * Returns: a recipient sends a picked-up parcel back through a locker. The
 * drop-off code (and, by e-mail, the printable label) goes to the recipient.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import { config } from './config.js';
import { ParcelEntity, ParcelEventEntity, RecipientEntity, ReturnEntity, type Recipient } from './db.js';
import type { Deps } from './deps.js';
import { body, HttpError, intId, oneOf } from './http.js';

const REASONS = ['wrong_size', 'damaged', 'not_as_described', 'changed_mind'] as const;
const RETURN_WINDOW_DAYS = 30;

function normalizeEmail(address: string): string {
  return address.trim().toLowerCase();
}

/** A minimal one-page label (the carrier's template) as base64. */
function labelPdf(tracking: string, code: string): string {
  const text = `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n% return label ${tracking} drop-off ${code}\n%%EOF\n`;
  return Buffer.from(text).toString('base64');
}

function labelContact(recipient: Recipient): { channel: 'email' | 'sms'; to: string } {
  if (config.returnLabelChannel === 'email') return { channel: 'email', to: normalizeEmail(recipient.email as string) };
  return recipient.email ? { channel: 'email', to: normalizeEmail(recipient.email) } : { channel: 'sms', to: recipient.phone };
}

export function returnRoutes(router: Router, deps: Deps): void {
  const parcels = deps.db.getRepository(ParcelEntity);
  const recipients = deps.db.getRepository(RecipientEntity);
  const returns = deps.db.getRepository(ReturnEntity);

  router.post('/returns', async (ctx) => {
    const req = body(ctx);
    const parcelId = intId(req.parcelId, 'parcelId');
    const reason = oneOf(req.reason, REASONS, 'reason');
    const parcel = await parcels.findOneBy({ id: parcelId });
    if (!parcel) throw new HttpError(404, 'no such parcel', 'not_found');
    if (parcel.status !== 'picked_up' || !parcel.pickedUpAt) throw new HttpError(409, 'only picked-up parcels can be returned', 'wrong_state');
    if (Date.now() - parcel.pickedUpAt.getTime() > RETURN_WINDOW_DAYS * 86_400_000) throw new HttpError(409, 'return window closed', 'window_closed');
    if (await returns.existsBy({ parcelId })) throw new HttpError(409, 'a return already exists for this parcel', 'duplicate');
    const recipient = await recipients.findOneBy({ id: parcel.recipientId });
    if (!recipient) throw new HttpError(404, 'no such recipient', 'not_found');

    const contact = labelContact(recipient);
    const dropoffCode = randomBytes(4).toString('hex').toUpperCase();
    const created = await deps.db.transaction(async (m) => {
      const row = await m.getRepository(ReturnEntity).save({ parcelId, reason, status: 'awaiting_dropoff', labelChannel: contact.channel, dropoffCode, createdAt: new Date() });
      await m.getRepository(ParcelEventEntity).insert({ parcelId, kind: 'return_requested', at: new Date(), actor: `recipient:${recipient.id}`, siteId: null });
      return row;
    });
    const vars = { tracking: parcel.trackingCode, code: dropoffCode, reason };
    const sent = contact.channel === 'email'
      ? await deps.partners.email({ to: contact.to, template: 'return_label', vars, attachment: { name: `return-${parcel.trackingCode}.pdf`, contentBase64: labelPdf(parcel.trackingCode, dropoffCode) } })
      : await deps.partners.sms({ to: contact.to, template: 'return_code', vars });
    await deps.db.query(`INSERT INTO notifications (recipient_id, parcel_id, channel, template, status, provider_ref, created_at)
                         VALUES ($1, $2, $3, 'return_label', $4, $5, now())`, [recipient.id, parcelId, contact.channel, sent.status, sent.id]);
    ctx.status = 201;
    ctx.body = { returnId: created.id, parcel: parcel.trackingCode, dropoffCode, labelSentBy: contact.channel, reason };
  });
}
