/**
 * Org-level screens: the support dashboard (`GET /orgs/:id/dashboard`:
 * ticket counts by status and priority, open load per agent, tickets at SLA
 * risk, 30-day CSAT), the macros (canned replies) of an org
 * (`GET /orgs/:id/macros`) and the SLA report (`GET /reports/sla?org=`,
 * monthly volume, breaches, median first reply and CSAT over the last
 * year, cached for 5 minutes).
 *
 * @module
 */
import type { Hono } from 'hono';
import { cached } from '../cache.js';
import { HttpError, intParam, type Deps } from '../deps.js';
import { atRiskCount, OPEN_STATUSES } from '../sla.js';

interface CsatSummary {
  org_id?: number;
  average: number | null;
  responses: number;
}

/** Register the org routes. */
export function orgRoutes(app: Hono, deps: Deps): void {
  const { sql, redis, fault } = deps;

  const csat30d = async (orgId: number): Promise<CsatSummary> => {
    if (fault === 'dashboard-all-orgs-aggregate') {
      // Same query as the admin console's CSAT leaderboard (every org), narrowed to this org afterwards.
      const board = await sql<CsatSummary[]>`
        SELECT org_id, round(avg(score) FILTER (WHERE created_at > now() - interval '30 days'), 2)::float8 AS average,
               (count(*) FILTER (WHERE created_at > now() - interval '30 days'))::int AS responses
        FROM csat_responses GROUP BY org_id`;
      const mine = board.find((r) => r.org_id === orgId);
      return { average: mine?.average ?? null, responses: mine?.responses ?? 0 };
    }
    const [row] = await sql<CsatSummary[]>`
      SELECT round(avg(score), 2)::float8 AS average, count(*)::int AS responses
      FROM csat_responses WHERE org_id = ${orgId} AND created_at > now() - interval '30 days'`;
    return row!;
  };

  app.get('/orgs/:id/dashboard', async (c) => {
    const orgId = intParam(c.req.param('id'));
    if (Number.isNaN(orgId)) throw new HttpError(400, 'bad org id');
    const [org] = await sql`SELECT id, name, plan FROM orgs WHERE id = ${orgId}`;
    if (!org) throw new HttpError(404, 'no such org');
    const [counts, load, csat, atRisk] = await Promise.all([
      sql<{ status: string; priority: string; n: number }[]>`SELECT status, priority, count(*)::int AS n FROM tickets WHERE org_id = ${orgId} GROUP BY status, priority`,
      sql`
        SELECT a.id, a.name, count(t.id)::int AS open_tickets
        FROM agents a LEFT JOIN tickets t ON t.assignee_id = a.id AND t.status IN ${sql(OPEN_STATUSES)}
        WHERE a.org_id = ${orgId} GROUP BY a.id ORDER BY open_tickets DESC`,
      csat30d(orgId),
      atRiskCount(redis, orgId, 3_600_000),
    ]);
    const byStatus: Record<string, number> = {};
    for (const r of counts) byStatus[r.status] = (byStatus[r.status] ?? 0) + r.n;
    return c.json({ org, byStatus, byStatusAndPriority: [...counts], agents: [...load], csat30d: csat, slaAtRisk: atRisk });
  });

  app.get('/orgs/:id/macros', async (c) => {
    const orgId = intParam(c.req.param('id'));
    if (Number.isNaN(orgId)) throw new HttpError(400, 'bad org id');
    const macros = await sql`SELECT id, title, body, actions, usage_count FROM macros WHERE org_id = ${orgId} ORDER BY usage_count DESC, id`;
    return c.json({ macros: [...macros] });
  });

  app.get('/reports/sla', async (c) => {
    const orgId = intParam(c.req.query('org'));
    if (Number.isNaN(orgId)) throw new HttpError(400, 'org is required');
    const from = new Date(Date.now() - 365 * 86_400_000);
    // The report covers whole days: the key carries the first day of the range.
    const key = `report:sla:${orgId}:${fault === 'report-cache-key-timestamp' ? from.toISOString() : from.toISOString().slice(0, 10)}`;
    const months = await cached(redis, key, 300, async () => [...(await sql`
      SELECT date_trunc('month', t.created_at) AS month, count(*)::int AS tickets,
             count(*) FILTER (WHERE t.solved_at > t.due_at)::int AS breached,
             round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fr.first_reply - t.created_at)) / 60)::numeric, 1)::float8 AS median_first_reply_mins,
             round(avg(r.score), 2)::float8 AS csat
      FROM tickets t
      LEFT JOIN LATERAL (
        SELECT min(m.created_at) AS first_reply FROM messages m
        WHERE m.ticket_id = t.id AND m.author_kind = 'agent' AND NOT m.internal) fr ON true
      LEFT JOIN csat_responses r ON r.ticket_id = t.id
      WHERE t.org_id = ${orgId} AND t.created_at >= ${from}
      GROUP BY 1 ORDER BY 1`)]);
    return c.json({ orgId, from: from.toISOString().slice(0, 10), months });
  });
}
