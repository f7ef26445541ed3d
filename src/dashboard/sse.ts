/**
 * Server-sent events: the wire format, and a hub that holds the open event
 * streams and writes each message to all of them.
 *
 * A message is serialized once, however many pages are open, and written
 * with `res.write` (buffered, never awaited), so publishing costs the caller
 * one string concatenation per message. A page that stops reading is dropped
 * when its unsent bytes pass a bound instead of growing memory.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 * @module
 */
import type { ServerResponse } from 'node:http';

/** One event of an event stream. */
export interface SseMessage {
  /** Event type (`addEventListener(type)` in the browser); absent = `message`. No CR or LF. */
  event?: string;
  /** Payload; line breaks are split into several `data:` lines and rejoined by the browser. */
  data: string;
  /** Event id (the browser sends the last one back as `Last-Event-ID` when it reconnects). No CR, LF or NUL. */
  id?: string;
  /** Reconnection delay the browser should use (ms). */
  retry?: number;
}

/**
 * Frame one message as event-stream text, ending with the blank line that
 * dispatches it.
 * @throws RangeError when `event` or `id` holds a line break (or `id` a NUL), which would corrupt the stream.
 * @example
 * formatSse({ event: 'interval', data: '{"t":[1]}' }); // 'event: interval\ndata: {"t":[1]}\n\n'
 */
export function formatSse(message: SseMessage): string {
  let out = '';
  if (message.event !== undefined) {
    if (/[\r\n]/.test(message.event)) throw new RangeError('an SSE event name cannot contain a line break');
    out += `event: ${message.event}\n`;
  }
  if (message.id !== undefined) {
    if (/[\r\n\0]/.test(message.id)) throw new RangeError('an SSE id cannot contain a line break or NUL');
    out += `id: ${message.id}\n`;
  }
  if (message.retry !== undefined) out += `retry: ${Math.max(0, Math.floor(message.retry))}\n`;
  // CRLF, CR and LF all end a line in the stream: split on each so no payload line can end the event early.
  for (const line of message.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line: ignored by the browser, it keeps idle connections (and proxies) from timing out. */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** Options of {@link SseHub}. */
export interface SseHubOptions {
  /** Interval of the keep-alive comment (ms, default 15000; 0 = none). */
  heartbeatMs?: number;
  /** Unsent bytes after which a client that stopped reading is dropped (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Reconnection delay announced to each client (ms, default 1000). */
  retryMs?: number;
}

/**
 * The open event streams of one server.
 *
 * @example
 * const hub = new SseHub();
 * http.createServer((req, res) => hub.add(res, [{ event: 'hello', data: '{}' }]));
 * hub.publish({ event: 'tick', data: '1' });
 * hub.close();
 */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly maxBufferedBytes: number;
  private readonly retryMs: number;
  private readonly heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: SseHubOptions = {}) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.retryMs = options.retryMs ?? 1000;
    const every = options.heartbeatMs ?? 15_000;
    if (every > 0) {
      this.heartbeat = setInterval(() => this.broadcast(formatSseComment('ping')), every);
      // A heartbeat alone must never keep the process alive.
      this.heartbeat.unref();
    }
  }

  /** Number of open streams. */
  get size(): number {
    return this.clients.size;
  }

  /**
   * Turn `res` into an event stream: send the headers, the reconnection
   * delay and `initial` (this client's catch-up), then every later
   * {@link publish}. After {@link close}, the response is ended at once.
   */
  add(res: ServerResponse, initial: readonly SseMessage[] = []): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise hold events back in their buffer.
      'x-accel-buffering': 'no',
    });
    if (this.closed) {
      res.end();
      return;
    }
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    res.write(`retry: ${this.retryMs}\n\n${initial.map(formatSse).join('')}`);
  }

  /** Send one message to every open stream (serialized once). */
  publish(message: SseMessage): void {
    if (this.clients.size === 0) return;
    this.broadcast(formatSse(message));
  }

  /** End every stream and refuse new ones. Idempotent. */
  close(): void {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private broadcast(frame: string): void {
    for (const res of this.clients) {
      if (res.writableLength > this.maxBufferedBytes) {
        // The page stopped reading (a frozen tab): drop it rather than buffer without bound. EventSource reconnects if it wakes.
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }
}
