/**
 * Quiz submissions (`POST /quizzes/:id/submissions`): the attempt limit, grading
 * against the answer key, the attempt recorded.
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { QuizAttemptEntity, QuizEntity, QuizQuestionEntity } from '../db.js';
import { HttpError, intParam, type Ctx } from '../context.js';
import { quizSubmissions } from '../metrics.js';

/** Register the quiz routes. */
export async function quizRoutes(app: FastifyInstance, { ctx }: { ctx: Ctx }): Promise<void> {
  app.post('/quizzes/:id/submissions', async (req, reply) => {
    const quizId = intParam((req.params as { id: string }).id, 'id');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const learnerId = intParam(body.learnerId, 'learnerId');
    const answers = Array.isArray(body.answers) ? body.answers.map(Number) : [];
    const quiz = await ctx.db.getRepository(QuizEntity).findOneBy({ id: quizId });
    if (!quiz) throw new HttpError(404, 'no such quiz');
    const used = await ctx.db.getRepository(QuizAttemptEntity).countBy({ learnerId, quizId });
    if (used >= quiz.maxAttempts) {
      quizSubmissions.inc({ outcome: 'no_attempts_left' });
      throw new HttpError(409, 'no attempts left');
    }
    const questions = await ctx.db.getRepository(QuizQuestionEntity).find({ where: { quizId }, order: { position: 'ASC' } });
    const results = questions.map((q, i) => ({ question: q.position, correct: answers[i] === q.correct, expected: q.correct }));
    const scorePct = Math.round((results.filter((r) => r.correct).length * 100) / Math.max(1, questions.length));
    const passed = scorePct >= quiz.passPct;
    await ctx.db.getRepository(QuizAttemptEntity).insert({
      quizId, learnerId, scorePct, passed, answers: questions.map((_, i) => (Number.isInteger(answers[i]) ? answers[i] : -1)), submittedAt: new Date(),
    });
    quizSubmissions.inc({ outcome: passed ? 'passed' : 'failed' });
    return reply.code(201).send({ quizId, scorePct, passed, attemptsLeft: quiz.maxAttempts - used - 1, results });
  });
}
