/**
 * cache-miss, judged per cache from the service's own hit/miss counters. Redis counts the hits and misses of
 * every user of the cache together, and the whole run's ratio hides a broken key of one endpoint among the
 * lookups of the others (bistro: a menu cache read under one key and written under another, every lookup a
 * miss, behind other endpoints' hits). A service that counts its caches (prom-client idiom:
 * `cache_requests_total{cache="menu",result="hit"}`) says which lookups were whose cache; the count identity
 * says whose endpoint: a cache looked up as many times as one endpoint served requests is that endpoint's,
 * once per request. Its requests and the ones that repeated an earlier key (load facts) are then the ideal it
 * is judged against, as for an endpoint run alone (cache-alone.ts).
 *
 * @module
 */
import type { Finding } from '../../result/types.js';
import type { AppCacheSummary } from '../../probes/prometheus/types.js';
import type { RuleConfig } from '../config.js';
import { oncePerRequestOwner } from '../count-identity.js';
import { judgeEndpointCache } from './cache-alone.js';
import type { DiagnosisInput } from './types.js';

/** `metric{label="value",…}` of a cache counter, its identity. */
export function cacheCounterName(c: Pick<AppCacheSummary, 'metric' | 'labels'>): string {
  const labels = Object.keys(c.labels)
    .sort()
    .map((k) => `${k}="${c.labels[k]}"`)
    .join(',');
  return `${c.metric}{${labels}}`;
}

/**
 * cache-miss per cache the service counts (see module doc): each counted cache with at least
 * `cacheMiss.minLookups` lookups whose count matches one endpoint's requests is judged on that endpoint's
 * repeats; not judged when no endpoint or several match (several lookups per request, or a cache shared by
 * endpoints).
 */
export function cacheCounterRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const caches = input.probes.prometheus?.data.caches ?? [];
  const facts = input.result.loadFacts;
  if (!facts || caches.length === 0) return [];
  const out: Finding[] = [];
  for (const c of caches) {
    const lookups = c.hits + c.misses;
    if (lookups < config.get('cacheMiss.minLookups')) continue;
    // The counters are read once more when the load is over (prometheus probe), so nothing is left in flight.
    const owner = oncePerRequestOwner(lookups, input.result.endpoints, undefined, { closest: true });
    const own = owner ? facts.endpoints[owner.endpoint] : undefined;
    if (!owner || !own) continue;
    const name = cacheCounterName(c);
    const finding = judgeEndpointCache(input, config, { endpoint: owner.endpoint, hits: c.hits, misses: c.misses, requests: own.requests, repeats: own.repeats }, {
      rule: 'cache-miss-counter',
      subject: name,
      where: `(its cache ${name}, looked up once per request)`,
      source: `the service's counter ${name}`,
      loadSource: 'load',
    });
    if (finding) out.push(finding);
  }
  return out;
}
