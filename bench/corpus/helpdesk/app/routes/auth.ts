/**
 * `POST /auth/sign-in`: agents sign in with email and password (PBKDF2
 * hashes); the session lives in Redis for 8 hours.
 *
 * @module
 */
import { pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Hono } from 'hono';
import { PASSWORD_HASH } from '../../schema.js';
import { HttpError, type Deps } from '../deps.js';

const pbkdf2Async = promisify(pbkdf2);

/** Register the sign-in route. */
export function authRoutes(app: Hono, deps: Deps): void {
  const { sql, redis, fault } = deps;

  const hashPassword = async (password: string, salt: string): Promise<Buffer> => {
    const { iterations, keylen, digest } = PASSWORD_HASH;
    if (fault === 'sign-in-sync-hash') return pbkdf2Sync(password, salt, iterations, keylen, digest);
    return pbkdf2Async(password, salt, iterations, keylen, digest);
  };

  app.post('/auth/sign-in', async (c) => {
    const body = await c.req.json<{ email?: string; password?: string }>().catch(() => ({}) as { email?: string; password?: string });
    if (typeof body.email !== 'string' || typeof body.password !== 'string') throw new HttpError(400, 'email and password are required');
    const [agent] = await sql<{ id: number; org_id: number; name: string; role: string; password_salt: string; password_hash: string }[]>`
      SELECT id, org_id, name, role, password_salt, password_hash FROM agents WHERE email = ${body.email.toLowerCase()}`;
    if (!agent) throw new HttpError(401, 'invalid credentials');
    const derived = await hashPassword(body.password, agent.password_salt);
    if (!timingSafeEqual(derived, Buffer.from(agent.password_hash, 'hex'))) throw new HttpError(401, 'invalid credentials');
    const token = randomBytes(24).toString('base64url');
    await redis.set(`session:${token}`, JSON.stringify({ agentId: agent.id, orgId: agent.org_id, role: agent.role }), 'EX', 8 * 3600);
    return c.json({ token, agent: { id: agent.id, orgId: agent.org_id, name: agent.name, role: agent.role } });
  });
}
