/**
 * Learning: enrolling (`POST /enrolments`), marking a lesson done
 * (`POST /enrolments/:id/progress`) and the learner's dashboard
 * (`GET /learners/:id/dashboard`).
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { CourseEntity, EnrolmentEntity, LearnerEntity, LessonEntity } from '../db.js';
import { HttpError, intParam, type Ctx } from '../context.js';

/** A 'progress' event on the in-process bus. */
export interface ProgressEvent { learnerId: number; courseId: number; progressPct: number }

interface DashboardRow {
  enrolment_id: number; course_id: number; status: string; progress_pct: number; streak_days: number; last_activity_at: Date;
  title: string; slug: string; lesson_count: number; instructor_id: number; instructor_name: string;
}

/** Register the learning routes. */
export async function learningRoutes(app: FastifyInstance, { ctx }: { ctx: Ctx }): Promise<void> {
  app.post('/enrolments', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const learnerId = intParam(body.learnerId, 'learnerId');
    const courseId = intParam(body.courseId, 'courseId');
    const [learner, course] = await Promise.all([
      ctx.db.getRepository(LearnerEntity).exists({ where: { id: learnerId } }),
      ctx.db.getRepository(CourseEntity).findOne({ select: { id: true, published: true }, where: { id: courseId } }),
    ]);
    if (!learner || !course?.published) throw new HttpError(404, 'no such learner or course');
    const inserted = await ctx.db.createQueryBuilder().insert().into(EnrolmentEntity)
      .values({ learnerId, courseId, status: 'active', progressPct: 0, streakDays: 0, atRisk: false, enrolledAt: new Date(), lastActivityAt: new Date() })
      .orIgnore().returning(['id']).execute();
    if (inserted.raw.length === 0) throw new HttpError(409, 'already enrolled');
    return reply.code(201).send({ id: (inserted.raw[0] as { id: number }).id, learnerId, courseId });
  });

  app.post('/enrolments/:id/progress', async (req) => {
    const id = intParam((req.params as { id: string }).id, 'id');
    const position = intParam(((req.body ?? {}) as Record<string, unknown>).lesson, 'lesson');
    const result = await ctx.db.transaction(async (m) => {
      const enrolment = await m.getRepository(EnrolmentEntity).findOneBy({ id });
      if (!enrolment) throw new HttpError(404, 'no such enrolment');
      const lesson = await m.getRepository(LessonEntity).findOne({ select: { id: true, courseId: true }, where: { courseId: enrolment.courseId, position } });
      if (!lesson) throw new HttpError(404, 'no such lesson in this course');
      await m.query(
        `INSERT INTO lesson_progress (learner_id, lesson_id, course_id, completed_at) VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING`,
        [enrolment.learnerId, lesson.id, lesson.courseId],
      );
      const [{ done, total }] = (await m.query(
        `SELECT count(*)::int AS done, (SELECT lesson_count FROM courses WHERE id = $2) AS total FROM lesson_progress WHERE learner_id = $1 AND course_id = $2`,
        [enrolment.learnerId, enrolment.courseId],
      )) as { done: number; total: number }[];
      const progressPct = Math.min(100, Math.round((done * 100) / total));
      await m.getRepository(EnrolmentEntity).update({ id }, {
        progressPct, lastActivityAt: new Date(), atRisk: false,
        ...(progressPct === 100 && enrolment.status !== 'completed' ? { status: 'completed' as const, completedAt: new Date() } : {}),
      });
      return { learnerId: enrolment.learnerId, courseId: enrolment.courseId, progressPct };
    });
    ctx.events.emit('progress', result satisfies ProgressEvent);
    return { enrolmentId: id, progressPct: result.progressPct };
  });

  app.get('/learners/:id/dashboard', async (req) => {
    const learnerId = intParam((req.params as { id: string }).id, 'id');
    let courses: { enrolmentId: number; course: unknown; status: string; progressPct: number; streakDays: number; lastActivityAt: Date; next: unknown }[];
    if (ctx.fault === 'dashboard-lazy-course-loads') {
      // Entity by entity: each enrolment loads its course (with instructor), its next lesson and its last completion.
      const enrolments = await ctx.db.getRepository(EnrolmentEntity).find({ where: { learnerId }, order: { lastActivityAt: 'DESC' } });
      courses = [];
      for (const e of enrolments) {
        const course = await ctx.db.getRepository(CourseEntity).findOne({ where: { id: e.courseId }, relations: { instructor: true } });
        const next = await ctx.db.getRepository(LessonEntity).findOne({
          select: { id: true, position: true, title: true, kind: true }, where: { courseId: e.courseId, position: Math.floor((e.progressPct * course!.lessonCount) / 100) + 1 },
        });
        await ctx.db.query(`SELECT max(completed_at) AS last FROM lesson_progress WHERE learner_id = $1 AND course_id = $2`, [learnerId, e.courseId]);
        courses.push({
          enrolmentId: e.id, status: e.status, progressPct: e.progressPct, streakDays: e.streakDays, lastActivityAt: e.lastActivityAt,
          course: { id: course!.id, title: course!.title, slug: course!.slug, lessons: course!.lessonCount, instructor: course!.instructor!.name },
          next: next ? { id: next.id, position: next.position, title: next.title, kind: next.kind } : null,
        });
      }
    } else {
      const rows = (await ctx.db.query(
        `SELECT e.id AS enrolment_id, e.course_id, e.status, e.progress_pct, e.streak_days, e.last_activity_at,
                c.title, c.slug, c.lesson_count, i.id AS instructor_id, i.name AS instructor_name
         FROM enrolments e JOIN courses c ON c.id = e.course_id JOIN instructors i ON i.id = c.instructor_id
         WHERE e.learner_id = $1 ORDER BY e.last_activity_at DESC`,
        [learnerId],
      )) as DashboardRow[];
      const nextLessons = rows.length === 0 ? [] : (await ctx.db.query(
        `SELECT l.id, l.course_id, l.position, l.title, l.kind FROM lessons l
         JOIN unnest($1::int[], $2::int[]) AS n(course_id, position) ON l.course_id = n.course_id AND l.position = n.position`,
        [rows.map((r) => r.course_id), rows.map((r) => Math.floor((r.progress_pct * r.lesson_count) / 100) + 1)],
      )) as { id: number; course_id: number; position: number; title: string; kind: string }[];
      courses = rows.map((r) => {
        const next = nextLessons.find((l) => l.course_id === r.course_id);
        return {
          enrolmentId: r.enrolment_id, status: r.status, progressPct: r.progress_pct, streakDays: r.streak_days, lastActivityAt: r.last_activity_at,
          course: { id: r.course_id, title: r.title, slug: r.slug, lessons: r.lesson_count, instructor: r.instructor_name },
          next: next ? { id: next.id, position: next.position, title: next.title, kind: next.kind } : null,
        };
      });
    }
    const dashboard = {
      learnerId,
      inProgress: courses.filter((c) => c.status === 'active').length,
      completed: courses.filter((c) => c.status === 'completed').length,
      courses,
    };
    if (ctx.fault === 'dashboard-progress-listeners') {
      // Live dashboards: keep the outlines of the learner's courses and patch them as progress
      // arrives, for the websocket push. The subscription is never removed.
      const outlines = courses.length === 0 ? [] : await ctx.db.getRepository(LessonEntity).find({
        select: { id: true, courseId: true, position: true, title: true, kind: true, durationS: true, summary: true },
        where: courses.map((c) => ({ courseId: (c.course as { id: number }).id })),
      });
      const live = { ...dashboard, outlines, pushedAt: Date.now() };
      ctx.events.on('progress', (e: ProgressEvent) => {
        if (e.learnerId !== learnerId) return;
        const entry = live.courses.find((c) => (c.course as { id: number }).id === e.courseId);
        if (entry) entry.progressPct = e.progressPct;
        live.pushedAt = Date.now();
      });
    }
    return dashboard;
  });
}
