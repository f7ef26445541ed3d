/**
 * "Who else is viewing this ticket": agent collision detection on the
 * ticket page. Each view marks the agent as present for 30 s and lists the
 * other agents currently looking at the same ticket.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { HelpdeskFault } from '../faults.js';

const PRESENCE_MS = 30_000;

/** Mark `agentId` as viewing `ticketId`; resolves to the ids of the agents viewing it (including this one). */
export async function touchViewers(redis: Redis, ticketId: number, agentId: number, fault: HelpdeskFault | null): Promise<number[]> {
  if (fault === 'presence-keys-scan') {
    // One key per (ticket, agent) so that each presence expires on its own; list them by pattern.
    await redis.set(`viewing:${ticketId}:${agentId}`, '1', 'PX', PRESENCE_MS);
    const keys = await redis.keys(`viewing:${ticketId}:*`);
    return keys.map((k) => Number(k.slice(k.lastIndexOf(':') + 1)));
  }
  const key = `viewers:${ticketId}`;
  const now = Date.now();
  const result = await redis
    .multi()
    .zadd(key, now, String(agentId))
    .zremrangebyscore(key, '-inf', now - PRESENCE_MS)
    .zrange(key, 0, -1)
    .pexpire(key, PRESENCE_MS * 2)
    .exec();
  const members = (result?.[2]?.[1] ?? []) as string[];
  return members.map(Number);
}
