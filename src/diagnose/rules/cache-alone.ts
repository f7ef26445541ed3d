/**
 * cache-miss, judged per endpoint where the run measured each endpoint alone
 * (`tuneup profile`, and the isolation runs of `tuneup diagnose`): in a second
 * that served one endpoint, Redis' hits and misses are that endpoint's own, and
 * the load facts say how many of its requests repeated an earlier key. A cache
 * that misses the repeats of one endpoint is broken there, however well the
 * cache serves the others — the whole run's hit ratio hides a broken key of a
 * minor endpoint among the lookups of the busy ones (newsroom: a home page whose
 * 15 keys repeated on 53 of 68 requests alone, 3 % of a mixed run's lookups).
 *
 * @module
 */
import type { Finding } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { alignToGrid } from '../evidence.js';
import { soloEndpointOf } from '../demand.js';
import { repeatsAreLookups } from './cache.js';
import { fmt, makeFinding, pct, serviceMean, type DiagnosisInput } from './types.js';

/** One endpoint's cache use over the seconds it ran alone. */
export interface CacheAlone {
  endpoint: string;
  /** Redis keyspace hits and misses in those seconds. */
  hits: number;
  misses: number;
  /** Its requests completed in those seconds, and of those the ones that repeated an earlier key (load facts). */
  requests: number;
  repeats: number;
}

/**
 * Each endpoint's Redis hits and misses and its requests and repeats over the seconds it ran alone, or
 * undefined when the run is not one of endpoints alone (the cost model's profile estimator) or lacks the
 * hit/miss series or the load facts.
 */
export function cacheAloneByEndpoint(input: DiagnosisInput): CacheAlone[] | undefined {
  const redis = input.probes.redis;
  const facts = input.result.loadFacts;
  const grid = input.result.series;
  const hitsColumn = redis?.series.values['redis.hits_per_s'];
  const missesColumn = redis?.series.values['redis.misses_per_s'];
  if (input.demand.method !== 'profile' || !redis || !facts || !hitsColumn || !missesColumn || facts.intervalMs !== grid.intervalMs || facts.t.length === 0) return undefined;
  const intervalS = grid.intervalMs / 1000;
  const hits = alignToGrid(grid, redis.series, hitsColumn);
  const misses = alignToGrid(grid, redis.series, missesColumn);
  const endpoints = Object.keys(grid.endpoints);
  const soloOf = soloEndpointOf(input.result, endpoints);
  const byEndpoint = new Map<string, CacheAlone>();
  grid.t.forEach((t, i) => {
    const k = soloOf(i);
    if (k < 0 || hits[i] === null || misses[i] === null) return;
    const endpoint = endpoints[k]!;
    const own = facts.endpoints[endpoint];
    const j = Math.round((t - facts.t[0]!) / facts.intervalMs);
    if (!own || own.series.requests[j] === undefined) return;
    const row = byEndpoint.get(endpoint) ?? { endpoint, hits: 0, misses: 0, requests: 0, repeats: 0 };
    row.hits += hits[i]! * intervalS;
    row.misses += misses[i]! * intervalS;
    row.requests += own.series.requests[j]!;
    row.repeats += own.series.repeats[j] ?? 0;
    byEndpoint.set(endpoint, row);
  });
  return [...byEndpoint.values()];
}

/** Where one endpoint's cache use was counted, for the finding's words and evidence sources. */
export interface CacheCount {
  rule: string;
  subject: string;
  /** How the hits were told apart from other endpoints', as a clause: "when it ran alone". */
  where: string;
  /** Source of the hit and miss counts. */
  source: string;
  /** Source of the endpoint's requests and repeats. */
  loadSource: string;
}

/**
 * Judge one endpoint's cache use against the ideal of its own requests. An endpoint whose repeated requests
 * (at least `cacheMiss.minRepeats`, on a safe method or a plan cacheKey) looked the cache up, yet whose hits
 * covered fewer than `cacheMiss.repeatHitRatio` of them and whose hit ratio was below that share of its
 * ideal (repeats / requests), misses keys that repeat: broken (medium; high below half its ideal). Hits that
 * cover the repeats clear it, as in the whole-run judgement: other lookups per request dilute the ratio,
 * not the hits. Undefined when it is not broken or cannot be judged.
 */
export function judgeEndpointCache(input: DiagnosisInput, config: RuleConfig, row: CacheAlone, count: CacheCount): Finding | undefined {
  const repeatHit = config.get('cacheMiss.repeatHitRatio');
  const lookups = row.hits + row.misses;
  // The judgement needs a lookup for every repeated request. Not one per request: the lookups are counted per
  // Redis sample and the requests per completion, and the samples straddle the edges of its seconds alone, so
  // a few of one endpoint's lookups fall in the gap next to them (newsroom's home page: one GET per request,
  // a few short of its 69 requests, and never judged).
  if (row.repeats < config.get('cacheMiss.minRepeats') || lookups < row.repeats || !repeatsAreLookups(input, row.endpoint)) return undefined;
  const ideal = row.repeats / row.requests;
  const ratio = row.hits / lookups;
  if (row.hits >= repeatHit * row.repeats || ratio >= repeatHit * ideal) return undefined;
  const missed = Math.max(0, row.repeats - row.hits);
  const demand = input.demand.demands.find((d) => d.endpoint === row.endpoint);
  const mean = serviceMean(input, row.endpoint);
  const fallThrough = mean > 0 && demand?.dbMs !== undefined ? demand.dbMs / mean : 0.3;
  return makeFinding({
    rule: count.rule,
    category: 'cache-miss',
    subject: count.subject,
    severity: ratio < 0.5 * ideal ? 'high' : 'medium',
    endpoint: row.endpoint,
    endpoints: [row.endpoint],
    title: `${row.endpoint} misses the cache on keys that repeat: ${fmt(row.hits)} hits for ${fmt(row.repeats)} repeated requests ${count.where}`,
    summary: `${row.endpoint} served ${fmt(row.requests)} requests ${count.where}, ${fmt(row.repeats)} of them for a key requested earlier (a perfect cache would hit ${pct(ideal)}), and looked the cache up ${fmt(lookups)} times with ${fmt(row.hits)} hits (${pct(ratio)}): about ${fmt(missed)} repeated keys missed and fell through to the slower source. A key that changes per request, a TTL shorter than the reuse interval, or a value never written back.`,
    evidence: [
      { label: 'requests', value: row.requests, unit: 'requests', source: count.loadSource },
      { label: 'requests repeating an earlier key', value: row.repeats, unit: 'requests', source: 'load (requests repeating an earlier key)' },
      { label: 'cache hits', value: row.hits, unit: 'lookups', source: count.source },
      { label: 'cache misses', value: row.misses, unit: 'lookups', source: count.source },
      { label: 'hit ratio', value: ratio, unit: 'ratio', source: count.source },
      { label: 'ideal hit ratio', value: ideal, unit: 'ratio', source: 'load (requests repeating an earlier key)' },
      ...(demand?.dbMs !== undefined ? [{ label: 'database time per request', value: demand.dbMs, unit: 'ms', source: `cost model (${demand.method})` }] : []),
    ],
    recommendation: {
      text: 'Make the cache key stable (no timestamps, request ids or unordered JSON in it), read before writing (cache-aside: GET, and SET only on a miss), and give entries a TTL longer than the time between reuses.',
    },
    metrics: { missesRepeatsOf: row.endpoint },
    confidence: 0.85,
    impact: Math.max(0.1, Math.min(1, fallThrough * (1 - row.hits / row.repeats))),
    attribution: 'direct',
  });
}

/** cache-miss per endpoint alone (see module doc and {@link judgeEndpointCache}). */
export function cacheAloneRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const rows = cacheAloneByEndpoint(input);
  if (!rows) return [];
  return rows
    .map((row) =>
      judgeEndpointCache(input, config, row, {
        rule: 'cache-miss-alone',
        subject: row.endpoint,
        where: 'when it ran alone',
        source: 'redis INFO keyspace hits and misses in its seconds alone (per sample)',
        loadSource: 'load (its seconds alone)',
      }),
    )
    .filter((f): f is Finding => f !== undefined);
}
