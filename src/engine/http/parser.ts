/**
 * A small incremental HTTP/1.1 response parser written for the load
 * generator's hot path.
 *
 * Why not llhttp (node:http) or undici? Both allocate per response (header
 * objects, strings, promises); at 50k+ responses/s on one core that cost is
 * the whole budget. This parser works on byte offsets in the caller's
 * Buffer, compares header names byte by byte, and allocates nothing unless
 * the caller asks for headers or the body (the scripted-VU API does; the
 * fixed-request path does not).
 *
 * Supported: status line (HTTP/1.0 and 1.1), headers, `content-length`,
 * `transfer-encoding: chunked` (with extensions and trailers), `connection:
 * close` / HTTP/1.0 keep-alive, bodiless responses (HEAD, 1xx, 204, 304),
 * interim 1xx responses (skipped), and read-until-close bodies.
 *
 * @module
 */

/** Parser states. Plain numbers (not a `const enum`) so every loader inlines them the same way. */
const S_STATUS = 0;
const S_HEADER = 1;
const S_BODY_LENGTH = 2;
const S_CHUNK_SIZE = 3;
const S_CHUNK_DATA = 4;
const S_CHUNK_DATA_END = 5;
const S_TRAILER = 6;
const S_BODY_UNTIL_CLOSE = 7;
const S_DONE = 8;
const S_ERROR = 9;

/** Longest status/header/chunk-size line accepted (bytes). */
const MAX_LINE_BYTES = 64 * 1024;
/** Largest total header block accepted (bytes). */
const MAX_HEADER_BYTES = 256 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;

/** Lower-case ASCII of the header names the parser must understand. */
const NAME_CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
const NAME_TRANSFER_ENCODING = Buffer.from('transfer-encoding', 'latin1');
const NAME_CONNECTION = Buffer.from('connection', 'latin1');
const WORD_CHUNKED = Buffer.from('chunked', 'latin1');
const WORD_CLOSE = Buffer.from('close', 'latin1');
const WORD_KEEP_ALIVE = Buffer.from('keep-alive', 'latin1');
const HTTP_PREFIX = Buffer.from('HTTP/1.', 'latin1');

/**
 * True when `b[start..start+word.length)` equals `word`, ignoring ASCII case.
 * `| 0x20` lower-cases letters and leaves `-` (0x2d) unchanged, which is all
 * header tokens need.
 */
function equalsLower(b: Uint8Array, start: number, word: Uint8Array): boolean {
  const n = word.length;
  for (let i = 0; i < n; i++) {
    if ((b[start + i] | 0x20) !== word[i]) return false;
  }
  return true;
}

/** True when the comma/space separated value `b[start..end)` contains `word` as a token (case-insensitive). */
function hasToken(b: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  const n = word.length;
  for (let i = start; i + n <= end; i++) {
    if (!equalsLower(b, i, word)) continue;
    const before = i === start ? SPACE : b[i - 1];
    const after = i + n === end ? SPACE : b[i + n];
    if ((before === SPACE || before === TAB || before === 0x2c) && (after === SPACE || after === TAB || after === 0x2c || after === 0x3b)) {
      return true;
    }
  }
  return false;
}

/** True when `b` has `HTTP/1.` at `start` (exact case, RFC 9112 §2.3). */
function startsWithHttp(b: Uint8Array, start: number): boolean {
  for (let i = 0; i < 7; i++) {
    if (b[start + i] !== HTTP_PREFIX[i]) return false;
  }
  return true;
}

/**
 * Incremental parser for one HTTP/1.1 response at a time. Call
 * {@link ResponseParser.reset} before each response, feed bytes with
 * {@link ResponseParser.execute} as they arrive, and call
 * {@link ResponseParser.finishOnEof} when the peer closes.
 *
 * All fields are public and read directly by the connection (no getters on
 * the hot path).
 */
export class ResponseParser {
  /** Current state (internal). */
  state = S_STATUS;
  /** HTTP status of the final (non-1xx) response; 0 until the status line is read. */
  status = 0;
  /** Content-Length, or -1 when absent. */
  contentLength = -1;
  /** True when the response body is chunked. */
  chunked = false;
  /** False when the peer asked to close the connection after this response (or it is HTTP/1.0 without keep-alive). */
  keepAlive = true;
  /** True once the whole response (headers and body) has been read. */
  complete = false;
  /** Why parsing failed; '' when it did not. */
  error = '';
  /** Body bytes still expected in the current content-length body or chunk. */
  private remaining = 0;
  /** True when the request was HEAD, so the response has no body whatever its headers say. */
  private noBody = false;
  /** Header bytes seen so far (bounded by MAX_HEADER_BYTES). */
  private headerBytes = 0;
  /** Holds a line split across reads; allocated lazily, reused. */
  private lineBuf: Buffer | null = null;
  private lineLen = 0;

  /** When true, headers are collected into {@link ResponseParser.headers} (lower-cased names). */
  collectHeaders = false;
  /** When true, body bytes are copied into {@link ResponseParser.bodyChunks}. */
  collectBody = false;
  /** Collected headers (only when `collectHeaders`). */
  headers: Record<string, string> | null = null;
  /** Collected body chunks (only when `collectBody`). */
  bodyChunks: Buffer[] | null = null;
  /** Body bytes seen (counted whether collected or not). */
  bodyBytes = 0;

  /**
   * Prepare for the next response.
   * @param noBody true for a HEAD request: the response never has a body.
   */
  reset(noBody: boolean): void {
    this.state = S_STATUS;
    this.status = 0;
    this.contentLength = -1;
    this.chunked = false;
    this.keepAlive = true;
    this.complete = false;
    this.error = '';
    this.remaining = 0;
    this.noBody = noBody;
    this.headerBytes = 0;
    this.lineLen = 0;
    this.bodyBytes = 0;
    if (this.collectHeaders) this.headers = {};
    if (this.collectBody) this.bodyChunks = [];
  }

  /**
   * True while the response's body runs until the connection closes (no
   * length, not chunked): the caller must finish it with {@link finishOnEof}.
   */
  get readsUntilClose(): boolean {
    return this.state === S_BODY_UNTIL_CLOSE;
  }

  /**
   * Feed `buf[start..end)`. Returns the offset just past the last byte
   * consumed: `end` unless the response completed earlier (then the rest is
   * bytes the peer sent after the response) or a protocol error occurred
   * (then `error` is set and `-1` is returned).
   */
  execute(buf: Buffer, start: number, end: number): number {
    let pos = start;
    while (pos < end) {
      const state = this.state;
      if (state === S_BODY_LENGTH || state === S_CHUNK_DATA) {
        const avail = end - pos;
        const take = avail < this.remaining ? avail : this.remaining;
        if (this.collectBody) this.copyBody(buf, pos, take);
        this.bodyBytes += take;
        this.remaining -= take;
        pos += take;
        if (this.remaining === 0) {
          if (state === S_BODY_LENGTH) {
            this.done();
            return pos;
          }
          this.state = S_CHUNK_DATA_END;
        }
        continue;
      }
      if (state === S_BODY_UNTIL_CLOSE) {
        const take = end - pos;
        if (this.collectBody) this.copyBody(buf, pos, take);
        this.bodyBytes += take;
        return end;
      }
      if (state === S_DONE) return pos;
      if (state === S_ERROR) return -1;

      // Line-oriented states: status, header, chunk size, chunk end, trailer.
      // A JS scan beats Buffer#indexOf here: lines are short, and a native call per line costs more than the loop.
      let lf = pos;
      while (lf < end && buf[lf] !== LF) lf++;
      if (lf === end) {
        // Incomplete line: keep it for the next read.
        if (!this.appendLine(buf, pos, end)) return -1;
        return end;
      }
      if (this.lineLen === 0) {
        // Fast path: the whole line is in this read.
        const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
        if (state <= S_HEADER) {
          this.headerBytes += lf + 1 - pos;
          if (this.headerBytes > MAX_HEADER_BYTES) return this.fail('response header block larger than 256 KiB');
        }
        if (!this.line(buf, pos, lineEnd)) return -1;
      } else {
        if (!this.appendLine(buf, pos, lf)) return -1;
        const line = this.lineBuf as Buffer;
        const len = this.lineLen;
        this.lineLen = 0;
        if (state <= S_HEADER) {
          this.headerBytes += len + 1;
          if (this.headerBytes > MAX_HEADER_BYTES) return this.fail('response header block larger than 256 KiB');
        }
        const lineEnd = len > 0 && line[len - 1] === CR ? len - 1 : len;
        if (!this.line(line, 0, lineEnd)) return -1;
      }
      pos = lf + 1;
      if (this.complete) return pos;
    }
    return pos;
  }

  /**
   * The peer closed the connection. Completes a read-until-close body and
   * returns true; returns false when the response was cut short.
   */
  finishOnEof(): boolean {
    if (this.state === S_BODY_UNTIL_CLOSE) {
      this.done();
      return true;
    }
    return this.complete;
  }

  /** Concatenated body (only meaningful with `collectBody`). */
  body(): Buffer {
    const chunks = this.bodyChunks;
    if (chunks === null || chunks.length === 0) return Buffer.alloc(0);
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.bodyBytes);
  }

  private done(): void {
    this.state = S_DONE;
    this.complete = true;
  }

  private fail(message: string): -1 {
    this.state = S_ERROR;
    this.error = message;
    return -1;
  }

  private bad(message: string): false {
    this.fail(message);
    return false;
  }

  private copyBody(buf: Buffer, pos: number, len: number): void {
    if (len === 0) return;
    // Copy: the caller's read buffer is reused for the next read.
    const copy = Buffer.allocUnsafe(len);
    buf.copy(copy, 0, pos, pos + len);
    (this.bodyChunks as Buffer[]).push(copy);
  }

  private appendLine(buf: Buffer, start: number, end: number): boolean {
    const len = end - start;
    const needed = this.lineLen + len;
    if (needed > MAX_LINE_BYTES) {
      this.fail('response line longer than 64 KiB');
      return false;
    }
    let line = this.lineBuf;
    if (line === null || line.length < needed) {
      const grown = Buffer.allocUnsafe(Math.max(256, needed * 2));
      if (line !== null) line.copy(grown, 0, 0, this.lineLen);
      this.lineBuf = line = grown;
    }
    buf.copy(line, this.lineLen, start, end);
    this.lineLen = needed;
    return true;
  }

  /** Handle one complete line `b[s..e)` (CRLF stripped). Returns false on a protocol error. */
  private line(b: Buffer, s: number, e: number): boolean {
    switch (this.state) {
      case S_STATUS:
        return this.statusLine(b, s, e);
      case S_HEADER:
        return s === e ? this.headersEnd() : this.headerLine(b, s, e);
      case S_CHUNK_SIZE:
        return this.chunkSizeLine(b, s, e);
      case S_CHUNK_DATA_END:
        if (s !== e) return this.bad('chunk data not followed by CRLF');
        this.state = S_CHUNK_SIZE;
        return true;
      case S_TRAILER:
        if (s === e) this.done();
        return true;
      default:
        this.fail('unexpected parser state');
        return false;
    }
  }

  private statusLine(b: Buffer, s: number, e: number): boolean {
    // "HTTP/1.x SSS[ reason]"
    if (e - s < 12 || !startsWithHttp(b, s) || b[s + 8] !== SPACE) {
      // Tolerate stray empty lines before a status line (RFC 9112 §2.2).
      if (e === s && this.status === 0) return true;
      this.fail('malformed status line');
      return false;
    }
    const minor = b[s + 7];
    const d0 = b[s + 9] - 0x30;
    const d1 = b[s + 10] - 0x30;
    const d2 = b[s + 11] - 0x30;
    if (d0 < 0 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || (e - s > 12 && b[s + 12] !== SPACE)) {
      this.fail('malformed status code');
      return false;
    }
    this.status = d0 * 100 + d1 * 10 + d2;
    // HTTP/1.0 closes after the response unless it says keep-alive.
    this.keepAlive = minor !== 0x30;
    this.state = S_HEADER;
    return true;
  }

  private headerLine(b: Buffer, s: number, e: number): boolean {
    let colon = s;
    while (colon < e && b[colon] !== COLON) colon++;
    if (colon === e || colon === s) {
      this.fail('malformed header line');
      return false;
    }
    let vs = colon + 1;
    while (vs < e && (b[vs] === SPACE || b[vs] === TAB)) vs++;
    let ve = e;
    while (ve > vs && (b[ve - 1] === SPACE || b[ve - 1] === TAB)) ve--;
    const nameLen = colon - s;
    if (nameLen === 14 && equalsLower(b, s, NAME_CONTENT_LENGTH)) {
      let n = 0;
      if (ve === vs) return this.bad('empty content-length');
      for (let i = vs; i < ve; i++) {
        const d = b[i] - 0x30;
        if (d < 0 || d > 9) return this.bad('invalid content-length');
        n = n * 10 + d;
      }
      if (this.contentLength !== -1 && this.contentLength !== n) return this.bad('conflicting content-length headers');
      this.contentLength = n;
    } else if (nameLen === 17 && equalsLower(b, s, NAME_TRANSFER_ENCODING)) {
      // Chunked must be the final coding (RFC 9112 §6.1).
      this.chunked = ve - vs >= 7 && equalsLower(b, ve - 7, WORD_CHUNKED);
    } else if (nameLen === 10 && equalsLower(b, s, NAME_CONNECTION)) {
      if (hasToken(b, vs, ve, WORD_CLOSE)) this.keepAlive = false;
      else if (hasToken(b, vs, ve, WORD_KEEP_ALIVE)) this.keepAlive = true;
    }
    if (this.collectHeaders) {
      const headers = this.headers as Record<string, string>;
      const name = b.toString('latin1', s, colon).toLowerCase();
      const value = b.toString('latin1', vs, ve);
      const prior = headers[name];
      headers[name] = prior === undefined ? value : `${prior}, ${value}`;
    }
    return true;
  }

  private headersEnd(): boolean {
    const status = this.status;
    if (status >= 100 && status < 200 && status !== 101) {
      // Interim response (100 Continue, 103 Early Hints): the real one follows.
      this.state = S_STATUS;
      this.status = 0;
      this.contentLength = -1;
      this.chunked = false;
      if (this.collectHeaders) this.headers = {};
      return true;
    }
    if (this.noBody || status === 204 || status === 304 || status === 101) {
      this.done();
    } else if (this.chunked) {
      this.state = S_CHUNK_SIZE;
    } else if (this.contentLength >= 0) {
      if (this.contentLength === 0) this.done();
      else {
        this.remaining = this.contentLength;
        this.state = S_BODY_LENGTH;
      }
    } else {
      this.state = S_BODY_UNTIL_CLOSE;
      this.keepAlive = false;
    }
    return true;
  }

  private chunkSizeLine(b: Buffer, s: number, e: number): boolean {
    let size = 0;
    let i = s;
    for (; i < e; i++) {
      const c = b[i];
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else break;
      size = size * 16 + d;
      if (size > Number.MAX_SAFE_INTEGER / 16) return this.bad('chunk size too large');
    }
    // Anything after the digits must be whitespace or a chunk extension.
    if (i === s || (i < e && b[i] !== 0x3b && b[i] !== SPACE && b[i] !== TAB)) {
      return this.bad('malformed chunk size');
    }
    if (size === 0) {
      this.state = S_TRAILER;
    } else {
      this.remaining = size;
      this.state = S_CHUNK_DATA;
    }
    return true;
  }
}
