/**
 * Section fronts (editors' pinned picks on top of the latest stories,
 * keyset-paginated) and the sections' RSS feeds (rendered from the
 * in-process section index).
 *
 * @module
 */
import type { Hono } from 'hono';
import { HttpError, intParam, type Deps } from '../deps.js';
import type { IndexItem, SectionSnapshot } from '../lib/section-index.js';

const FEED_SIZE = 50;

/** XML-escape text for element content and attributes. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : ch === "'" ? '&apos;' : '&quot;'));
}

/** A feed entry ready for rendering (fields already escaped). */
interface FeedEntry {
  url: string;
  title: string;
  dek: string;
  authorName: string;
  tags: string[];
  publishedAt: Date;
  heroImageKey: string | null;
  views: number;
}

function renderFeed(snap: SectionSnapshot, entries: FeedEntry[]): string {
  const { section } = snap;
  const site = `https://${section.publication.domain}`;
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">',
    '<channel>',
    `<title>${escapeXml(section.publication.name)} - ${escapeXml(section.name)}</title>`,
    `<link>${site}/${section.slug}</link>`,
    `<atom:link href="${site}/${section.slug}/feed.xml" rel="self" type="application/rss+xml"/>`,
    `<description>Latest ${escapeXml(section.name)} stories from ${escapeXml(section.publication.name)}</description>`,
    `<lastBuildDate>${new Date(snap.loadedAt).toUTCString()}</lastBuildDate>`,
    '<ttl>5</ttl>',
  ];
  for (const e of entries) {
    parts.push(
      '<item>',
      `<title>${e.title}</title>`,
      `<link>${e.url}</link>`,
      `<guid isPermaLink="true">${e.url}</guid>`,
      `<pubDate>${e.publishedAt.toUTCString()}</pubDate>`,
      `<dc:creator>${e.authorName}</dc:creator>`,
      `<description>${e.dek}</description>`,
      ...e.tags.map((t) => `<category>${t}</category>`),
      e.heroImageKey ? `<media:content url="https://cdn.partner.example/${e.heroImageKey}?w=1200" medium="image" width="1200" height="675"/>` : '',
      `<newsroom:views xmlns:newsroom="https://newsroom.example/ns">${e.views}</newsroom:views>`,
      '</item>',
    );
  }
  parts.push('</channel>', '</rss>');
  return parts.join('\n');
}

/** GET /sections/:id/articles, GET /sections/:id/feed.xml. */
export function registerSectionRoutes(app: Hono, deps: Deps): void {
  const { config, redis } = deps;
  const sql = deps.pool.client;

  app.get('/sections/:id/articles', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'section not found');
    const beforeParam = c.req.query('before');
    const before = beforeParam ? new Date(beforeParam) : undefined;
    if (before && Number.isNaN(before.getTime())) throw new HttpError(400, 'bad cursor');
    const [section] = await sql<{ id: number; slug: string; name: string; publication_id: number }[]>`
      SELECT id, slug, name, publication_id FROM sections WHERE id = ${id}`;
    if (!section) throw new HttpError(404, 'section not found');
    // Editors' picks: a small table (a hundred rows per section), so no index on section_id.
    const picks = before ? [] : await sql<{ article_id: string; position: number; headline_override: string | null; kicker: string | null; image_crop: unknown }[]>`
      SELECT article_id, position, headline_override, kicker, image_crop FROM editorial_picks
      WHERE section_id = ${id} AND expires_at > now() ORDER BY position LIMIT 5`;
    const latest = await sql<{ id: string; slug: string; title: string; dek: string; published_at: Date; hero_image_key: string | null; access: string; comment_count: number; author_name: string; author_slug: string }[]>`
      SELECT a.id, a.slug, a.title, a.dek, a.published_at, a.hero_image_key, a.access, a.comment_count, au.name AS author_name, au.slug AS author_slug
      FROM articles a JOIN authors au ON au.id = a.author_id
      WHERE a.section_id = ${id} AND a.status = 'published' ${before ? sql`AND a.published_at < ${before}` : sql``}
      ORDER BY a.published_at DESC LIMIT 30`;
    const pickIds = picks.map((p) => Number(p.article_id));
    const pinned = pickIds.length
      ? await sql<{ id: string; slug: string; title: string; dek: string; published_at: Date; hero_image_key: string | null; access: string }[]>`
        SELECT id, slug, title, dek, published_at, hero_image_key, access FROM articles WHERE id = ANY(${pickIds}::bigint[])`
      : [];
    const pinnedById = new Map(pinned.map((a) => [Number(a.id), a]));
    const card = (a: { id: string; slug: string; title: string; dek: string; published_at: Date; hero_image_key: string | null; access: string }) => ({
      id: Number(a.id), slug: a.slug, title: a.title, dek: a.dek, publishedAt: a.published_at, access: a.access,
      heroImage: a.hero_image_key ? { key: a.hero_image_key, width: 1600, height: 900 } : null,
    });
    return c.json({
      section,
      pinned: picks.filter((p) => pinnedById.has(Number(p.article_id))).map((p) => {
        const a = card(pinnedById.get(Number(p.article_id))!);
        return { ...a, title: p.headline_override ?? a.title, kicker: p.kicker, crop: p.image_crop, position: p.position };
      }),
      items: latest.map((a) => ({ ...card(a), commentCount: a.comment_count, author: { name: a.author_name, slug: a.author_slug } })),
      nextCursor: latest.length === 30 ? latest[latest.length - 1]!.published_at : null,
    });
  });

  app.get('/sections/:id/feed.xml', async (c) => {
    const id = intParam(c.req.param('id'));
    if (!id) throw new HttpError(404, 'section not found');
    const snap = await deps.sectionIndex.get(id);
    if (!snap) throw new HttpError(404, 'section not found');
    const site = `https://${snap.section.publication.domain}`;
    let entries: FeedEntry[];
    if (config.fault === 'feed-full-index-pipeline') {
      // Presentation pipeline over the whole section index (the same view models feed the RSS and
      // the JSON feed), limit applied last so every filter sees every item.
      const cards = snap.items.map((a) => ({
        id: a.id, url: `${site}/${a.slug}`, title: a.title, dek: a.dek, publishedAt: a.publishedAt, access: a.access, viewCount: a.viewCount, heroImageKey: a.heroImageKey,
        author: { id: a.author.id, name: a.author.name, url: `${site}/authors/${a.author.slug}` },
        media: a.heroImageKey ? { url: `https://cdn.partner.example/${a.heroImageKey}?w=1200`, width: 1200, height: 675 } : null,
        thumbnails: a.heroImageKey ? [320, 640, 960].map((w) => ({ url: `https://cdn.partner.example/${a.heroImageKey}?w=${w}`, width: w, height: Math.round((w * 9) / 16) })) : [],
        links: [{ rel: 'alternate', href: `${site}/${a.slug}` }, { rel: 'amphtml', href: `${site}/amp/${a.slug}` }],
        tags: a.tags.map((t) => ({ term: t, label: t.replace(/-/g, ' '), scheme: `${site}/tags` })),
      }));
      // Live (not yet flushed) view counters from Redis.
      const pending = await redis.mget(cards.map((a) => `views:${a.id}`));
      const counted = cards.map((a, i) => ({
        id: a.id, url: a.url, title: a.title, dek: a.dek, publishedAt: a.publishedAt, access: a.access, viewCount: a.viewCount, heroImageKey: a.heroImageKey,
        author: a.author, media: a.media, thumbnails: a.thumbnails, links: a.links, tags: a.tags, views: a.viewCount + Number(pending[i] ?? 0),
      }));
      const visible = counted.filter((a) => a.access !== 'premium');
      const ordered = [...visible].sort((x, y) => y.publishedAt.getTime() - x.publishedAt.getTime());
      entries = ordered.slice(0, FEED_SIZE).map((a) => ({
        url: a.url, title: escapeXml(a.title), dek: escapeXml(a.dek), authorName: escapeXml(a.author.name), tags: a.tags.map((t) => escapeXml(t.term)),
        publishedAt: a.publishedAt, heroImageKey: a.heroImageKey, views: a.views,
      }));
    } else {
      const items: IndexItem[] = snap.items.filter((a) => a.access !== 'premium').slice(0, FEED_SIZE);
      const pending = items.length ? await redis.mget(items.map((a) => `views:${a.id}`)) : [];
      entries = items.map((a, i) => ({
        url: `${site}/${a.slug}`, title: escapeXml(a.title), dek: escapeXml(a.dek), authorName: escapeXml(a.author.name), tags: a.tags.map(escapeXml),
        publishedAt: a.publishedAt, heroImageKey: a.heroImageKey, views: a.viewCount + Number(pending[i] ?? 0),
      }));
    }
    return c.body(renderFeed(snap, entries), 200, { 'content-type': 'application/rss+xml; charset=utf-8', 'cache-control': 'public, max-age=60' });
  });
}
