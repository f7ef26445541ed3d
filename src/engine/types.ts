/**
 * Contracts between the engine's parts: the virtual-user API that plan code
 * sees, the HTTP request/response shapes, and the clock. Implementations live
 * in `engine/http/`, `engine/vu.ts`, `engine/executors/`.
 *
 * @module
 */
import type { ErrorKind, Tags } from '../result/types.js';

/** A request as plan code describes it. `url` is absolute or a path joined to the plan's baseUrl. */
export interface RequestSpec {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A string or bytes is sent as is; any other object is sent as JSON with `content-type: application/json`. */
  body?: string | Uint8Array | object;
  /** Endpoint name (route template) for metrics, e.g. `GET /api/orders/:id`. Without it the URL path is templated automatically. */
  name?: string;
  /** Extra tags for this request's samples. */
  tags?: Tags;
  /** Per-request timeout in ms (default: the plan's `timeout`, 60 s). */
  timeout?: number;
  /** Statuses counted as success (default 200–399). */
  expectedStatuses?: number[];
  /** Skip decoding the body to a string (saves CPU for large bodies); `body` is then ''. */
  discardBody?: boolean;
  /**
   * The key the service caches this request's answer under, when it is not
   * the URL (e.g. a header-dependent or body-dependent lookup). tuneup counts
   * requests that repeat an earlier key to know the hit ratio a perfect cache
   * could reach on this load; without it the key is method + path with query.
   */
  cacheKey?: string;
}

/** Per-phase timings of one request in ms (k6 names). */
export interface RequestTimings {
  /** Time waiting for a free connection. */
  blocked: number;
  /** TCP connect time (0 on a reused connection). */
  connecting: number;
  /** Writing the request. */
  sending: number;
  /** Time to first byte after sending (k6 http_req_waiting). */
  waiting: number;
  /** First byte → last byte. */
  receiving: number;
  /** Service time: sending + waiting + receiving (k6 http_req_duration). */
  duration: number;
  /** Response time: intended start → last byte (equals duration plus the iteration's start lag). */
  response: number;
}

/** What `vu.http.*` resolves to. It never rejects: failures are in `error`. */
export interface HttpResponse {
  /** HTTP status, or 0 when no response arrived. */
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
  /** Parse the body as JSON; throws a TuneupError with the first bytes of the body on failure. */
  json<T = unknown>(): T;
  timings: RequestTimings;
  /** Set when the request failed (transport error, timeout, or unexpected status). */
  error?: ErrorKind;
  errorMessage?: string;
  request: { method: string; url: string; endpoint: string };
  bytesReceived: number;
  bytesSent: number;
}

/** Per-request options for the `vu.http` shorthands. */
export type RequestOptions = Omit<RequestSpec, 'method' | 'url' | 'body'>;

/** HTTP API given to plan code. */
export interface HttpApi {
  request(spec: RequestSpec): Promise<HttpResponse>;
  get(url: string, options?: RequestOptions): Promise<HttpResponse>;
  head(url: string, options?: RequestOptions): Promise<HttpResponse>;
  delete(url: string, options?: RequestOptions): Promise<HttpResponse>;
  post(url: string, body?: RequestSpec['body'], options?: RequestOptions): Promise<HttpResponse>;
  put(url: string, body?: RequestSpec['body'], options?: RequestOptions): Promise<HttpResponse>;
  patch(url: string, body?: RequestSpec['body'], options?: RequestOptions): Promise<HttpResponse>;
}

/** The virtual user handed to every scenario function call (one iteration). */
export interface VirtualUser {
  /** 1-based VU id, unique in the run (and across workers). */
  readonly id: number;
  /** Scenario the VU is running now. */
  readonly scenario: string;
  /** Iteration number of this VU in the scenario (0-based). */
  readonly iteration: number;
  /** State kept across iterations of this VU (login tokens, counters). */
  readonly state: Record<string, unknown>;
  /** Tags added to every sample of this VU (scenario tags plus anything the code sets). */
  readonly tags: Tags;
  readonly http: HttpApi;
  /** Environment variables (process.env plus `--env` flags). */
  readonly env: Record<string, string | undefined>;
  /** k6 `check`: records each named predicate into the `checks` rate; true when all pass. */
  check<T>(value: T, checks: Record<string, (value: T) => boolean>, tags?: Tags): boolean;
  /** Pause this VU; resolves early when the run stops. */
  sleep(seconds: number): Promise<void>;
  /** True once the scenario is stopping (gracefulStop running): long loops should end. */
  readonly stopping: boolean;
}

/** A scenario function: one call is one iteration. */
export type ScenarioFunction = (vu: VirtualUser) => Promise<void> | void;

/** Monotonic clock in ms; injectable so schedules can be tested with a fake clock. */
export interface Clock {
  /** Monotonic milliseconds (performance.now() in production). */
  now(): number;
  /** Resolve after `ms` (or when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
