/**
 * Candidates: profile, their applications, lookup by email, and candidate
 * portal login.
 *
 * @module
 */
import { pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { HttpError, int, notFound, type Context } from './context.js';

const pbkdf2Async = promisify(pbkdf2);

interface ProfileView {
  candidateId: number;
  viewer: string;
  viewedAt: Date;
  userAgent: string | undefined;
  headers: Record<string, unknown>;
  profile: Record<string, unknown>;
  snapshot: string;
}

export function candidateRoutes(app: FastifyInstance, ctx: Context): void {
  const { db, redis, config } = ctx;

  // Profile views are audited in batches (GDPR access log) so a view doesn't cost a write.
  const profileViews: ProfileView[] = [];
  let auditedUpTo = 0;
  const auditTimer = setInterval(() => {
    const batch = profileViews.slice(auditedUpTo);
    auditedUpTo = profileViews.length;
    if (!batch.length) return;
    const lines = batch.map((v) => JSON.stringify({ c: v.candidateId, v: v.viewer, at: v.viewedAt }));
    redis.pipeline().rpush('audit:profile-views', ...lines).ltrim('audit:profile-views', -20_000, -1).exec().catch(() => {});
  }, 2000);
  auditTimer.unref();

  async function loadProfile(id: number): Promise<Record<string, unknown>> {
    const candidate = await db('candidates')
      .select('id', 'email', 'full_name', 'headline', 'location', 'years_experience', 'skills', 'summary', 'created_at', 'updated_at')
      .where('id', id).first();
    if (!candidate) throw notFound('candidate');
    const applications = await db('applications as a').join('jobs as j', 'j.id', 'a.job_id').join('companies as c', 'c.id', 'j.company_id')
      .select('a.id', 'a.ref', 'a.stage', 'a.source', 'a.score', 'a.cover_letter', 'a.created_at', 'j.id as job_id', 'j.title', 'j.location',
        'c.name as company_name')
      .where('a.candidate_id', id).orderBy('a.created_at', 'desc').limit(20);
    const interviews = applications.length
      ? await db('interviews').select('id', 'application_id', 'kind', 'scheduled_at', 'duration_min', 'status')
        .whereIn('application_id', applications.map((a) => a.id)).orderBy('scheduled_at', 'desc').limit(20)
      : [];
    return { ...candidate, applications, interviews };
  }

  app.get<{ Params: { id: string } }>('/candidates/:id', async (request) => {
    const id = int(request.params.id);
    const profile = await loadProfile(id);
    const view: ProfileView = {
      candidateId: id, viewer: String(request.headers['x-recruiter-id'] ?? 'anonymous'), viewedAt: new Date(),
      userAgent: request.headers['user-agent'], headers: { ...request.headers }, profile, snapshot: JSON.stringify(profile),
    };
    if (config.fault === 'profile-view-history') {
      profileViews.push(view);
    } else {
      redis.pipeline().rpush('audit:profile-views', JSON.stringify({ c: view.candidateId, v: view.viewer, at: view.viewedAt }))
        .ltrim('audit:profile-views', -20_000, -1).exec().catch(() => {});
    }
    return profile;
  });

  app.get<{ Params: { id: string } }>('/candidates/:id/applications', async (request) => {
    const id = int(request.params.id);
    const applications = await db('applications as a').join('jobs as j', 'j.id', 'a.job_id').join('companies as c', 'c.id', 'j.company_id')
      .select('a.id', 'a.ref', 'a.stage', 'a.source', 'a.created_at', 'a.updated_at', 'j.id as job_id', 'j.title', 'j.location', 'c.name as company_name')
      .where('a.candidate_id', id).orderBy('a.created_at', 'desc');
    return { candidateId: id, applications };
  });

  app.get<{ Querystring: { email?: string } }>('/candidates/lookup', async (request) => {
    const email = request.query.email?.trim();
    if (!email) throw new HttpError(400, 'email is required');
    const q = db('candidates').select('id', 'email', 'full_name', 'headline', 'location');
    if (config.fault === 'candidate-lookup-lower-email') q.whereRaw('lower(email) = lower(?)', [email]);
    else q.where('email', email.toLowerCase());
    const candidate = await q.first();
    if (!candidate) throw notFound('candidate');
    return candidate;
  });

  app.post<{ Body: { email?: string; password?: string } }>('/auth/login', async (request) => {
    const email = request.body?.email?.trim().toLowerCase();
    const password = request.body?.password;
    if (!email || !password) throw new HttpError(400, 'email and password are required');
    const candidate = await db('candidates').select('id', 'password_hash', 'full_name').where('email', email).first();
    if (!candidate) throw new HttpError(401, 'invalid credentials');
    const [, iterations, salt, expected] = String(candidate.password_hash).split('$');
    const expectedBuf = Buffer.from(expected!, 'base64');
    const actual = config.fault === 'login-sync-hash'
      ? pbkdf2Sync(password, salt!, Number(iterations), expectedBuf.length, 'sha512')
      : await pbkdf2Async(password, salt!, Number(iterations), expectedBuf.length, 'sha512');
    if (actual.length !== expectedBuf.length || !timingSafeEqual(actual, expectedBuf)) throw new HttpError(401, 'invalid credentials');
    const token = randomBytes(24).toString('base64url');
    await redis.set(`session:${token}`, JSON.stringify({ candidateId: candidate.id }), 'EX', 3600);
    return { token, candidate: { id: candidate.id, full_name: candidate.full_name } };
  });
}
