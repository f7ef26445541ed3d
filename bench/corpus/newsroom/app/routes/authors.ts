/**
 * Author pages (profile + recent stories) and the authors' dashboard stats,
 * which run on the reporting role's connections so a heavy report can never
 * take the API's pool.
 *
 * @module
 */
import { and, asc, avg, count, desc, eq, inArray, sql, sum } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import type { Hono } from 'hono';
import postgres from 'postgres';
import type { Db } from '../db.js';
import { HttpError, intParam, type Deps } from '../deps.js';
import { articleBodies, articleRevisions, articles, authors } from '../tables.js';

/** The dashboard's numbers for one author. */
async function authorStats(adb: Pick<Db, 'select' | 'execute'>, id: number): Promise<unknown> {
  const [totals] = await adb
    .select({ articles: count(), views: sum(articles.viewCount), comments: sum(articles.commentCount), avgWords: avg(articles.wordCount) })
    .from(articles)
    .where(and(eq(articles.authorId, id), eq(articles.status, 'published')));
  const monthly = await adb.execute(sql`
    SELECT to_char(date_trunc('month', published_at), 'YYYY-MM') AS month, count(*)::int AS articles, sum(view_count)::bigint AS views, sum(comment_count)::int AS comments
    FROM articles WHERE author_id = ${id} AND status = 'published' AND published_at > now() - interval '12 months'
    GROUP BY 1 ORDER BY 1`);
  return { authorId: id, totals: { articles: totals?.articles ?? 0, views: Number(totals?.views ?? 0), comments: Number(totals?.comments ?? 0), avgWords: Math.round(Number(totals?.avgWords ?? 0)) }, monthly: [...monthly] };
}

/** GET /authors/:id, GET /authors/:id/stats. */
export function registerAuthorRoutes(app: Hono, deps: Deps): void {
  const { db, config } = deps;

  app.get('/authors/:id', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'author not found');
    const author = await db.query.authors.findFirst({ where: eq(authors.id, id) });
    if (!author) throw new HttpError(404, 'author not found');
    const [total] = await db.select({ n: count() }).from(articles).where(and(eq(articles.authorId, id), eq(articles.status, 'published')));

    if (config.fault === 'author-page-full-bodies') {
      // Same serializer as the CMS export, so the author page and the syndication feed agree on fields.
      const rows = await db
        .select({ article: articles, body: articleBodies.body })
        .from(articles)
        .innerJoin(articleBodies, eq(articleBodies.articleId, articles.id))
        .where(and(eq(articles.authorId, id), eq(articles.status, 'published')))
        .orderBy(desc(articles.publishedAt));
      const revisions = rows.length
        ? await db.select().from(articleRevisions).where(inArray(articleRevisions.articleId, rows.map((r) => r.article.id))).orderBy(asc(articleRevisions.articleId), asc(articleRevisions.revisionNo))
        : [];
      const byArticle = new Map<number, typeof revisions>();
      for (const r of revisions) {
        const list = byArticle.get(r.articleId);
        if (list) list.push(r);
        else byArticle.set(r.articleId, [r]);
      }
      return c.json({
        author,
        articleCount: total?.n ?? 0,
        articles: rows.map((r) => ({ ...r.article, body: r.body, revisions: byArticle.get(r.article.id) ?? [] })),
      });
    }

    const recent = await db
      .select({ id: articles.id, slug: articles.slug, title: articles.title, dek: articles.dek, publishedAt: articles.publishedAt, sectionId: articles.sectionId, heroImageKey: articles.heroImageKey, access: articles.access, commentCount: articles.commentCount })
      .from(articles)
      .where(and(eq(articles.authorId, id), eq(articles.status, 'published')))
      .orderBy(desc(articles.publishedAt))
      .limit(20);
    return c.json({ author, articleCount: total?.n ?? 0, articles: recent });
  });

  app.get('/authors/:id/stats', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'author not found');
    if (config.fault === 'analytics-client-per-request') {
      // A short-lived reporting client per report; idle_timeout closes its connection afterwards.
      const client = postgres(config.analyticsUrl, { max: 1, idle_timeout: 2, connect_timeout: 10, connection: { application_name: 'newsroom-author-stats' }, onnotice: () => {} });
      return c.json(await authorStats(drizzle(client), id));
    }
    return c.json(await authorStats(deps.analytics.db, id));
  });
}
