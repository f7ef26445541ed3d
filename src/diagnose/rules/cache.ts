/**
 * Rules on Redis evidence: low hit ratio or a cache written on every request
 * (cache-miss), evictions, slow or O(N) commands (cache-slow-command), and
 * clients near maxclients (connection-limit). Anchors: Sysdig PromCat Redis
 * alerts, Redis SLOWLOG/LATENCY DOCTOR, awesome-prometheus-alerts.
 *
 * The redis probe's data is read through `readRedis` (redis-view.ts).
 *
 * @module
 */
import type { Evidence, Finding, Severity } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { alignToGrid, quantile } from '../evidence.js';
import { sparseNnls } from '../sparse-fit.js';
import { readRedis, type RedisView } from '../redis-view.js';
import { endpointsAtOffsets, shareAtLeast } from './attribution.js';
import { countsMatch, oncePerRequestOwner } from '../count-identity.js';
import { repeatMissesByEndpoint, type RepeatMisses } from './cache-repeats.js';
import { Z_95 } from '../nnls.js';
import type { StatementDelta } from '../../probes/postgres/types.js';
import { isUtilityStatement } from '../sql.js';
import { severityFromImpact, shortSql, statementText } from './pg-common.js';
import { fmt, makeFinding, pct, serviceMean, type DiagnosisInput } from './types.js';

export { readRedis, type RedisView } from '../redis-view.js';

/** Commands whose cost grows with the data (O(N)) and block the single Redis thread. */
export const ON_COMMANDS = new Set(['keys', 'flushall', 'flushdb', 'smembers', 'hgetall', 'lrange', 'sort', 'sunion', 'sinter', 'sdiff', 'zunionstore', 'zinterstore', 'hkeys', 'hvals']);
/** Always-dangerous ones in production paths. */
const NEVER_IN_REQUEST_PATH = new Set(['keys', 'flushall', 'flushdb']);
const WRITE_COMMANDS = new Set(['set', 'setex', 'psetex', 'setnx', 'mset', 'hset', 'hmset', 'getset', 'set_ex']);
const READ_COMMANDS = new Set(['get', 'mget', 'hget', 'hmget', 'getex', 'exists']);

/** Hit ratio over the second half of the run's lookups (by count), from the per-sample rates; undefined without series. */
export function lateHitRatio(hitsPerS: (number | null)[] | undefined, missesPerS: (number | null)[] | undefined): number | undefined {
  if (!hitsPerS || !missesPerS) return undefined;
  const rows = hitsPerS.map((h, i) => [h ?? 0, missesPerS[i] ?? 0] as const);
  const total = rows.reduce((a, [h, m]) => a + h + m, 0);
  if (total <= 0) return undefined;
  let seen = 0;
  let hits = 0;
  let all = 0;
  for (const [h, m] of rows) {
    seen += h + m;
    if (seen <= total / 2) continue;
    hits += h;
    all += h + m;
  }
  return all > 0 ? hits / all : undefined;
}

/** An endpoint that uses the cache: its Redis commands per request, from the cost model or the count identity (`byCount`). */
interface CacheUser {
  endpoint: string;
  commands: number;
  byCount?: boolean;
}

/**
 * Endpoints that use Redis (commands per request from the cost model), most first. When the cost model
 * names none (a mixed run with more endpoints than seconds has no regression), the count identity
 * (count-identity.ts) still does: a key-reading command run exactly as many times as one endpoint served
 * requests is that endpoint's, once per request.
 */
function cacheEndpoints(input: DiagnosisInput): CacheUser[] {
  const modelled = input.demand.demands
    .filter((d) => (d.redisCommands ?? 0) >= 0.2)
    .map((d) => ({ endpoint: d.endpoint, commands: d.redisCommands! }))
    .sort((a, b) => b.commands - a.commands);
  if (modelled.length > 0 || !input.probes.redis) return modelled;
  // Only the cache's lookups (GET and its kin): a counter INCR, a DEL or a script run once per request says
  // nothing about who reads the cache.
  const counted = new Map<string, number>();
  for (const [cmd, calls] of Object.entries(readRedis(input.probes.redis).commandCalls)) {
    if (!READ_COMMANDS.has(cmd.split('|')[0]!)) continue;
    const owner = oncePerRequestOwner(calls, input.result.endpoints);
    if (owner) counted.set(owner.endpoint, (counted.get(owner.endpoint) ?? 0) + 1);
  }
  return [...counted].map(([endpoint, commands]) => ({ endpoint, commands, byCount: true })).sort((a, b) => b.commands - a.commands);
}

/**
 * Commands that read a cached value: cache-aside reads a string (GET and kin) or a hash's fields. Redis counts a
 * keyspace miss for any read of an absent key (INFO `keyspace_misses`: failed lookups of keys), so a SCARD of an
 * empty set or a ZSCORE of an absent member misses too, but those read data kept in Redis, not a cache.
 */
const VALUE_READS = new Set(['get', 'mget', 'getex', 'getdel', 'hget', 'hmget', 'hgetall']);

/**
 * Per endpoint, how many Redis commands other than value reads it runs once a request (the count identity: a
 * command run exactly as many times as the endpoint served requests is its, once a request).
 */
function nonValueCommandsOwned(input: DiagnosisInput): Map<string, number> {
  const owned = new Map<string, number>();
  if (!input.probes.redis) return owned;
  for (const [cmd, calls] of Object.entries(readRedis(input.probes.redis).commandCalls)) {
    if (VALUE_READS.has(cmd.split('|')[0]!)) continue;
    const owner = oncePerRequestOwner(calls, input.result.endpoints)?.endpoint;
    if (owner) owned.set(owner, (owned.get(owner) ?? 0) + 1);
  }
  return owned;
}

/**
 * The most cached values one request of `user` can read: its Redis commands per request at the upper 97.5 %
 * bound of the fit, less the commands of other kinds it runs on every request (`owned`, from
 * {@link nonValueCommandsOwned}). Undefined when no such command is the endpoint's (nothing to subtract) or when
 * the user was found by its value reads alone.
 */
function valueReadsAtMost(input: DiagnosisInput, user: CacheUser, owned: ReadonlyMap<string, number>): number | undefined {
  const others = owned.get(user.endpoint) ?? 0;
  if (user.byCount || others === 0) return undefined;
  // A regression estimate without a standard error (too few seconds, a singular fit) bounds nothing; a profile's is exact.
  const demand = input.demand.demands.find((d) => d.endpoint === user.endpoint);
  const se = demand?.method === 'profile' ? 0 : (demand?.stdError?.redisCommands ?? Number.POSITIVE_INFINITY);
  return user.commands + Z_95 * se - others;
}

/**
 * Endpoints whose requests explain the cache's misses second by second (sparse regression of the misses on
 * the per-second request counts), most misses first. Every endpoint may read the cache, but the misses come
 * from the one whose keys never repeat; empty when the misses have no series or nothing explains them.
 */
function missingEndpoints(input: DiagnosisInput): string[] {
  const ev = input.probes.redis;
  const misses = ev?.series.values['redis.misses_per_s'];
  if (!ev || !misses) return [];
  const grid = input.result.series;
  const endpoints = Object.keys(grid.endpoints);
  const col = alignToGrid(grid, ev.series, misses);
  const rows = col.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0 && endpoints.some((e) => (grid.endpoints[e]!.requests[i] ?? 0) > 0));
  if (rows.length < 3) return [];
  const intervalS = grid.intervalMs / 1000;
  const fit = sparseNnls(
    rows.map((i) => endpoints.map((e) => (grid.endpoints[e]!.requests[i] ?? 0) / intervalS)),
    rows.map((i) => col[i]!),
  );
  const total = (k: number) => fit.x[k]! * rows.reduce((a, i) => a + (grid.endpoints[endpoints[k]!]!.requests[i] ?? 0), 0);
  return [...fit.selected].sort((a, b) => total(b) - total(a)).map((k) => endpoints[k]!);
}

/**
 * What a perfect cache could have hit on this load: the load's own facts (requests that repeated an earlier
 * key) of the endpoints that use the cache, each weighted by its Redis commands per request. Undefined when
 * the run has no load facts or none of the cache's users appear in them.
 */
export interface IdealCache {
  /** Repeated requests / requests over the cache's users (weighted by their lookups). */
  ratio: number;
  /** Repeated requests of those endpoints (unweighted). */
  repeats: number;
  requests: number;
  /** True when the key bound was reached: `ratio` is a lower bound. */
  lowerBound: boolean;
  /** Ideal hit ratio per interval (the warm-up curve), null where no request completed. */
  curve: (number | null)[];
}

/**
 * Whether an endpoint's repeated keys mean repeated lookups. A request keyed by its URL repeats a cacheable
 * key only for a safe method (GET, HEAD): the same POST /transfers URL carries a different body each time,
 * and responses to unsafe methods are not reused (RFC 9110 §9.2.1, RFC 9111 §4). The plan's `cacheKey` hint
 * says what is cached whatever the method.
 */
export function repeatsAreLookups(input: DiagnosisInput, endpoint: string): boolean {
  const e = input.result.loadFacts?.endpoints[endpoint];
  if (!e) return false;
  if (e.keySource !== 'url') return true;
  const method = input.result.endpoints.find((x) => x.endpoint === endpoint)?.method?.toUpperCase();
  return method === undefined || method === 'GET' || method === 'HEAD';
}

/** The ideal hit ratio of this load over the given endpoints (see {@link IdealCache}); endpoints whose repeats are not lookups are left out. */
export function idealCache(input: DiagnosisInput, users: { endpoint: string; commands: number }[]): IdealCache | undefined {
  const facts = input.result.loadFacts;
  if (!facts) return undefined;
  users = users.filter((u) => repeatsAreLookups(input, u.endpoint));
  let wRequests = 0;
  let wRepeats = 0;
  let repeats = 0;
  let requests = 0;
  let lowerBound = false;
  const curveHits = facts.t.map(() => 0);
  const curveAll = facts.t.map(() => 0);
  for (const u of users) {
    const e = facts.endpoints[u.endpoint];
    if (!e || e.requests === 0) continue;
    wRequests += e.requests * u.commands;
    wRepeats += e.repeats * u.commands;
    repeats += e.repeats;
    requests += e.requests;
    lowerBound ||= e.capped && e.untracked > 0;
    e.series.requests.forEach((n, i) => (curveAll[i]! += n * u.commands));
    e.series.repeats.forEach((n, i) => (curveHits[i]! += n * u.commands));
  }
  if (wRequests <= 0) return undefined;
  return { ratio: wRepeats / wRequests, repeats, requests, lowerBound, curve: curveAll.map((n, i) => (n > 0 ? curveHits[i]! / n : null)) };
}

/** A curve as a short string for evidence: at most `points` values spread over the run, as percentages. */
function curveText(curve: (number | null)[], intervalMs: number, points = 8): string {
  const idx = curve.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
  if (idx.length === 0) return '';
  const step = Math.max(1, Math.ceil(idx.length / points));
  const picked = idx.filter((_, k) => k % step === 0);
  if (picked[picked.length - 1] !== idx[idx.length - 1]) picked.push(idx[idx.length - 1]!);
  return picked.map((i) => `${fmt((i * intervalMs) / 1000)} s: ${Math.round(curve[i]! * 100)} %`).join(', ');
}

/** Measured hit ratio per interval of the run grid (from the probe's per-sample rates), null where no lookup. */
function measuredCurve(input: DiagnosisInput): (number | null)[] | undefined {
  const ev = input.probes.redis;
  const hits = ev?.series.values['redis.hits_per_s'];
  const misses = ev?.series.values['redis.misses_per_s'];
  const facts = input.result.loadFacts;
  if (!ev || !hits || !misses || !facts) return undefined;
  const h = alignToGrid(facts, ev.series, hits);
  const m = alignToGrid(facts, ev.series, misses);
  return h.map((x, i) => (x === null || m[i] === null || x + m[i]! <= 0 ? null : x / (x + m[i]!)));
}

/**
 * cache-miss: the cache judged against the ideal hit ratio of this load. A cache-aside cache misses every
 * first touch of a key whatever it does; only the lookups a perfect cache would hit (repeats of an earlier
 * key) tell a broken cache from a cold one. Hit ratio on repeats = measured hit ratio / ideal hit ratio:
 * below `cacheMiss.repeatHitRatio` (Sysdig's 0.9, applied to the lookups that could hit) the cache misses
 * repeats — broken (medium, high below half); otherwise the misses are first touches — cold (info, with the
 * warm-up curve). Without load facts (older results) the keyspace ratio is judged alone, as before.
 * Evictions and a cache written on every read are judged too. Endpoints named are only those that use Redis.
 */
export function cacheMissRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const ev = input.probes.redis;
  if (!ev) return [];
  const r = readRedis(ev);
  const out: Finding[] = [];
  const users = cacheEndpoints(input);
  // The endpoints that miss, when the misses' series can tell; else every endpoint that uses the cache.
  // Only endpoints that touch Redis (commands per request in the cost model) are ever named: the misses'
  // regression can pick an endpoint whose rate merely moves with the missing one.
  const userSet = new Set(users.map((u) => u.endpoint));
  const missers = missingEndpoints(input).filter((e) => userSet.size === 0 || userSet.has(e));
  const eps = userSet.size === 0 ? [] : [...new Set([...missers, ...users.map((u) => u.endpoint)])];
  // Impact: the DB time the cache should have saved on the endpoint that uses it most.
  const endpointImpact = (miss: number) => {
    const top = eps[0];
    if (!top) return 0.2 * miss;
    const share = fallThroughShare(input, top);
    return share !== undefined ? Math.max(0.1, Math.min(1, share * miss)) : 0.3 * miss;
  };
  const lookups = (r.hits ?? 0) + (r.misses ?? 0);
  const writeCalls = Object.entries(r.commandCalls).filter(([c]) => WRITE_COMMANDS.has(c)).reduce((a, [, n]) => a + n, 0);
  // Cache-aside fills a key after it misses: at most one write per miss is a fill. Writes beyond the misses
  // are writes of another kind — a session, a token, a counter set without being read — not rewrites of keys
  // that repeat (a login's session SET made a healthy cache look rewritten on every request).
  const writes = r.misses !== undefined ? Math.min(writeCalls, r.misses) : writeCalls;
  const reads = Object.entries(r.commandCalls).filter(([c]) => READ_COMMANDS.has(c)).reduce((a, [, n]) => a + n, 0);
  const ideal = idealCache(input, users);
  const idealOk = ideal !== undefined && ideal.repeats >= config.get('cacheMiss.minRepeats');
  // Cache-aside writes once per first touch: (1 − ideal) of the reads. Writes beyond that re-write keys
  // that repeat — the cache is not reused. Without load facts every write counts (ideal unknown: 1).
  const repeatWriteShare = (() => {
    if (reads <= 0) return 0;
    if (!ideal) return writes / reads;
    if (ideal.ratio <= 0) return 0;
    return Math.max(0, writes / reads - (1 - ideal.ratio)) / ideal.ratio;
  })();
  const writeEvery = reads > 0 && repeatWriteShare >= config.get('cacheMiss.writesPerRequest') && (!ideal || idealOk);
  if (r.hits !== undefined && r.misses !== undefined && lookups >= config.get('cacheMiss.minLookups')) {
    const ratio = r.hits / lookups;
    const limit = config.get('cacheMiss.hitRatio');
    if (idealOk && ideal && ratio < limit) {
      out.push(...judgedAgainstIdeal(input, config, { ratio, ideal, lookups, hits: r.hits, misses: r.misses, writes, reads, writeEvery, eps, users, impact: endpointImpact }));
    } else if (ideal && !idealOk && ratio < limit) {
      // The load repeated too few keys to judge the cache at all: every lookup was (nearly) a first touch.
      out.push(
        makeFinding({
          rule: 'cache-miss',
          category: 'cache-miss',
          subject: 'hit-ratio',
          severity: 'info',
          endpoint: eps[0],
          endpoints: eps,
          title: `Cache hit ratio ${pct(ratio)}: this load repeated only ${fmt(ideal.repeats)} keys, too few to judge the cache`,
          summary: `A perfect cache could have hit ${pct(ideal.ratio)} of these lookups: ${fmt(ideal.requests - ideal.repeats)} of ${fmt(ideal.requests)} requests to the cache's endpoints asked for a key for the first time. A cold cache in a short test is not a broken cache; run longer or with a smaller key space to judge it.`,
          evidence: idealEvidence(input, ratio, ideal, r.hits, r.misses),
          recommendation: { text: 'Nothing to fix from this run. To judge the cache, run long enough (or over a key space small enough) for keys to repeat.' },
          confidence: 0.6,
          impact: 0.02,
        }),
      );
    } else if (!ideal && ratio < limit) {
      // The cache's users unknown, the load's lookups together bound what a cache keyed by their URLs could hit.
      const loadBound = users.length === 0 ? idealCache(input, input.result.endpoints.map((e) => ({ endpoint: e.endpoint, commands: 1 }))) : undefined;
      const range = users.length === 0 ? lookupIdealRange(input, config.get('cacheMiss.minRepeats')) : undefined;
      out.push(...withoutIdeal(input, config, { ratio, lookups, hits: r.hits, misses: r.misses, writes, reads, writeEvery, eps, users, impact: endpointImpact }, loadBound, range));
    }
  } else if (reads >= config.get('cacheMiss.minLookups') && writeEvery) {
    out.push(
      makeFinding({
        rule: 'cache-miss',
        category: 'cache-miss',
        subject: 'write-every-request',
        severity: 'medium',
        endpoint: eps[0],
        endpoints: eps,
        title: 'The cache is written on nearly every read',
        summary: `${fmt(writes)} writes for ${fmt(reads)} reads${ideal ? ` although ${pct(ideal.ratio)} of the requests repeated an earlier key` : ''}: the cache does not get reused.`,
        evidence: [{ label: 'cache writes per read (at most one per miss)', value: writes / reads, unit: 'ratio', source: 'redis INFO commandstats' }],
        recommendation: { text: 'Use cache-aside: read first, write only on a miss, with a stable key and a TTL longer than the reuse interval.' },
        confidence: 0.7,
        impact: endpointImpact(0.8),
      }),
    );
  }
  out.push(...endpointsMissingRepeats(input, config, users, out, writeCalls));
  if ((r.evictedKeys ?? 0) > 0) {
    const memRatio = r.usedMemory !== undefined && r.maxMemory ? r.usedMemory / r.maxMemory : undefined;
    out.push(
      makeFinding({
        rule: 'cache-eviction',
        category: 'cache-miss',
        subject: 'evictions',
        severity: (r.evictedKeys ?? 0) >= 100 ? 'medium' : 'low',
        endpoint: eps[0],
        endpoints: eps,
        title: `Redis evicted ${fmt(r.evictedKeys!)} keys during the run`,
        summary: `Redis reached maxmemory${r.maxMemory ? ` (${fmt(r.maxMemory / 1048576)} MB)` : ''} and evicted keys (policy ${r.maxMemoryPolicy ?? 'unknown'}): evicted entries come back as misses.`,
        evidence: [
          { label: 'evicted keys', value: r.evictedKeys!, unit: 'keys', source: 'redis INFO evicted_keys' },
          ...(memRatio !== undefined ? [{ label: 'used / maxmemory', value: memRatio, unit: 'ratio', source: 'redis INFO memory' }] : []),
        ],
        recommendation: {
          text: 'Raise maxmemory (CONFIG SET maxmemory, reversible), give cache entries TTLs, or store smaller values.',
          config: r.maxMemory ? { maxmemory: String(r.maxMemory * 2) } : undefined,
        },
        actions: ['redis-config'],
        confidence: 0.9,
        impact: endpointImpact(0.3),
      }),
    );
  }
  return out;
}

/** What the cache-miss judgements share. */
interface MissFacts {
  ratio: number;
  lookups: number;
  hits: number;
  misses: number;
  writes: number;
  reads: number;
  writeEvery: boolean;
  eps: string[];
  users: CacheUser[];
  impact: (miss: number) => number;
}

function idealEvidence(input: DiagnosisInput, ratio: number, ideal: IdealCache, hits: number, misses: number): Evidence[] {
  const facts = input.result.loadFacts!;
  const measured = measuredCurve(input);
  const ev: Evidence[] = [
    { label: 'hit ratio', value: ratio, unit: 'ratio', source: 'redis INFO keyspace_hits/misses' },
    { label: `ideal hit ratio of this load${ideal.lowerBound ? ' (lower bound)' : ''}`, value: ideal.ratio, unit: 'ratio', source: 'load (requests repeating an earlier key)' },
    { label: 'hit ratio on repeated keys (measured / ideal)', value: Math.min(1, ratio / ideal.ratio || 0), unit: 'ratio', source: 'redis INFO + load' },
    { label: 'hits', value: hits, unit: 'lookups', source: 'redis INFO' },
    { label: 'misses', value: misses, unit: 'lookups', source: 'redis INFO' },
    { label: 'requests repeating an earlier key', value: ideal.repeats, unit: 'requests', source: 'load' },
  ];
  const idealText = curveText(ideal.curve, facts.intervalMs);
  if (idealText) ev.push({ label: 'ideal hit ratio by time (warm-up curve)', value: idealText, source: 'load' });
  const measuredText = measured ? curveText(measured, facts.intervalMs) : '';
  if (measuredText) ev.push({ label: 'measured hit ratio by time', value: measuredText, source: 'redis INFO (per sample)' });
  return ev;
}

/** The cache judged against what this load allowed a perfect cache to hit. */
function judgedAgainstIdeal(input: DiagnosisInput, config: RuleConfig, f: MissFacts & { ideal: IdealCache }): Finding[] {
  const { ratio, ideal } = f;
  const repeatHit = ideal.ratio > 0 ? Math.min(1, ratio / ideal.ratio) : 1;
  // Each repeated request looks its key up at least once, so a cache whose hits cover the load's repeats
  // (to the same repeat-hit share) missed no repeat, whatever the ratio says: the ratio's denominator holds the
  // first touches of every user and its ideal is weighted by commands per request, not lookups.
  const hitsCoverRepeats = f.hits >= config.get('cacheMiss.repeatHitRatio') * ideal.repeats;
  const broken = (repeatHit < config.get('cacheMiss.repeatHitRatio') && !hitsCoverRepeats) || f.writeEvery;
  // Endpoints that could have hit: the cache's users whose own requests repeated keys, the most repeated
  // lookups (repeats × commands per request) first. A broken cache is one that misses keys that repeat, so
  // it is named where the hits it should have had are — not where misses are most numerous: first touches
  // miss in any cache, and an endpoint with unique keys leads the misses' regression whatever the cache does.
  const facts = input.result.loadFacts!;
  const repeaters = f.users
    .map((u) => ({ endpoint: u.endpoint, lookups: repeatsAreLookups(input, u.endpoint) ? (facts.endpoints[u.endpoint]?.repeats ?? 0) * u.commands : 0 }))
    .filter((u) => u.lookups > 0)
    .sort((a, b) => b.lookups - a.lookups)
    .map((u) => u.endpoint);
  const eps = broken ? [...new Set([...repeaters, ...f.eps])] : f.eps;
  const missedRepeats = Math.max(0, ideal.ratio - ratio) * f.lookups;
  if (!broken) {
    return [
      makeFinding({
        rule: 'cache-miss',
        category: 'cache-miss',
        subject: 'hit-ratio',
        severity: 'info',
        endpoint: eps[0],
        endpoints: eps,
        title: `Cold cache: hit ratio ${pct(ratio)}, where a perfect cache could reach ${pct(ideal.ratio)} on this load`,
        summary: `The cache hit ${pct(repeatHit)} of the lookups it could hit: its misses are first touches of keys (${fmt(ideal.requests - ideal.repeats)} of ${fmt(ideal.requests)} requests asked for a key for the first time). A cold cache in a short test is not a broken cache; the warm-up curve shows the ratio rising as keys repeat.`,
        evidence: idealEvidence(input, ratio, ideal, f.hits, f.misses),
        recommendation: { text: 'Nothing is wrong with the cache on this evidence. Warm the hot keys at start-up if first requests matter, or judge it on a longer run.' },
        confidence: 0.8,
        impact: 0.02,
      }),
    ];
  }
  const missPath = missPathStatements(input, config, f.misses, eps);
  const finding = makeFinding({
    rule: 'cache-miss',
    category: 'cache-miss',
    subject: 'hit-ratio',
    severity: repeatHit < 0.5 || f.writeEvery ? 'high' : 'medium',
    endpoint: eps[0],
    endpoints: eps,
    // Written on every request with a hit ratio at or above the ideal: the hits are other keys' (another user of the
    // cache); the title says what is broken rather than comparing two ratios that do not show it.
    title:
      f.writeEvery && repeatHit >= 1
        ? `Cache written on every request${eps[0] ? ` (${eps[0]})` : ''}: its entries are never reused (hit ratio ${pct(ratio)} comes from other keys)`
        : `Cache misses repeated keys: hit ratio ${pct(ratio)} where this load allowed ${pct(ideal.ratio)}${eps[0] ? ` (${eps[0]})` : ''}`,
    summary: `${pct(ideal.ratio)} of the requests to the cache's endpoints asked for a key requested earlier in the run, yet only ${pct(repeatHit)} of those lookups hit (about ${fmt(missedRepeats)} repeat lookups missed)${f.writeEvery ? `, and the service wrote to the cache ${fmt(f.writes)} times for ${fmt(f.reads)} reads: it rewrites keys that repeat, so entries are never reused — a key that changes per request, or a TTL shorter than the reuse interval` : ''}. Every miss falls through to the slower source.`,
    evidence: [
      ...idealEvidence(input, ratio, ideal, f.hits, f.misses),
      ...(f.reads > 0 ? [{ label: 'cache writes per read (at most one per miss)', value: f.writes / f.reads, unit: 'ratio', source: 'redis INFO commandstats' }] : []),
      ...f.users.slice(0, 3).map((u) => ({ label: `Redis commands per request, ${u.endpoint}`, value: u.commands, unit: 'commands', source: u.byCount ? 'redis INFO commandstats + load (count identity)' : 'cost model' })),
      ...missPath.map((s) => ({ label: 'statement run once per cache miss (its calls equal the misses)', value: `${shortSql(s.query, 100)} (${s.calls} calls, ${fmt(s.meanExecMs)} ms each)`, source: 'pg_stat_statements + redis INFO (count identity)' })),
    ],
    recommendation: {
      text: f.writeEvery
        ? 'Make the cache key stable (no timestamps, request ids or unordered JSON in it), read before writing (cache-aside: GET, and SET only on a miss), and give entries a TTL longer than the time between reuses.'
        : 'Keys that repeat should hit: check that the key is stable (same request → same key), that a miss writes the value back, and that the TTL outlives the time between reuses; check evictions.',
    },
    confidence: 0.85,
    impact: f.impact(Math.min(1, (ideal.ratio - ratio) / Math.max(ideal.ratio, 1e-9)) * ideal.ratio),
  });
  // The statement a miss falls through to runs because the cache missed: fixing the cache removes the calls the
  // load repeated, so the cache ranks first. The statement keeps its severity: its cost per call is its own.
  if (missPath.length > 0) finding.explains = missPathLinks(missPath);
  return [finding];
}

/**
 * The links from a broken cache to the statements its misses fall through to: each runs once per miss, so
 * the cache multiplies its calls and ranks before whatever finding the statement became — a slow statement,
 * or the index it misses. Both keep their severity (`contributes`): their cost per call is their own.
 */
function missPathLinks(missPath: readonly StatementDelta[]): NonNullable<Finding['explains']> {
  return [
    { category: 'inefficient-query', ids: missPath.map((s) => `inefficient-query:${s.queryid}`), as: 'contributes' },
    { category: 'missing-index', statements: missPath.map((s) => statementText(s.query)), as: 'contributes' },
  ];
}

/**
 * The share of an endpoint's service time a cache miss falls through to: its database time and half its
 * unexplained wait (a slower source the cache fronts may be remote), over its mean service time (not capped:
 * the callers cap what they multiply). Undefined without a service time or a database time to tell.
 */
function fallThroughShare(input: DiagnosisInput, endpoint: string): number | undefined {
  const d = input.demand.demands.find((x) => x.endpoint === endpoint);
  const mean = serviceMean(input, endpoint);
  return mean > 0 && d?.dbMs !== undefined ? (d.dbMs + (d.unexplainedMs ?? 0) * 0.5) / mean : undefined;
}

/**
 * A cache broken for one of its endpoints, judged per endpoint (cache-repeats.ts): an endpoint whose repeated
 * requests missed at least `cacheMiss.missesPerRepeat` of their lookups (at the fit's lower 97.5 % bound, over
 * the lookups a first touch made), over at least
 * `cacheMiss.minRepeats` repeats. The cache as a whole can look cold while one user misses every repeat,
 * since Redis counts hits and misses for the whole keyspace. Only when the keyspace's `writes` could have
 * filled those misses (cache-aside writes a key back after it misses). Endpoints a medium+ cache-miss finding
 * already names are left out. The statement a miss falls through to (its calls equal the endpoint's misses, within
 * the fit's uncertainty) is linked as explained in part, so the cache ranks before it.
 */
function endpointsMissingRepeats(input: DiagnosisInput, config: RuleConfig, users: CacheUser[], found: Finding[], writes: number): Finding[] {
  const named = new Set(found.filter((f) => f.category === 'cache-miss' && f.severity !== 'low' && f.severity !== 'info').flatMap((f) => (f.endpoint ? [f.endpoint] : [])));
  const minRepeats = config.get('cacheMiss.minRepeats');
  const limit = config.get('cacheMiss.missesPerRepeat');
  const owned = nonValueCommandsOwned(input);
  // A repeated request misses at most the cache values it reads. An endpoint that reads fewer than `limit` a
  // request cannot be judged missing its repeats: its misses are reads of absent sets or counters, made on
  // every request whatever the key, so they enter the fit as a per-request cost like other Redis users'.
  const lookupUsers = users
    .filter((u) => repeatsAreLookups(input, u.endpoint) && !((valueReadsAtMost(input, u, owned) ?? Infinity) < limit))
    .map((u) => u.endpoint);
  const otherUsers = users.filter((u) => !lookupUsers.includes(u.endpoint)).map((u) => u.endpoint);
  // Lookups a repeated request makes: what a first touch missed, or one when its first touches were too few to tell.
  const lookupsPerRequest = (m: RepeatMisses) => Math.max(1, m.perFirstTouch);
  return repeatMissesByEndpoint(input, lookupUsers, otherUsers)
    .filter((m) => {
      if (named.has(m.endpoint) || m.repeats < minRepeats) return false;
      const perRepeatAtLeast = m.perRepeat - Z_95 * m.stdError;
      // A cache-aside cache fills what it missed: lookups whose misses the keyspace's writes cannot have filled
      // (fewer writes than the endpoint's fewest plausible misses) are of keys nobody caches — a flag, a deny
      // list, a lock looked up by design — and missing them is what they are for.
      const missesAtLeast = m.perFirstTouch * (m.requests - m.repeats) + Math.max(0, perRepeatAtLeast) * m.repeats;
      return perRepeatAtLeast / lookupsPerRequest(m) >= limit && writes >= missesAtLeast;
    })
    .map((m) => {
      // The endpoint's misses are an estimate: its calls match within the fit's 95 % interval.
      const missPath = missPathStatements(input, config, m.misses, [m.endpoint], Z_95 * m.stdError * m.repeats);
      const repeatMissShare = Math.min(1, m.perRepeat / lookupsPerRequest(m));
      const finding = makeFinding({
        rule: 'cache-miss',
        category: 'cache-miss',
        subject: `repeats:${m.endpoint}`,
        severity: 'high',
        endpoint: m.endpoint,
        endpoints: [m.endpoint],
        title: `${m.endpoint} misses the cache on keys its requests repeat: ~${fmt(m.perRepeat)} misses per repeated request`,
        summary: `${fmt(m.repeats)} of ${fmt(m.requests)} requests to ${m.endpoint} asked for a key requested earlier in the run, and the cache's misses second by second follow those repeats: each missed about ${fmt(m.perRepeat)} lookups (± ${fmt(m.stdError)}), where a working cache misses none and a first touch missed ${fmt(m.perFirstTouch)}. The cache as a whole may look cold, since Redis counts the keyspace's hits and misses together and the other endpoints' lookups hide this one's. Every miss falls through to the slower source.`,
        evidence: [
          { label: `misses per repeated request, ${m.endpoint}`, value: m.perRepeat, unit: 'misses', source: 'redis INFO keyspace_misses per second + load (first touches and repeats per second, non-negative fit)' },
          { label: 'its standard error', value: m.stdError, unit: 'misses', source: 'the same fit' },
          { label: `misses per first-touch request, ${m.endpoint}`, value: m.perFirstTouch, unit: 'misses', source: 'the same fit' },
          { label: `requests repeating an earlier key, ${m.endpoint}`, value: m.repeats, unit: 'requests', source: 'load' },
          { label: `requests, ${m.endpoint}`, value: m.requests, unit: 'requests', source: 'load' },
          ...missPath.map((st) => ({ label: 'statement run once per cache miss (its calls equal the misses)', value: `${shortSql(st.query, 100)} (${st.calls} calls, ${fmt(st.meanExecMs)} ms each)`, source: 'pg_stat_statements + the fit (count identity)' })),
        ],
        recommendation: { text: 'Keys that repeat should hit: check that the key the reader looks up is the key the writer sets (same format, version and parameters), that a miss writes the value back, and that the TTL outlives the time between reuses.' },
        metrics: { missesRepeatsOf: m.endpoint },
        confidence: 0.8,
        impact: Math.max(0.1, Math.min(1, fallThroughShare(input, m.endpoint) ?? 0.3) * repeatMissShare * (m.repeats / m.requests)),
      });
      if (missPath.length > 0) finding.explains = missPathLinks(missPath);
      return finding;
    });
}

/**
 * The statements a cache miss falls through to: those run exactly as many times as the cache missed (the
 * count identity, count-identity.ts, between the misses and a statement's calls) — cache-aside reads the
 * source once per miss. Only top-level statements, only when the misses are enough for the count to mean
 * something (`cacheMiss.minRepeats`), and only statements the cost model gives no owner or gives to one of the
 * cache's endpoints `eps`. Empty without PostgreSQL evidence or when no statement's calls match (within
 * `slack` calls when the misses are an estimate).
 */
function missPathStatements(input: DiagnosisInput, config: RuleConfig, misses: number, eps: readonly string[], slack = 0): StatementDelta[] {
  const statements = input.probes.postgres?.data.statements ?? [];
  if (!(misses >= config.get('cacheMiss.minRepeats'))) return [];
  const owners = (queryid: string) => input.demand.statements.filter((a) => a.queryid === queryid).map((a) => a.endpoint);
  return statements.filter((s) => {
    if (!s.toplevel || !(countsMatch(s.calls, misses) || Math.abs(s.calls - misses) <= slack) || isUtilityStatement(s.query)) return false;
    const own = owners(s.queryid);
    return own.length === 0 || own.some((e) => eps.includes(e));
  });
}

/**
 * The lowest and highest ideal hit ratio of one lookup endpoint of this load (requests repeating an earlier key
 * / requests, GET or HEAD or a plan cacheKey), over the endpoints with at least `minRequests` requests (a ratio
 * of a handful of requests says nothing; all of them when none has that many). The ideal ratio of a cache is
 * the lookup-weighted mean of its users' ideal ratios, so whatever endpoints use it, it lies in this range.
 * Undefined without load facts.
 */
export function lookupIdealRange(input: DiagnosisInput, minRequests: number): { min: number; minEndpoint: string; max: number; maxEndpoint: string } | undefined {
  const facts = input.result.loadFacts;
  if (!facts) return undefined;
  const lookups = Object.entries(facts.endpoints).filter(([endpoint, e]) => e.requests > 0 && repeatsAreLookups(input, endpoint));
  const sized = lookups.filter(([, e]) => e.requests >= minRequests);
  const ratios = (sized.length > 0 ? sized : lookups)
    .map(([endpoint, e]) => ({ endpoint, ratio: e.repeats / e.requests }))
    .sort((a, b) => a.ratio - b.ratio);
  if (ratios.length === 0) return undefined;
  const lo = ratios[0]!;
  const hi = ratios.at(-1)!;
  return { min: lo.ratio, minEndpoint: lo.endpoint, max: hi.ratio, maxEndpoint: hi.endpoint };
}

/**
 * Judgement without the ideal of the cache's own users: from the keyspace ratio alone for results without
 * load facts (written before they existed); with load facts but users the cost model could not name, against
 * the bound over every lookup endpoint (`loadBound`) and the range of single endpoints' ideals (`range`).
 */
function withoutIdeal(input: DiagnosisInput, config: RuleConfig, f: MissFacts, loadBound?: IdealCache, range?: ReturnType<typeof lookupIdealRange>): Finding[] {
  const ev = input.probes.redis!;
  const { ratio, eps, writes, reads } = f;
  const repeatHit = config.get('cacheMiss.repeatHitRatio');
  // A cache that hit at least what a perfect cache keyed by this load's URLs could (over every lookup
  // endpoint, its users being unknown) shows no missed repeat: its misses and writes are first touches
  // filling it (hits above the bound come from keys the URLs do not show, e.g. sessions), not a broken cache.
  const withinBound = loadBound !== undefined && loadBound.repeats >= config.get('cacheMiss.minRepeats') && ratio >= repeatHit * loadBound.ratio;
  // Below that bound the cache is broken only if it is below what its own users allowed, and they are unknown:
  // its ideal ratio is some weighted mean of its users', anywhere between the lowest and the highest lookup
  // endpoint's. A hit ratio that the lowest allows cannot be called missing repeats (newsroom's healthy build,
  // 18 endpoints in 10 s, no regression to name the users: 16 % hit, 25 % over every endpoint, 0–90 % per endpoint).
  const undetermined = !withinBound && range !== undefined && ratio >= repeatHit * range.min;
  const writeEvery = f.writeEvery && !withinBound && !undetermined;
  // A cache that starts empty misses until it fills: if the second half of the lookups hit well, it is warming, not broken.
  const late = lateHitRatio(ev.series.values['redis.hits_per_s'], ev.series.values['redis.misses_per_s']);
  const warming = !writeEvery && late !== undefined && late >= config.get('cacheMiss.hitRatio');
  // Misses never written back, on endpoints that do no database work: lookups of optional keys (a flag,
  // an override) that are absent by design. Nothing slower stands behind them, so they cost one round trip.
  const topDb = eps[0] ? input.demand.demands.find((x) => x.endpoint === eps[0])?.dbMs : undefined;
  const absentByDesign = !writeEvery && writes < 0.1 * f.misses && topDb !== undefined && topDb < 1;
  return [
    makeFinding({
      rule: 'cache-miss',
      category: 'cache-miss',
      subject: 'hit-ratio',
      severity: warming || absentByDesign || withinBound || undetermined ? 'low' : ratio < 0.5 ? 'high' : 'medium',
      endpoint: eps[0],
      endpoints: eps,
      title: warming
        ? `Cache hit ratio ${pct(ratio)} while warming up (${pct(late!)} in the second half)`
        : absentByDesign
          ? `Cache hit ratio ${pct(ratio)}: lookups of keys that are never written, with no database work behind them`
          : undetermined
            ? `Cache hit ratio ${pct(ratio)}: not judged, the run could not tell which endpoints use the cache`
            : `Cache hit ratio ${pct(ratio)}${eps[0] ? ` (used by ${eps[0]})` : ''}`,
      summary: `${fmt(f.misses)} of ${fmt(f.lookups)} Redis lookups missed during the run${writeEvery ? `, and the service wrote to the cache ${fmt(writes)} times for ${fmt(reads)} reads: it writes on (nearly) every request, so entries are never reused — a key that changes per request, or a TTL shorter than the reuse interval` : ''}. ${withinBound ? `But a perfect cache keyed by this load's URLs could have hit only ${pct(loadBound!.ratio)} of its requests (${fmt(loadBound!.requests - loadBound!.repeats)} of ${fmt(loadBound!.requests)} asked for a key for the first time), and this one hit ${pct(ratio)}: nothing shows it missing a repeated key; its misses are first touches.` : undetermined ? `A perfect cache could have hit between ${pct(range!.min)} (${range!.minEndpoint}) and ${pct(range!.max)} (${range!.maxEndpoint}) of one endpoint's lookups on this load, and which endpoints use this one is unknown: its ${pct(ratio)} may be a cold cache's first touches. Run longer (the cost model needs more seconds than endpoints) or \`tuneup diagnose\` to judge it.` : 'Every miss falls through to the slower source.'} (${input.result.loadFacts ? 'The cost model named no endpoint whose repeated keys are lookups (GET or HEAD, or a plan cacheKey) as a user of the cache' : 'This result has no load facts'}, so the cache could not be judged against the hit ratio this load allowed.)`,
      evidence: [
        { label: 'hit ratio', value: ratio, unit: 'ratio', source: 'redis INFO keyspace_hits/misses' },
        { label: 'misses', value: f.misses, unit: 'lookups', source: 'redis INFO' },
        { label: 'hits', value: f.hits, unit: 'lookups', source: 'redis INFO' },
        ...(late !== undefined ? [{ label: 'hit ratio, second half of the lookups', value: late, unit: 'ratio', source: 'redis INFO (per sample)' }] : []),
        ...(reads > 0 ? [{ label: 'cache writes per read (at most one per miss)', value: writes / reads, unit: 'ratio', source: 'redis INFO commandstats' }] : []),
        ...(loadBound ? [{ label: `ideal hit ratio of this load over every lookup endpoint${loadBound.lowerBound ? ' (lower bound)' : ''}`, value: loadBound.ratio, unit: 'ratio', source: 'load (requests repeating an earlier key)' }] : []),
        ...(range ? [
          { label: `lowest ideal hit ratio of one lookup endpoint (${range.minEndpoint})`, value: range.min, unit: 'ratio', source: 'load (requests repeating an earlier key)' },
          { label: `highest ideal hit ratio of one lookup endpoint (${range.maxEndpoint})`, value: range.max, unit: 'ratio', source: 'load (requests repeating an earlier key)' },
        ] : []),
        ...f.users.slice(0, 3).map((u) => ({ label: `Redis commands per request, ${u.endpoint}`, value: u.commands, unit: 'commands', source: u.byCount ? 'redis INFO commandstats + load (count identity)' : 'cost model' })),
      ],
      recommendation: {
        text: writeEvery
          ? 'Make the cache key stable (no timestamps, request ids or unordered JSON in it), read before writing (cache-aside: GET, and SET only on a miss), and give entries a TTL longer than the time between reuses.'
          : 'Check the key design and TTLs (too short a TTL or per-user keys for shared data), warm the cache for hot keys, and make sure a miss writes the value back.',
      },
      confidence: 0.85,
      impact: f.impact(1 - ratio),
    }),
  ];
}

/** cache-slow-command: SLOWLOG entries ≥ 10 ms (Redis default threshold) or O(N) commands such as KEYS in the request path. */
export function cacheSlowCommandRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const ev = input.probes.redis;
  if (!ev) return [];
  const r = readRedis(ev);
  const limitUs = config.get('cacheSlow.slowlogMs') * 1000;
  const slow = r.slowlog.filter((e) => e.durationUs >= limitUs);
  const dangerous = Object.entries(r.commandCalls).filter(([c, n]) => NEVER_IN_REQUEST_PATH.has(c) && n > 0);
  const slowByCommand = new Map<string, { n: number; maxUs: number; totalUs: number; example: string; at: number[] }>();
  for (const e of slow) {
    const acc = slowByCommand.get(e.command) ?? { n: 0, maxUs: 0, totalUs: 0, example: e.args, at: [] };
    if (e.at !== undefined) acc.at.push(e.at);
    acc.n++;
    acc.maxUs = Math.max(acc.maxUs, e.durationUs);
    acc.totalUs += e.durationUs;
    slowByCommand.set(e.command, acc);
  }
  const users = cacheEndpoints(input);
  const out: Finding[] = [];
  const costly = costlyPerRequest(input, r);
  const commands = new Set([...slowByCommand.keys(), ...dangerous.map(([c]) => c), ...costly.keys()]);
  for (const cmd of commands) {
    const s = slowByCommand.get(cmd);
    const calls = r.commandCalls[cmd] ?? 0;
    const isDangerous = NEVER_IN_REQUEST_PATH.has(cmd) && calls > 0;
    const cost = costly.get(cmd);
    if (!isDangerous && !cost && (!s || s.n < config.get('cacheSlow.minEntries'))) continue;
    const usecPerCall = calls > 0 && r.commandUsec[cmd] !== undefined ? r.commandUsec[cmd]! / calls : undefined;
    const evidence: Evidence[] = [];
    if (s) {
      evidence.push(
        { label: `slow log entries (≥ ${fmt(limitUs / 1000)} ms)`, value: s.n, unit: 'entries', source: 'redis SLOWLOG' },
        { label: 'slowest', value: s.maxUs / 1000, unit: 'ms', source: 'redis SLOWLOG' },
        { label: 'example', value: s.example, source: 'redis SLOWLOG' },
      );
    }
    if (calls > 0) evidence.push({ label: `${cmd.toUpperCase()} calls`, value: calls, unit: 'calls', source: 'redis INFO commandstats' });
    if (usecPerCall !== undefined) evidence.push({ label: `${cmd.toUpperCase()} mean time`, value: usecPerCall / 1000, unit: 'ms', source: 'redis INFO commandstats' });
    if (cost) evidence.push({ label: `${cmd.toUpperCase()} time in Redis per ${cost.owner.endpoint} request, share of its mean service time`, value: cost.share, unit: 'ratio', source: 'redis INFO commandstats (usec per call) and load' });
    const severe = isDangerous || (s !== undefined && s.maxUs >= 100_000) || cost?.severity === 'high';
    // The slow log says when each slow call ran: the endpoints busy in those seconds issued it.
    // SLOWLOG times have one-second resolution: each entry votes for two points inside its second.
    // A request that issued a call of d ms took at least d ms: the typical (median) slow entry's duration weighs
    // endpoints by how many of their requests lasted that long, which separates them in a mixed run where
    // every endpoint is busy in every second.
    const minMs = s && s.n > 0 ? quantile(slow.filter((e) => e.command === cmd).map((e) => e.durationUs), 0.5) / 1000 : 0;
    const timed = s ? endpointsAtOffsets(input, s.at.flatMap((at) => [at + 250, at + 750].map((x) => x - input.result.startedAt)), minMs) : [];
    const seen = timed.length > 0 ? timed : users.map((u) => u.endpoint);
    // A command run as many times as one endpoint served requests is that endpoint's (count-identity.ts): in a
    // queued run every endpoint is busy when the slow log stamps a call, the counts still tell them apart. The
    // owner must have lasted as long as the calls (half its requests at least the median slow entry).
    const candidate = cost?.owner ?? oncePerRequestOwner(calls, input.result.endpoints, usecPerCall === undefined ? undefined : usecPerCall / 1000);
    const owner = candidate && (cost !== undefined || minMs <= 0 || shareAtLeast(candidate.serviceTime, minMs) >= 0.5) ? candidate : undefined;
    const eps = owner ? [owner.endpoint, ...seen.filter((e) => e !== owner.endpoint)] : seen;
    if (owner) evidence.push({ label: `requests ${owner.endpoint} served (one ${cmd.toUpperCase()} call each)`, value: owner.requests, unit: 'requests', source: 'load (count identity)' });
    out.push(
      makeFinding({
        rule: 'cache-slow-command',
        category: 'cache-slow-command',
        subject: cmd,
        severity: severe ? 'high' : 'medium',
        endpoint: eps[0],
        endpoints: eps,
        title: `Slow Redis command: ${cmd.toUpperCase()}${s ? ` (up to ${fmt(s.maxUs / 1000)} ms)` : ''}`,
        summary: `${cmd.toUpperCase()}${ON_COMMANDS.has(cmd) ? ' is O(N) in the size of the data and' : ''} blocks Redis's single thread while it runs, so every other client waits too.${s ? ` ${s.n} calls exceeded ${fmt(limitUs / 1000)} ms during the run.` : ''}${cost ? ` Redis spent ${fmt(usecPerCall! / 1000)} ms on each call, once per ${cost.owner.endpoint} request: ${pct(cost.share)} of that endpoint's mean service time, before the client reads and parses the reply.` : ''}`,
        evidence,
        recommendation: {
          text: cmd === 'keys'
            ? 'Never use KEYS in a request path: keep an index (a SET of the ids) or iterate with SCAN … COUNT in the background.'
            : ON_COMMANDS.has(cmd)
              ? 'Avoid reading whole big collections: paginate (HSCAN/SSCAN/ZRANGE with limits), split big keys, or cache the computed result; delete big keys with UNLINK.'
              : cost && !s
                ? `Each ${cost.owner.endpoint} request makes Redis work ${fmt(usecPerCall! / 1000)} ms on this command: read only what the response needs (a bounded range or page, not the whole value or collection), split big keys, keep scripts short, or cache the computed result in the service.`
                : 'Check the slow log arguments for large values or Lua scripts; split large objects and keep scripts short.',
        },
        confidence: 0.85,
        impact: Math.max(cost?.share ?? 0, severe ? 0.5 : 0.25),
      }),
    );
  }
  return out;
}

/** A command that costs its one owner a large share of each request (see {@link costlyPerRequest}). */
interface CostlyCommand {
  owner: DiagnosisInput['result']['endpoints'][number];
  share: number;
  severity: Severity;
}

/** Redis's latency monitor reports events in whole milliseconds (latency-monitor-threshold is set in ms). */
const REDIS_LATENCY_RESOLUTION_MS = 1;

/**
 * Commands whose own time in Redis (INFO commandstats: usec per call, measured on Redis's thread, without the
 * network) is a large share of the one endpoint that issues them once per request (count identity): a
 * per-request cost is as severe as the latency it explains (severityFromImpact, as for a statement), whether
 * or not a single call crossed the slow log's threshold. A healthy lookup costs microseconds against a
 * request's milliseconds; reading a whole big collection costs milliseconds on every request.
 */
function costlyPerRequest(input: DiagnosisInput, r: RedisView): Map<string, CostlyCommand> {
  const out = new Map<string, CostlyCommand>();
  for (const [cmd, calls] of Object.entries(r.commandCalls)) {
    const usec = r.commandUsec[cmd];
    if (!(calls > 0) || usec === undefined) continue;
    const owner = oncePerRequestOwner(calls, input.result.endpoints, usec / calls / 1000);
    const mean = owner?.serviceTime.mean ?? 0;
    if (!owner || !(mean > 0)) continue;
    const perCallMs = usec / calls / 1000;
    // Redis's own latency monitor works in whole milliseconds: a sub-millisecond command is not a latency
    // event on Redis's side, whatever share of a fast endpoint it is.
    if (perCallMs < REDIS_LATENCY_RESOLUTION_MS) continue;
    const share = Math.min(1, perCallMs / mean);
    const severity = severityFromImpact(share);
    if (severity === 'medium' || severity === 'high') out.set(cmd, { owner, share, severity });
  }
  return out;
}

/** connection-limit (Redis): connected_clients / maxclients ≥ 90 % (APA) or rejected connections. */
export function redisConnectionLimitRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const ev = input.probes.redis;
  if (!ev) return [];
  const r = readRedis(ev);
  const ratio = r.connectedClients !== undefined && r.maxClients ? r.connectedClients / r.maxClients : undefined;
  const rejected = r.rejectedConnections ?? 0;
  if (rejected <= 0 && (ratio === undefined || ratio < config.get('redisClients.ratio'))) return [];
  return [
    makeFinding({
      rule: 'redis-connection-limit',
      category: 'connection-limit',
      subject: 'redis',
      severity: rejected > 0 ? 'high' : 'medium',
      title: rejected > 0 ? `Redis rejected ${fmt(rejected)} connections (maxclients)` : `Redis clients at ${pct(ratio!)} of maxclients`,
      summary: `${r.connectedClients ?? '?'} clients against maxclients ${r.maxClients ?? '?'}; new connections are refused at the limit.`,
      evidence: [
        ...(r.connectedClients !== undefined ? [{ label: 'connected clients (max)', value: r.connectedClients, unit: 'clients', source: 'redis INFO clients' }] : []),
        ...(r.maxClients !== undefined ? [{ label: 'maxclients', value: r.maxClients, unit: 'clients', source: 'redis CONFIG' }] : []),
        { label: 'rejected connections', value: rejected, unit: 'connections', source: 'redis INFO stats' },
      ],
      recommendation: {
        text: 'Share one client (or a small pool) per process instead of connecting per request, and raise maxclients if needed (CONFIG SET maxclients, reversible).',
        config: r.maxClients ? { maxclients: String(r.maxClients * 2) } : undefined,
      },
      actions: ['redis-config'],
      confidence: 0.9,
      impact: rejected > 0 ? 0.5 : 0.2,
    }),
  ];
}

/** Single-key commands that have a batched form (MGET, HMGET, pipelining): one per item in a loop is N+1. */
const BATCHABLE = new Set(['get', 'hget', 'hgetall', 'exists', 'sismember', 'zscore', 'ttl', 'type', 'incr', 'set', 'setex', 'hset', 'del', 'expire', 'lindex', 'getex']);

/**
 * n-plus-one on the cache: an endpoint issues many Redis commands per request,
 * dominated by one single-key command: one round trip per item where MGET or a
 * pipeline takes one (Sentry's N+1 rule, applied to cache calls).
 */
export function cacheNPlusOneRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const ev = input.probes.redis;
  if (!ev) return [];
  const r = readRedis(ev);
  const total = Object.values(r.commandCalls).reduce((a, b) => a + b, 0);
  const [command, calls] = Object.entries(r.commandCalls).sort((a, b) => b[1] - a[1])[0] ?? [];
  // One command must dominate the window, or the per-request count mixes different operations.
  if (!command || !calls || total <= 0 || calls / total < 0.5 || !BATCHABLE.has(command)) return [];
  const minCalls = config.get('nPlusOne.callsPerRequest');
  const rtt = config.get('nPlusOne.roundTripMs');
  const usecPerCall = r.commandUsec[command] !== undefined ? r.commandUsec[command]! / calls : 0;
  const out: Finding[] = [];
  for (const d of input.demand.demands) {
    const perRequest = d.redisCommands ?? 0;
    if (perRequest < minCalls) continue;
    const mean = serviceMean(input, d.endpoint);
    const perRequestMs = perRequest * (usecPerCall / 1000 + rtt);
    const share = mean > 0 ? Math.min(1, perRequestMs / mean) : 0;
    const batch = command === 'get' ? 'MGET' : command === 'hget' ? 'HMGET' : 'a pipeline (MULTI, or node-redis auto-pipelining with Promise.all)';
    out.push(
      makeFinding({
        rule: 'cache-n-plus-one',
        category: 'n-plus-one',
        subject: `${d.endpoint}:redis`,
        severity: perRequestMs >= config.get('nPlusOne.totalMs') && share >= 0.3 ? 'high' : 'medium',
        endpoint: d.endpoint,
        title: `N+1 cache calls: ${d.endpoint} sends ~${fmt(perRequest)} Redis commands per request (mostly ${command.toUpperCase()})`,
        summary: `Each ${d.endpoint} request sends about ${fmt(perRequest)} Redis commands; ${pct(calls / total)} of the run's commands were ${command.toUpperCase()}, one key each: one round trip per item, ~${fmt(perRequestMs)} ms per request (${pct(share)} of its latency) where ${batch} takes one.`,
        evidence: [
          { label: 'Redis commands per request', value: perRequest, unit: 'commands', source: `INFO commandstats + cost model (${d.method})` },
          { label: `${command.toUpperCase()} share of commands`, value: calls / total, unit: 'ratio', source: 'INFO commandstats' },
          { label: 'estimated time per request (round trips)', value: perRequestMs, unit: 'ms', source: 'cost model' },
          { label: 'mean service time', value: mean, unit: 'ms', source: 'load' },
        ],
        recommendation: {
          text: `Fetch the items in one round trip: ${batch} for all keys, then map the replies in memory; or cache the whole list under one key.`,
          code: command === 'get' ? "const values = await redis.mGet(ids.map((id) => `item:${id}`));  // one call instead of one per id" : 'await Promise.all(ids.map((id) => redis.hGet(`item:${id}`, field)));  // node-redis pipelines concurrent commands',
        },
        confidence: d.method === 'profile' ? 0.85 : 0.65,
        impact: Math.max(share, 0.15),
      }),
    );
  }
  return out;
}
