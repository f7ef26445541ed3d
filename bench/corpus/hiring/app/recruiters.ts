/**
 * Recruiter workspace: notifications, the personal dashboard and the team's
 * work queue.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { int, notFound, type Context } from './context.js';

interface DashboardRow {
  id: string; job_id: number; stage: string; source: string; score: number | null; cover_letter: string | null;
  created_at: Date; updated_at: Date; title: string; location: string; status: string;
}

export function recruiterRoutes(app: FastifyInstance, ctx: Context): void {
  const { db, config } = ctx;

  app.get<{ Params: { id: string } }>('/recruiters/:id/notifications', async (request) => {
    const id = int(request.params.id);
    const [items, unread] = await Promise.all([
      db('notifications').select('id', 'kind', 'body', 'read_at', 'created_at').where('recruiter_id', id).orderBy('created_at', 'desc').limit(30),
      db('notifications').count<{ count: string }[]>('* as count').where('recruiter_id', id).whereNull('read_at'),
    ]);
    return { recruiterId: id, unread: Number(unread[0]?.count ?? 0), items };
  });

  app.get<{ Params: { id: string } }>('/recruiters/:id/dashboard', async (request) => {
    const id = int(request.params.id);
    const recruiter = await db('recruiters').select('id', 'full_name', 'team_id', 'company_id').where('id', id).first();
    if (!recruiter) throw notFound('recruiter');
    const upcoming = await db('interviews as i').join('applications as a', 'a.id', 'i.application_id').join('jobs as j', 'j.id', 'a.job_id')
      .where('j.recruiter_id', id).where('i.scheduled_at', '>', db.fn.now()).where('i.status', 'scheduled')
      .count<{ count: string }[]>('* as count');

    if (config.fault === 'dashboard-client-aggregation') {
      // Aggregate in the service so the dashboard can reuse the same shaping as the CSV export.
      const rows: DashboardRow[] = await db('applications as a').join('jobs as j', 'j.id', 'a.job_id')
        .select('a.id', 'a.job_id', 'a.stage', 'a.source', 'a.score', 'a.cover_letter', 'a.created_at', 'a.updated_at', 'j.title', 'j.location', 'j.status')
        .where('j.recruiter_id', id);
      const records = rows.map((r) => JSON.parse(JSON.stringify(r)) as DashboardRow & { created_at: string; updated_at: string });
      const csv = records.map((r) => Object.entries(r).map(([k, v]) => `${k}=${String(v ?? '').replace(/,/g, ' ')}`).join(',')).join('\n');
      const enriched = records.map((r) => ({
        ...r,
        ageDays: Math.floor((Date.now() - Date.parse(r.created_at)) / 86_400_000),
        key: `${r.job_id}:${r.stage}:${r.source}`,
        tags: [r.stage, r.source, r.location, r.status].map((t) => t.toUpperCase()),
        search: `${r.title} ${r.location} ${r.stage} ${r.source} ${r.cover_letter ?? ''}`.toLowerCase().split(/\s+/),
      }));
      const byStage = enriched.reduce<Record<string, typeof enriched>>((acc, r) => ({ ...acc, [r.stage]: [...(acc[r.stage] ?? []), r] }), {});
      const byJob = enriched.reduce<Record<string, typeof enriched>>((acc, r) => ({ ...acc, [r.job_id]: [...(acc[r.job_id] ?? []), r] }), {});
      const bySource = enriched.reduce<Record<string, typeof enriched>>((acc, r) => ({ ...acc, [r.source]: [...(acc[r.source] ?? []), r] }), {});
      const avg = (xs: typeof enriched): number | null => {
        const scored = xs.filter((x) => x.score !== null);
        return scored.length ? Math.round((scored.reduce((s, x) => s + x.score!, 0) / scored.length) * 10) / 10 : null;
      };
      return {
        recruiter,
        upcomingInterviews: Number(upcoming[0]?.count ?? 0),
        exportBytes: csv.length,
        stages: Object.entries(byStage).map(([stage, xs]) => ({ stage, count: xs.length, avgScore: avg(xs) })),
        sources: Object.entries(bySource).map(([source, xs]) => ({ source, count: xs.length })),
        jobs: Object.entries(byJob).map(([jobId, xs]) => ({ jobId: Number(jobId), title: xs[0]!.title, count: xs.length, avgScore: avg(xs),
          stale: xs.filter((x) => x.ageDays > 30 && x.stage !== 'hired' && x.stage !== 'rejected').length }))
          .sort((a, b) => b.count - a.count).slice(0, 10),
      };
    }

    const [stages, sources, jobs] = await Promise.all([
      db('applications as a').join('jobs as j', 'j.id', 'a.job_id').where('j.recruiter_id', id)
        .select('a.stage').count<{ stage: string; count: string; avg: string | null }[]>('* as count').avg('a.score as avg').groupBy('a.stage'),
      db('applications as a').join('jobs as j', 'j.id', 'a.job_id').where('j.recruiter_id', id)
        .select('a.source').count<{ source: string; count: string }[]>('* as count').groupBy('a.source'),
      db('applications as a').join('jobs as j', 'j.id', 'a.job_id').where('j.recruiter_id', id)
        .select('j.id', 'j.title').count<{ id: number; title: string; count: string; avg: string | null; stale: string }[]>('* as count')
        .avg('a.score as avg')
        .select(db.raw(`count(*) FILTER (WHERE a.created_at < now() - interval '30 days' AND a.stage NOT IN ('hired', 'rejected')) AS stale`))
        .groupBy('j.id', 'j.title').orderBy('count', 'desc').limit(10),
    ]);
    const round = (v: string | null): number | null => (v === null ? null : Math.round(Number(v) * 10) / 10);
    return {
      recruiter,
      upcomingInterviews: Number(upcoming[0]?.count ?? 0),
      stages: stages.map((s) => ({ stage: s.stage, count: Number(s.count), avgScore: round(s.avg) })),
      sources: sources.map((s) => ({ source: s.source, count: Number(s.count) })),
      jobs: jobs.map((j) => ({ jobId: j.id, title: j.title, count: Number(j.count), avgScore: round(j.avg), stale: Number(j.stale) })),
    };
  });

  app.get<{ Params: { id: string } }>('/teams/:id/queue', async (request) => {
    const teamId = int(request.params.id);
    const queue = await db('recruiter_queues').select('recruiter_id', 'pending_count', 'overdue_count', 'last_activity_at', 'focus_note')
      .where('team_id', teamId).orderBy('pending_count', 'desc');
    const names = queue.length ? await db('recruiters').select('id', 'full_name').whereIn('id', queue.map((q) => q.recruiter_id)) : [];
    const byId = new Map(names.map((n) => [n.id, n.full_name]));
    return { teamId, recruiters: queue.map((q) => ({ ...q, name: byId.get(q.recruiter_id) ?? null })) };
  });
}
