/**
 * SLA timers in Redis. The breach notifier works off one key per open
 * ticket (`sla:timer:<ticket>`, value = org and due time) and each org has a
 * sorted set of its open tickets by due time (`sla:due:<org>`) for the
 * "at risk" counters. Both are rebuilt from PostgreSQL when the service
 * starts (Redis is not the source of truth) and kept up to date on writes.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { Sql } from 'postgres';

/** Statuses whose SLA clock is running. */
export const OPEN_STATUSES = ['new', 'open', 'pending'] as const;

/** Rebuild the timers of all open tickets; resolves to how many were loaded. */
export async function syncSlaTimers(sql: Sql, redis: Redis): Promise<number> {
  const rows = await sql<{ id: number; org_id: number; due: number }[]>`
    SELECT id, org_id, extract(epoch FROM due_at)::float8 * 1000 AS due
    FROM tickets WHERE status IN ${sql(OPEN_STATUSES)}`;
  for (let i = 0; i < rows.length; i += 2000) {
    const pipeline = redis.pipeline();
    for (const r of rows.slice(i, i + 2000)) {
      pipeline.set(`sla:timer:${r.id}`, `${r.org_id}:${Math.round(r.due)}`);
      pipeline.zadd(`sla:due:${r.org_id}`, Math.round(r.due), String(r.id));
    }
    await pipeline.exec();
  }
  return rows.length;
}

/** Start or move the timer of one open ticket. */
export async function trackTicket(redis: Redis, ticket: { id: number; orgId: number; dueAt: Date }): Promise<void> {
  const due = ticket.dueAt.getTime();
  await redis.pipeline().set(`sla:timer:${ticket.id}`, `${ticket.orgId}:${due}`).zadd(`sla:due:${ticket.orgId}`, due, String(ticket.id)).exec();
}

/** Open tickets of an org due within `horizonMs` (including already breached ones). */
export async function atRiskCount(redis: Redis, orgId: number, horizonMs: number): Promise<number> {
  return redis.zcount(`sla:due:${orgId}`, '-inf', Date.now() + horizonMs);
}
