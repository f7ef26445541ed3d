/**
 * The fixed-request fast path: one connection sending the same pre-serialized
 * request over and over (quick mode `tuneup load URL`, and any scenario whose
 * request never changes). Nothing is allocated per request: the request bytes,
 * the endpoint handle, the status check and the completion callback are all
 * resolved before the first send.
 *
 * @module
 */
import { TuneupError } from '../../errors.js';
import type { EndpointHandle } from '../../metrics/recorder-types.js';
import { templateEndpoint } from '../../metrics/endpoint.js';
import { hashRequestKey } from '../../metrics/load-facts.js';
import type { Clock, RequestSpec } from '../types.js';
import { HttpConnection, type ExchangeSink } from './connection.js';
import { StatusExpectation, checkTimeout, type HttpClientOptions } from './options.js';
import { encodeBody, isIdempotent, normalizeMethod, resolveUrl, serializeRequest } from './request-bytes.js';
import { exchangeConnectingUs, exchangeWaitingUs } from './timings.js';

/** One connection = one virtual user sending a fixed request. */
export interface FixedSender {
  /**
   * Send the request once. Response time is measured from `intendedStartMs`
   * (on the options' clock); the result is recorded, then `onDone` runs. Pass
   * the same `onDone` function every time (e.g. one bound once) so nothing is
   * allocated per request. Must not be called while `busy`; does nothing after `close()`.
   */
  send(intendedStartMs: number, onDone: () => void): void;
  /** Close the connection; an exchange in flight is abandoned (not recorded, `onDone` not called). */
  close(): void;
  /** True while a request is in flight. */
  readonly busy: boolean;
}

function noop(): void {}

/** {@link FixedSender} on a raw {@link HttpConnection}. */
class RawFixedSender implements FixedSender, ExchangeSink {
  busy = false;
  private intendedStartMs = 0;
  private onDone: () => void = noop;
  private readonly connection: HttpConnection;

  constructor(
    private readonly request: Buffer,
    private readonly isHead: boolean,
    private readonly retryable: boolean,
    private readonly timeoutMs: number,
    private readonly handle: EndpointHandle,
    private readonly expect: StatusExpectation,
    clock: Clock,
    target: ConstructorParameters<typeof HttpConnection>[0],
    private readonly keyHash: number,
    private readonly hinted: boolean,
  ) {
    this.connection = new HttpConnection(target, this, clock);
  }

  send(intendedStartMs: number, onDone: () => void): void {
    if (this.connection.closed) return;
    if (this.busy) {
      // A scheduler bug, not a load condition: two exchanges on one connection would corrupt both.
      throw new TuneupError('TUNEUP_INTERNAL', 'FixedSender.send() called while a request is in flight', {
        hint: 'Executors must only call send() on a sender whose `busy` is false.',
      });
    }
    this.intendedStartMs = intendedStartMs;
    this.onDone = onDone;
    this.busy = true;
    this.connection.send(this.request, this.isHead, this.retryable, this.timeoutMs);
  }

  close(): void {
    this.busy = false;
    this.connection.close();
  }

  /** @internal */
  onExchangeDone(conn: HttpConnection): void {
    const status = conn.status;
    let error = conn.error;
    if (error === undefined && !this.expect.ok(status)) error = 'http';
    const responseUs = Math.round((conn.endMs - this.intendedStartMs) * 1000);
    this.handle.record(
      status,
      error,
      Math.round(conn.serviceMs * 1000),
      responseUs < 0 ? 0 : responseUs,
      exchangeWaitingUs(conn),
      exchangeConnectingUs(conn),
      conn.bytesIn,
      conn.bytesOut,
    );
    this.handle.noteLoad?.(this.keyHash, conn.endMs - conn.serviceMs, conn.endMs, this.hinted, error === undefined);
    this.busy = false;
    this.onDone();
  }
}

/**
 * Create a sender for one fixed request on its own keep-alive connection.
 * The connection opens on the first `send`.
 * @throws TuneupError `TUNEUP_HTTP_URL_INVALID`, `TUNEUP_HTTP_HEADER_INVALID` or
 *   `TUNEUP_HTTP_METHOD_INVALID` when the request cannot be built.
 */
export function createFixedSender(spec: RequestSpec, options: HttpClientOptions): FixedSender {
  const method = normalizeMethod(spec.method);
  const url = resolveUrl(spec.url, options.baseUrl, options.rejectUnauthorized ?? true);
  const request = serializeRequest(method, url, [options.headers, spec.headers], encodeBody(spec.body));
  const endpoint = spec.name ?? templateEndpoint(method, url.pathname);
  const tags = spec.tags === undefined ? options.tags : { ...options.tags, ...spec.tags };
  const handle = options.recorder.endpoint(options.scenario, method, endpoint, tags);
  return new RawFixedSender(
    request,
    method === 'HEAD',
    isIdempotent(method),
    checkTimeout(spec.timeout ?? options.timeoutMs, spec.timeout === undefined ? 'timeout' : 'request.timeout'),
    handle,
    new StatusExpectation(spec.expectedStatuses),
    options.clock,
    url.target,
    spec.cacheKey === undefined ? hashRequestKey(method, url.pathAndQuery) : hashRequestKey('', spec.cacheKey),
    spec.cacheKey !== undefined,
  );
}
