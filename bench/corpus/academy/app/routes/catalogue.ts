/**
 * The catalogue: search by category and level (`GET /courses`) and the course
 * page with its lesson outline and enrolment figures (`GET /courses/:id`),
 * cached in Redis per course.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { CourseEntity, EnrolmentEntity, LessonEntity, type Course } from '../db.js';
import { HttpError, intParam, type Ctx } from '../context.js';
import { cacheLookups } from '../metrics.js';

/** Course pages live 10 minutes in Redis (edits are rare and not urgent). */
export const COURSE_PAGE_TTL_S = 600;

/** Courses publish content updates monthly; the `course-page-ttl-negative` build aligns the cache to that. */
const CONTENT_REFRESH_MS = 30 * 24 * 3600 * 1000;

/** The card of a course in search results. */
function card(c: Course): unknown {
  return {
    id: c.id, slug: c.slug, title: c.title, summary: c.summary, level: c.level, category: c.category, rating: Number(c.rating),
    priceCents: c.priceCents, lessons: c.lessonCount, durationMin: Math.round(c.durationS / 60),
    instructor: c.instructor ? { id: c.instructor.id, name: c.instructor.name } : undefined,
  };
}

/** Build the course page: course with instructor, lesson outline, enrolment figures (3 queries). */
async function buildCoursePage(ctx: Ctx, id: number): Promise<{ page: unknown; course: Course } | null> {
  const course = await ctx.db.getRepository(CourseEntity).findOne({ where: { id, published: true }, relations: { instructor: true } });
  if (!course) return null;
  const outline = await ctx.db.getRepository(LessonEntity).find({
    select: { id: true, position: true, title: true, kind: true, durationS: true }, where: { courseId: id }, order: { position: 'ASC' },
  });
  const figures = await ctx.db.getRepository(EnrolmentEntity).createQueryBuilder('e')
    .select('count(*)::int', 'learners')
    .addSelect(`count(*) FILTER (WHERE e.status = 'completed')::int`, 'completed')
    .addSelect('round(avg(e.rating), 2)::float', 'rating')
    .addSelect('count(e.rating)::int', 'ratings')
    .where('e.course_id = :id', { id })
    .getRawOne<{ learners: number; completed: number; rating: number | null; ratings: number }>();
  const page = {
    ...(card(course) as object), description: course.description, updatedAt: course.updatedAt,
    instructor: { id: course.instructor!.id, name: course.instructor!.name, headline: course.instructor!.headline },
    outline: outline.map((l) => ({ id: l.id, position: l.position, title: l.title, kind: l.kind, durationMin: Math.round(l.durationS / 60) })),
    figures,
  };
  return { page, course };
}

/** Register the catalogue routes. */
export async function catalogueRoutes(app: FastifyInstance, { ctx }: { ctx: Ctx }): Promise<void> {
  app.get('/courses', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const category = q.category ?? 'web-development';
    const level = q.level ?? 'beginner';
    const page = Math.max(1, Number(q.page ?? 1) || 1);
    const embedOutline = ctx.fault === 'catalogue-embeds-outline';
    const courses = await ctx.db.getRepository(CourseEntity).find({
      where: { category, level, published: true },
      // The preview drawer of the new catalogue shows the outline: the whole course graph rides along.
      relations: embedOutline ? { instructor: true, lessons: true } : { instructor: true },
      order: { rating: 'DESC', id: 'ASC' },
      skip: (page - 1) * 20,
      take: 20,
    });
    return { category, level, page, results: embedOutline ? courses : courses.map(card) };
  });

  app.get('/courses/:id', async (req, reply) => {
    const id = intParam((req.params as { id: string }).id, 'id');
    const key = `course-page:v3:${id}`;
    const cached = await ctx.redis.get(key);
    if (cached) {
      cacheLookups.inc({ cache: 'course-page', result: 'hit' });
      return reply.type('application/json').send(cached);
    }
    cacheLookups.inc({ cache: 'course-page', result: 'miss' });
    const built = await buildCoursePage(ctx, id);
    if (!built) throw new HttpError(404, 'no such course');
    const body = JSON.stringify(built.page);
    // Fire and forget: a cache write must never fail the page.
    const ttl = ctx.fault === 'course-page-ttl-negative'
      ? Math.min(COURSE_PAGE_TTL_S, Math.floor((built.course.updatedAt.getTime() + CONTENT_REFRESH_MS - Date.now()) / 1000))
      : COURSE_PAGE_TTL_S;
    ctx.redis.set(key, body, 'EX', ttl).catch(() => {});
    return reply.type('application/json').send(body);
  });
}
