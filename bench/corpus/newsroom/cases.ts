/**
 * The newsroom's cases: the healthy build and one case per planted fault.
 * Every case drives the same everyday traffic (BASE_MIX: article pages,
 * paywall checks, home pages, section fronts, comments...) with the fault's
 * endpoint at the weight a real site would see it, raised where needed so it
 * gets at least 10-20 req/s at the moderate rate. Rates were calibrated with
 * ./calibrate.ts (see CALIBRATION.md).
 *
 * @module
 */
import type { CorpusCase } from '../types.js';
import { NEWSROOM_FAULTS, type NewsroomFault } from './faults.js';

type MixEntry = CorpusCase['mix'][number];

const PUBS = "'daily-ledger', 'harbor-times', 'valley-courier', 'metro-wire', 'sports-desk'";
const TAGS = "'elections', 'climate', 'housing', 'education', 'health-care', 'public-safety', 'transit', 'city-hall', 'courts', 'economy', 'jobs', 'technology', 'energy', 'wildfires', 'weather', 'immigration', 'taxes', 'real-estate', 'restaurants', 'football', 'basketball', 'science', 'environment', 'labor'";
const QUERIES = "'budget%20vote', 'school%20strike', 'flood%20warning', 'housing%20rent', 'court%20ruling', 'transit%20delays', 'energy%20prices', 'senate%20bill', 'wildfire%20evacuation', 'stadium%20deal', 'hospital%20nurses', 'tax%20reform', 'mayor%20campaign', 'climate%20plan', 'police%20investigation', 'market%20stocks'";
const EDIT_BODY = [
  '<p>City council members voted late on Tuesday to approve the revised transit budget, ending weeks of debate over fares, service cuts and the future of the downtown bus corridor.</p>',
  '<p>The plan, which passed seven to four, restores weekend service on three routes and delays a proposed fare increase until next spring. Supporters said the compromise protects riders who depend on buses to reach jobs and schools.</p>',
  '<h2>What changes for riders</h2>',
  '<p>Starting next month, buses on the harbor line will run every twelve minutes during the morning and evening peaks. Officials said the agency will hire forty drivers to cover the added trips, funded by a one-time state grant.</p>',
  '<p>Opponents argued that the grant will run out in two years and that the council is postponing hard choices. "We are borrowing from the future to avoid a difficult vote today," one member said during the meeting.</p>',
  '<p>The agency will publish updated schedules on its website next week. Riders can comment on the changes at public hearings scheduled across the city through the end of the month.</p>',
].join('\n');

/** The everyday traffic of the site (weights sum to 100, so a weight reads as a percentage). */
export const BASE_MIX: MixEntry[] = [
  { endpoint: 'GET /articles/:id', method: 'GET', path: '/articles/{{ randomInt(199800, 200000) }}?reader={{ randomInt(1, 250000) }}', weight: 26 },
  { endpoint: 'GET /readers/:id/entitlements', method: 'GET', path: "/readers/{{ randomInt(1, 250000) }}/entitlements?pub={{ randomChoice('1', '1', '2', '5') }}", weight: 9 },
  { endpoint: 'GET /publications/:pub/home', method: 'GET', path: `/publications/{{ randomChoice(${PUBS}) }}/home?edition={{ randomChoice('us', 'uk', 'intl') }}`, weight: 8 },
  { endpoint: 'GET /sections/:id/articles', method: 'GET', path: '/sections/{{ randomInt(1, 60) }}/articles', weight: 7 },
  { endpoint: 'GET /articles/:id/comments', method: 'GET', path: '/articles/{{ randomInt(199700, 200000) }}/comments', weight: 7 },
  { endpoint: 'GET /articles/:id/related', method: 'GET', path: '/articles/{{ randomInt(199000, 200000) }}/related?reader={{ randomInt(1, 250000) }}', weight: 6 },
  { endpoint: 'GET /articles/:id/gallery', method: 'GET', path: '/articles/{{ randomInt(190000, 200000) }}/gallery', weight: 4 },
  { endpoint: 'GET /trending', method: 'GET', path: '/trending?limit=20', weight: 4 },
  { endpoint: 'GET /tags/:slug/articles', method: 'GET', path: `/tags/{{ randomChoice(${TAGS}) }}/articles`, weight: 4 },
  { endpoint: 'GET /search', method: 'GET', path: `/search?q={{ randomChoice(${QUERIES}) }}`, weight: 4 },
  { endpoint: 'GET /sections/:id/feed.xml', method: 'GET', path: '/sections/{{ randomInt(1, 24) }}/feed.xml', weight: 4 },
  { endpoint: 'GET /authors/:id', method: 'GET', path: '/authors/{{ randomInt(1, 2000) }}', weight: 3 },
  { endpoint: 'POST /articles/:id/comments', method: 'POST', path: '/articles/{{ randomInt(199700, 200000) }}/comments', weight: 3,
    body: { readerId: '{{ randomInt(1, 250000) }}', body: 'This is the {{ randomChoice(\'third\', \'fourth\', \'fifth\') }} time the council has delayed this vote. Residents on the east side have waited {{ randomInt(2, 9) }} years for the bus corridor; at some point the city has to decide.' } },
  { endpoint: 'POST /auth/magic-link', method: 'POST', path: '/auth/magic-link', weight: 3,
    body: { email: "{{ randomChoice('maria.garcia', 'james.smith', 'wei.nguyen', 'priya.patel', 'omar.silva') }}.{{ randomInt(1, 250000) }}@{{ randomChoice('mail.example', 'inbox.example', 'post.example', 'webmail.example') }}", returnTo: '/account' } },
  { endpoint: 'POST /newsletters/:id/signups', method: 'POST', path: "/newsletters/{{ randomChoice('1', '1', '1', '1', '1', '1', '2') }}/signups", weight: 3,
    body: { readerId: '{{ randomInt(1, 250000) }}', source: "{{ randomChoice('article-footer', 'homepage', 'article-footer') }}" } },
  { endpoint: 'GET /authors/:id/stats', method: 'GET', path: '/authors/{{ randomInt(1, 2000) }}/stats', weight: 2 },
  { endpoint: 'POST /subscriptions', method: 'POST', path: '/subscriptions', weight: 2,
    body: { readerId: '{{ randomInt(1, 200000) }}', publicationId: '1', plan: "{{ randomChoice('digital-monthly', 'digital-annual', 'all-access') }}", paymentToken: 'tok_{{ randomInt(100000000, 999999999) }}' } },
  { endpoint: 'PUT /articles/:id', method: 'PUT', path: '/articles/{{ randomInt(199000, 200000) }}', weight: 1,
    body: { editorId: '{{ randomInt(1, 2000) }}', body: EDIT_BODY, note: "{{ randomChoice('copy edit', 'updated with new details', 'headline change') }}" } },
];

/** BASE_MIX with `endpoint`'s weight set to `weight`. */
export function mixWith(endpoint: string, weight: number): MixEntry[] {
  if (!BASE_MIX.some((m) => m.endpoint === endpoint)) throw new Error(`no ${endpoint} in the base mix`);
  return BASE_MIX.map((m) => (m.endpoint === endpoint ? { ...m, weight } : { ...m }));
}

function faultCase(fault: NewsroomFault, slug: string, weight: number, moderateRate: number, overloadRate: number): CorpusCase {
  const expect = NEWSROOM_FAULTS[fault];
  return { id: `newsroom/${slug}`, fault, expect: { ...expect }, mix: mixWith(expect.endpoint, weight), moderateRate, overloadRate };
}

/** Every case of the newsroom. */
export const NEWSROOM_CASES: CorpusCase[] = [
  { id: 'newsroom/healthy', fault: null, expect: null, mix: BASE_MIX.map((m) => ({ ...m })), moderateRate: 150, overloadRate: 800 },
  faultCase('tag-index-dropped', 'missing-index-article-tags', 12, 120, 400),
  faultCase('login-email-lower', 'inefficient-query-login-email', 12, 120, 400),
  faultCase('comments-n-plus-one', 'n-plus-one-comment-authors', 12, 80, 250),
  faultCase('signup-counter-lock', 'lock-contention-newsletter-counter', 30, 95, 200),
  faultCase('comment-tx-across-moderation', 'pool-saturation-comment-moderation', 20, 120, 260),
  faultCase('analytics-client-per-request', 'connection-limit-author-stats', 10, 120, 800),
  faultCase('cdn-renditions-slow', 'slow-dependency-gallery-renditions', 12, 150, 800),
  faultCase('home-cache-key-mismatch', 'cache-miss-home-page', 15, 120, 500),
  faultCase('trending-zunion-per-request', 'cache-slow-command-trending', 15, 100, 300),
  faultCase('author-page-full-bodies', 'large-payload-author-page', 12, 120, 500),
  faultCase('entitlement-pbkdf2-sync', 'event-loop-blocked-entitlements', 20, 80, 200),
  faultCase('subscription-insert-conflict', 'error-rate-checkout', 12, 150, 800),
  faultCase('picks-bloat', 'table-bloat-editorial-picks', 12, 100, 300),
  faultCase('related-memo-leak', 'memory-growth-related-memo', 15, 150, 700),
  faultCase('feed-full-index-pipeline', 'gc-pressure-section-feed', 40, 65, 160),
];
