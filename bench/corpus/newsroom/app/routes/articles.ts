/**
 * Article pages: the article itself (cache-aside, counts the view), the
 * newsroom's edit endpoint (revisions), related articles and the photo
 * gallery (renditions signed by the partner CDN).
 *
 * @module
 */
import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../db.js';
import { HttpError, intParam, type Deps } from '../deps.js';
import { articleBodies, articleImages, articleRevisions, articles, articleTags, authors, sections, tags } from '../tables.js';

/** Cache key of an assembled article page. */
export const articleKey = (id: number): string => `article:v3:${id}`;
/** Cache key of an article's (non-personalized) related ranking. */
export const relatedKey = (id: number): string => `related:v1:${id}`;

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

async function loadArticle(db: Db, id: number): Promise<unknown> {
  const [row] = await db
    .select({
      id: articles.id,
      publicationId: articles.publicationId,
      slug: articles.slug,
      title: articles.title,
      dek: articles.dek,
      status: articles.status,
      access: articles.access,
      wordCount: articles.wordCount,
      heroImageKey: articles.heroImageKey,
      commentCount: articles.commentCount,
      revisionNo: articles.revisionNo,
      publishedAt: articles.publishedAt,
      updatedAt: articles.updatedAt,
      body: articleBodies.body,
      author: { id: authors.id, name: authors.name, slug: authors.slug, jobTitle: authors.jobTitle, avatarKey: authors.avatarKey, twitter: authors.twitter },
      section: { id: sections.id, slug: sections.slug, name: sections.name },
    })
    .from(articles)
    .innerJoin(articleBodies, eq(articleBodies.articleId, articles.id))
    .innerJoin(authors, eq(authors.id, articles.authorId))
    .innerJoin(sections, eq(sections.id, articles.sectionId))
    .where(and(eq(articles.id, id), inArray(articles.status, ['published', 'archived'])));
  if (!row) return undefined;
  const tagRows = await db
    .select({ slug: tags.slug, name: tags.name, kind: tags.kind })
    .from(articleTags)
    .innerJoin(tags, eq(tags.id, articleTags.tagId))
    .where(eq(articleTags.articleId, id));
  const { heroImageKey, ...rest } = row;
  return {
    ...rest,
    readingTimeMinutes: Math.max(1, Math.round(row.wordCount / 230)),
    heroImage: heroImageKey ? { key: heroImageKey, width: 1600, height: 900, alt: row.title } : null,
    tags: tagRows,
    paywall: { access: row.access, requiresEntitlement: row.access !== 'free' },
    schemaOrg: { '@type': 'NewsArticle', headline: row.title, datePublished: row.publishedAt, dateModified: row.updatedAt, author: row.author.name },
  };
}

/** A related-article candidate (a summary row). */
interface Candidate {
  id: number;
  slug: string;
  title: string;
  dek: string;
  publishedAt: Date | null;
  heroImageKey: string | null;
  access: string;
  viewCount: number;
  authorId: number;
  wordCount: number;
}

/** What the related ranking keeps per article (and, in the memo, per reader). */
interface RelatedEntry {
  computedAt: number;
  candidates: Candidate[];
  tagsByArticle: Map<number, number[]>;
  ranked: (Candidate & { score: number })[];
}

/** Rank the newest 300 articles of the section by tags shared with `id`, recency and popularity. */
async function computeRelated(db: Db, id: number, exclude: Set<number>): Promise<RelatedEntry | undefined> {
  const [base] = await db.select({ sectionId: articles.sectionId }).from(articles).where(eq(articles.id, id));
  if (!base) return undefined;
  const candidates: Candidate[] = await db
    .select({
      id: articles.id, slug: articles.slug, title: articles.title, dek: articles.dek, publishedAt: articles.publishedAt,
      heroImageKey: articles.heroImageKey, access: articles.access, viewCount: articles.viewCount, authorId: articles.authorId, wordCount: articles.wordCount,
    })
    .from(articles)
    .where(and(eq(articles.sectionId, base.sectionId), eq(articles.status, 'published'), ne(articles.id, id)))
    .orderBy(desc(articles.publishedAt))
    .limit(300);
  const tagRows = await db
    .select({ articleId: articleTags.articleId, tagId: articleTags.tagId })
    .from(articleTags)
    .where(inArray(articleTags.articleId, [id, ...candidates.map((a) => a.id)]));
  const tagsByArticle = new Map<number, number[]>();
  for (const t of tagRows) {
    const list = tagsByArticle.get(t.articleId);
    if (list) list.push(t.tagId);
    else tagsByArticle.set(t.articleId, [t.tagId]);
  }
  const own = new Set(tagsByArticle.get(id) ?? []);
  const now = Date.now();
  const ranked = candidates
    .filter((a) => !exclude.has(a.id))
    .map((a) => {
      const shared = (tagsByArticle.get(a.id) ?? []).filter((t) => own.has(t)).length;
      const ageDays = a.publishedAt ? (now - a.publishedAt.getTime()) / 86_400_000 : 365;
      return { ...a, score: shared * 10 + 5 / (1 + ageDays) + Math.log10(1 + a.viewCount) };
    })
    .sort((x, y) => y.score - x.score)
    .slice(0, 20);
  return { computedAt: now, candidates, tagsByArticle, ranked };
}

/**
 * Related articles memoized per (article, reader) so personalization does
 * not recompute the ranking. Nothing ever evicts an entry: the "expiry" is
 * only checked when the same key is read again.
 */
const relatedMemo = new Map<string, RelatedEntry>();

const EditBody = z.object({
  editorId: z.coerce.number().int().positive(),
  title: z.string().min(5).max(200).optional(),
  dek: z.string().min(5).max(400).optional(),
  body: z.string().min(20).max(200_000),
  note: z.string().max(200).optional(),
});

/** Line-level summary of an edit as stored in article_revisions.diff (first 40 changed lines). */
export function summarizeDiff(before: string, after: string): string {
  const old = before.split('\n');
  const next = after.split('\n');
  const oldSet = new Set(old);
  const newSet = new Set(next);
  const lines = [...old.filter((l) => !newSet.has(l)).map((l) => `-${l}`), ...next.filter((l) => !oldSet.has(l)).map((l) => `+${l}`)];
  return `@@ -1,${old.length} +1,${next.length} @@\n${lines.slice(0, 40).join('\n')}`;
}

/** GET/PUT /articles/:id, GET /articles/:id/related, GET /articles/:id/gallery. */
export function registerArticleRoutes(app: Hono, deps: Deps): void {
  const { db, cache, config } = deps;

  app.get('/articles/:id', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'article not found');
    const raw = await cache.remember('article', articleKey(id), 300, () => loadArticle(db, id));
    if (raw === null) throw new HttpError(404, 'article not found');
    deps.views.record(id, intParam(c.req.query('reader')));
    return c.body(raw, 200, JSON_TYPE);
  });

  app.put('/articles/:id', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'article not found');
    const input = EditBody.parse(await c.req.json());
    const now = new Date();
    const revisionNo = await db.transaction(async (tx) => {
      const [cur] = await tx
        .select({ title: articles.title, dek: articles.dek, revisionNo: articles.revisionNo, body: articleBodies.body })
        .from(articles)
        .innerJoin(articleBodies, eq(articleBodies.articleId, articles.id))
        .where(eq(articles.id, id))
        .for('update', { of: articles });
      if (!cur) throw new HttpError(404, 'article not found');
      const next = cur.revisionNo + 1;
      await tx.insert(articleRevisions).values({
        articleId: id, revisionNo: next, editorId: input.editorId, title: input.title ?? cur.title,
        diff: summarizeDiff(cur.body, input.body), note: input.note ?? null, createdAt: now,
      });
      await tx.update(articles).set({ title: input.title ?? cur.title, dek: input.dek ?? cur.dek, revisionNo: next, updatedAt: now }).where(eq(articles.id, id));
      await tx.update(articleBodies).set({ body: input.body, updatedAt: now }).where(eq(articleBodies.articleId, id));
      return next;
    });
    await cache.invalidate(articleKey(id), relatedKey(id));
    return c.json({ id, revisionNo, updatedAt: now });
  });

  app.get('/articles/:id/related', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'article not found');
    const reader = intParam(c.req.query('reader'));
    // The reader's recent history (article ids) is excluded from the suggestions.
    const history = reader ? new Set((await deps.redis.lrange(`history:${reader}`, 0, 49)).map(Number)) : new Set<number>();
    if (config.fault === 'related-memo-leak') {
      const key = `${id}:${reader ?? 'anon'}`;
      let entry = relatedMemo.get(key);
      if (!entry || Date.now() - entry.computedAt > 10 * 60_000) {
        entry = await computeRelated(db, id, history);
        if (!entry) throw new HttpError(404, 'article not found');
        relatedMemo.set(key, entry);
      }
      return c.json({ articleId: id, items: entry.ranked.slice(0, 8).map(({ score: _s, ...a }) => a) });
    }
    const raw = await cache.remember('related', relatedKey(id), 600, async () => (await computeRelated(db, id, new Set()))?.ranked);
    if (raw === null) throw new HttpError(404, 'article not found');
    const ranked = JSON.parse(raw) as (Candidate & { score: number })[];
    return c.json({ articleId: id, items: ranked.filter((a) => !history.has(a.id)).slice(0, 8).map(({ score: _s, ...a }) => a) });
  });

  app.get('/articles/:id/gallery', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'article not found');
    const images = await db
      .select({ id: articleImages.id, position: articleImages.position, cdnKey: articleImages.cdnKey, caption: articleImages.caption, credit: articleImages.credit, width: articleImages.width, height: articleImages.height })
      .from(articleImages)
      .where(eq(articleImages.articleId, id))
      .orderBy(articleImages.position);
    if (!images.length) throw new HttpError(404, 'no gallery for this article');
    const signed = await deps.partner.renditions(images.map((i) => ({ key: i.cdnKey, width: i.width, height: i.height })), [480, 960, 1600]);
    const byKey = new Map(signed.map((r) => [r.key, r]));
    return c.json({
      articleId: id,
      images: images.map((i) => ({ ...i, renditions: byKey.get(i.cdnKey)?.urls ?? {}, expiresAt: byKey.get(i.cdnKey)?.expiresAt })),
    });
  });
}
