/**
 * The newsroom's planted faults: one switch per fault, each a mistake that
 * ships in real news-site codebases. `start()` passes the switch to the
 * deploy migration (schema.ts), the partner upstream (latencies) and the app
 * (NEWSROOM_FAULT), which branches on it where the faulty build's code
 * differs from the healthy build's.
 *
 * @module
 */

/** Every fault switch, with the category and endpoint it is expected to be diagnosed as. */
export const NEWSROOM_FAULTS = {
  /** The cleanup migration dropped article_tags(tag_id): the tag page scans article_tags. */
  'tag-index-dropped': { category: 'missing-index', endpoint: 'GET /tags/:slug/articles' },
  /** Magic-link login looks readers up by lower(email): the unique index on email is useless. */
  'login-email-lower': { category: 'inefficient-query', endpoint: 'POST /auth/magic-link' },
  /** The comment thread loads each commenter and each reply count with its own query. */
  'comments-n-plus-one': { category: 'n-plus-one', endpoint: 'GET /articles/:id/comments' },
  /** Newsletter signup locks the newsletter row first and recounts the list while holding it. */
  'signup-counter-lock': { category: 'lock-contention', endpoint: 'POST /newsletters/:id/signups' },
  /** Posting a comment keeps its transaction (a pooled connection) open across the moderation and notification calls. */
  'comment-tx-across-moderation': { category: 'pool-saturation', endpoint: 'POST /articles/:id/comments' },
  /** The authors' stats report opens a new analytics connection per request and leaves it to idle out. */
  'analytics-client-per-request': { category: 'connection-limit', endpoint: 'GET /authors/:id/stats' },
  /** The partner CDN's rendition-signing API is degraded. */
  'cdn-renditions-slow': { category: 'slow-dependency', endpoint: 'GET /articles/:id/gallery' },
  /** The home-page cache is written under a different key than it is read from. */
  'home-cache-key-mismatch': { category: 'cache-miss', endpoint: 'GET /publications/:pub/home' },
  /** Trending unions 24 hourly ZSETs on every request instead of reading the rolled-up key. */
  'trending-zunion-per-request': { category: 'cache-slow-command', endpoint: 'GET /trending' },
  /** The author page serializes every article of the author with body and revision history. */
  'author-page-full-bodies': { category: 'large-payload', endpoint: 'GET /authors/:id' },
  /** Entitlement tokens are signed with a per-reader key derived by pbkdf2Sync on every request. */
  'entitlement-pbkdf2-sync': { category: 'event-loop-blocked', endpoint: 'GET /readers/:id/entitlements' },
  /** Checkout inserts a subscription without handling an existing active one: unique violation, 500. */
  'subscription-insert-conflict': { category: 'error-rate', endpoint: 'POST /subscriptions' },
  /** editorial_picks has autovacuum off and was rewritten 40 times at deploy: section fronts scan the bloat. */
  'picks-bloat': { category: 'table-bloat', endpoint: 'GET /sections/:id/articles' },
  /** Related articles are memoized per article and reader in an unbounded in-process Map. */
  'related-memo-leak': { category: 'memory-growth', endpoint: 'GET /articles/:id/related' },
  /** The RSS feed builds view models, live counters and the sort for all 2,000 items of the section index before taking 50. */
  'feed-full-index-pipeline': { category: 'gc-pressure', endpoint: 'GET /sections/:id/feed.xml' },
} as const satisfies Record<string, { category: string; endpoint: string }>;

/** A fault switch of the newsroom. */
export type NewsroomFault = keyof typeof NEWSROOM_FAULTS;

/** Validate a fault switch: null/'' = healthy; unknown → throws. */
export function parseFault(fault: string | null | undefined): NewsroomFault | null {
  if (fault === null || fault === undefined || fault === '') return null;
  if (!Object.hasOwn(NEWSROOM_FAULTS, fault)) {
    throw new Error(`newsroom: unknown fault '${fault}' (known: ${Object.keys(NEWSROOM_FAULTS).join(', ')})`);
  }
  return fault as NewsroomFault;
}
