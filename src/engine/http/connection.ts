/**
 * One raw HTTP/1.1 keep-alive connection on `node:net` (or `node:tls`),
 * carrying one request at a time: the transport under both the fixed-request
 * fast path and the scripted-VU API.
 *
 * Hot-path choices, each measured by `bench/throughput`:
 * - reads use `net.connect({ onread })` with one module-wide 64 KiB buffer, so
 *   Node allocates no Buffer per read (parsing is synchronous, so sharing is safe);
 * - socket listeners are module-level functions (`this` is the socket), so no
 *   closure is created per connection or per request;
 * - the request is a pre-serialized Buffer written as is;
 * - timeouts are a number checked by a shared sweeper ({@link deadlineSweeper}),
 *   not a timer per request;
 * - Nagle is off (`noDelay`), as every request is one small write.
 *
 * @module
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ErrorKind } from '../../result/types.js';
import type { Clock } from '../types.js';
import { classifySocketError } from './classify.js';
import { deadlineSweeper, sweepIntervalFor, type DeadlineTarget } from './deadlines.js';
import { ResponseParser } from './parser.js';

/** Where a connection goes. */
export interface ConnectionTarget {
  host: string;
  port: number;
  /** Use TLS (https). */
  tls: boolean;
  /** Verify the server certificate (TLS only). */
  rejectUnauthorized: boolean;
}

/** Receives the outcome of every exchange started with {@link HttpConnection.send}. */
export interface ExchangeSink {
  /**
   * Called exactly once per `send()` (never after `close()`), synchronously from
   * a socket event or the deadline sweep. Read the outcome from the connection's
   * fields; the sink may call `send()` again right away.
   */
  onExchangeDone(conn: HttpConnection): void;
}

/** Shared read buffer: every connection of this thread parses synchronously inside the read callback. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const EMPTY = Buffer.alloc(0);
/** Back-reference from a socket to its connection (set once per socket). */
const kConnection = Symbol('tuneup.connection');

type OwnedSocket = net.Socket & { [kConnection]: HttpConnection };

function onSocketRead(this: OwnedSocket, nread: number, buf: Buffer): void {
  const conn = this[kConnection];
  if (conn.socket === this) conn.onBytes(buf, 0, nread);
}

function onTlsData(this: OwnedSocket, chunk: Buffer): void {
  const conn = this[kConnection];
  if (conn.socket === this) conn.onBytes(chunk, 0, chunk.length);
}

function onSocketConnect(this: OwnedSocket): void {
  const conn = this[kConnection];
  if (conn.socket === this) conn.onConnect();
}

function onSocketError(this: OwnedSocket, err: NodeJS.ErrnoException): void {
  const conn = this[kConnection];
  if (conn.socket === this) conn.onSocketError(err);
}

function onSocketClose(this: OwnedSocket): void {
  const conn = this[kConnection];
  if (conn.socket === this) conn.onSocketClose();
}

/**
 * A keep-alive connection that runs one request/response exchange at a time,
 * reconnecting transparently when the peer closed it. All outcome fields are
 * public and valid inside {@link ExchangeSink.onExchangeDone}.
 */
export class HttpConnection implements DeadlineTarget {
  /** Owned by the deadline sweeper. */
  sweepIndex = -1;
  /** The live socket, or null between connections. */
  socket: OwnedSocket | null = null;
  /** True once the current socket finished connecting (and the TLS handshake). */
  connected = false;
  /** Parser for the current response; set `collectHeaders`/`collectBody` on it to keep them. */
  readonly parser = new ResponseParser();

  /**
   * Take a second timestamp after the write to measure k6's `sending` phase.
   * Off on the fixed-request path (the recorder has no sending column, and
   * every clock read costs), on for the scripted-VU API.
   */
  measureSending = false;
  /** True while an exchange is in flight. */
  inFlight = false;
  /** The connection was closed with {@link close}; `send` does nothing afterwards. */
  closed = false;

  // Outcome of the current/last exchange (ms on the connection's clock).
  /** When `send` was called. */
  startMs = 0;
  /** Connect start/end for this exchange; equal when the connection was reused. */
  connectStartMs = 0;
  connectEndMs = 0;
  /** Request written (start/end of the synchronous write). */
  writeStartMs = 0;
  writeEndMs = 0;
  /** First response byte; -1 when none arrived. */
  firstByteMs = -1;
  /** Last response byte, or when the failure was decided (a timeout: start + timeout). */
  endMs = 0;
  /** Service time (ms): write → last byte; the timeout value on a timeout; start → failure when nothing was written. */
  serviceMs = 0;
  /** The exchange ran on a connection kept alive from an earlier one. */
  reused = false;
  /** Response bytes on the wire. */
  bytesIn = 0;
  /** Request bytes on the wire. */
  bytesOut = 0;
  /** HTTP status of a complete response, else 0. */
  status = 0;
  /** Transport failure, else undefined (status checks are the caller's job). */
  error: ErrorKind | undefined = undefined;
  errorMessage = '';

  private request: Buffer = EMPTY;
  private isHead = false;
  private retryable = false;
  private retried = false;
  /** True once the current exchange's request was written. */
  wrote = false;
  private timeoutMs = 0;
  private lastTimeoutMs = -1;
  private deadline = 0;

  /**
   * @param target where to connect.
   * @param sink receives every exchange's outcome.
   * @param clock the run's clock (timings and deadlines).
   */
  constructor(
    private readonly target: ConnectionTarget,
    private readonly sink: ExchangeSink,
    private readonly clock: Clock,
  ) {}

  /**
   * Start one exchange. The connection must be idle (`inFlight` false).
   * @param request the complete serialized request.
   * @param isHead true for HEAD (the response has no body).
   * @param retryable true when the request is idempotent: it is re-sent once on
   *   a fresh connection if a kept-alive one turns out to be closed by the
   *   peer before any response byte (the usual keep-alive race).
   * @param timeoutMs total time allowed for connect + response.
   */
  send(request: Buffer, isHead: boolean, retryable: boolean, timeoutMs: number): void {
    if (this.closed) return;
    const now = this.clock.now();
    this.request = request;
    this.isHead = isHead;
    this.retryable = retryable;
    this.retried = false;
    this.wrote = false;
    this.startMs = now;
    this.firstByteMs = -1;
    this.endMs = 0;
    this.serviceMs = 0;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.status = 0;
    this.error = undefined;
    this.errorMessage = '';
    this.parser.reset(isHead);
    this.inFlight = true;
    this.timeoutMs = timeoutMs;
    this.deadline = now + timeoutMs;
    if (this.sweepIndex === -1) deadlineSweeper.add(this, timeoutMs);
    else if (timeoutMs !== this.lastTimeoutMs) deadlineSweeper.ensureInterval(sweepIntervalFor(timeoutMs));
    this.lastTimeoutMs = timeoutMs;
    if (this.socket !== null && this.connected) {
      this.reused = true;
      this.connectStartMs = now;
      this.connectEndMs = now;
      this.write(now);
    } else {
      this.reused = false;
      if (this.socket === null) this.open(now);
      // else: still connecting; onConnect writes.
    }
  }

  /**
   * Close the connection. An exchange in flight is abandoned without calling
   * the sink (the run is ending; it is neither a success nor a failure).
   */
  close(): void {
    this.closed = true;
    this.inFlight = false;
    this.dropSocket();
    deadlineSweeper.remove(this);
  }

  /** @internal socket read callback. */
  onBytes(buf: Buffer, start: number, end: number): void {
    if (!this.inFlight) {
      // Bytes nobody asked for: the peer broke the protocol; start afresh next time.
      this.dropSocket();
      return;
    }
    // One clock read per read event: a response that arrives in one read (the
    // common case for small bodies) has its first and last byte at the same instant.
    const now = this.clock.now();
    if (this.firstByteMs < 0) this.firstByteMs = now;
    this.bytesIn += end - start;
    const parser = this.parser;
    const pos = parser.execute(buf, start, end);
    if (pos < 0) {
      this.fail('protocol', parser.error);
      return;
    }
    if (parser.complete) this.succeed(pos < end, now);
  }

  /** @internal socket connected (TLS: handshake done). */
  onConnect(): void {
    this.connected = true;
    const now = this.clock.now();
    this.connectEndMs = now;
    if (this.inFlight && !this.wrote) this.write(now);
  }

  /** @internal socket error. */
  onSocketError(err: NodeJS.ErrnoException): void {
    const kind = classifySocketError(err.code, this.connected);
    if (!this.inFlight) {
      this.dropSocket();
      return;
    }
    if (kind === 'reset' && this.canRetry()) {
      this.retry();
      return;
    }
    this.fail(kind, err.code === undefined ? err.message : `${err.code}: ${err.message}`);
  }

  /** @internal socket closed (after 'error' when there was one; then this socket is already detached). */
  onSocketClose(): void {
    this.socket = null;
    const wasConnected = this.connected;
    this.connected = false;
    if (!this.inFlight) return;
    if (this.parser.finishOnEof()) {
      this.succeed(false, this.clock.now());
      return;
    }
    if (this.canRetry()) {
      this.retry();
      return;
    }
    if (wasConnected) this.fail('reset', 'connection closed before the response completed');
    else this.fail('connect', 'connection closed while connecting');
  }

  /** Deadline sweep: expire the exchange when its time is up. */
  checkDeadline(): void {
    if (!this.inFlight) return;
    if (this.clock.now() < this.deadline) return;
    const connecting = !this.connected;
    this.error = connecting ? 'connect' : 'timeout';
    this.errorMessage = connecting
      ? `connect timed out after ${this.timeoutMs} ms`
      : `no complete response within ${this.timeoutMs} ms`;
    // Recorded at the timeout value, however late the sweep noticed it.
    this.endMs = this.startMs + this.timeoutMs;
    this.serviceMs = this.timeoutMs;
    this.status = 0;
    this.dropSocket();
    this.inFlight = false;
    this.sink.onExchangeDone(this);
  }

  private open(now: number): void {
    const t = this.target;
    this.connectStartMs = now;
    this.connectEndMs = now;
    this.connected = false;
    let socket: OwnedSocket;
    if (t.tls) {
      socket = tls.connect({
        host: t.host,
        port: t.port,
        servername: net.isIP(t.host) === 0 ? t.host : undefined,
        rejectUnauthorized: t.rejectUnauthorized,
        ALPNProtocols: ['http/1.1'],
      }) as unknown as OwnedSocket;
      socket.on('secureConnect', onSocketConnect);
      socket.on('data', onTlsData);
    } else {
      socket = net.connect({
        host: t.host,
        port: t.port,
        noDelay: true,
        onread: { buffer: READ_BUFFER, callback: onSocketRead as unknown as (n: number, b: Buffer) => boolean },
      }) as OwnedSocket;
      socket.on('connect', onSocketConnect);
    }
    socket[kConnection] = this;
    socket.setNoDelay(true);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    this.socket = socket;
  }

  private write(now: number): void {
    this.wrote = true;
    this.writeStartMs = now;
    this.bytesOut += this.request.length;
    (this.socket as OwnedSocket).write(this.request);
    this.writeEndMs = this.measureSending ? this.clock.now() : now;
  }

  private canRetry(): boolean {
    return this.retryable && this.reused && !this.retried && this.bytesIn === 0;
  }

  /** The kept-alive connection was dead: re-send once on a fresh one. Timings keep the original start. */
  private retry(): void {
    this.retried = true;
    this.dropSocket();
    this.reused = false;
    this.wrote = false;
    this.firstByteMs = -1;
    this.parser.reset(this.isHead);
    this.open(this.clock.now());
  }

  private succeed(extraBytes: boolean, now: number): void {
    this.endMs = now;
    this.serviceMs = now - this.writeStartMs;
    this.status = this.parser.status;
    // Bytes after a complete response mean the stream is out of sync: never reuse it.
    if (!this.parser.keepAlive || extraBytes) this.dropSocket();
    this.inFlight = false;
    this.sink.onExchangeDone(this);
  }

  private fail(kind: ErrorKind, message: string): void {
    const now = this.clock.now();
    this.endMs = now;
    this.serviceMs = this.wrote ? now - this.writeStartMs : now - this.startMs;
    this.status = 0;
    this.error = kind;
    this.errorMessage = message;
    this.dropSocket();
    this.inFlight = false;
    this.sink.onExchangeDone(this);
  }

  private dropSocket(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    this.connected = false;
    socket.destroy();
  }
}
