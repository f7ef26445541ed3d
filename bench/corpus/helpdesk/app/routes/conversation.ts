/**
 * The conversation on a ticket: agent replies (`POST /tickets/:id/replies`,
 * which emails the customer the reply with the thread quoted) and the
 * customer's CSAT survey answer (`POST /tickets/:id/csat`; customers may
 * answer again, the last answer counts).
 *
 * @module
 */
import type { Hono } from 'hono';
import type { Sql, TransactionSql } from 'postgres';
import { audit } from '../audit.js';
import { HttpError, intParam, type Deps } from '../deps.js';
import { renderTicketEmail } from '../email.js';
import type { OutgoingEmail } from '../mailer.js';
import { ticketCacheKey } from './tickets.js';

interface ReplyRow {
  ticket: { id: number; org_id: number; number: number; subject: string; customer_id: number };
  message: { id: number; created_at: Date };
}

/** The notification email of a reply, with the last messages of the thread quoted. */
async function replyEmail(q: Sql | TransactionSql, { ticket, message }: ReplyRow, agentId: number, text: string): Promise<OutgoingEmail> {
  const [ctx] = await q<{ org_name: string; customer_email: string; agent_name: string | null }[]>`
    SELECT o.name AS org_name, c.email AS customer_email, (SELECT name FROM agents WHERE id = ${agentId}) AS agent_name
    FROM orgs o, customers c WHERE o.id = ${ticket.org_id} AND c.id = ${ticket.customer_id}`;
  const thread = await q<{ author_kind: string; body: string; created_at: Date }[]>`
    SELECT author_kind, body, created_at FROM messages
    WHERE ticket_id = ${ticket.id} AND NOT internal AND id <> ${message.id}
    ORDER BY created_at DESC LIMIT 10`;
  return renderTicketEmail({
    reference: `reply-${message.id}`,
    to: ctx!.customer_email,
    orgName: ctx!.org_name,
    ticketNumber: ticket.number,
    subject: ticket.subject,
    latest: { author: ctx!.agent_name ?? 'Support', body: text, createdAt: message.created_at },
    thread: thread.map((m) => ({ author: m.author_kind === 'agent' ? `${ctx!.org_name} Support` : 'You', body: m.body, createdAt: m.created_at })),
  });
}

/** Register the reply and CSAT routes. */
export function conversationRoutes(app: Hono, deps: Deps): void {
  const { sql, redis, mailer, fault } = deps;

  app.post('/tickets/:id/replies', async (c) => {
    const id = intParam(c.req.param('id'));
    const body = await c.req.json<Record<string, unknown>>().catch(() => ({}) as Record<string, unknown>);
    const agentId = intParam(String(body.agentId ?? ''));
    const text = typeof body.body === 'string' ? body.body.trim() : '';
    const internal = body.internal === true;
    if (Number.isNaN(id) || Number.isNaN(agentId) || !text) throw new HttpError(422, 'ticket id, agentId and body are required');

    const reply = await sql.begin(async (tx) => {
      const [ticket] = await tx<ReplyRow['ticket'][]>`
        SELECT id, org_id, number, subject, customer_id FROM tickets WHERE id = ${id} FOR UPDATE`;
      if (!ticket) throw new HttpError(404, 'no such ticket');
      const [message] = await tx<ReplyRow['message'][]>`
        INSERT INTO messages (ticket_id, author_kind, author_id, body, internal, created_at)
        VALUES (${id}, 'agent', ${agentId}, ${text}, ${internal}, now()) RETURNING id, created_at`;
      await tx`
        UPDATE tickets SET status = CASE WHEN status IN ('new', 'open') THEN 'pending' ELSE status END,
               updated_at = now(), first_response_at = coalesce(first_response_at, now())
        WHERE id = ${id}`;
      await audit(tx, id, internal ? 'internal_note' : 'replied', { agentId, messageId: message!.id });
      const row: ReplyRow = { ticket, message: message! };
      if (fault === 'reply-email-inside-transaction' && !internal) {
        // Send before committing, so that a reply whose email fails is rolled back.
        await mailer.send(await replyEmail(tx, row, agentId, text));
      }
      return row;
    });
    await redis.del(ticketCacheKey(id));
    if (fault !== 'reply-email-inside-transaction' && !internal) await mailer.send(await replyEmail(sql, reply, agentId, text));
    return c.json({ id: reply.message.id, ticketId: id, createdAt: reply.message.created_at }, 201);
  });

  app.post('/tickets/:id/csat', async (c) => {
    const id = intParam(c.req.param('id'));
    const body = await c.req.json<Record<string, unknown>>().catch(() => ({}) as Record<string, unknown>);
    const score = Number(body.score);
    const comment = typeof body.comment === 'string' ? body.comment.slice(0, 2000) : null;
    if (Number.isNaN(id) || !Number.isInteger(score) || score < 1 || score > 5) throw new HttpError(422, 'score must be 1..5');
    const [row] = fault === 'csat-duplicate-insert'
      ? await sql`
          INSERT INTO csat_responses (ticket_id, org_id, score, comment, created_at)
          SELECT id, org_id, ${score}, ${comment}, now() FROM tickets WHERE id = ${id}
          RETURNING id`
      : await sql`
          INSERT INTO csat_responses (ticket_id, org_id, score, comment, created_at)
          SELECT id, org_id, ${score}, ${comment}, now() FROM tickets WHERE id = ${id}
          ON CONFLICT (ticket_id) DO UPDATE SET score = EXCLUDED.score, comment = EXCLUDED.comment, created_at = EXCLUDED.created_at
          RETURNING id`;
    if (!row) throw new HttpError(404, 'no such ticket');
    await redis.del(ticketCacheKey(id));
    return c.json({ id: row!.id, ticketId: id, score }, 201);
  });
}
