/**
 * Job postings: detail (cached), search, trending, a job's applicants, and
 * applying to a job.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { HttpError, int, notFound, type Context } from './context.js';

/** Job detail cache lifetime. */
const JOB_CACHE_TTL_SECONDS = 300;
/** Job detail cache lifetime, as the cache helper of the 'job-cache-ttl-millis' build takes it (PX). */
const JOB_CACHE_TTL = 300;
const TRENDING_KEY = 'trending:jobs:v2';
const TRENDING_SET_KEY = 'trending:jobs:v1';
const SEARCH_PAGE_SIZE = 20;

const JOB_COLUMNS = ['j.id', 'j.title', 'j.department', 'j.location', 'j.employment_type', 'j.remote', 'j.status',
  'j.salary_min', 'j.salary_max', 'j.applicant_count', 'j.created_at'];

/** Job ids with their application counts over the last 90 days (the trending seed at boot). */
async function recentApplicationCounts(ctx: Context): Promise<{ job_id: number; count: string }[]> {
  return ctx.db('applications').select('job_id').count<{ job_id: number; count: string }[]>('* as count')
    .where('created_at', '>', ctx.db.raw("now() - interval '90 days'")).groupBy('job_id');
}

/**
 * Rebuild trending at boot. The sorted-set build keeps one ZSET of job id by
 * views; the 'trending-sort-by-counters' build keeps the v1 layout: a SET of job
 * ids plus one view counter per job, ranked with SORT ... BY.
 */
export async function rebuildTrending(ctx: Context): Promise<void> {
  const rows = await recentApplicationCounts(ctx);
  if (ctx.config.fault === 'trending-sort-by-counters') {
    await ctx.redis.del(TRENDING_SET_KEY);
    for (let i = 0; i < rows.length; i += 2000) {
      const chunk = rows.slice(i, i + 2000);
      await ctx.redis.pipeline()
        .sadd(TRENDING_SET_KEY, ...chunk.map((r) => String(r.job_id)))
        .mset(...chunk.flatMap((r) => [`job:views:${r.job_id}`, String(r.count)]))
        .exec();
    }
    return;
  }
  const tmp = `${TRENDING_KEY}:rebuild`;
  await ctx.redis.del(tmp);
  for (let i = 0; i < rows.length; i += 2000) {
    const args: (string | number)[] = [];
    for (const r of rows.slice(i, i + 2000)) args.push(Number(r.count), String(r.job_id));
    await ctx.redis.zadd(tmp, ...args);
  }
  await ctx.redis.rename(tmp, TRENDING_KEY);
}

export function jobRoutes(app: FastifyInstance, ctx: Context): void {
  const { db, redis, config } = ctx;

  async function loadJob(id: number): Promise<Record<string, unknown>> {
    const job = await db('jobs as j').join('companies as c', 'c.id', 'j.company_id').join('recruiters as r', 'r.id', 'j.recruiter_id')
      .select([...JOB_COLUMNS, 'j.description', 'c.id as company_id', 'c.name as company_name', 'c.industry', 'c.size_band',
        'r.full_name as recruiter_name'])
      .where('j.id', id).first();
    if (!job) throw notFound('job');
    const [stages, similar] = await Promise.all([
      db('applications').select('stage').count<{ stage: string; count: string }[]>('* as count').where('job_id', id).groupBy('stage'),
      db('jobs').select('id', 'title', 'location', 'created_at')
        .where({ location: job.location, status: 'open', department: job.department }).whereNot('id', id)
        .orderBy('created_at', 'desc').limit(5),
    ]);
    return {
      ...job,
      pipeline: Object.fromEntries(stages.map((s) => [s.stage, Number(s.count)])),
      similar,
    };
  }

  app.get<{ Params: { id: string } }>('/jobs/:id', async (request) => {
    const id = int(request.params.id);
    if (config.fault === 'trending-sort-by-counters') void redis.pipeline().sadd(TRENDING_SET_KEY, String(id)).incr(`job:views:${id}`).exec().catch(() => {});
    else void redis.zincrby(TRENDING_KEY, 1, String(id)).catch(() => {});
    const key = `job:detail:${id}`;
    const cached = await redis.get(key);
    if (cached) return JSON.parse(cached);
    const job = await loadJob(id);
    if (config.fault === 'job-cache-ttl-millis') await redis.set(key, JSON.stringify(job), 'PX', JOB_CACHE_TTL);
    else await redis.set(key, JSON.stringify(job), 'EX', JOB_CACHE_TTL_SECONDS);
    return job;
  });

  app.get<{ Querystring: { location?: string; department?: string; page?: string } }>('/jobs/search', async (request) => {
    const { location, department } = request.query;
    const page = Math.max(1, Number(request.query.page ?? 1) || 1);
    if (config.fault === 'job-search-unpaginated') {
      // The new job-board widget paginates client-side: hand it every match.
      const q = db('jobs as j').join('companies as c', 'c.id', 'j.company_id')
        .select([...JOB_COLUMNS, 'j.description', 'c.name as company_name', 'c.website']).where('j.status', 'open').orderBy('j.created_at', 'desc');
      if (location) q.where('j.location', location);
      if (department) q.where('j.department', department);
      const jobs = await q;
      return { total: jobs.length, jobs };
    }
    const q = db('jobs as j').join('companies as c', 'c.id', 'j.company_id')
      .select([...JOB_COLUMNS, 'c.name as company_name']).where('j.status', 'open').orderBy('j.created_at', 'desc')
      .limit(SEARCH_PAGE_SIZE).offset((page - 1) * SEARCH_PAGE_SIZE);
    if (location) q.where('j.location', location);
    if (department) q.where('j.department', department);
    const jobs = await q;
    return { page, pageSize: SEARCH_PAGE_SIZE, jobs };
  });

  app.get('/jobs/trending', async () => {
    let top: { id: number; views: number }[];
    if (config.fault === 'trending-sort-by-counters') {
      const flat = await redis.sort(TRENDING_SET_KEY, 'BY', 'job:views:*', 'DESC', 'LIMIT', 0, 20, 'GET', '#', 'GET', 'job:views:*') as string[];
      top = [];
      for (let i = 0; i < flat.length; i += 2) top.push({ id: Number(flat[i]), views: Number(flat[i + 1]) });
    } else {
      const flat = await redis.zrevrange(TRENDING_KEY, 0, 19, 'WITHSCORES');
      top = [];
      for (let i = 0; i < flat.length; i += 2) top.push({ id: Number(flat[i]), views: Number(flat[i + 1]) });
    }
    const jobs = await db('jobs as j').join('companies as c', 'c.id', 'j.company_id')
      .select('j.id', 'j.title', 'j.location', 'c.name as company_name').whereIn('j.id', top.map((t) => t.id));
    const byId = new Map(jobs.map((j) => [j.id, j]));
    return { jobs: top.filter((t) => byId.has(t.id)).map((t) => ({ ...byId.get(t.id), views: t.views })) };
  });

  app.get<{ Params: { id: string } }>('/jobs/:id/applications', async (request) => {
    const jobId = int(request.params.id);
    if (config.fault === 'job-applicants-per-row-candidate') {
      const apps = await db('applications').select('id', 'candidate_id', 'stage', 'source', 'score', 'created_at')
        .where('job_id', jobId).orderBy('created_at', 'desc').limit(50);
      const out = [];
      for (const a of apps) {
        const candidate = await db('candidates').select('id', 'full_name', 'headline', 'location', 'years_experience').where('id', a.candidate_id).first();
        const nextInterview = await db('interviews').select('id', 'kind', 'scheduled_at', 'status')
          .where('application_id', a.id).orderBy('scheduled_at', 'desc').first();
        out.push({ ...a, candidate, nextInterview: nextInterview ?? null });
      }
      return { jobId, applications: out };
    }
    const apps = await db('applications as a').join('candidates as c', 'c.id', 'a.candidate_id')
      .select('a.id', 'a.candidate_id', 'a.stage', 'a.source', 'a.score', 'a.created_at',
        'c.full_name', 'c.headline', 'c.location', 'c.years_experience')
      .where('a.job_id', jobId).orderBy('a.created_at', 'desc').limit(50);
    const interviews = apps.length
      ? await db('interviews').distinctOn('application_id').select('application_id', 'id', 'kind', 'scheduled_at', 'status')
        .whereIn('application_id', apps.map((a) => a.id)).orderBy([{ column: 'application_id' }, { column: 'scheduled_at', order: 'desc' }])
      : [];
    const byApp = new Map(interviews.map((i) => [String(i.application_id), i]));
    return {
      jobId,
      applications: apps.map(({ full_name, headline, location, years_experience, ...a }) => {
        const i = byApp.get(String(a.id));
        return { ...a, candidate: { id: a.candidate_id, full_name, headline, location, years_experience },
          nextInterview: i ? { id: i.id, kind: i.kind, scheduled_at: i.scheduled_at, status: i.status } : null };
      }),
    };
  });

  app.post<{ Params: { id: string }; Body: { candidateId?: number | string; source?: string; coverLetter?: string } }>(
    '/jobs/:id/applications', async (request, reply) => {
      const jobId = int(request.params.id);
      const candidateId = int(request.body?.candidateId);
      const source = request.body?.source ?? 'careers-page';
      const result = await db.transaction(async (trx) => {
        let ref: string;
        if (config.fault === 'apply-locks-job-row') {
          // Gapless, human-readable application references (legal asked for no gaps).
          const { rows } = await trx.raw<{ rows: { value: string }[] }>(
            "UPDATE ref_counters SET value = value + 1 WHERE name = 'application' RETURNING value");
          ref = `APP-${rows[0]!.value}`;
        }
        const job = await trx('jobs').select('id', 'status', 'recruiter_id', 'title').where('id', jobId).first();
        if (!job) throw notFound('job');
        if (job.status !== 'open') throw new HttpError(409, 'job is closed');
        const candidate = await trx('candidates').select('id', 'full_name').where('id', candidateId).first();
        if (!candidate) throw notFound('candidate');
        const existing = await trx('applications').select('id').where({ job_id: jobId, candidate_id: candidateId }).first();
        if (existing) throw new HttpError(409, 'already applied');
        if (config.fault !== 'apply-locks-job-row') {
          const { rows } = await trx.raw<{ rows: { value: string }[] }>("SELECT nextval('application_ref_seq') AS value");
          ref = `APP-${rows[0]!.value}`;
        }
        const [application] = await trx('applications').insert({
          ref: ref!, job_id: jobId, candidate_id: candidateId, stage: 'applied', source, score: null,
          cover_letter: request.body?.coverLetter ?? null, created_at: trx.fn.now(), updated_at: trx.fn.now(),
        }).returning(['id', 'ref', 'stage', 'created_at']);
        await trx('application_events').insert({ application_id: application.id, from_stage: null, to_stage: 'applied' });
        await trx('notifications').insert({
          recruiter_id: job.recruiter_id, kind: 'new-application', body: `${candidate.full_name} applied to ${job.title}`,
        });
        await trx('jobs').where('id', jobId).update({ applicant_count: trx.raw('applicant_count + 1'), updated_at: trx.fn.now() });
        if (config.fault === 'apply-locks-job-row') {
          // Confirm before commit: if the email provider rejects the message, the application rolls back.
          await ctx.partners.sendEmail({ to: `candidate:${candidateId}`, template: 'application-received', data: { ref: application.ref, job: job.title } });
        }
        return { application, job, candidate };
      });
      if (config.fault !== 'apply-locks-job-row') {
        await redis.lpush('outbox:email', JSON.stringify({ template: 'application-received', applicationId: result.application.id, candidateId }));
      }
      reply.code(201);
      return result.application;
    });
}
