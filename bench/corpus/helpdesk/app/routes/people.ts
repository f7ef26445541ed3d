/**
 * Customers and agents: customer lookup by email (`GET /customers/lookup`,
 * used by inbound-email routing and the agents' search box) and an agent's
 * work queue (`GET /agents/:id/queue`: their open tickets by due time, with
 * customer, last message and tags).
 *
 * @module
 */
import type { Hono } from 'hono';
import { slaPolicies } from '../cache.js';
import { HttpError, intParam, type Deps } from '../deps.js';
import { OPEN_STATUSES } from '../sla.js';

interface QueueTicket {
  id: number;
  number: number;
  subject: string;
  status: string;
  priority: string;
  due_at: Date;
  updated_at: Date;
  customer_id: number;
}

/** Register the customer and agent routes. */
export function peopleRoutes(app: Hono, deps: Deps): void {
  const { sql, redis, fault } = deps;

  app.get('/customers/lookup', async (c) => {
    const email = (c.req.query('email') ?? '').toLowerCase();
    if (!email.includes('@')) throw new HttpError(400, 'email is required');
    const customers = await sql<{ id: number }[]>`
      SELECT id, org_id, name, email, phone, company, created_at FROM customers WHERE email = ${email}`;
    if (customers.length === 0) throw new HttpError(404, 'no such customer');
    const recent = await sql`
      SELECT id, org_id, number, subject, status, priority, updated_at FROM tickets
      WHERE customer_id IN ${sql(customers.map((x) => x.id))} ORDER BY updated_at DESC LIMIT 10`;
    return c.json({ customers: [...customers], recentTickets: [...recent] });
  });

  app.get('/agents/:id/queue', async (c) => {
    const agentId = intParam(c.req.param('id'));
    if (Number.isNaN(agentId)) throw new HttpError(400, 'bad agent id');
    const [agent] = await sql<{ id: number; org_id: number; name: string }[]>`SELECT id, org_id, name FROM agents WHERE id = ${agentId}`;
    if (!agent) throw new HttpError(404, 'no such agent');
    const policies = await slaPolicies(sql, redis, agent.org_id);
    let tickets: Record<string, unknown>[];
    if (fault === 'queue-per-ticket-queries') {
      const open = await sql<QueueTicket[]>`
        SELECT id, number, subject, status, priority, due_at, updated_at, customer_id FROM tickets
        WHERE assignee_id = ${agentId} AND status IN ${sql(OPEN_STATUSES)} ORDER BY due_at LIMIT 50`;
      tickets = [];
      for (const t of open) {
        const [customer] = await sql`SELECT name, email FROM customers WHERE id = ${t.customer_id}`;
        const [last] = await sql`SELECT body, created_at FROM messages WHERE ticket_id = ${t.id} ORDER BY created_at DESC LIMIT 1`;
        const tags = await sql`SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = ${t.id}`;
        tickets.push({
          ...t,
          customer_name: customer?.name, customer_email: customer?.email,
          last_message: last?.body ?? null, last_message_at: last?.created_at ?? null,
          tags: tags.map((g) => g.name as string),
        });
      }
    } else {
      tickets = [...(await sql`
        SELECT t.id, t.number, t.subject, t.status, t.priority, t.due_at, t.updated_at, t.customer_id,
               c.name AS customer_name, c.email AS customer_email,
               lm.body AS last_message, lm.created_at AS last_message_at, coalesce(tg.tags, '{}') AS tags
        FROM tickets t
        JOIN customers c ON c.id = t.customer_id
        LEFT JOIN LATERAL (SELECT body, created_at FROM messages m WHERE m.ticket_id = t.id ORDER BY created_at DESC LIMIT 1) lm ON true
        LEFT JOIN LATERAL (SELECT array_agg(g.name ORDER BY g.name) AS tags FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id) tg ON true
        WHERE t.assignee_id = ${agentId} AND t.status IN ${sql(OPEN_STATUSES)}
        ORDER BY t.due_at LIMIT 50`)];
    }
    return c.json({ agent, slaPolicies: policies, tickets });
  });
}
