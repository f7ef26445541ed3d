/**
 * Drizzle table definitions of the newsroom database (the DDL itself lives
 * in ../schema.ts, which the deploy runs; these mirror it for the query
 * builder).
 *
 * @module
 */
import { bigint, bigserial, boolean, integer, jsonb, pgTable, primaryKey, real, serial, smallint, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Table `publications`. */
export const publications = pgTable('publications', {
  id: integer('id').primaryKey(),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  domain: text('domain').notNull(),
  paywall: text('paywall').notNull(),
  meterLimit: integer('meter_limit').notNull(),
  createdAt: ts('created_at').notNull(),
});

/** Table `sections`. */
export const sections = pgTable('sections', {
  id: integer('id').primaryKey(),
  publicationId: integer('publication_id').notNull(),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  position: integer('position').notNull(),
});

/** Table `authors`. */
export const authors = pgTable('authors', {
  id: integer('id').primaryKey(),
  publicationId: integer('publication_id').notNull(),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  jobTitle: text('job_title'),
  bio: text('bio').notNull(),
  avatarKey: text('avatar_key'),
  twitter: text('twitter'),
  createdAt: ts('created_at').notNull(),
});

/** Table `tags`. */
export const tags = pgTable('tags', {
  id: integer('id').primaryKey(),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
});

/** Table `articles`. */
export const articles = pgTable('articles', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  publicationId: integer('publication_id').notNull(),
  sectionId: integer('section_id').notNull(),
  authorId: integer('author_id').notNull(),
  primaryTagId: integer('primary_tag_id'),
  slug: text('slug').notNull(),
  title: text('title').notNull(),
  dek: text('dek').notNull(),
  status: text('status').notNull(),
  access: text('access').notNull(),
  wordCount: integer('word_count').notNull(),
  heroImageKey: text('hero_image_key'),
  viewCount: bigint('view_count', { mode: 'number' }).notNull(),
  commentCount: integer('comment_count').notNull(),
  revisionNo: integer('revision_no').notNull(),
  publishedAt: ts('published_at'),
  updatedAt: ts('updated_at').notNull(),
});

/** Table `article_bodies`. */
export const articleBodies = pgTable('article_bodies', {
  articleId: bigint('article_id', { mode: 'number' }).primaryKey(),
  body: text('body').notNull(),
  format: text('format').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** Table `article_revisions`. */
export const articleRevisions = pgTable('article_revisions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  articleId: bigint('article_id', { mode: 'number' }).notNull(),
  revisionNo: integer('revision_no').notNull(),
  editorId: integer('editor_id').notNull(),
  title: text('title').notNull(),
  diff: text('diff').notNull(),
  note: text('note'),
  createdAt: ts('created_at').notNull(),
});

/** Table `article_tags`. */
export const articleTags = pgTable('article_tags', {
  articleId: bigint('article_id', { mode: 'number' }).notNull(),
  tagId: integer('tag_id').notNull(),
}, (t) => [primaryKey({ columns: [t.articleId, t.tagId] })]);

/** Table `article_images`. */
export const articleImages = pgTable('article_images', {
  id: bigint('id', { mode: 'number' }).primaryKey(),
  articleId: bigint('article_id', { mode: 'number' }).notNull(),
  position: smallint('position').notNull(),
  cdnKey: text('cdn_key').notNull(),
  caption: text('caption').notNull(),
  credit: text('credit').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
});

/** Table `readers`. */
export const readers = pgTable('readers', {
  id: integer('id').primaryKey(),
  email: text('email').notNull(),
  displayName: text('display_name').notNull(),
  avatarKey: text('avatar_key'),
  country: text('country').notNull(),
  marketingOptIn: boolean('marketing_opt_in').notNull(),
  createdAt: ts('created_at').notNull(),
  lastLoginAt: ts('last_login_at'),
});

/** Table `subscriptions`. */
export const subscriptions = pgTable('subscriptions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  readerId: integer('reader_id').notNull(),
  publicationId: integer('publication_id').notNull(),
  plan: text('plan').notNull(),
  status: text('status').notNull(),
  priceCents: integer('price_cents').notNull(),
  startedAt: ts('started_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** Table `comments`. */
export const comments = pgTable('comments', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  articleId: bigint('article_id', { mode: 'number' }).notNull(),
  readerId: integer('reader_id').notNull(),
  parentId: bigint('parent_id', { mode: 'number' }),
  body: text('body').notNull(),
  status: text('status').notNull(),
  toxicity: real('toxicity'),
  createdAt: ts('created_at').notNull(),
  editedAt: ts('edited_at'),
});

/** Table `newsletters`. */
export const newsletters = pgTable('newsletters', {
  id: integer('id').primaryKey(),
  publicationId: integer('publication_id').notNull(),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  cadence: text('cadence').notNull(),
  subscriberCap: integer('subscriber_cap'),
  subscriberCount: integer('subscriber_count').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** Table `newsletter_signups`. */
export const newsletterSignups = pgTable('newsletter_signups', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  newsletterId: integer('newsletter_id').notNull(),
  readerId: integer('reader_id').notNull(),
  status: text('status').notNull(),
  source: text('source').notNull(),
  createdAt: ts('created_at').notNull(),
  confirmedAt: ts('confirmed_at'),
});

/** Table `editorial_picks`. */
export const editorialPicks = pgTable('editorial_picks', {
  id: serial('id').primaryKey(),
  sectionId: integer('section_id').notNull(),
  articleId: bigint('article_id', { mode: 'number' }).notNull(),
  position: smallint('position').notNull(),
  headlineOverride: text('headline_override'),
  kicker: text('kicker'),
  imageCrop: jsonb('image_crop').notNull(),
  score: real('score').notNull(),
  pinnedBy: integer('pinned_by').notNull(),
  expiresAt: ts('expires_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** Table `article_hourly_views`. */
export const articleHourlyViews = pgTable('article_hourly_views', {
  hour: ts('hour').notNull(),
  articleId: bigint('article_id', { mode: 'number' }).notNull(),
  views: integer('views').notNull(),
}, (t) => [primaryKey({ columns: [t.hour, t.articleId] })]);

/** Table `outbox_events`. */
export const outboxEvents = pgTable('outbox_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  topic: text('topic').notNull(),
  aggregateId: bigint('aggregate_id', { mode: 'number' }).notNull(),
  payload: jsonb('payload').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});
