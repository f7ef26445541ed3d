/**
 * The in-process section index: the newest 2,000 published summaries of a
 * section with author and tag slugs, loaded on first use and refreshed in the
 * background every five minutes. The RSS feeds and the sitemap read it, so
 * neither hits PostgreSQL per request.
 *
 * @module
 */
import type { Database } from '../db.js';

/** One article in a section index. */
export interface IndexItem {
  id: number;
  sectionId: number;
  slug: string;
  title: string;
  dek: string;
  publishedAt: Date;
  updatedAt: Date;
  access: string;
  heroImageKey: string | null;
  wordCount: number;
  viewCount: number;
  author: { id: number; name: string; slug: string };
  tags: string[];
}

/** A section's index. */
export interface SectionSnapshot {
  section: { id: number; slug: string; name: string; publication: { id: number; slug: string; name: string; domain: string } };
  items: IndexItem[];
  loadedAt: number;
}

/** How many summaries each section keeps (about two months of a busy section). */
export const SECTION_INDEX_SIZE = 2000;
const REFRESH_MS = 5 * 60_000;

/** Lazily loaded, periodically refreshed indexes of all sections. */
export class SectionIndex {
  private readonly snapshots = new Map<number, SectionSnapshot>();
  private readonly loading = new Map<number, Promise<SectionSnapshot | undefined>>();

  private readonly sectionsByPublication = new Map<number, Promise<number[]>>();

  constructor(private readonly pool: Database) {}

  /** Ids of the sections of publication `publicationId` (cached for the life of the process). */
  sectionsOf(publicationId: number): Promise<number[]> {
    let p = this.sectionsByPublication.get(publicationId);
    if (!p) {
      p = this.pool.client<{ id: number }[]>`SELECT id FROM sections WHERE publication_id = ${publicationId} ORDER BY position`.then((rows) => rows.map((r) => r.id));
      p.catch(() => this.sectionsByPublication.delete(publicationId));
      this.sectionsByPublication.set(publicationId, p);
    }
    return p;
  }

  /** The index of `sectionId` (undefined = no such section). Stale snapshots are served while a refresh runs. */
  async get(sectionId: number): Promise<SectionSnapshot | undefined> {
    const snap = this.snapshots.get(sectionId);
    if (snap) {
      if (Date.now() - snap.loadedAt > REFRESH_MS) void this.load(sectionId).catch(() => {});
      return snap;
    }
    return this.load(sectionId);
  }

  private load(sectionId: number): Promise<SectionSnapshot | undefined> {
    let p = this.loading.get(sectionId);
    if (!p) {
      p = this.fetch(sectionId).finally(() => this.loading.delete(sectionId));
      this.loading.set(sectionId, p);
    }
    return p;
  }

  private async fetch(sectionId: number): Promise<SectionSnapshot | undefined> {
    const sql = this.pool.client;
    const [section] = await sql<{ id: number; slug: string; name: string; pid: number; pslug: string; pname: string; domain: string }[]>`
      SELECT s.id, s.slug, s.name, p.id AS pid, p.slug AS pslug, p.name AS pname, p.domain
      FROM sections s JOIN publications p ON p.id = s.publication_id WHERE s.id = ${sectionId}`;
    if (!section) return undefined;
    const rows = await sql<{ id: string; slug: string; title: string; dek: string; published_at: string | Date; updated_at: string | Date; access: string; hero_image_key: string | null; word_count: number; view_count: string; author_id: number; author_name: string; author_slug: string }[]>`
      SELECT a.id, a.slug, a.title, a.dek, a.published_at, a.updated_at, a.access, a.hero_image_key, a.word_count, a.view_count,
             au.id AS author_id, au.name AS author_name, au.slug AS author_slug
      FROM articles a JOIN authors au ON au.id = a.author_id
      WHERE a.section_id = ${sectionId} AND a.status = 'published'
      ORDER BY a.published_at DESC LIMIT ${SECTION_INDEX_SIZE}`;
    const ids = rows.map((r) => Number(r.id));
    const tagRows = await sql<{ article_id: string; slug: string }[]>`
      SELECT at.article_id, t.slug FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ANY(${ids}::bigint[])`;
    const tagsByArticle = new Map<number, string[]>();
    for (const t of tagRows) {
      const id = Number(t.article_id);
      const list = tagsByArticle.get(id);
      if (list) list.push(t.slug);
      else tagsByArticle.set(id, [t.slug]);
    }
    const snap: SectionSnapshot = {
      section: { id: section.id, slug: section.slug, name: section.name, publication: { id: section.pid, slug: section.pslug, name: section.pname, domain: section.domain } },
      items: rows.map((r) => ({
        id: Number(r.id),
        sectionId,
        slug: r.slug,
        title: r.title,
        dek: r.dek,
        // drizzle's postgres-js driver turns off postgres.js's date parsing for the whole client: dates arrive as text.
        publishedAt: new Date(r.published_at),
        updatedAt: new Date(r.updated_at),
        access: r.access,
        heroImageKey: r.hero_image_key,
        wordCount: r.word_count,
        viewCount: Number(r.view_count),
        author: { id: r.author_id, name: r.author_name, slug: r.author_slug },
        tags: tagsByArticle.get(Number(r.id)) ?? [],
      })),
      loadedAt: Date.now(),
    };
    this.snapshots.set(sectionId, snap);
    return snap;
  }
}
