/**
 * Quick mode (`tuneup load URL -c 50 -d 30s [--rate 2000]`): autocannon-style
 * options → a one-scenario {@link ResolvedPlan} named `quick`.
 *
 * @module
 */
import type { RequestSpec } from '../engine/types.js';
import { TuneupError } from '../errors.js';
import { formatDuration, tryParseDuration } from './duration.js';
import { DEFAULT_GRACEFUL_STOP_MS, DEFAULT_MAX_DURATION_MS, DEFAULT_TIMEOUT_MS, DEFAULT_TIME_UNIT_MS } from './resolve.js';
import type { DurationInput, ResolvedPlan, ResolvedScenario } from './types.js';

/** Quick-mode options (the CLI passes its parsed flags). */
export interface QuickOptions {
  /** Target URL; must be http://. */
  url: string;
  /** Concurrent connections = VUs (default 10). With `rate`, also the VU cap. */
  connections?: number;
  /** Run duration (default 10s); ignored with `amount` and no `rate`. */
  duration?: DurationInput;
  /** Open model: requests per second, evenly scheduled. Omit for the closed model. */
  rate?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Per-request timeout (default 60s). */
  timeout?: DurationInput;
  /** Total requests to send (autocannon -a). */
  amount?: number;
  /** Environment for `vu.env` (default: process.env). */
  env?: Record<string, string | undefined>;
}

/** Default quick-mode connections and duration (autocannon's). */
export const QUICK_DEFAULTS = { connections: 10, durationMs: 10_000 } as const;

function invalid(flag: string, message: string, hint: string): TuneupError {
  return new TuneupError('TUNEUP_OPTION_INVALID', `${flag}: ${message}`, { location: flag, hint });
}

function durationOf(value: DurationInput, flag: string): number {
  const parsed = tryParseDuration(value);
  if (!parsed.ok) throw invalid(flag, parsed.reason, 'Durations look like "500ms", "30s", "1m30s" or "2h".');
  if (parsed.ms <= 0) throw invalid(flag, 'must be greater than 0', 'For example -d 30s.');
  return parsed.ms;
}

function positiveInteger(value: number | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw invalid(flag, `expected a positive integer, got ${value}`, `For example ${flag} 50.`);
  return value;
}

/**
 * Build the quick-mode plan: `constant-vus` (vus = connections) or, with
 * `rate`, `constant-arrival-rate` (rate per second, preAllocatedVUs =
 * maxVUs = connections). With `amount`: `shared-iterations` of `amount`
 * iterations, or with `rate` an arrival-rate run lasting amount/rate seconds.
 * The one request is `fixed`, so the engine uses its fast path.
 * @throws TuneupError `TUNEUP_OPTION_INVALID` naming the flag.
 */
export function planFromQuickOptions(options: QuickOptions): ResolvedPlan {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalid('URL', `not a valid URL: ${JSON.stringify(options.url)}`, 'Give a full URL, e.g. http://127.0.0.1:3000/api/orders.');
  }
  if (url.protocol !== 'http:') {
    throw invalid('URL', `only http:// URLs are supported, got ${url.protocol}//`, 'Point tuneup at the service over plain HTTP, e.g. http://127.0.0.1:3000/.');
  }
  const connections = positiveInteger(options.connections, QUICK_DEFAULTS.connections, '--connections');
  const durationMs = options.duration === undefined ? QUICK_DEFAULTS.durationMs : durationOf(options.duration, '--duration');
  const timeoutMs = options.timeout === undefined ? DEFAULT_TIMEOUT_MS : durationOf(options.timeout, '--timeout');
  const amount = options.amount === undefined ? undefined : positiveInteger(options.amount, 1, '--amount');
  const rate = options.rate;
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
    throw invalid('--rate', `expected a positive number of requests per second, got ${rate}`, 'For example --rate 2000.');
  }
  const method = (options.method ?? 'GET').toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw invalid('--method', `not an HTTP method: ${JSON.stringify(options.method)}`, 'For example --method POST.');

  const fixed: RequestSpec = { method, url: url.href, discardBody: true };
  if (options.headers !== undefined && Object.keys(options.headers).length > 0) fixed.headers = { ...options.headers };
  if (options.body !== undefined) fixed.body = options.body;
  if (options.timeout !== undefined) fixed.timeout = timeoutMs;

  const base = {
    name: 'quick',
    startTimeMs: 0,
    gracefulStopMs: DEFAULT_GRACEFUL_STOP_MS,
    tags: {},
    env: {},
    fn: async (vu: { http: { request(spec: RequestSpec): Promise<unknown> } }) => void (await vu.http.request(fixed)),
    fixed,
  };
  let scenario: ResolvedScenario;
  if (rate !== undefined) {
    const runMs = amount === undefined ? durationMs : Math.ceil((amount / rate) * 1000);
    scenario = {
      ...base,
      executor: 'constant-arrival-rate',
      model: 'open',
      rate,
      timeUnitMs: DEFAULT_TIME_UNIT_MS,
      durationMs: runMs,
      preAllocatedVUs: connections,
      maxVUs: connections,
      options: { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: formatDuration(runMs), preAllocatedVUs: connections, maxVUs: connections },
    };
  } else if (amount !== undefined) {
    const vus = Math.min(connections, amount);
    scenario = {
      ...base,
      executor: 'shared-iterations',
      model: 'closed',
      vus,
      iterations: amount,
      maxDurationMs: DEFAULT_MAX_DURATION_MS,
      options: { executor: 'shared-iterations', vus, iterations: amount, maxDuration: formatDuration(DEFAULT_MAX_DURATION_MS) },
    };
  } else {
    scenario = {
      ...base,
      executor: 'constant-vus',
      model: 'closed',
      vus: connections,
      durationMs,
      options: { executor: 'constant-vus', vus: connections, duration: formatDuration(durationMs) },
    };
  }
  return {
    name: 'quick',
    baseUrl: url.origin,
    timeoutMs,
    headers: {},
    scenarios: [scenario],
    thresholds: [],
    probes: {},
    env: options.env ?? process.env,
    warnings: [],
    json: { name: 'quick', baseUrl: url.origin, scenarios: { quick: scenario.options }, thresholds: {} },
  };
}
