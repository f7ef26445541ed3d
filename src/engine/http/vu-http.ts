/**
 * The scripted-VU HTTP API (`vu.http.get(...)` in plan code) on raw
 * keep-alive connections: one connection per origin per VU, requests of one
 * VU to the same origin queued on it (k6 semantics: a VU is one user with
 * one connection per host).
 *
 * Every response is recorded through the {@link MetricsRecorder} with an
 * endpoint handle resolved once per request shape, in caches shared by the
 * scenario's VUs and bounded (`shape-cache.ts`), so memory does not grow
 * with the VU count or the number of distinct URLs.
 *
 * @module
 */
import { TuneupError } from '../../errors.js';
import { templateEndpoint } from '../../metrics/endpoint.js';
import { hashRequestKey } from '../../metrics/load-facts.js';
import type { EndpointHandle } from '../../metrics/recorder-types.js';
import type { ErrorKind, Tags } from '../../result/types.js';
import type { Clock, HttpApi, HttpResponse, RequestOptions, RequestSpec, RequestTimings } from '../types.js';
import { HttpConnection, type ConnectionTarget, type ExchangeSink } from './connection.js';
import { StatusExpectation, checkTimeout, type HttpClientOptions } from './options.js';
import { encodeBody, isIdempotent, normalizeMethod, serializeRequest, type ResolvedUrl } from './request-bytes.js';
import { RequestShapeCache } from './shape-cache.js';
import { exchangeConnectingUs, exchangeWaitingUs } from './timings.js';

/** A VU's HTTP client: the plan-facing API plus `close()` for the executor. */
export type VuHttpClient = HttpApi & {
  /** Close every connection; pending requests resolve with error `aborted` (not recorded). */
  close(): void;
};

const DEFAULT_EXPECTATION = new StatusExpectation(undefined);
/** Entries per map of a client's own caches (without a shared one): the bound the per-VU caches always had. */
const OWN_CACHE_ENTRIES = 1024;

/** A request waiting for, or using, its origin's connection. */
interface Exchange {
  request: Buffer;
  isHead: boolean;
  retryable: boolean;
  timeoutMs: number;
  queuedMs: number;
  method: string;
  href: string;
  endpoint: string;
  handle: EndpointHandle;
  /** Hash of the request's cache key (load facts: repeated keys). */
  keyHash: number;
  hinted: boolean;
  expect: StatusExpectation;
  discardBody: boolean;
  resolve: (response: HttpResponse) => void;
}

/** {@link HttpResponse} with `json()` on the prototype (no closure per response). */
class VuResponse implements HttpResponse {
  constructor(
    public status: number,
    public headers: Record<string, string>,
    public body: string,
    public timings: RequestTimings,
    public error: ErrorKind | undefined,
    public errorMessage: string | undefined,
    public request: { method: string; url: string; endpoint: string },
    public bytesReceived: number,
    public bytesSent: number,
  ) {}

  json<T = unknown>(): T {
    try {
      return JSON.parse(this.body) as T;
    } catch (cause) {
      const start = this.body.length > 80 ? `${this.body.slice(0, 80)}…` : this.body;
      throw new TuneupError(
        'TUNEUP_HTTP_JSON_INVALID',
        `response of ${this.request.method} ${this.request.url} (status ${this.status}) is not JSON: ${JSON.stringify(start)}`,
        {
          hint: this.body === '' ? 'The body is empty (was `discardBody` set, or did the request fail?); check `res.status`/`res.error` first.' : 'Check `res.status` and the content-type before calling `res.json()`.',
          cause,
        },
      );
    }
  }
}

function zeroTimings(blocked: number): RequestTimings {
  return { blocked, connecting: 0, sending: 0, waiting: 0, receiving: 0, duration: 0, response: 0 };
}

/** One origin's connection with the VU's queue of requests to it. */
class OriginConnection implements ExchangeSink {
  private readonly connection: HttpConnection;
  private readonly queue: Exchange[] = [];
  private current: Exchange | null = null;

  constructor(
    target: ConnectionTarget,
    private readonly clock: Clock,
    private readonly lag: { lagMs: number },
  ) {
    this.connection = new HttpConnection(target, this, clock);
    this.connection.parser.collectHeaders = true;
    this.connection.measureSending = true;
  }

  enqueue(exchange: Exchange): void {
    if (this.current === null) this.start(exchange);
    else this.queue.push(exchange);
  }

  close(): void {
    this.connection.close();
    const pending = this.current === null ? this.queue : [this.current, ...this.queue];
    this.current = null;
    this.queue.length = 0;
    for (const exchange of pending) exchange.resolve(abortedResponse(exchange, this.clock.now() - exchange.queuedMs));
  }

  private start(exchange: Exchange): void {
    this.current = exchange;
    this.connection.parser.collectBody = !exchange.discardBody;
    this.connection.send(exchange.request, exchange.isHead, exchange.retryable, exchange.timeoutMs);
  }

  /** @internal */
  onExchangeDone(conn: HttpConnection): void {
    const exchange = this.current as Exchange;
    this.current = null;
    const status = conn.status;
    let error = conn.error;
    let errorMessage: string | undefined = error === undefined ? undefined : conn.errorMessage;
    if (error === undefined && !exchange.expect.ok(status)) {
      error = 'http';
      errorMessage = `unexpected HTTP status ${status}`;
    }
    const serviceMs = conn.serviceMs;
    const waitingUs = exchangeWaitingUs(conn);
    const connectingUs = exchangeConnectingUs(conn);
    const sending = conn.wrote ? conn.writeEndMs - conn.writeStartMs : 0;
    const waiting = conn.firstByteMs < 0 ? (conn.wrote ? Math.max(0, serviceMs - sending) : 0) : waitingUs / 1000;
    const receiving = conn.firstByteMs < 0 ? 0 : Math.max(0, conn.endMs - conn.firstByteMs);
    const lagMs = this.lag.lagMs > 0 ? this.lag.lagMs : 0;
    const timings: RequestTimings = {
      blocked: Math.max(0, conn.startMs - exchange.queuedMs),
      connecting: connectingUs / 1000,
      sending,
      waiting,
      receiving,
      duration: serviceMs,
      response: serviceMs + lagMs,
    };
    exchange.handle.record(
      status,
      error,
      Math.round(serviceMs * 1000),
      Math.round((serviceMs + lagMs) * 1000),
      waitingUs,
      connectingUs,
      conn.bytesIn,
      conn.bytesOut,
    );
    exchange.handle.noteLoad?.(exchange.keyHash, conn.endMs - serviceMs, conn.endMs, exchange.hinted, error === undefined);
    const parser = conn.parser;
    const gotResponse = status !== 0;
    const body = !gotResponse || exchange.discardBody ? '' : parser.body().toString('utf8');
    const response = new VuResponse(
      status,
      gotResponse && parser.headers !== null ? parser.headers : {},
      body,
      timings,
      error,
      errorMessage,
      { method: exchange.method, url: exchange.href, endpoint: exchange.endpoint },
      conn.bytesIn,
      conn.bytesOut,
    );
    // Start the next queued request before resolving, so it is not delayed by the microtask queue.
    const next = this.queue.shift();
    if (next !== undefined) this.start(next);
    exchange.resolve(response);
  }
}

function abortedResponse(exchange: Exchange, blockedMs: number): HttpResponse {
  return new VuResponse(
    0,
    {},
    '',
    zeroTimings(Math.max(0, blockedMs)),
    'aborted',
    'the client was closed before the response arrived',
    { method: exchange.method, url: exchange.href, endpoint: exchange.endpoint },
    0,
    0,
  );
}

/** Stable key for a tag set's content (tags may be mutated between requests by plan code). */
function tagsKey(tags: Tags | undefined): string {
  if (tags === undefined) return '';
  let key = '';
  for (const name of Object.keys(tags).sort()) key += `\u0001${name}\u0002${tags[name]}`;
  return key;
}

/** Implementation of {@link VuHttpClient}. */
class VuHttp implements VuHttpClient {
  private readonly origins = new Map<string, OriginConnection>();
  /** Resolved URLs, endpoint names and handles: the scenario's shared, bounded caches, or this client's own. */
  private readonly shapes: RequestShapeCache;
  private readonly expectations = new WeakMap<readonly number[], StatusExpectation>();
  private closed = false;

  constructor(private readonly options: HttpClientOptions) {
    const scope = { baseUrl: options.baseUrl, rejectUnauthorized: options.rejectUnauthorized ?? true, recorder: options.recorder, scenario: options.scenario };
    // A cache made for other options would answer wrongly: then this client keeps its own.
    this.shapes = options.shapes?.serves(scope) ? options.shapes : new RequestShapeCache(scope, OWN_CACHE_ENTRIES);
  }

  request(spec: RequestSpec): Promise<HttpResponse> {
    try {
      return this.start(spec);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  get(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request({ ...options, method: 'GET', url });
  }

  head(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request({ ...options, method: 'HEAD', url });
  }

  delete(url: string, options?: RequestOptions): Promise<HttpResponse> {
    return this.request({ ...options, method: 'DELETE', url });
  }

  post(url: string, body?: RequestSpec['body'], options?: RequestOptions): Promise<HttpResponse> {
    return this.request({ ...options, method: 'POST', url, body });
  }

  put(url: string, body?: RequestSpec['body'], options?: RequestOptions): Promise<HttpResponse> {
    return this.request({ ...options, method: 'PUT', url, body });
  }

  patch(url: string, body?: RequestSpec['body'], options?: RequestOptions): Promise<HttpResponse> {
    return this.request({ ...options, method: 'PATCH', url, body });
  }

  close(): void {
    this.closed = true;
    for (const origin of this.origins.values()) origin.close();
    this.origins.clear();
  }

  private start(spec: RequestSpec): Promise<HttpResponse> {
    const options = this.options;
    const method = normalizeMethod(spec.method);
    const url = this.resolve(spec.url);
    const endpoint = spec.name ?? this.template(method, url.pathname);
    const handle = this.handle(method, endpoint, spec.tags);
    const request = serializeRequest(method, url, [options.headers, spec.headers], encodeBody(spec.body));
    let expect = DEFAULT_EXPECTATION;
    if (spec.expectedStatuses !== undefined) {
      expect = this.expectations.get(spec.expectedStatuses) ?? new StatusExpectation(spec.expectedStatuses);
      this.expectations.set(spec.expectedStatuses, expect);
    }
    const timeoutMs = spec.timeout === undefined ? options.timeoutMs : checkTimeout(spec.timeout, 'request.timeout');
    const href = `${url.origin}${url.pathAndQuery}`;
    return new Promise<HttpResponse>((resolve) => {
      const exchange: Exchange = {
        request,
        isHead: method === 'HEAD',
        retryable: isIdempotent(method),
        timeoutMs,
        queuedMs: options.clock.now(),
        method,
        href,
        endpoint,
        handle,
        keyHash: spec.cacheKey === undefined ? hashRequestKey(method, url.pathAndQuery) : hashRequestKey('', spec.cacheKey),
        hinted: spec.cacheKey !== undefined,
        expect,
        discardBody: spec.discardBody === true,
        resolve,
      };
      if (this.closed) {
        resolve(abortedResponse(exchange, 0));
        return;
      }
      let origin = this.origins.get(url.origin);
      if (origin === undefined) {
        origin = new OriginConnection(url.target, options.clock, options.lag);
        this.origins.set(url.origin, origin);
      }
      origin.enqueue(exchange);
    });
  }

  private resolve(raw: string): ResolvedUrl {
    return this.shapes.resolve(raw);
  }

  private template(method: string, pathname: string): string {
    const key = `${method} ${pathname}`;
    const endpoints = this.shapes.endpoints;
    return endpoints.get(key) ?? endpoints.set(key, templateEndpoint(method, pathname));
  }

  private handle(method: string, endpoint: string, requestTags: Tags | undefined): EndpointHandle {
    const base = this.options.tags;
    const key = `${method} ${endpoint}${tagsKey(base)}\u0000${tagsKey(requestTags)}`;
    const handles = this.shapes.handles;
    let handle = handles.get(key);
    if (handle === undefined) {
      const tags = requestTags === undefined ? (base === undefined ? undefined : { ...base }) : { ...base, ...requestTags };
      handle = handles.set(key, this.options.recorder.endpoint(this.options.scenario, method, endpoint, tags));
    }
    return handle;
  }
}

/**
 * Create a VU's HTTP client. Connections open lazily, one per origin, and are
 * kept alive across requests and iterations.
 *
 * Returned promises never reject for transport or HTTP failures (those are in
 * `response.error`); they reject with a {@link TuneupError} only for plan bugs:
 * an invalid URL (`TUNEUP_HTTP_URL_INVALID`), header (`TUNEUP_HTTP_HEADER_INVALID`),
 * method (`TUNEUP_HTTP_METHOD_INVALID`) or timeout (`TUNEUP_OPTION_INVALID`).
 * @throws TuneupError `TUNEUP_OPTION_INVALID` when `options.timeoutMs` is not positive.
 */
export function createVuHttp(options: HttpClientOptions): VuHttpClient {
  checkTimeout(options.timeoutMs, 'timeout');
  return new VuHttp(options);
}
