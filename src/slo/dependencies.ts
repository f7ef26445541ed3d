/**
 * The service's dependencies as rules: when the load test probed Redis or
 * PostgreSQL (the plan's `probes:` section, or a stored run whose evidence
 * shows them), the export adds a cache hit ratio rule and PostgreSQL's
 * buffer cache and slow-statement rules next to the SLOs. These are cause
 * alerts (tickets), never pages: the SLO burn alerts page on the symptom.
 *
 * Thresholds and their anchors:
 * - cache hit ratio: `--cache-objective` or `slo.cache.objective`, else the
 *   run's measured ratio with its miss ratio doubled, else Sysdig PromCat's
 *   Redis `LowHitRatio` (0.9, for 30 m);
 * - buffer cache hit ratio: PgHero's 99 % (sustained 30 m) and
 *   awesome-prometheus-alerts' `PostgresqlLowCacheHitRate` 98 % (for 5 m);
 * - slow statement: mean execution time per call above PgHero's
 *   `slow_query_ms` (20 ms) with at least PgHero's `slow_query_calls` (100)
 *   calls in the window.
 *
 * The PgHero and Sysdig numbers are the diagnosis' own defaults
 * (src/diagnose/config.ts), so the export and the diagnosis judge alike.
 *
 * @module
 */
import { z } from 'zod';
import { THRESHOLDS } from '../diagnose/config.js';
import { TuneupError } from '../errors.js';
import type { ResolvedProbes } from '../plan/types.js';
import type { RunResult } from '../result/types.js';
import {
  resolveCacheConventions,
  resolvePostgresConventions,
  type CacheConventionOverrides,
  type CacheConventions,
  type PostgresConventionOverrides,
  type PostgresConventions,
} from './conventions.js';

const MINUTE = 60_000;

/** The rate window of every dependency rule (5 m: four scrapes at Prometheus' default 1 m interval, as the alert catalogues use). */
export const DEPENDENCY_WINDOW_MS = 5 * MINUTE;

/** One threshold of a dependency alert, with where it comes from. */
export interface DependencyThreshold {
  /** The value the alert compares against (a ratio, or seconds for statements). */
  value: number;
  /** How long the condition must hold before the alert fires (ms). */
  forMs: number;
  /** Where the value comes from, in words (goes into the rule's annotations). */
  anchor: string;
}

/** The cache hit ratio rule. */
export interface CacheRuleSpec {
  conventions: CacheConventions;
  /** Fire when the hit ratio over the window is below `objective.value`. */
  objective: DependencyThreshold;
  /** Lookups (hits + misses) per window below which the ratio is not judged (a quiet cache swings on a few misses). */
  minLookups: number;
}

/** The PostgreSQL rules. */
export interface PostgresRuleSpec {
  conventions: PostgresConventions;
  /** Buffer cache hit ratio lines, highest first; each becomes one alert. */
  bufferCache: DependencyThreshold[];
  /** Blocks (hit + read) per window below which the buffer cache is not judged. */
  minBlocks: number;
  /** Mean execution seconds per call above which a statement is slow. */
  slowStatement: DependencyThreshold;
  /** Calls per window a statement needs before its mean counts. */
  minCalls: number;
}

/** The dependency rules of a set (absent members: not probed, or turned off). */
export interface DependencySpec {
  cache?: CacheRuleSpec;
  postgres?: PostgresRuleSpec;
}

/** What a stored run measured that the dependency rules use. */
export interface RunMeasurements {
  /** The run's id, for notes and annotations. */
  runId: string;
  /** Set when the run's redis probe sampled. */
  redis?: { hitRatio: number | null; lookups: number };
  /** Set when the run's postgres probe sampled. */
  postgres?: { bufferHitRatio: number | null; slowStatements: number };
}

const percent = z.number().gt(0).lt(100);
const counterSchema = z.object({ metric: z.string(), labels: z.record(z.string(), z.string()) }).partial().strict();

/** `slo.cache`: false turns the rule off; an object turns it on even without a redis probe. */
export const CACHE_SECTION_SCHEMA = z.union([
  z.literal(false),
  z
    .object({
      objective: percent.optional(),
      metrics: z
        .object({ preset: z.string(), hits: counterSchema, misses: counterSchema, selector: z.record(z.string(), z.string()) })
        .partial()
        .strict()
        .optional(),
    })
    .strict(),
]);

/** `slo.postgres`: false turns the rules off; an object turns them on even without a postgres probe. */
export const POSTGRES_SECTION_SCHEMA = z.union([
  z.literal(false),
  z
    .object({
      bufferCacheObjective: percent.optional(),
      slowStatementMs: z.number().positive().optional(),
      slowStatementCalls: z.number().int().positive().optional(),
      metrics: z
        .object({
          preset: z.string(),
          statementSeconds: z.string(),
          statementCalls: z.string(),
          statementLabels: z.array(z.string()),
          blocksHit: z.string(),
          blocksRead: z.string(),
          databaseLabel: z.string(),
          selector: z.record(z.string(), z.string()),
        })
        .partial()
        .strict()
        .optional(),
    })
    .strict(),
]);

/** What {@link dependenciesFor} reads. */
export interface DependencyInputs {
  cache?: z.infer<typeof CACHE_SECTION_SCHEMA>;
  postgres?: z.infer<typeof POSTGRES_SECTION_SCHEMA>;
  probes?: ResolvedProbes;
  measured?: RunMeasurements;
  /** `--cache-objective` as typed (percent). */
  cacheObjective?: string;
}

/** Sysdig's LowHitRatio `for: 30m`: a cache warms up and cools down over minutes; a 5 m dip is not a ticket. */
const CACHE_FOR_MS = 30 * MINUTE;
/** PgHero states its 99 % as a level to keep, not an incident: a sustained half hour below it. */
const PGHERO_BUFFER_FOR_MS = 30 * MINUTE;
/** awesome-prometheus-alerts' PostgresqlLowCacheHitRate `for: 5m`. */
const APA_BUFFER_FOR_MS = 5 * MINUTE;
/** Three windows in a row: one slow burst (a cold plan, a vacuum) is not a ticket. */
const SLOW_FOR_MS = 15 * MINUTE;

const SYSDIG_HIT_RATIO = THRESHOLDS['cacheMiss.hitRatio'].normal;
const PGHERO_BUFFER_RATIO = 0.99;
const APA_BUFFER_RATIO = 0.98;

/**
 * The dependency rules for a plan's probes, its `slo.cache` / `slo.postgres`
 * sections and, optionally, a stored run's measurements. Notes say why a
 * rule is there and where each threshold comes from.
 * @throws TuneupError `TUNEUP_SLO_INVALID`, `TUNEUP_SLO_PRESET_UNKNOWN`, `TUNEUP_OPTION_INVALID` (`--cache-objective`).
 */
export function dependenciesFor(inputs: DependencyInputs, notes: string[]): DependencySpec {
  const spec: DependencySpec = {};
  const cacheWhy = inputs.cache === false ? undefined : inputs.cache ? 'slo.cache' : inputs.probes?.redis ? 'the plan probes Redis' : inputs.measured?.redis ? `run ${inputs.measured.runId} probed Redis` : undefined;
  if (cacheWhy) {
    const section = inputs.cache || {};
    const conventions = resolveCacheConventions(section.metrics as CacheConventionOverrides | undefined);
    const objective = cacheObjective(inputs.cacheObjective, section.objective, inputs.measured, notes);
    notes.push(`cache hit ratio rule (${cacheWhy}): below ${fmtPercent(objective.value)} for ${fmtMinutes(objective.forMs)}; ${objective.anchor}`);
    spec.cache = { conventions, objective, minLookups: THRESHOLDS['cacheMiss.minLookups'].normal };
  } else if (inputs.cacheObjective !== undefined) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', '--cache-objective: the plan has no cache to watch', {
      location: '--cache-objective',
      hint: 'add probes.redis (or a slo.cache section) to the plan, or pass --run with a run that probed Redis',
    });
  }
  const pgWhy = inputs.postgres === false ? undefined : inputs.postgres ? 'slo.postgres' : inputs.probes?.postgres ? 'the plan probes PostgreSQL' : inputs.measured?.postgres ? `run ${inputs.measured.runId} probed PostgreSQL` : undefined;
  if (pgWhy) {
    const section = inputs.postgres || {};
    const conventions = resolvePostgresConventions(section.metrics as PostgresConventionOverrides | undefined);
    const bufferCache: DependencyThreshold[] =
      section.bufferCacheObjective === undefined
        ? [
            { value: PGHERO_BUFFER_RATIO, forMs: PGHERO_BUFFER_FOR_MS, anchor: 'PgHero: the cache hit rate should be above 99 % in most cases' },
            { value: APA_BUFFER_RATIO, forMs: APA_BUFFER_FOR_MS, anchor: 'awesome-prometheus-alerts PostgresqlLowCacheHitRate: below 98 % for 5m' },
          ]
        : [{ value: section.bufferCacheObjective / 100, forMs: PGHERO_BUFFER_FOR_MS, anchor: 'slo.postgres.bufferCacheObjective' }];
    const slowMs = section.slowStatementMs ?? THRESHOLDS['slowQuery.meanMs'].normal;
    const slowStatement: DependencyThreshold = {
      value: slowMs / 1000,
      forMs: SLOW_FOR_MS,
      anchor: section.slowStatementMs === undefined ? `PgHero slow_query_ms: ${slowMs} ms` : 'slo.postgres.slowStatementMs',
    };
    const minCalls = section.slowStatementCalls ?? THRESHOLDS['slowQuery.calls'].normal;
    notes.push(
      `PostgreSQL rules (${pgWhy}): buffer cache hit ratio below ${bufferCache.map((b) => fmtPercent(b.value)).join(' / ')}; statements slower than ${slowMs} ms per call with ≥ ${minCalls} calls in 5m. Metrics from postgres_exporter ≥ 0.14 with --collector.stat_statements`,
    );
    const measured = inputs.measured?.postgres;
    if (measured?.bufferHitRatio != null && measured.bufferHitRatio < bufferCache[0]!.value) {
      notes.push(`run ${inputs.measured!.runId} measured a buffer cache hit ratio of ${fmtPercent(measured.bufferHitRatio)}: at the tested load the buffer cache alert would fire`);
    }
    if (measured && measured.slowStatements > 0) {
      notes.push(`run ${inputs.measured!.runId} had ${measured.slowStatements} statement(s) PgHero calls slow: at the tested load the slow-statement alert would fire`);
    }
    spec.postgres = { conventions, bufferCache, minBlocks: THRESHOLDS['dbCacheHit.minBlocksRead'].normal, slowStatement, minCalls };
  }
  return spec;
}

function cacheObjective(flag: string | undefined, planned: number | undefined, measured: RunMeasurements | undefined, notes: string[]): DependencyThreshold {
  if (flag !== undefined) {
    const value = Number(flag.trim().replace(/%$/, ''));
    if (!(value > 0 && value < 100)) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', `--cache-objective ${JSON.stringify(flag)} is not a percentage between 0 and 100`, {
        location: '--cache-objective',
        hint: 'give the hit ratio to keep in percent, e.g. --cache-objective 95',
      });
    }
    return { value: value / 100, forMs: CACHE_FOR_MS, anchor: '--cache-objective' };
  }
  if (planned !== undefined) return { value: planned / 100, forMs: CACHE_FOR_MS, anchor: 'slo.cache.objective' };
  const redis = measured?.redis;
  const minLookups = THRESHOLDS['cacheMiss.minLookups'].normal;
  const sysdig: DependencyThreshold = { value: SYSDIG_HIT_RATIO, forMs: CACHE_FOR_MS, anchor: 'Sysdig PromCat Redis LowHitRatio: below 0.9 for 30m' };
  if (!redis) return sysdig;
  if (redis.hitRatio === null || redis.lookups < minLookups) {
    notes.push(`run ${measured!.runId} looked up ${redis.lookups} key(s) in Redis, fewer than ${minLookups}: its hit ratio is not an objective; using Sysdig's 0.9`);
    return sysdig;
  }
  // The objective allows the run's miss ratio to double: database load from misses grows with the
  // miss ratio, so twice the misses is twice the load the test did not validate. Rounded down to 0.1 %.
  // toFixed first: 0.976 must give 0.952, not 0.951 through 951.9999….
  const doubled = Math.floor(+((1 - 2 * (1 - redis.hitRatio)) * 1000).toFixed(6)) / 1000;
  if (doubled <= 0) {
    notes.push(`run ${measured!.runId} measured a cache hit ratio of ${fmtPercent(redis.hitRatio)}: too low to derive an objective (twice its misses is every lookup); using Sysdig's 0.9, which the run itself fails`);
    return sysdig;
  }
  if (redis.hitRatio < SYSDIG_HIT_RATIO) notes.push(`run ${measured!.runId} measured a cache hit ratio of ${fmtPercent(redis.hitRatio)}, below Sysdig's 0.9: the objective guards against regressions from a low baseline`);
  return { value: doubled, forMs: CACHE_FOR_MS, anchor: `run ${measured!.runId} measured ${fmtPercent(redis.hitRatio)} (redis probe, keyspace hits and misses); the objective allows twice its miss ratio` };
}

/**
 * What a stored run measured for the dependency rules: the redis probe's
 * hit ratio over the run window, the postgres probe's buffer cache hit ratio
 * and the statements PgHero would call slow.
 */
export function measurementsFromRun(result: Pick<RunResult, 'id' | 'probes'>): RunMeasurements {
  const measured: RunMeasurements = { runId: result.id };
  for (const evidence of result.probes ?? []) {
    if (!evidence.ok) continue;
    const data = evidence.data as Record<string, unknown>;
    if (evidence.probe === 'redis') {
      const info = data.info as { keyspaceHits?: number; keyspaceMisses?: number; hitRatio?: number | null } | null | undefined;
      measured.redis = { hitRatio: info?.hitRatio ?? null, lookups: (info?.keyspaceHits ?? 0) + (info?.keyspaceMisses ?? 0) };
    } else if (evidence.probe === 'postgres') {
      const cacheHit = data.cacheHit as { window?: number | null } | undefined;
      const statements = (data.statements ?? []) as Array<{ calls?: number; meanExecMs?: number }>;
      const slowMs = THRESHOLDS['slowQuery.meanMs'].normal;
      const minCalls = THRESHOLDS['slowQuery.calls'].normal;
      const slow = statements.filter((s) => (s.calls ?? 0) >= minCalls && (s.meanExecMs ?? 0) >= slowMs).length;
      measured.postgres = { bufferHitRatio: cacheHit?.window ?? null, slowStatements: slow };
    }
  }
  return measured;
}

/** `0.995` → `99.5 %`. */
export function fmtPercent(ratio: number): string {
  return `${+(ratio * 100).toFixed(2)} %`;
}

function fmtMinutes(ms: number): string {
  return `${Math.round(ms / MINUTE)}m`;
}
