/**
 * What the scripted-VU client works out once per request shape and reuses:
 * resolved URLs, templated endpoint names and recorder handles.
 *
 * Why shared and bounded: these caches used to live in every VU (up to 1024
 * entries each, about 0.45 KB per resolved URL), so their memory scaled with
 * the VU count. Over unbounded URLs (`/items/{{ randomInt(1, 100000) }}`),
 * an open-model pool hands iterations to its VUs most-recently-idle first,
 * so the rarely used VUs kept filling their caches for many minutes: a
 * 10-minute soak at 2000 req/s grew about 2 MB/min, and a pool of 1000+ VUs
 * could hold several hundred MB. One cache per scenario per thread, shared
 * by all its VUs, bounds the memory per thread whatever the VU count, and a
 * plan with a few thousand distinct URLs still hits it after its first pass.
 *
 * Every map is cleared when full ({@link BoundedCache}): simple, never over
 * the bound, and plans with a sane number of request shapes never reach it.
 * Resolved URLs share their origin, Host header and connection target
 * (interned per origin), so an entry costs its path strings and little more.
 *
 * @module
 */
import type { EndpointHandle, MetricsRecorder } from '../../metrics/recorder-types.js';
import { resolveUrl, type ResolvedUrl } from './request-bytes.js';

/** Entries kept per map of a {@link RequestShapeCache} by default (a few hundred KB for resolved URLs). */
export const DEFAULT_SHAPE_CACHE_ENTRIES = 4096;

/** A string-keyed map that never holds more than `limit` entries: it is cleared when a new key would exceed it. */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  /** @param limit the most entries ever held (at least 1). */
  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`cache limit must be a positive integer, got ${limit}`);
  }

  /** Number of entries held now (≤ `limit`). */
  get size(): number {
    return this.map.size;
  }

  /** The value cached for `key`, if any. */
  get(key: string): V | undefined {
    return this.map.get(key);
  }

  /** Cache `value` under `key` (clearing everything first when full) and return it. */
  set(key: string, value: V): V {
    if (this.map.size >= this.limit && !this.map.has(key)) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}

/** What a shared cache is valid for: requests resolved against this base and recorded into this recorder and scenario. */
export interface ShapeCacheScope {
  baseUrl: string | undefined;
  rejectUnauthorized: boolean;
  recorder: MetricsRecorder;
  scenario: string;
}

/** The parts of a resolved URL that depend only on its origin. */
type OriginParts = Pick<ResolvedUrl, 'origin' | 'hostHeader' | 'target'>;

/**
 * The request-shape caches of one scenario on one thread, shared by its VUs
 * (see the module doc). Resolved URLs, endpoint handles and their targets are
 * shared between VUs: treat them as read-only.
 */
export class RequestShapeCache {
  /** Resolved URLs by the URL as the plan wrote it. */
  readonly urls: BoundedCache<ResolvedUrl>;
  /** Templated endpoint names by `method pathname`. */
  readonly endpoints: BoundedCache<string>;
  /** Recorder handles by method, endpoint and tag contents. */
  readonly handles: BoundedCache<EndpointHandle>;
  private readonly origins: BoundedCache<OriginParts>;

  /** @param limit entries per map (default {@link DEFAULT_SHAPE_CACHE_ENTRIES}). */
  constructor(
    readonly scope: ShapeCacheScope,
    limit = DEFAULT_SHAPE_CACHE_ENTRIES,
  ) {
    this.urls = new BoundedCache(limit);
    this.endpoints = new BoundedCache(limit);
    this.handles = new BoundedCache(limit);
    this.origins = new BoundedCache(limit);
  }

  /** True when this cache gives the same answers a client with these options would work out itself. */
  serves(scope: ShapeCacheScope): boolean {
    const own = this.scope;
    return own.baseUrl === scope.baseUrl && own.rejectUnauthorized === scope.rejectUnauthorized && own.recorder === scope.recorder && own.scenario === scope.scenario;
  }

  /**
   * `raw` resolved against the scope's base URL, from the cache or resolved now.
   * @throws TuneupError `TUNEUP_HTTP_URL_INVALID` as {@link resolveUrl} does (invalid URLs are not cached).
   */
  resolve(raw: string): ResolvedUrl {
    const cached = this.urls.get(raw);
    if (cached !== undefined) return cached;
    const url = resolveUrl(raw, this.scope.baseUrl, this.scope.rejectUnauthorized);
    // The Host header is a slice of the parsed URL's whole href: interning keeps one per origin, not one href per entry.
    let origin = this.origins.get(url.origin);
    if (origin === undefined) origin = this.origins.set(url.origin, { origin: url.origin, hostHeader: url.hostHeader, target: url.target });
    return this.urls.set(raw, { origin: origin.origin, hostHeader: origin.hostHeader, pathAndQuery: url.pathAndQuery, pathname: url.pathname, target: origin.target });
  }
}
