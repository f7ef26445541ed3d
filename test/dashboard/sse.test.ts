import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatSse, formatSseComment, SseHub } from '../../src/dashboard/sse.js';

/**
 * The browser's event-stream parser (WHATWG "interpret an event stream"),
 * reduced to what the tests check: the dispatched events' type, data and id.
 */
function parseStream(text: string): { event: string; data: string; id?: string }[] {
  const events: { event: string; data: string; id?: string }[] = [];
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data.length > 0) events.push({ event: event || 'message', data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
      event = '';
      data = [];
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  return events;
}

describe('formatSse', () => {
  test('frames event, id, retry and data, ending with the blank line that dispatches it', () => {
    assert.equal(formatSse({ event: 'interval', id: '7', retry: 1500, data: '{"t":[1]}' }), 'event: interval\nid: 7\nretry: 1500\ndata: {"t":[1]}\n\n');
    assert.equal(formatSse({ data: 'x' }), 'data: x\n\n');
  });

  test('splits CRLF, CR and LF in the payload into data lines, which the browser joins with LF', () => {
    const frame = formatSse({ event: 'e', data: 'a\r\nb\rc\nd' });
    assert.equal(frame, 'event: e\ndata: a\ndata: b\ndata: c\ndata: d\n\n');
    assert.deepEqual(parseStream(frame), [{ event: 'e', data: 'a\nb\nc\nd' }]);
  });

  test('an empty payload and a payload with blank lines survive the round trip', () => {
    assert.deepEqual(parseStream(formatSse({ data: '' })), [{ event: 'message', data: '' }]);
    assert.deepEqual(parseStream(formatSse({ data: 'a\n\nb\n' })), [{ event: 'message', data: 'a\n\nb\n' }]);
  });

  test('a payload line that looks like a field cannot inject an event', () => {
    const frame = formatSse({ event: 'end', data: 'x\n\nevent: evil\ndata: y' });
    assert.deepEqual(parseStream(frame), [{ event: 'end', data: 'x\n\nevent: evil\ndata: y' }]);
  });

  test('refuses an event name or id with a line break', () => {
    assert.throws(() => formatSse({ event: 'a\nb', data: '' }), RangeError);
    assert.throws(() => formatSse({ id: '1\r', data: '' }), RangeError);
    assert.throws(() => formatSse({ id: 'a\0', data: '' }), RangeError);
  });

  test('a comment is one line the parser ignores', () => {
    assert.equal(formatSseComment('ping\nmore'), ': ping more\n\n');
    assert.deepEqual(parseStream(formatSseComment('ping') + formatSse({ data: '1' })), [{ event: 'message', data: '1' }]);
  });
});

describe('SseHub over a real server', () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  async function serve(hub: SseHub, initial = () => [{ event: 'hello', data: '{"n":0}' }]): Promise<string> {
    const server = createServer((_req, res) => hub.add(res, initial()));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  /** Open a stream; `text()` is everything received so far, `until` waits for a substring. */
  async function open(url: string): Promise<{ res: IncomingMessage; text(): string; until(s: string): Promise<void>; ended: Promise<void> }> {
    const res = await new Promise<IncomingMessage>((resolve, reject) => get(url, resolve).on('error', reject));
    let text = '';
    const waiters: (() => void)[] = [];
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      for (const w of waiters.splice(0)) w();
    });
    const ended = new Promise<void>((resolve) => res.on('close', resolve));
    return {
      res,
      text: () => text,
      until: async (s) => {
        while (!text.includes(s)) await new Promise<void>((resolve) => waiters.push(resolve));
      },
      ended,
    };
  }

  test('sends the stream headers, the retry delay and the catch-up, then published messages in order', async () => {
    const hub = new SseHub({ heartbeatMs: 0, retryMs: 2500 });
    const url = await serve(hub);
    const client = await open(url);
    assert.equal(client.res.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(client.res.headers['cache-control'], 'no-store');
    await client.until('hello');
    assert.equal(hub.size, 1);
    hub.publish({ event: 'interval', data: '{"n":1}' });
    hub.publish({ event: 'interval', data: '{"n":2}' });
    await client.until('"n":2');
    assert.ok(client.text().startsWith('retry: 2500\n\n'));
    assert.deepEqual(
      parseStream(client.text()).map((e) => `${e.event} ${e.data}`),
      ['hello {"n":0}', 'interval {"n":1}', 'interval {"n":2}'],
    );
    hub.close();
    await client.ended;
    assert.equal(hub.size, 0);
  });

  test('every client gets each message; a client that joins late gets its own catch-up, not the past messages', async () => {
    const hub = new SseHub({ heartbeatMs: 0 });
    let n = 0;
    const url = await serve(hub, () => [{ event: 'snapshot', data: String(n) }]);
    const a = await open(url);
    await a.until('snapshot');
    n = 1;
    hub.publish({ event: 'tick', data: 'first' });
    await a.until('first');
    const b = await open(url);
    await b.until('snapshot');
    hub.publish({ event: 'tick', data: 'second' });
    await Promise.all([a.until('second'), b.until('second')]);
    assert.deepEqual(parseStream(a.text()).map((e) => e.data), ['0', 'first', 'second']);
    assert.deepEqual(parseStream(b.text()).map((e) => e.data), ['1', 'second']);
    hub.close();
    await Promise.all([a.ended, b.ended]);
  });

  test('forgets a client that disconnected', async () => {
    const hub = new SseHub({ heartbeatMs: 0 });
    const url = await serve(hub);
    const client = await open(url);
    await client.until('hello');
    client.res.destroy();
    while (hub.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    hub.publish({ data: 'nobody listens' });
    hub.close();
  });

  test('sends keep-alive comments on the heartbeat interval', async () => {
    const hub = new SseHub({ heartbeatMs: 20 });
    const url = await serve(hub);
    const client = await open(url);
    await client.until(': ping\n\n');
    hub.close();
    await client.ended;
  });

  test('drops a client that stops reading once its unsent bytes pass the bound', async () => {
    const hub = new SseHub({ heartbeatMs: 0, maxBufferedBytes: 64 * 1024 });
    const url = await serve(hub);
    const client = await open(url);
    await client.until('hello');
    client.res.pause();
    // Socket buffers take some megabytes before Node buffers in the response: publish until the hub gives up.
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 2000 && hub.size > 0; i++) {
      hub.publish({ data: big });
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(hub.size, 0, 'the stalled client was dropped');
    hub.close();
  });

  test('after close, a new stream is ended at once', async () => {
    const hub = new SseHub({ heartbeatMs: 0 });
    const url = await serve(hub);
    hub.close();
    const client = await open(url);
    await client.ended;
    assert.equal(client.text(), '');
    assert.equal(hub.size, 0);
  });
});
