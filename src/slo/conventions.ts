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
