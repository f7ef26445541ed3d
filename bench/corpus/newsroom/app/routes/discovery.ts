/**
 * Discovery: tag pages and full-text search (tsvector over title and dek,
 * GIN-indexed; results cached for two minutes).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Hono } from 'hono';
import { HttpError, type Deps } from '../deps.js';
import { articles, articleTags, authors, tags } from '../tables.js';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/** GET /tags/:slug/articles, GET /search. */
export function registerDiscoveryRoutes(app: Hono, deps: Deps): void {
  const { db, cache } = deps;

  app.get('/tags/:slug/articles', async (c) => {
    const slug = c.req.param('slug');
    const [tag] = await db.select({ id: tags.id, slug: tags.slug, name: tags.name, kind: tags.kind }).from(tags).where(eq(tags.slug, slug));
    if (!tag) throw new HttpError(404, 'tag not found');
    const items = await db
      .select({
        id: articles.id, slug: articles.slug, title: articles.title, dek: articles.dek, publishedAt: articles.publishedAt,
        access: articles.access, heroImageKey: articles.heroImageKey, commentCount: articles.commentCount,
        author: { id: authors.id, name: authors.name, slug: authors.slug },
      })
      .from(articleTags)
      .innerJoin(articles, eq(articles.id, articleTags.articleId))
      .innerJoin(authors, eq(authors.id, articles.authorId))
      .where(and(eq(articleTags.tagId, tag.id), eq(articles.status, 'published')))
      .orderBy(desc(articles.publishedAt))
      .limit(30);
    return c.json({ tag, items });
  });

  app.get('/search', async (c) => {
    const q = (c.req.query('q') ?? '').trim().toLowerCase().replace(/\s+/g, ' ').slice(0, 100);
    if (q.length < 2) throw new HttpError(400, 'query too short');
    const page = Math.min(10, Math.max(1, Number(c.req.query('page') ?? 1) || 1));
    const key = `search:v1:${createHash('sha1').update(q).digest('hex')}:${page}`;
    const raw = await cache.remember('search', key, 120, async () => {
      const rows = await deps.pool.client<{ id: string; slug: string; title: string; dek: string; published_at: Date; access: string; rank: number }[]>`
        SELECT id, slug, title, dek, published_at, access, ts_rank_cd(search_vector, query) AS rank
        FROM articles, plainto_tsquery('english', ${q}) query
        WHERE search_vector @@ query AND status = 'published'
        ORDER BY published_at DESC LIMIT 20 OFFSET ${(page - 1) * 20}`;
      return { q, page, items: rows.map((r) => ({ id: Number(r.id), slug: r.slug, title: r.title, dek: r.dek, publishedAt: r.published_at, access: r.access, rank: r.rank })) };
    });
    return c.body(raw!, 200, JSON_TYPE);
  });
}
