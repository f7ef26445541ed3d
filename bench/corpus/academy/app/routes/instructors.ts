/**
 * Instructor statistics (`GET /instructors/:id/stats`): per course, learners,
 * completions, average progress and rating.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { HttpError, intParam, type Ctx } from '../context.js';

/** From the progress each enrolment keeps (updated with every lesson done). */
const STATS = `
  SELECT c.id, c.title, c.lesson_count, count(e.learner_id)::int AS learners,
         count(e.learner_id) FILTER (WHERE e.status = 'completed')::int AS completed,
         round(avg(e.progress_pct), 1)::float AS avg_progress_pct,
         round(avg(e.rating), 2)::float AS rating,
         count(e.learner_id) FILTER (WHERE e.enrolled_at > now() - interval '30 days')::int AS new_30d
  FROM courses c LEFT JOIN enrolments e ON e.course_id = c.id
  WHERE c.instructor_id = $1 GROUP BY c.id ORDER BY c.id`;

/**
 * The `instructor-stats-recount` build: "progress_pct drifted once, count the real thing":
 * every enrolment's progress recounted from its lesson_progress rows.
 */
const STATS_RECOUNT = `
  SELECT c.id, c.title, c.lesson_count, count(e.learner_id)::int AS learners,
         count(e.learner_id) FILTER (WHERE done.n >= c.lesson_count OR e.status = 'completed')::int AS completed,
         round(avg(CASE WHEN e.status = 'completed' THEN 100 ELSE done.n * 100.0 / c.lesson_count END), 1)::float AS avg_progress_pct,
         round(avg(e.rating), 2)::float AS rating,
         count(e.learner_id) FILTER (WHERE e.enrolled_at > now() - interval '30 days')::int AS new_30d
  FROM courses c LEFT JOIN enrolments e ON e.course_id = c.id
  LEFT JOIN LATERAL (SELECT count(*) AS n FROM lesson_progress p WHERE p.learner_id = e.learner_id AND p.course_id = e.course_id) done ON true
  WHERE c.instructor_id = $1 GROUP BY c.id ORDER BY c.id`;

/** Register the instructor routes. */
export async function instructorRoutes(app: FastifyInstance, { ctx }: { ctx: Ctx }): Promise<void> {
  app.get('/instructors/:id/stats', async (req) => {
    const id = intParam((req.params as { id: string }).id, 'id');
    const courses = (await ctx.db.query(ctx.fault === 'instructor-stats-recount' ? STATS_RECOUNT : STATS, [id])) as { learners: number; completed: number }[];
    if (courses.length === 0) throw new HttpError(404, 'no such instructor');
    return {
      instructorId: id,
      learners: courses.reduce((s, c) => s + c.learners, 0),
      completed: courses.reduce((s, c) => s + c.completed, 0),
      courses,
    };
  });
}
