/**
 * The home page of a publication (section rails, most read, most discussed;
 * cache-aside, 30 s) and the network-wide trending list (Redis ZSETs).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { Hono } from 'hono';
import type { Database } from '../db.js';
import { HttpError, type Deps } from '../deps.js';
import { last24HourKeys, rollupTrending, TRENDING_24H_KEY } from '../lib/views.js';
import { articles } from '../tables.js';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const EDITIONS = ['us', 'uk', 'intl'] as const;
type Edition = (typeof EDITIONS)[number];

/** Section order per edition: the UK and international editions lead with world news. */
const EDITION_LEAD: Record<Edition, string[]> = { us: ['news', 'politics', 'local'], uk: ['world', 'news', 'business'], intl: ['world', 'business', 'science'] };

/** Cache key of a home page. */
export function homeKey(publication: string | number, edition: Edition): string {
  return `home:v2:${publication}:${edition}`;
}

interface Summary {
  id: string;
  section_id: number;
  slug: string;
  title: string;
  dek: string;
  published_at: Date;
  hero_image_key: string | null;
  access: string;
  author_id: number;
  comment_count: number;
}

/** Assemble a publication's home page (six queries; about 30 ms of database time, mostly "most discussed this week"). */
async function buildHome(pool: Database, slug: string, edition: Edition): Promise<{ id: number; body: unknown } | undefined> {
  const sql = pool.client;
  const [pub] = await sql<{ id: number; slug: string; name: string; domain: string; paywall: string }[]>`
    SELECT id, slug, name, domain, paywall FROM publications WHERE slug = ${slug}`;
  if (!pub) return undefined;
  const sectionRows = await sql<{ id: number; slug: string; name: string; position: number }[]>`
    SELECT id, slug, name, position FROM sections WHERE publication_id = ${pub.id} ORDER BY position`;
  const lead = EDITION_LEAD[edition];
  const ordered = [...sectionRows].sort((a, b) => {
    const ra = lead.indexOf(a.slug) === -1 ? 99 : lead.indexOf(a.slug);
    const rb = lead.indexOf(b.slug) === -1 ? 99 : lead.indexOf(b.slug);
    return ra - rb || a.position - b.position;
  });
  const rails = await sql<Summary[]>`
    SELECT x.* FROM sections s CROSS JOIN LATERAL (
      SELECT a.id, a.section_id, a.slug, a.title, a.dek, a.published_at, a.hero_image_key, a.access, a.author_id, a.comment_count
      FROM articles a WHERE a.section_id = s.id AND a.status = 'published' ORDER BY a.published_at DESC LIMIT 6) x
    WHERE s.publication_id = ${pub.id}`;
  const mostRead = await sql<Summary[]>`
    SELECT id, section_id, slug, title, dek, published_at, hero_image_key, access, author_id, comment_count
    FROM articles WHERE publication_id = ${pub.id} AND status = 'published' AND published_at > now() - interval '48 hours'
    ORDER BY view_count DESC LIMIT 10`;
  const mostDiscussed = await sql<(Summary & { comments_7d: string })[]>`
    SELECT a.id, a.section_id, a.slug, a.title, a.dek, a.published_at, a.hero_image_key, a.access, a.author_id, a.comment_count, d.n AS comments_7d
    FROM (SELECT c.article_id, count(*) AS n FROM comments c JOIN articles a ON a.id = c.article_id
          WHERE a.publication_id = ${pub.id} AND a.status = 'published' AND a.published_at > now() - interval '9 days'
            AND c.created_at > now() - interval '7 days' AND c.status = 'approved'
          GROUP BY c.article_id ORDER BY count(*) DESC LIMIT 10) d
    JOIN articles a ON a.id = d.article_id ORDER BY d.n DESC`;
  const authorIds = [...new Set([...rails, ...mostRead, ...mostDiscussed].map((a) => a.author_id))];
  const authorRows = await sql<{ id: number; name: string; slug: string }[]>`SELECT id, name, slug FROM authors WHERE id = ANY(${authorIds}::int[])`;
  const authorsById = new Map(authorRows.map((a) => [a.id, a]));
  const card = (a: Summary) => ({
    id: Number(a.id), url: `https://${pub.domain}/${a.slug}`, title: a.title, dek: a.dek, publishedAt: a.published_at,
    heroImage: a.hero_image_key ? { key: a.hero_image_key, width: 1600, height: 900 } : null, access: a.access,
    author: authorsById.get(a.author_id) ?? null, commentCount: a.comment_count,
  });
  return {
    id: pub.id,
    body: {
      publication: pub,
      edition,
      generatedAt: new Date(),
      rails: ordered.map((s) => ({ section: s, items: rails.filter((a) => a.section_id === s.id).map(card) })),
      mostRead: mostRead.map(card),
      mostDiscussed: mostDiscussed.map((a) => ({ ...card(a), commentsThisWeek: Number(a.comments_7d) })),
    },
  };
}

/** GET /publications/:pub/home, GET /trending. */
export function registerHomeRoutes(app: Hono, deps: Deps): void {
  const { cache, config, redis, db } = deps;

  app.get('/publications/:pub/home', async (c) => {
    const slug = c.req.param('pub');
    const q = c.req.query('edition');
    const edition: Edition = (EDITIONS as readonly string[]).includes(q ?? '') ? (q as Edition) : 'us';
    const cached = await cache.getRaw('home', homeKey(slug, edition));
    if (cached !== null) return c.body(cached, 200, JSON_TYPE);
    const home = await buildHome(deps.pool, slug, edition);
    if (!home) throw new HttpError(404, 'publication not found');
    const raw = JSON.stringify(home.body);
    // The pages are keyed by publication; since the id-based URLs went away, reads use the slug.
    await cache.setRaw(config.fault === 'home-cache-key-mismatch' ? homeKey(home.id, edition) : homeKey(slug, edition), raw, 30);
    return c.body(raw, 200, JSON_TYPE);
  });

  let rolling: Promise<void> | undefined;
  app.get('/trending', async (c) => {
    const limit = Math.min(50, Math.max(1, Number(c.req.query('limit') ?? 20) || 20));
    let flat: string[];
    if (config.fault === 'trending-zunion-per-request') {
      // Always fresh: union the last 24 hourly buckets for this request (the minutely rollup lagged behind breaking news).
      const tmp = `trending:tmp:${randomUUID()}`;
      const keys = last24HourKeys();
      const res = await redis.multi().zunionstore(tmp, keys.length, ...keys).zrevrange(tmp, 0, limit - 1, 'WITHSCORES').unlink(tmp).exec();
      flat = (res?.[1]?.[1] as string[] | undefined) ?? [];
    } else {
      flat = await redis.zrevrange(TRENDING_24H_KEY, 0, limit - 1, 'WITHSCORES');
      if (!flat.length) {
        // The rollup expired (timer missed a beat): rebuild it once, not once per request.
        await (rolling ??= rollupTrending(redis).finally(() => (rolling = undefined)));
        flat = await redis.zrevrange(TRENDING_24H_KEY, 0, limit - 1, 'WITHSCORES');
      }
    }
    const ranked: { id: number; views: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) ranked.push({ id: Number(flat[i]), views: Number(flat[i + 1]) });
    const rows = ranked.length
      ? await db
        .select({ id: articles.id, slug: articles.slug, title: articles.title, dek: articles.dek, publishedAt: articles.publishedAt, sectionId: articles.sectionId, publicationId: articles.publicationId, heroImageKey: articles.heroImageKey, access: articles.access })
        .from(articles).where(inArray(articles.id, ranked.map((r) => r.id)))
      : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return c.json({
      window: '24h',
      items: ranked.filter((r) => byId.has(r.id)).map((r, i) => ({ rank: i + 1, views24h: r.views, ...byId.get(r.id)! })),
    });
  });
}
