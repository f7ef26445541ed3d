/**
 * Metric conventions: which histogram and which label names carry an HTTP
 * service's request durations, with presets for prom-client's and
 * OpenTelemetry's naming. Every SLO expression is built from one of these.
 *
 * @module
 */
import { TuneupError } from '../errors.js';

/** The label names of route, method and status on the duration histogram. */
export interface ConventionLabels {
  /** Route template label, e.g. `route` (prom-client apps) or `http_route` (OpenTelemetry). */
  route: string;
  /** HTTP method label. */
  method: string;
  /** Response status code label. */
  status: string;
}

/** How the service's request-duration histogram is named and labelled. */
export interface MetricConventions {
  /** The preset these values started from. */
  preset: ConventionPreset;
  /** Histogram base name: the rules read `<histogram>_bucket` and `<histogram>_count`. */
  histogram: string;
  labels: ConventionLabels;
  /** Regex (PromQL `=~`) of the status values that count as errors for availability. */
  errorStatus: string;
  /** Extra label matchers on every series, e.g. `{ job: 'api' }`. */
  selector: Record<string, string>;
  /** The histogram's bucket upper bounds (`le`) in seconds, ascending; a latency threshold maps onto one of them. */
  buckets: number[];
}

/** Names of the built-in conventions. */
export const CONVENTION_PRESETS = ['prom-client', 'opentelemetry'] as const;

/** One of {@link CONVENTION_PRESETS}. */
export type ConventionPreset = (typeof CONVENTION_PRESETS)[number];

/**
 * The presets. prom-client has no built-in HTTP histogram; the de-facto one
 * (express-prom-bundle and most hand-written middleware) is
 * `http_request_duration_seconds{method,route,status_code}` with prom-client's
 * default buckets. OpenTelemetry's semantic conventions name it
 * `http.server.request.duration` (seconds), which the Prometheus exporter
 * writes as `http_server_request_duration_seconds` with dotted attribute
 * names turned into underscores, and advise the buckets below.
 */
export const PRESETS: Record<ConventionPreset, Omit<MetricConventions, 'preset'>> = {
  'prom-client': {
    histogram: 'http_request_duration_seconds',
    labels: { route: 'route', method: 'method', status: 'status_code' },
    errorStatus: '5..',
    selector: {},
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  opentelemetry: {
    histogram: 'http_server_request_duration_seconds',
    labels: { route: 'http_route', method: 'http_request_method', status: 'http_response_status_code' },
    errorStatus: '5..',
    selector: {},
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  },
};

/** Overrides of a preset, as a plan's `slo.metrics` or the command line give them. */
export interface ConventionOverrides {
  preset?: string;
  histogram?: string;
  labels?: Partial<ConventionLabels>;
  errorStatus?: string;
  selector?: Record<string, string>;
  buckets?: number[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * The conventions: a preset (default prom-client) with overrides applied.
 * @throws TuneupError `TUNEUP_SLO_PRESET_UNKNOWN` for an unknown preset,
 *   `TUNEUP_SLO_INVALID` for a name Prometheus would reject or unsorted buckets.
 */
export function resolveConventions(overrides: ConventionOverrides = {}): MetricConventions {
  const name = overrides.preset ?? 'prom-client';
  if (!(CONVENTION_PRESETS as readonly string[]).includes(name)) {
    throw new TuneupError('TUNEUP_SLO_PRESET_UNKNOWN', `unknown metric preset ${JSON.stringify(name)}`, {
      location: 'slo.metrics.preset',
      hint: `use one of ${CONVENTION_PRESETS.join(', ')}, and override single names under slo.metrics (histogram, labels, buckets)`,
    });
  }
  const preset = name as ConventionPreset;
  const base = PRESETS[preset];
  const conventions: MetricConventions = {
    preset,
    histogram: overrides.histogram ?? base.histogram,
    labels: { ...base.labels, ...overrides.labels },
    errorStatus: overrides.errorStatus ?? base.errorStatus,
    selector: { ...base.selector, ...overrides.selector },
    buckets: overrides.buckets ?? base.buckets,
  };
  checkConventions(conventions);
  return conventions;
}

function checkConventions(c: MetricConventions): void {
  const problems: string[] = [];
  if (!METRIC_NAME.test(c.histogram)) problems.push(`histogram ${JSON.stringify(c.histogram)} is not a Prometheus metric name`);
  for (const label of [...Object.values(c.labels), ...Object.keys(c.selector)]) {
    if (!LABEL_NAME.test(label)) problems.push(`${JSON.stringify(label)} is not a Prometheus label name`);
  }
  if (c.buckets.length === 0 || c.buckets.some((b, i) => !(b > 0) || (i > 0 && b <= c.buckets[i - 1]!))) {
    problems.push('buckets must be positive and strictly ascending');
  }
  if (problems.length > 0) {
    throw new TuneupError('TUNEUP_SLO_INVALID', problems.join('; '), {
      location: 'slo.metrics',
      hint: 'metric and label names are [a-zA-Z_][a-zA-Z0-9_]*; buckets are the le values in seconds, ascending',
    });
  }
}

/** A counter and the label values that select it, e.g. `cache_requests_total{result="hit"}`. */
export interface CounterSeries {
  /** Counter name as Prometheus stores it (with `_total`). */
  metric: string;
  /** Label matchers that pick this counter's series out of the metric (empty: every series). */
  labels: Record<string, string>;
}

/** How a cache's hits and misses reach Prometheus. */
export interface CacheConventions {
  preset: CachePreset;
  hits: CounterSeries;
  misses: CounterSeries;
  /** Extra matchers on both counters, e.g. `{ instance: 'redis:9121' }`. */
  selector: Record<string, string>;
}

/** Names of the built-in cache conventions. */
export const CACHE_PRESETS = ['redis_exporter', 'app'] as const;

/** One of {@link CACHE_PRESETS}. */
export type CachePreset = (typeof CACHE_PRESETS)[number];

/**
 * The cache presets. `redis_exporter` (oliver006/redis_exporter) turns INFO's
 * `keyspace_hits` / `keyspace_misses` into the counters below: the same
 * numbers the run's redis probe measured, so the objective it derives means
 * the same thing in production. `app` is the service's own counter in the
 * shape most instrumentation uses, one counter with a result label; its
 * names are a starting point to override under `slo.cache.metrics`.
 */
export const CACHE_PRESET_VALUES: Record<CachePreset, Omit<CacheConventions, 'preset'>> = {
  redis_exporter: {
    hits: { metric: 'redis_keyspace_hits_total', labels: {} },
    misses: { metric: 'redis_keyspace_misses_total', labels: {} },
    selector: {},
  },
  app: {
    hits: { metric: 'cache_requests_total', labels: { result: 'hit' } },
    misses: { metric: 'cache_requests_total', labels: { result: 'miss' } },
    selector: {},
  },
};

/** How postgres_exporter's statement and database statistics are named and labelled. */
export interface PostgresConventions {
  preset: PostgresPreset;
  /** Cumulative execution seconds per statement (`pg_stat_statements.total_exec_time` / 1000). */
  statementSeconds: string;
  /** Cumulative calls per statement. */
  statementCalls: string;
  /** The labels that identify one statement (and group the slow-statement rules). */
  statementLabels: string[];
  /** `pg_stat_database.blks_hit` per database. */
  blocksHit: string;
  /** `pg_stat_database.blks_read` per database. */
  blocksRead: string;
  /** The database label of both families. */
  databaseLabel: string;
  /** Extra matchers on every series, e.g. `{ datname: 'orders' }`. */
  selector: Record<string, string>;
}

/** Names of the built-in PostgreSQL conventions. */
export const POSTGRES_PRESETS = ['postgres_exporter'] as const;

/** One of {@link POSTGRES_PRESETS}. */
export type PostgresPreset = (typeof POSTGRES_PRESETS)[number];

/**
 * prometheus-community/postgres_exporter: the `stat_statements` collector
 * (since v0.13.0, right for PostgreSQL 13+ since v0.14.0; disabled by default,
 * enable with `--collector.stat_statements`) exports
 * `pg_stat_statements_seconds_total` and `pg_stat_statements_calls_total`
 * labelled `user`, `datname`, `queryid`; the default `database` collector
 * exports `pg_stat_database_blks_hit` / `pg_stat_database_blks_read`
 * (counters without a `_total` suffix) labelled `datid`, `datname`.
 */
export const POSTGRES_PRESET_VALUES: Record<PostgresPreset, Omit<PostgresConventions, 'preset'>> = {
  postgres_exporter: {
    statementSeconds: 'pg_stat_statements_seconds_total',
    statementCalls: 'pg_stat_statements_calls_total',
    statementLabels: ['datname', 'user', 'queryid'],
    blocksHit: 'pg_stat_database_blks_hit',
    blocksRead: 'pg_stat_database_blks_read',
    databaseLabel: 'datname',
    selector: {},
  },
};

/** Overrides of a cache preset (`slo.cache.metrics`). */
export interface CacheConventionOverrides {
  preset?: string;
  hits?: Partial<CounterSeries>;
  misses?: Partial<CounterSeries>;
  selector?: Record<string, string>;
}

/** Overrides of the PostgreSQL preset (`slo.postgres.metrics`). */
export type PostgresConventionOverrides = Partial<Omit<PostgresConventions, 'preset'>> & { preset?: string };

function unknownPreset(kind: string, name: string, presets: readonly string[], location: string): TuneupError {
  return new TuneupError('TUNEUP_SLO_PRESET_UNKNOWN', `unknown ${kind} metric preset ${JSON.stringify(name)}`, {
    location,
    hint: `use one of ${presets.join(', ')}, and override single names under ${location.replace(/\.preset$/, '')}`,
  });
}

function checkNames(metrics: string[], labels: string[], location: string): void {
  const problems = [
    ...metrics.filter((m) => !METRIC_NAME.test(m)).map((m) => `${JSON.stringify(m)} is not a Prometheus metric name`),
    ...labels.filter((l) => !LABEL_NAME.test(l)).map((l) => `${JSON.stringify(l)} is not a Prometheus label name`),
  ];
  if (problems.length > 0) {
    throw new TuneupError('TUNEUP_SLO_INVALID', problems.join('; '), {
      location,
      hint: 'metric names are [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*',
    });
  }
}

/**
 * The cache conventions: a preset (default redis_exporter) with overrides.
 * @throws TuneupError `TUNEUP_SLO_PRESET_UNKNOWN`, `TUNEUP_SLO_INVALID`.
 */
export function resolveCacheConventions(overrides: CacheConventionOverrides = {}): CacheConventions {
  const name = overrides.preset ?? 'redis_exporter';
  if (!(CACHE_PRESETS as readonly string[]).includes(name)) throw unknownPreset('cache', name, CACHE_PRESETS, 'slo.cache.metrics.preset');
  const preset = name as CachePreset;
  const base = CACHE_PRESET_VALUES[preset];
  const counter = (b: CounterSeries, o: Partial<CounterSeries> | undefined): CounterSeries => ({ metric: o?.metric ?? b.metric, labels: o?.labels ?? b.labels });
  const c: CacheConventions = {
    preset,
    hits: counter(base.hits, overrides.hits),
    misses: counter(base.misses, overrides.misses),
    selector: { ...base.selector, ...overrides.selector },
  };
  checkNames([c.hits.metric, c.misses.metric], [...Object.keys(c.hits.labels), ...Object.keys(c.misses.labels), ...Object.keys(c.selector)], 'slo.cache.metrics');
  return c;
}

/**
 * The PostgreSQL conventions: postgres_exporter's names with overrides.
 * @throws TuneupError `TUNEUP_SLO_PRESET_UNKNOWN`, `TUNEUP_SLO_INVALID`.
 */
export function resolvePostgresConventions(overrides: PostgresConventionOverrides = {}): PostgresConventions {
  const { preset: name = 'postgres_exporter', ...rest } = overrides;
  if (!(POSTGRES_PRESETS as readonly string[]).includes(name)) throw unknownPreset('postgres', name, POSTGRES_PRESETS, 'slo.postgres.metrics.preset');
  const preset = name as PostgresPreset;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const c: PostgresConventions = { preset, ...POSTGRES_PRESET_VALUES[preset], ...defined, selector: { ...POSTGRES_PRESET_VALUES[preset].selector, ...rest.selector } };
  checkNames([c.statementSeconds, c.statementCalls, c.blocksHit, c.blocksRead], [...c.statementLabels, c.databaseLabel, ...Object.keys(c.selector)], 'slo.postgres.metrics');
  if (c.statementLabels.length === 0) {
    throw new TuneupError('TUNEUP_SLO_INVALID', 'slo.postgres.metrics.statementLabels is empty', {
      location: 'slo.postgres.metrics.statementLabels',
      hint: "list the labels that identify a statement, e.g. ['datname', 'user', 'queryid']",
    });
  }
  return c;
}
