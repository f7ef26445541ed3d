/**
 * The contract the engine expects from the HTTP transport (`engine/http`),
 * written from the engine's side. The engine imports the transport
 * directly; this interface exists so the transport's tests
 * (test/http/module-shape.test.ts) fail to typecheck if the shapes drift.
 *
 * @module
 */
import type { MetricsRecorder } from '../metrics/recorder-types.js';
import type { Tags } from '../result/types.js';
import type { Clock, HttpApi, RequestSpec } from './types.js';

/** Options of the transport's per-VU client and fixed sender, as the engine passes them. */
export interface EngineHttpClientOptions {
  baseUrl?: string;
  timeoutMs: number;
  recorder: MetricsRecorder;
  scenario: string;
  tags?: Tags;
  clock: Clock;
  /** Start lag of the current iteration; the transport adds it to service time to get response time. */
  lag: { lagMs: number };
  headers?: Record<string, string>;
}

/** A VU's HTTP client. */
export type EngineVuHttpClient = HttpApi & { close(): void };

/** One connection sending one fixed request (zero-allocation fast path). */
export interface EngineFixedSender {
  /** Send once; response time is measured from `intendedStartMs` (clock time). `onDone` runs once the response (or error) is recorded; not after `close()`. */
  send(intendedStartMs: number, onDone: () => void): void;
  close(): void;
  readonly busy: boolean;
}

/** What the engine uses of `engine/http`. */
export interface TransportModule {
  createVuHttp(options: EngineHttpClientOptions): EngineVuHttpClient;
  createFixedSender(spec: RequestSpec, options: EngineHttpClientOptions): EngineFixedSender;
}
