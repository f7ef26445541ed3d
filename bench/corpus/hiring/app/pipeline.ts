/**
 * The hiring pipeline: interviews (detail, scheduling with the interviewer's
 * calendar), stage changes, background checks, and company pipeline reports.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { HttpError, int, notFound, type Context } from './context.js';
import { STAGES } from '../schema.js';

interface InterviewRow {
  id: number; application_id: string; kind: string; scheduled_at: Date; duration_min: number; status: string;
  calendar_event_id: string | null; interviewer_id: number | null; interviewer_name: string | null;
  interviewer_email: string | null; timezone: string | null; stage: string; candidate_id: number; candidate_name: string; job_title: string;
}

function firstName(fullName: string): string {
  return fullName.split(' ')[0]!;
}

const REPORT_SQL = {
  funnel: `SELECT a.stage, count(*)::int AS n FROM applications a JOIN jobs j ON j.id = a.job_id WHERE j.company_id = $1 GROUP BY a.stage`,
  sources: `SELECT a.source, count(*)::int AS n, round(avg(a.score), 1) AS avg_score FROM applications a JOIN jobs j ON j.id = a.job_id
            WHERE j.company_id = $1 GROUP BY a.source ORDER BY n DESC`,
  velocity: `SELECT j.id AS job_id, j.title, count(a.id)::int AS applications,
                    round(extract(epoch FROM avg(a.updated_at - a.created_at)) / 86400, 1) AS avg_days_in_pipeline
             FROM jobs j LEFT JOIN applications a ON a.job_id = j.id WHERE j.company_id = $1 GROUP BY j.id, j.title ORDER BY applications DESC`,
  offers: `SELECT o.status, count(*)::int AS n, round(avg(o.salary)) AS avg_salary FROM offers o JOIN applications a ON a.id = o.application_id
           JOIN jobs j ON j.id = a.job_id WHERE j.company_id = $1 GROUP BY o.status`,
};

export function pipelineRoutes(app: FastifyInstance, ctx: Context): void {
  const { db, redis, partners, config } = ctx;

  app.get<{ Params: { id: string } }>('/interviews/:id', async (request) => {
    const id = int(request.params.id);
    const row: InterviewRow | undefined = await db('interviews as i')
      .leftJoin('interviewers as iv', 'iv.id', 'i.interviewer_id')
      .join('applications as a', 'a.id', 'i.application_id')
      .join('candidates as c', 'c.id', 'a.candidate_id')
      .join('jobs as j', 'j.id', 'a.job_id')
      .select('i.id', 'i.application_id', 'i.kind', 'i.scheduled_at', 'i.duration_min', 'i.status', 'i.calendar_event_id', 'i.interviewer_id',
        'iv.full_name as interviewer_name', 'iv.email as interviewer_email', 'iv.timezone', 'a.stage', 'a.candidate_id',
        'c.full_name as candidate_name', 'j.title as job_title')
      .where('i.id', id).first();
    if (!row) throw notFound('interview');
    const interviewer = config.fault === 'interview-null-interviewer' || row.interviewer_id !== null
      ? { id: row.interviewer_id, name: row.interviewer_name, firstName: firstName(row.interviewer_name!), email: row.interviewer_email, timezone: row.timezone }
      : null;
    return {
      id: row.id, applicationId: row.application_id, kind: row.kind, scheduledAt: row.scheduled_at, durationMin: row.duration_min,
      status: row.status, calendarEventId: row.calendar_event_id, interviewer,
      candidate: { id: row.candidate_id, name: row.candidate_name, firstName: firstName(row.candidate_name) },
      job: { title: row.job_title }, applicationStage: row.stage,
    };
  });

  app.post<{ Body: { applicationId?: number | string; interviewerId?: number | string; kind?: string; inDays?: number | string } }>(
    '/interviews', async (request, reply) => {
      const applicationId = int(request.body?.applicationId);
      const interviewerId = int(request.body?.interviewerId);
      const kind = request.body?.kind ?? 'technical';
      const start = new Date(Date.now() + (Number(request.body?.inDays ?? 3) || 3) * 86_400_000);
      start.setUTCMinutes(0, 0, 0);
      const minutes = kind === 'onsite' ? 90 : 45;
      const end = new Date(start.getTime() + minutes * 60_000);

      const book = async (q: typeof db, eventId: string, app0: { stage: string }): Promise<{ id: number }> => {
        const [interview] = await q('interviews').insert({
          application_id: applicationId, interviewer_id: interviewerId, kind, scheduled_at: start, duration_min: minutes,
          status: 'scheduled', calendar_event_id: eventId,
        }).returning(['id']);
        if (app0.stage === 'applied' || app0.stage === 'screen') {
          await q('applications').where('id', applicationId).update({ stage: 'interview', updated_at: q.fn.now() });
          await q('application_events').insert({ application_id: applicationId, from_stage: app0.stage, to_stage: 'interview' });
        }
        return interview;
      };

      let interview: { id: number };
      if (config.fault === 'schedule-holds-transaction') {
        // Hold the application row while we talk to the calendar so two recruiters can't double-book the candidate.
        interview = await db.transaction(async (trx) => {
          const application = await trx('applications as a').join('candidates as c', 'c.id', 'a.candidate_id')
            .select('a.id', 'a.stage', 'c.email', 'c.full_name').where('a.id', applicationId).forUpdate('a').first();
          if (!application) throw notFound('application');
          const interviewer = await trx('interviewers').select('id', 'email', 'full_name').where('id', interviewerId).first();
          if (!interviewer) throw notFound('interviewer');
          const fb = await partners.freeBusy(interviewer.email, start.toISOString(), end.toISOString());
          if (fb.busy.some((b) => Date.parse(b.start) < end.getTime() && Date.parse(b.end) > start.getTime())) throw new HttpError(409, 'interviewer is busy');
          const event = await partners.createEvent({ organizer: interviewer.email, attendees: [application.email], start: start.toISOString(), minutes, title: `${kind} interview` });
          return book(trx as unknown as typeof db, event.id, application);
        });
      } else {
        const application = await db('applications as a').join('candidates as c', 'c.id', 'a.candidate_id')
          .select('a.id', 'a.stage', 'c.email', 'c.full_name').where('a.id', applicationId).first();
        if (!application) throw notFound('application');
        const interviewer = await db('interviewers').select('id', 'email', 'full_name').where('id', interviewerId).first();
        if (!interviewer) throw notFound('interviewer');
        const fb = await partners.freeBusy(interviewer.email, start.toISOString(), end.toISOString());
        if (fb.busy.some((b) => Date.parse(b.start) < end.getTime() && Date.parse(b.end) > start.getTime())) throw new HttpError(409, 'interviewer is busy');
        const event = await partners.createEvent({ organizer: interviewer.email, attendees: [application.email], start: start.toISOString(), minutes, title: `${kind} interview` });
        interview = await db.transaction((trx) => book(trx as unknown as typeof db, event.id, application));
      }
      await redis.lpush('outbox:email', JSON.stringify({ template: 'interview-invite', interviewId: interview.id }));
      reply.code(201);
      return { id: interview.id, applicationId, interviewerId, kind, scheduledAt: start, durationMin: minutes };
    });

  app.patch<{ Params: { id: string }; Body: { stage?: string; recruiterId?: number | string } }>('/applications/:id/stage', async (request) => {
    const id = int(request.params.id);
    const stage = request.body?.stage ?? '';
    if (!STAGES.includes(stage)) throw new HttpError(400, `unknown stage '${stage}'`);
    return db.transaction(async (trx) => {
      const application = await trx('applications as a').join('jobs as j', 'j.id', 'a.job_id')
        .select('a.id', 'a.stage', 'j.recruiter_id').where('a.id', id).forUpdate('a').first();
      if (!application) throw notFound('application');
      if (application.stage === stage) return { id, stage, changed: false };
      await trx('applications').where('id', id).update({ stage, updated_at: trx.fn.now() });
      await trx('application_events').insert({ application_id: id, from_stage: application.stage, to_stage: stage, actor_recruiter_id: request.body?.recruiterId ?? null });
      const delta = stage === 'hired' || stage === 'rejected' ? -1 : 0;
      await trx('recruiter_queues').where('recruiter_id', application.recruiter_id)
        .update({ pending_count: trx.raw('greatest(pending_count + ?, 0)', [delta]), last_activity_at: trx.fn.now() });
      return { id, stage, changed: true, from: application.stage };
    });
  });

  app.get<{ Params: { id: string } }>('/applications/:id/background-check', async (request) => {
    const id = int(request.params.id);
    const application = await db('applications as a').join('candidates as c', 'c.id', 'a.candidate_id')
      .select('a.id', 'a.stage', 'a.candidate_id', 'c.full_name').where('a.id', id).first();
    if (!application) throw notFound('application');
    const check = await partners.backgroundCheck(application.candidate_id);
    return { applicationId: id, candidate: { id: application.candidate_id, name: application.full_name }, stage: application.stage, backgroundCheck: check };
  });

  async function reportWithClient(companyId: number, query: (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>): Promise<Record<string, unknown>> {
    const funnel = await query(REPORT_SQL.funnel, [companyId]);
    const sources = await query(REPORT_SQL.sources, [companyId]);
    const velocity = await query(REPORT_SQL.velocity, [companyId]);
    const offers = await query(REPORT_SQL.offers, [companyId]);
    return { companyId, funnel: funnel.rows, sources: sources.rows, jobs: velocity.rows, offers: offers.rows, generatedAt: new Date() };
  }

  /** A reporting session of its own: long statement timeout and bigger work_mem without touching the pool's sessions. */
  async function openReportingSession(): Promise<pg.Client> {
    for (let attempt = 1; ; attempt++) {
      const client = new pg.Client({ connectionString: config.pgUrl, application_name: 'hiring-reports', statement_timeout: 30_000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query("SET work_mem = '16MB'");
        return client;
      } catch (error) {
        await client.end().catch(() => {});
        // 53300: too many connections; back off and retry, the report is worth waiting for.
        if ((error as { code?: string }).code !== '53300' || attempt >= 8) throw new HttpError(503, `reporting database unavailable: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  app.get<{ Params: { id: string } }>('/companies/:id/pipeline-report', async (request) => {
    const companyId = int(request.params.id);
    const company = await db('companies').select('id', 'name').where('id', companyId).first();
    if (!company) throw notFound('company');
    if (config.fault === 'report-dedicated-connections') {
      const client = await openReportingSession();
      try {
        return { company: company.name, ...(await reportWithClient(companyId, (sql, params) => client.query(sql, params))) };
      } finally {
        await client.end().catch(() => {});
      }
    }
    return { company: company.name, ...(await reportWithClient(companyId, (sql, params) => db.raw(sql.replace('$1', '?'), params as never))) };
  });
}
