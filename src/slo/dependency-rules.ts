/**
 * The dependency rules as PromQL: recordings of the cache hit ratio, the
 * PostgreSQL buffer cache hit ratio and each statement's mean time per call
 * over {@link DEPENDENCY_WINDOW_MS}, and their ticket alerts with `for:`
 * durations. The dashboard draws the same expressions.
 *
 * Every recording carries `tuneup_service`, so the rule files of several
 * services can be loaded into one Prometheus.
 *
 * @module
 */
import type { CacheConventions, CounterSeries, PostgresConventions } from './conventions.js';
import { DEPENDENCY_WINDOW_MS, fmtPercent, type CacheRuleSpec, type DependencySpec, type PostgresRuleSpec } from './dependencies.js';
import { quote } from './promql.js';
import type { AlertingRule, RecordingRule, RuleGroup } from './rules.js';
import { formatPromDuration } from './windows.js';

function matchers(...sets: Array<Record<string, string>>): string {
  return Object.entries(Object.assign({}, ...sets) as Record<string, string>)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(',');
}

/** `name{matchers}`, or the bare name when there is none. */
function series(name: string, list: string): string {
  return list ? `${name}{${list}}` : name;
}

function counterRate(counter: CounterSeries, selector: Record<string, string>, windowMs: number, by: string[] = []): string {
  const grouping = by.length > 0 ? ` by (${by.join(', ')})` : '';
  return `sum${grouping}(rate(${series(counter.metric, matchers(selector, counter.labels))}[${formatPromDuration(windowMs)}]))`;
}

/** Cache hits / (hits + misses) over `windowMs` (empty when nothing was looked up). */
export function cacheHitRatio(c: CacheConventions, windowMs = DEPENDENCY_WINDOW_MS): string {
  const hits = counterRate(c.hits, c.selector, windowMs);
  return `${hits}\n/\n(${hits} + ${counterRate(c.misses, c.selector, windowMs)})`;
}

/** Cache lookups (hits + misses) per second over `windowMs`. */
export function cacheLookupRate(c: CacheConventions, windowMs = DEPENDENCY_WINDOW_MS): string {
  return `${counterRate(c.hits, c.selector, windowMs)} + ${counterRate(c.misses, c.selector, windowMs)}`;
}

function blocks(c: PostgresConventions, windowMs: number): { hit: string; read: string } {
  const counter = (metric: string): CounterSeries => ({ metric, labels: {} });
  return {
    hit: counterRate(counter(c.blocksHit), c.selector, windowMs, [c.databaseLabel]),
    read: counterRate(counter(c.blocksRead), c.selector, windowMs, [c.databaseLabel]),
  };
}

/** Buffer cache hit ratio per database over `windowMs`: blks_hit / (blks_hit + blks_read). */
export function bufferCacheHitRatio(c: PostgresConventions, windowMs = DEPENDENCY_WINDOW_MS): string {
  const { hit, read } = blocks(c, windowMs);
  return `${hit}\n/\n(${hit} + ${read})`;
}

/** Blocks accessed (hit + read) per second and database over `windowMs`. */
export function bufferBlockRate(c: PostgresConventions, windowMs = DEPENDENCY_WINDOW_MS): string {
  const { hit, read } = blocks(c, windowMs);
  return `${hit} + ${read}`;
}

/** Calls per second of each statement over `windowMs`. */
export function statementCallRate(c: PostgresConventions, windowMs = DEPENDENCY_WINDOW_MS): string {
  return counterRate({ metric: c.statementCalls, labels: {} }, c.selector, windowMs, c.statementLabels);
}

/** Mean execution seconds per call of each statement over `windowMs` (empty for a statement not called). */
export function statementMeanSeconds(c: PostgresConventions, windowMs = DEPENDENCY_WINDOW_MS): string {
  return `${counterRate({ metric: c.statementSeconds, labels: {} }, c.selector, windowMs, c.statementLabels)}\n/\n${statementCallRate(c, windowMs)}`;
}

const W = formatPromDuration(DEPENDENCY_WINDOW_MS);
const WINDOW_SECONDS = DEPENDENCY_WINDOW_MS / 1000;

/** Record names of the dependency rules. */
export const DEPENDENCY_RECORDS = {
  cacheHitRatio: `tuneup:cache_hit:ratio_rate${W}`,
  cacheLookups: `tuneup:cache_lookups:rate${W}`,
  bufferHitRatio: `tuneup:pg_buffer_cache_hit:ratio_rate${W}`,
  bufferBlocks: `tuneup:pg_buffer_blocks:rate${W}`,
  statementMean: `tuneup:pg_statement_mean_seconds:rate${W}`,
  statementCalls: `tuneup:pg_statement_calls:rate${W}`,
} as const;

/** Alert names of the dependency rules. */
export const DEPENDENCY_ALERTS = {
  cacheHitRatio: 'CacheHitRatioLow',
  bufferCache: ['PostgresBufferCacheHitRatioLow', 'PostgresBufferCacheHitRatioVeryLow'],
  slowStatement: 'PostgresSlowStatement',
} as const;

/** A per-second rate that means `perWindow` events in the window, rounded for reading. */
function perSecond(perWindow: number): number {
  return +(perWindow / WINDOW_SECONDS).toPrecision(6);
}

function selector(service: string): string {
  return `{tuneup_service=${quote(service)}}`;
}

function cacheGroup(service: string, spec: CacheRuleSpec): RuleGroup {
  const labels = { tuneup_service: service };
  const s = selector(service);
  const { objective } = spec;
  const counter = (x: CounterSeries): string => series(x.metric, matchers(x.labels));
  const source = `hits ${counter(spec.conventions.hits)}, misses ${counter(spec.conventions.misses)}: ${spec.conventions.preset} conventions`;
  const rules: Array<RecordingRule | AlertingRule> = [
    { record: DEPENDENCY_RECORDS.cacheHitRatio, expr: cacheHitRatio(spec.conventions), labels: { ...labels } },
    { record: DEPENDENCY_RECORDS.cacheLookups, expr: cacheLookupRate(spec.conventions), labels: { ...labels } },
    {
      alert: DEPENDENCY_ALERTS.cacheHitRatio,
      expr: `${DEPENDENCY_RECORDS.cacheHitRatio}${s} < ${objective.value}\nand\n${DEPENDENCY_RECORDS.cacheLookups}${s} >= ${perSecond(spec.minLookups)}`,
      for: formatPromDuration(objective.forMs),
      labels: { ...labels, severity: 'ticket' },
      annotations: {
        summary: `${service}: cache hit ratio below ${fmtPercent(objective.value)}`,
        description: `The cache hit ratio over ${W} (${source}) stayed below ${fmtPercent(objective.value)} for ${formatPromDuration(objective.forMs)}, with at least ${spec.minLookups} lookups per ${W}. Objective: ${objective.anchor}. Every miss is a trip to the backing store: look for a changed key, a shortened TTL, evictions (maxmemory) or a flush.`,
      },
    },
  ];
  return { name: `tuneup-cache-${service}`, rules };
}

function postgresGroup(service: string, spec: PostgresRuleSpec): RuleGroup {
  const labels = { tuneup_service: service };
  const s = selector(service);
  const c = spec.conventions;
  const rules: Array<RecordingRule | AlertingRule> = [
    { record: DEPENDENCY_RECORDS.bufferHitRatio, expr: bufferCacheHitRatio(c), labels: { ...labels } },
    { record: DEPENDENCY_RECORDS.bufferBlocks, expr: bufferBlockRate(c), labels: { ...labels } },
    { record: DEPENDENCY_RECORDS.statementMean, expr: statementMeanSeconds(c), labels: { ...labels } },
    { record: DEPENDENCY_RECORDS.statementCalls, expr: statementCallRate(c), labels: { ...labels } },
  ];
  spec.bufferCache.forEach((line, i) => {
    rules.push({
      alert: DEPENDENCY_ALERTS.bufferCache[i]!,
      expr: `${DEPENDENCY_RECORDS.bufferHitRatio}${s} < ${line.value}\nand\n${DEPENDENCY_RECORDS.bufferBlocks}${s} >= ${perSecond(spec.minBlocks)}`,
      for: formatPromDuration(line.forMs),
      labels: { ...labels, severity: 'ticket' },
      annotations: {
        summary: `${service}: PostgreSQL buffer cache hit ratio of {{ $labels.${c.databaseLabel} }} below ${fmtPercent(line.value)}`,
        description: `${c.blocksHit} / (${c.blocksHit} + ${c.blocksRead}) over ${W} stayed below ${fmtPercent(line.value)} for ${formatPromDuration(line.forMs)}, with at least ${spec.minBlocks} blocks per ${W}. Threshold: ${line.anchor}. Reads miss shared_buffers: the working set outgrew the cache (raise shared_buffers, add memory) or a statement scans more than it should (see ${DEPENDENCY_ALERTS.slowStatement}).`,
      },
    });
  });
  const ids = c.statementLabels.map((l) => `${l}={{ $labels.${l} }}`).join(' ');
  rules.push({
    alert: DEPENDENCY_ALERTS.slowStatement,
    expr: `${DEPENDENCY_RECORDS.statementMean}${s} > ${spec.slowStatement.value}\nand\n${DEPENDENCY_RECORDS.statementCalls}${s} >= ${perSecond(spec.minCalls)}`,
    for: formatPromDuration(spec.slowStatement.forMs),
    labels: { ...labels, severity: 'ticket' },
    annotations: {
      summary: `${service}: a PostgreSQL statement takes over ${+(spec.slowStatement.value * 1000).toPrecision(6)} ms per call (${ids})`,
      description: `${c.statementSeconds} / ${c.statementCalls} over ${W} stayed above ${+(spec.slowStatement.value * 1000).toPrecision(6)} ms per call for ${formatPromDuration(spec.slowStatement.forMs)}, with at least ${spec.minCalls} calls per ${W} (PgHero slow_query_calls). Threshold: ${spec.slowStatement.anchor}; postgres_exporter counts execution time only (PgHero adds planning time). EXPLAIN the statement (pg_stat_statements.queryid) to see where an index is missing.`,
    },
  });
  return { name: `tuneup-postgres-${service}`, rules };
}

/** The rule groups of a set's dependencies (none when nothing was probed). */
export function dependencyGroups(service: string, spec: DependencySpec): RuleGroup[] {
  return [...(spec.cache ? [cacheGroup(service, spec.cache)] : []), ...(spec.postgres ? [postgresGroup(service, spec.postgres)] : [])];
}
