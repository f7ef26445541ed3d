/**
 * Sign-in (`POST /sessions`): the learner by email, the password checked
 * against its stored hash, a session in Redis.
 *
 * Stored hashes are `scrypt$N$salt$hash`; accounts imported from the old
 * platform (every fifth) still carry `sha256$salt$hex` until their owner
 * changes the password.
 *
 * @module
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { LearnerEntity } from '../db.js';
import { HttpError, type Ctx } from '../context.js';

function scryptAsync(password: string, salt: string, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 64, { N: n }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Check `password` against a stored hash of either format. */
async function verify(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts[0] === 'sha256') {
    const [, salt, hex] = parts;
    return timingSafeEqual(createHash('sha256').update(salt + password).digest(), Buffer.from(hex, 'hex'));
  }
  const [, n, salt, hex] = parts;
  return timingSafeEqual(await scryptAsync(password, salt, Number(n)), Buffer.from(hex, 'hex'));
}

/** The `legacy-hash-crash` build: "all hashes are scrypt since the migration" (they are not). */
async function verifyScryptOnly(password: string, stored: string): Promise<boolean> {
  const [, n, salt, hex] = stored.split('$');
  return timingSafeEqual(await scryptAsync(password, salt, Number(n)), Buffer.from(hex, 'hex'));
}

/** Register the account routes. */
export async function accountRoutes(app: FastifyInstance, { ctx }: { ctx: Ctx }): Promise<void> {
  app.post('/sessions', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.email !== 'string' || typeof body.password !== 'string') throw new HttpError(400, 'email and password are required');
    const learner = await ctx.db.getRepository(LearnerEntity).findOne({ select: { id: true, name: true, passwordHash: true }, where: { email: body.email.toLowerCase() } });
    const ok = learner ? await (ctx.fault === 'legacy-hash-crash' ? verifyScryptOnly : verify)(body.password, learner.passwordHash) : false;
    if (!learner || !ok) throw new HttpError(401, 'wrong email or password');
    const token = randomBytes(24).toString('base64url');
    await ctx.redis.set(`session:${token}`, JSON.stringify({ learnerId: learner.id, at: Date.now() }), 'EX', 86_400);
    return reply.code(201).send({ token, learner: { id: learner.id, name: learner.name } });
  });
}
