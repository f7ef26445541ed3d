import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseParser } from '../../src/engine/http/parser.js';

/** Feed `text` in pieces of `step` bytes (step 1 = byte by byte); returns the parser and the offset after completion in the last piece. */
function feed(text: string | Buffer, step: number, options: { head?: boolean; collect?: boolean } = {}) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const parser = new ResponseParser();
  parser.collectHeaders = options.collect ?? true;
  parser.collectBody = options.collect ?? true;
  parser.reset(options.head ?? false);
  let consumed = 0;
  for (let i = 0; i < bytes.length; i += step) {
    // Copy into a larger reused buffer with junk after the end, like the shared read buffer.
    const chunk = Buffer.alloc(step + 16, 0x0a);
    const n = bytes.copy(chunk, 0, i, Math.min(i + step, bytes.length));
    const pos = parser.execute(chunk, 0, n);
    if (pos < 0) return { parser, consumed: -1 };
    consumed = i + pos;
    if (parser.complete) break;
  }
  return { parser, consumed };
}

const CONTENT_LENGTH = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}';
const CHUNKED =
  'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-Multi: a\r\nx-multi: b\r\n\r\n' +
  '5;ext=1\r\nhello\r\n' +
  'B\r\n, chunked w\r\n' +
  '4 \r\norld\r\n' +
  '0\r\nTrailer-A: 1\r\n\r\n';

for (const step of [1, 2, 7, 4096]) {
  test(`content-length body, fed ${step} byte(s) at a time`, () => {
    const { parser, consumed } = feed(CONTENT_LENGTH, step);
    assert.equal(parser.complete, true);
    assert.equal(parser.status, 200);
    assert.equal(parser.contentLength, 11);
    assert.equal(parser.keepAlive, true);
    assert.equal(parser.body().toString(), '{"ok":true}');
    assert.equal(parser.headers?.['content-type'], 'application/json');
    assert.equal(consumed, Buffer.byteLength(CONTENT_LENGTH));
  });

  test(`chunked body with extensions and trailers, fed ${step} byte(s) at a time`, () => {
    const { parser, consumed } = feed(CHUNKED, step);
    assert.equal(parser.complete, true);
    assert.equal(parser.status, 201);
    assert.equal(parser.chunked, true);
    assert.equal(parser.body().toString(), 'hello, chunked world');
    assert.equal(parser.bodyBytes, 20);
    assert.equal(parser.headers?.['x-multi'], 'a, b');
    assert.equal(consumed, CHUNKED.length);
  });
}

test('bytes after a complete response are not consumed', () => {
  const text = `${CONTENT_LENGTH}HTTP/1.1 200 OK\r\n`;
  const { parser, consumed } = feed(text, text.length);
  assert.equal(parser.complete, true);
  assert.equal(consumed, CONTENT_LENGTH.length);
});

test('HEAD response: content-length is ignored, no body expected', () => {
  const { parser } = feed('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n', 3, { head: true });
  assert.equal(parser.complete, true);
  assert.equal(parser.bodyBytes, 0);
});

test('204 and 304 have no body even with a length header', () => {
  for (const status of [204, 304]) {
    const { parser } = feed(`HTTP/1.1 ${status} X\r\nContent-Length: 10\r\n\r\n`, 5);
    assert.equal(parser.complete, true, String(status));
    assert.equal(parser.status, status);
  }
});

test('interim 100 Continue is skipped', () => {
  const { parser } = feed('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 1);
  assert.equal(parser.complete, true);
  assert.equal(parser.status, 200);
  assert.equal(parser.body().toString(), 'ok');
});

test('connection: close and HTTP/1.0 defaults', () => {
  assert.equal(feed('HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n', 4).parser.keepAlive, false);
  assert.equal(feed('HTTP/1.1 200 OK\r\nConnection: keep-alive, Upgrade\r\nContent-Length: 0\r\n\r\n', 4).parser.keepAlive, true);
  assert.equal(feed('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', 4).parser.keepAlive, false);
  assert.equal(feed('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', 4).parser.keepAlive, true);
  // "closed" is not the token "close".
  assert.equal(feed('HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0\r\n\r\n', 4).parser.keepAlive, true);
});

test('body without length runs until close', () => {
  const { parser } = feed('HTTP/1.1 200 OK\r\n\r\npartial body', 3);
  assert.equal(parser.complete, false);
  assert.equal(parser.readsUntilClose, true);
  assert.equal(parser.keepAlive, false);
  assert.equal(parser.finishOnEof(), true);
  assert.equal(parser.body().toString(), 'partial body');
});

test('a response cut short does not finish on EOF', () => {
  const { parser } = feed('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc', 2);
  assert.equal(parser.complete, false);
  assert.equal(parser.finishOnEof(), false);
});

test('bare LF line endings are accepted', () => {
  const { parser } = feed('HTTP/1.1 404 Not Found\nContent-Length: 3\n\nnop', 1);
  assert.equal(parser.complete, true);
  assert.equal(parser.status, 404);
  assert.equal(parser.body().toString(), 'nop');
});

test('malformed responses are protocol errors', () => {
  const cases = [
    'HTTX/1.1 200 OK\r\n\r\n',
    'HTTP/1.1 2x0 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n',
  ];
  for (const text of cases) {
    for (const step of [1, 1000]) {
      const { parser, consumed } = feed(text, step);
      assert.equal(consumed, -1, `${JSON.stringify(text)} step ${step}`);
      assert.notEqual(parser.error, '');
    }
  }
});

test('an over-long header line is rejected, not buffered forever', () => {
  const text = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`;
  assert.equal(feed(text, 1000).consumed, -1);
});

test('without collection nothing is kept but bytes are counted', () => {
  const { parser } = feed(CHUNKED, 3, { collect: false });
  assert.equal(parser.complete, true);
  assert.equal(parser.headers, null);
  assert.equal(parser.bodyChunks, null);
  assert.equal(parser.bodyBytes, 20);
});

test('the parser is reusable across responses', () => {
  const parser = new ResponseParser();
  for (const text of [CONTENT_LENGTH, CHUNKED, CONTENT_LENGTH]) {
    parser.reset(false);
    const b = Buffer.from(text, 'latin1');
    assert.equal(parser.execute(b, 0, b.length), b.length);
    assert.equal(parser.complete, true);
  }
});
