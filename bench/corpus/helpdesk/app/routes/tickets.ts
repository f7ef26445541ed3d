/**
 * Tickets: the filtered ticket list (`GET /tickets`), the ticket page with
 * its thread, customer, tags, CSAT and who-is-viewing (`GET /tickets/:id`,
 * cache-aside in Redis) and ticket creation from an inbound email or web
 * form (`POST /tickets`: customer match, per-org ticket number, least-loaded
 * assignment, auto-tagging, SLA due time, acknowledgement email).
 *
 * @module
 */
import type { Hono } from 'hono';
import { audit } from '../audit.js';
import { cached, slaPolicies } from '../cache.js';
import { HttpError, intParam, type Deps } from '../deps.js';
import { renderTicketEmail } from '../email.js';
import { touchViewers } from '../presence.js';
import { OPEN_STATUSES, trackTicket } from '../sla.js';

const STATUSES = ['new', 'open', 'pending', 'solved', 'closed'];
const PRIORITIES = ['urgent', 'high', 'normal', 'low'];

/** Redis key of the cached ticket page (deleted by writes to the ticket). */
export const ticketCacheKey = (id: number): string => `ticket:${id}`;

/** Register the ticket routes. */
export function ticketRoutes(app: Hono, deps: Deps): void {
  const { sql, redis, mailer, fault } = deps;

  app.get('/tickets', async (c) => {
    const orgId = intParam(c.req.query('org'));
    if (Number.isNaN(orgId)) throw new HttpError(400, 'org is required');
    const status = c.req.query('status');
    if (status !== undefined && !STATUSES.includes(status)) throw new HttpError(400, 'bad status');
    const priority = c.req.query('priority');
    const assignee = intParam(c.req.query('assignee'));
    const limit = Math.min(Math.max(intParam(c.req.query('limit')) || 25, 1), 100);
    const columns = fault === 'ticket-list-select-star'
      ? sql`t.*`
      : sql`t.id, t.number, t.subject, t.status, t.priority, t.channel, t.assignee_id, t.created_at, t.updated_at, t.due_at`;
    const rows = await sql`
      SELECT ${columns}, c.name AS customer_name, c.email AS customer_email
      FROM tickets t JOIN customers c ON c.id = t.customer_id
      WHERE t.org_id = ${orgId}
        ${status ? sql`AND t.status = ${status}` : sql``}
        ${priority && PRIORITIES.includes(priority) ? sql`AND t.priority = ${priority}` : sql``}
        ${Number.isNaN(assignee) ? sql`` : sql`AND t.assignee_id = ${assignee}`}
      ORDER BY t.updated_at DESC
      LIMIT ${limit}`;
    return c.json({ tickets: rows, limit });
  });

  app.get('/tickets/:id', async (c) => {
    const id = intParam(c.req.param('id'));
    if (Number.isNaN(id)) throw new HttpError(400, 'bad ticket id');
    const page = await cached(redis, ticketCacheKey(id), 120, () => loadTicketPage(deps, id));
    if (!page) throw new HttpError(404, 'no such ticket');
    const agentId = intParam(c.req.query('agent'));
    const viewers = Number.isNaN(agentId) ? [] : await touchViewers(redis, id, agentId, fault);
    return c.json({ ...page, viewers: viewers.filter((v) => v !== agentId) });
  });

  app.post('/tickets', async (c) => {
    const body = await c.req.json<Record<string, unknown>>().catch(() => ({}) as Record<string, unknown>);
    const orgId = intParam(String(body.org ?? ''));
    const email = typeof body.email === 'string' ? body.email.toLowerCase() : '';
    const subject = typeof body.subject === 'string' ? body.subject.slice(0, 200) : '';
    const text = typeof body.body === 'string' ? body.body : '';
    const priority = typeof body.priority === 'string' && PRIORITIES.includes(body.priority) ? body.priority : 'normal';
    const channel = typeof body.channel === 'string' ? body.channel : 'email';
    if (Number.isNaN(orgId) || !email.includes('@') || !subject || !text) throw new HttpError(422, 'org, email, subject and body are required');

    const [org] = await sql<{ id: number; name: string }[]>`SELECT id, name FROM orgs WHERE id = ${orgId}`;
    if (!org) throw new HttpError(404, 'no such org');
    const policies = await slaPolicies(sql, redis, orgId);
    const resolutionMins = policies.find((p) => p.priority === priority)?.resolutionMins ?? 4320;
    let [customer] = await sql<{ id: number; name: string }[]>`SELECT id, name FROM customers WHERE org_id = ${orgId} AND email = ${email} LIMIT 1`;
    customer ??= (await sql<{ id: number; name: string }[]>`
      INSERT INTO customers (org_id, name, email) VALUES (${orgId}, ${typeof body.name === 'string' ? body.name : email.split('@')[0]!}, ${email})
      RETURNING id, name`)[0]!;

    // Ticket numbers are per org; allocating one outside the transaction may leave a gap, which is fine.
    const preallocated = fault === 'ticket-number-lock-held'
      ? undefined
      : (await sql<{ n: number }[]>`UPDATE orgs SET last_ticket_number = last_ticket_number + 1 WHERE id = ${orgId} RETURNING last_ticket_number AS n`)[0]!.n;

    const ticket = await sql.begin(async (tx) => {
      const number = preallocated
        ?? (await tx<{ n: number }[]>`UPDATE orgs SET last_ticket_number = last_ticket_number + 1 WHERE id = ${orgId} RETURNING last_ticket_number AS n`)[0]!.n;
      const [assignee] = await tx<{ id: number; name: string }[]>`
        SELECT a.id, a.name FROM agents a
        LEFT JOIN tickets t ON t.assignee_id = a.id AND t.status IN ${tx(OPEN_STATUSES)}
        WHERE a.org_id = ${orgId} AND a.role = 'agent'
        GROUP BY a.id ORDER BY count(t.id), a.id LIMIT 1`;
      const [row] = await tx<{ id: number; created_at: Date; due_at: Date }[]>`
        INSERT INTO tickets (org_id, number, customer_id, assignee_id, subject, status, priority, channel, created_at, updated_at, due_at, raw_email)
        VALUES (${orgId}, ${number}, ${customer.id}, ${assignee?.id ?? null}, ${subject}, ${assignee ? 'open' : 'new'}, ${priority}, ${channel},
                now(), now(), now() + ${resolutionMins} * interval '1 minute', ${channel === 'email' ? text : null})
        RETURNING id, created_at, due_at`;
      const ticketId = row!.id;
      await tx`INSERT INTO messages (ticket_id, author_kind, author_id, body, created_at) VALUES (${ticketId}, 'customer', ${customer.id}, ${text}, now())`;
      await audit(tx, ticketId, 'created', { channel, priority, customerId: customer.id });
      if (assignee) await audit(tx, ticketId, 'assigned', { agentId: assignee.id, rule: 'least-loaded' });
      // Auto-tagging: every org tag whose name appears in the subject or body.
      const tags = await tx<{ id: number; name: string }[]>`
        SELECT id, name FROM tags WHERE org_id = ${orgId} AND strpos(${(subject + ' ' + text).toLowerCase()}, name) > 0`;
      for (const tag of tags) {
        await tx`INSERT INTO ticket_tags (ticket_id, tag_id) VALUES (${ticketId}, ${tag.id})`;
        await audit(tx, ticketId, 'tag_added', { tag: tag.name, by: 'auto-tagger' });
      }
      await audit(tx, ticketId, 'sla_applied', { priority, resolutionMins, dueAt: row!.due_at });
      return { ...row!, number, assignee: assignee ?? null };
    });

    await trackTicket(redis, { id: ticket.id, orgId, dueAt: ticket.due_at });
    const ack = renderTicketEmail({
      reference: `ack-${ticket.id}`,
      to: email,
      orgName: org.name,
      ticketNumber: ticket.number,
      subject,
      latest: { author: `${org.name} Support`, body: `We received your request and ${ticket.assignee ? ticket.assignee.name : 'an agent'} will get back to you.`, createdAt: ticket.created_at },
      thread: [{ author: customer.name, body: text, createdAt: ticket.created_at }],
    });
    // The acknowledgement only needs the provider to accept it; delivery happens asynchronously on its side.
    await mailer.send(ack, { waitFor: fault === 'ack-email-waits-delivery' ? 'delivered' : 'accepted' });
    return c.json({ id: ticket.id, number: ticket.number, assigneeId: ticket.assignee?.id ?? null, dueAt: ticket.due_at }, 201);
  });
}

/** The ticket page: ticket, customer, thread with attachments, tags and CSAT; null when there is no such ticket. */
async function loadTicketPage({ sql }: Deps, id: number): Promise<Record<string, unknown> | null> {
  const [ticket] = await sql`
    SELECT t.id, t.org_id, t.number, t.subject, t.status, t.priority, t.channel, t.created_at, t.updated_at,
           t.first_response_at, t.solved_at, t.due_at, t.customer_id, t.assignee_id, a.name AS assignee_name, o.name AS org_name
    FROM tickets t JOIN orgs o ON o.id = t.org_id LEFT JOIN agents a ON a.id = t.assignee_id
    WHERE t.id = ${id}`;
  if (!ticket) return null;
  const [customer, messages, tags, csat] = await Promise.all([
    sql`SELECT id, name, email, phone, company, created_at,
               (SELECT count(*)::int FROM tickets WHERE customer_id = ${ticket.customer_id}) AS ticket_count
        FROM customers WHERE id = ${ticket.customer_id}`.then((r) => r[0] ?? null),
    sql`
      SELECT m.id, m.author_kind, m.author_id, m.body, m.internal, m.created_at,
             coalesce(json_agg(json_build_object('id', f.id, 'filename', f.filename, 'contentType', f.content_type, 'size', f.size_bytes))
                      FILTER (WHERE f.id IS NOT NULL), '[]') AS attachments
      FROM messages m LEFT JOIN attachments f ON f.message_id = m.id
      WHERE m.ticket_id = ${id} GROUP BY m.id ORDER BY m.created_at`,
    sql`SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = ${id} ORDER BY g.name`.then((r) => r.map((x) => x.name as string)),
    sql`SELECT score, comment, created_at FROM csat_responses WHERE ticket_id = ${id}`.then((r) => r[0] ?? null),
  ]);
  return { ticket, customer, messages: [...messages], tags, csat };
}
