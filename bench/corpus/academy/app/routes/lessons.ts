/**
 * Lesson content (`GET /lessons/:id`): the lesson, its body as HTML and, for
 * videos, a signed playback URL from the media service.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { LessonEntity, QuizEntity } from '../db.js';
import { HttpError, intParam, type Ctx } from '../context.js';
import { renderMarkdown, TreeRenderer } from '../render.js';

/** Register the lesson routes. */
export async function lessonRoutes(app: FastifyInstance, { ctx }: { ctx: Ctx }): Promise<void> {
  const tree = ctx.fault === 'lesson-render-tree-lru' ? new TreeRenderer() : undefined;
  app.get('/lessons/:id', async (req) => {
    const id = intParam((req.params as { id: string }).id, 'id');
    const learnerId = intParam((req.query as { learner?: string }).learner, 'learner');
    const lesson = await ctx.db.getRepository(LessonEntity).findOneBy({ id });
    if (!lesson) throw new HttpError(404, 'no such lesson');
    if (tree) {
      // Search as you read: the whole course's transcripts, indexed per course.
      const bodies = await ctx.db.getRepository(LessonEntity).find({ select: { id: true, body: true }, where: { courseId: lesson.courseId }, order: { position: 'ASC' } });
      tree.index(lesson.courseId, bodies.map((b) => b.body));
    }
    const html = renderMarkdown(lesson.body);
    const playback = lesson.kind === 'video' && lesson.videoAsset ? await ctx.media.playback(lesson.videoAsset, learnerId) : undefined;
    const quiz = lesson.kind === 'quiz' ? await ctx.db.getRepository(QuizEntity).findOneBy({ lessonId: lesson.id }) : undefined;
    return {
      id: lesson.id, courseId: lesson.courseId, position: lesson.position, title: lesson.title, kind: lesson.kind,
      durationMin: Math.round(lesson.durationS / 60), summary: lesson.summary, html, playback, quizId: quiz?.id,
    };
  });
}
