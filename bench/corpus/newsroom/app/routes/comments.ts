/**
 * Reader comments: the thread under an article (newest first, with reply
 * counts) and posting a comment, which the partner's moderation model scores
 * before it is published; the author gets a notification.
 *
 * @module
 */
import { and, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import { z } from 'zod';
import { HttpError, intParam, type Deps } from '../deps.js';
import { articles, comments, readers } from '../tables.js';

const PAGE = 50;

const PostBody = z.object({
  readerId: z.coerce.number().int().positive(),
  body: z.string().trim().min(2).max(5000),
  parentId: z.coerce.number().int().positive().optional(),
});

/** Map a moderation score to the comment's status. */
function statusFor(score: number): 'approved' | 'pending' | 'rejected' {
  return score >= 0.9 ? 'rejected' : score >= 0.6 ? 'pending' : 'approved';
}

/** GET/POST /articles/:id/comments. */
export function registerCommentRoutes(app: Hono, deps: Deps): void {
  const { db, config, partner } = deps;

  app.get('/articles/:id/comments', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'article not found');
    const before = c.req.query('before') ? new Date(c.req.query('before')!) : undefined;
    if (before && Number.isNaN(before.getTime())) throw new HttpError(400, 'bad cursor');
    const where = and(eq(comments.articleId, id), eq(comments.status, 'approved'), before ? lt(comments.createdAt, before) : undefined);

    if (config.fault === 'comments-n-plus-one') {
      // The thread is built like the ORM's "include": the page first, then each commenter and each reply count.
      const page = await db
        .select({ id: comments.id, body: comments.body, createdAt: comments.createdAt, parentId: comments.parentId, readerId: comments.readerId, editedAt: comments.editedAt })
        .from(comments).where(where).orderBy(desc(comments.createdAt)).limit(PAGE);
      const items = [];
      for (const row of page) {
        const author = await db.query.readers.findFirst({ where: eq(readers.id, row.readerId), columns: { id: true, displayName: true, avatarKey: true, country: true } });
        const [replies] = await db.select({ n: count() }).from(comments).where(and(eq(comments.parentId, row.id), eq(comments.status, 'approved')));
        const { readerId: _r, ...rest } = row;
        items.push({ ...rest, author: author ?? null, replyCount: replies?.n ?? 0 });
      }
      return c.json({ articleId: id, items, nextCursor: page.length === PAGE ? page[page.length - 1]!.createdAt : null });
    }

    const page = await db
      .select({
        id: comments.id, body: comments.body, createdAt: comments.createdAt, parentId: comments.parentId, editedAt: comments.editedAt,
        author: { id: readers.id, displayName: readers.displayName, avatarKey: readers.avatarKey, country: readers.country },
      })
      .from(comments)
      .innerJoin(readers, eq(readers.id, comments.readerId))
      .where(where)
      .orderBy(desc(comments.createdAt))
      .limit(PAGE);
    const counts = page.length
      ? await db
        .select({ parentId: comments.parentId, n: count() })
        .from(comments)
        .where(and(inArray(comments.parentId, page.map((p) => p.id)), eq(comments.status, 'approved')))
        .groupBy(comments.parentId)
      : [];
    const byParent = new Map(counts.map((r) => [r.parentId, r.n]));
    return c.json({
      articleId: id,
      items: page.map((p) => ({ ...p, replyCount: byParent.get(p.id) ?? 0 })),
      nextCursor: page.length === PAGE ? page[page.length - 1]!.createdAt : null,
    });
  });

  app.post('/articles/:id/comments', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'article not found');
    const input = PostBody.parse(await c.req.json());
    const [article] = await db.select({ id: articles.id, authorId: articles.authorId, title: articles.title }).from(articles).where(eq(articles.id, id));
    if (!article) throw new HttpError(404, 'article not found');
    const notifyAuthor = (commentId: number): Promise<void> =>
      partner.notify(`author:${article.authorId}`, 'new-comment', { articleId: id, commentId, title: article.title });

    if (config.fault === 'comment-tx-across-moderation') {
      // One transaction for the whole flow, so a failed moderation or notification leaves no half-posted comment.
      const saved = await db.transaction(async (tx) => {
        const [row] = await tx.insert(comments).values({
          articleId: id, readerId: input.readerId, parentId: input.parentId ?? null, body: input.body, status: 'pending', createdAt: new Date(),
        }).returning({ id: comments.id, createdAt: comments.createdAt });
        const verdict = await partner.moderationScore(input.body, id);
        const status = statusFor(verdict.score);
        await tx.update(comments).set({ status, toxicity: verdict.score }).where(eq(comments.id, row!.id));
        if (status === 'approved') await tx.update(articles).set({ commentCount: sql`${articles.commentCount} + 1` }).where(eq(articles.id, id));
        await notifyAuthor(row!.id);
        return { ...row!, status };
      });
      return c.json({ id: saved.id, articleId: id, status: saved.status, createdAt: saved.createdAt }, 201);
    }

    const verdict = await partner.moderationScore(input.body, id);
    const status = statusFor(verdict.score);
    const saved = await db.transaction(async (tx) => {
      const [row] = await tx.insert(comments).values({
        articleId: id, readerId: input.readerId, parentId: input.parentId ?? null, body: input.body, status, toxicity: verdict.score, createdAt: new Date(),
      }).returning({ id: comments.id, createdAt: comments.createdAt });
      if (status === 'approved') await tx.update(articles).set({ commentCount: sql`${articles.commentCount} + 1` }).where(eq(articles.id, id));
      return row!;
    });
    // Best effort, after commit: a lost notification is not worth failing the post.
    notifyAuthor(saved.id).catch((error: Error) => console.error(`notify failed: ${error.message}`));
    return c.json({ id: saved.id, articleId: id, status, createdAt: saved.createdAt }, 201);
  });
}
