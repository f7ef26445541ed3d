/**
 * Options shared by the transport's two front ends (scripted VU client and
 * fixed-request sender), and the status-expectation check both use.
 *
 * @module
 */
import { TuneupError } from '../../errors.js';
import type { MetricsRecorder } from '../../metrics/recorder-types.js';
import type { Tags } from '../../result/types.js';
import type { Clock } from '../types.js';
import type { RequestShapeCache } from './shape-cache.js';

/** Default request timeout (ms), k6's default. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Options of {@link createVuHttp} and {@link createFixedSender}. */
export interface HttpClientOptions {
  /** Base for relative request URLs, e.g. `http://127.0.0.1:8080/api`. */
  baseUrl?: string;
  /** Default per-request timeout (ms): connect + full response. */
  timeoutMs: number;
  /** Where every response is recorded. */
  recorder: MetricsRecorder;
  /** Scenario name for the recorder's tag set. */
  scenario: string;
  /** Extra tags on every sample (the VU's tags). */
  tags?: Tags;
  /** The run's clock; timings and deadlines use it. */
  clock: Clock;
  /**
   * Start lag of the current iteration (actual − intended start, ms), set by
   * the executor before each iteration; response time = service time + lag.
   */
  lag: { lagMs: number };
  /** Headers sent on every request (a request's own headers override them). */
  headers?: Record<string, string>;
  /** Verify TLS certificates for https:// targets (default true). */
  rejectUnauthorized?: boolean;
  /**
   * Caches of resolved URLs, endpoint names and handles shared by the VUs of
   * one scenario on one thread, so their memory does not grow with the VU
   * count. Ignored (the client keeps its own) unless made for the same
   * baseUrl, rejectUnauthorized, recorder and scenario.
   */
  shapes?: RequestShapeCache;
}

/**
 * A status check compiled once per request shape: the default (200–399) is a
 * range test; an explicit list becomes a lookup table, so the hot path never
 * searches an array.
 */
export class StatusExpectation {
  private readonly table: Uint8Array | null;

  /** @param expected statuses counted as success; undefined for 200–399. */
  constructor(expected: readonly number[] | undefined) {
    if (expected === undefined) {
      this.table = null;
      return;
    }
    this.table = new Uint8Array(1000);
    for (const status of expected) {
      if (Number.isInteger(status) && status >= 0 && status < 1000) this.table[status] = 1;
    }
  }

  /** True when `status` counts as success. */
  ok(status: number): boolean {
    const table = this.table;
    if (table === null) return status >= 200 && status < 400;
    return status < 1000 && table[status] === 1;
  }
}

/**
 * Validate a request timeout (ms).
 * @throws TuneupError `TUNEUP_OPTION_INVALID` unless it is a positive finite number.
 */
export function checkTimeout(timeoutMs: number, location: string): number {
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `request timeout must be a positive number of milliseconds, got ${timeoutMs}`, {
      hint: 'Set `timeout` to a duration such as "30s" (default 60s).',
      location,
    });
  }
  return timeoutMs;
}
