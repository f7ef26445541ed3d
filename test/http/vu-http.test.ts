import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVuHttp } from '../../src/engine/http/index.js';
import { CallRecorder, clientOptions, freePort, startHttpServer, startRawServer } from './helpers.js';

test('GET and POST JSON, relative URLs joined to baseUrl, endpoint templated', async (t) => {
  const server = await startHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, type: req.headers['content-type'] ?? null, ua: req.headers['user-agent'], x: req.headers['x-plan'] ?? null, body }));
    });
  });
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const http = createVuHttp(clientOptions(recorder, { baseUrl: `${server.baseUrl}/api`, headers: { 'x-plan': 'p' }, tags: { vu: '1' } }));
  t.after(() => http.close());

  const get = await http.get('orders/42?full=1');
  assert.equal(get.status, 200);
  assert.equal(get.error, undefined);
  assert.deepEqual(get.json(), { method: 'GET', url: '/api/orders/42?full=1', type: null, ua: 'tuneup/0.1', x: 'p', body: '' });
  assert.equal(get.headers['content-type'], 'application/json');
  assert.equal(get.request.endpoint, 'GET /api/orders/:id');

  const post = await http.post('/items', { name: 'a', qty: 2 }, { name: 'create item', tags: { kind: 'w' } });
  assert.equal(post.status, 200);
  const echoed = post.json<{ method: string; url: string; type: string; body: string }>();
  assert.equal(echoed.method, 'POST');
  assert.equal(echoed.url, '/api/items', 'a leading slash is joined under the baseUrl path, like the plan\'s `path`');
  assert.equal(echoed.type, 'application/json');
  assert.deepEqual(JSON.parse(echoed.body), { name: 'a', qty: 2 });

  assert.equal(recorder.calls.length, 2);
  assert.equal(recorder.calls[0].endpoint, 'GET /api/orders/:id');
  assert.equal(recorder.calls[0].method, 'GET');
  assert.equal(recorder.calls[0].scenario, 'test');
  assert.deepEqual(recorder.calls[0].tags, { vu: '1' });
  assert.equal(recorder.calls[1].endpoint, 'create item');
  assert.deepEqual(recorder.calls[1].tags, { vu: '1', kind: 'w' });
  assert.ok(recorder.calls[1].bytesSent > 30);
  assert.equal(recorder.calls[1].bytesReceived, post.bytesReceived);
});

test('keep-alive: the second request reuses the connection (connecting 0) and handles are cached', async (t) => {
  const server = await startHttpServer((_req, res) => res.end('ok'));
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const http = createVuHttp(clientOptions(recorder, { baseUrl: server.baseUrl }));
  t.after(() => http.close());
  const first = await http.get('/a');
  const second = await http.get('/a');
  const third = await http.get('/a');
  assert.equal(third.body, 'ok');
  assert.equal(server.connections(), 1);
  assert.ok(first.timings.connecting > 0, 'first request connects');
  assert.equal(second.timings.connecting, 0);
  assert.equal(recorder.calls[1].connectingUs, 0);
  assert.ok(recorder.calls[0].connectingUs > 0);
  assert.equal(recorder.endpointResolutions, 1);
  assert.ok(second.timings.duration > 0);
  assert.ok(second.timings.waiting > 0 && second.timings.waiting <= second.timings.duration + 1e-9);
});

test('concurrent requests of one VU queue on its connection and all complete', async (t) => {
  const server = await startHttpServer((req, res) => setTimeout(() => res.end(req.url), 5));
  t.after(() => server.close());
  const http = createVuHttp(clientOptions(new CallRecorder(), { baseUrl: server.baseUrl }));
  t.after(() => http.close());
  const responses = await Promise.all([http.get('/1'), http.get('/2'), http.get('/3')]);
  assert.deepEqual(responses.map((r) => r.body), ['/1', '/2', '/3']);
  assert.equal(server.connections(), 1);
  assert.ok(responses[2].timings.blocked > 0, 'the third request waited for the connection');
});

test('chunked response and a large body split across TCP packets', async (t) => {
  const big = Buffer.alloc(3 * 1024 * 1024, 'x');
  const server = await startHttpServer((req, res) => {
    if (req.url === '/chunked') {
      res.write('part one, ');
      setTimeout(() => res.end('part two'), 5);
    } else {
      res.setHeader('content-length', big.length);
      res.end(big);
    }
  });
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const http = createVuHttp(clientOptions(recorder, { baseUrl: server.baseUrl }));
  t.after(() => http.close());
  const chunked = await http.get('/chunked');
  assert.equal(chunked.headers['transfer-encoding'], 'chunked');
  assert.equal(chunked.body, 'part one, part two');
  const large = await http.get('/big');
  assert.equal(large.status, 200);
  assert.equal(large.body.length, big.length);
  assert.ok(large.bytesReceived > big.length);
  const discarded = await http.get('/big', { discardBody: true });
  assert.equal(discarded.body, '');
  assert.equal(discarded.status, 200);
  assert.ok(discarded.bytesReceived > big.length);
  assert.equal(server.connections(), 1, 'the large body kept the connection usable');
});

test('connection: close from the server reconnects for the next request', async (t) => {
  const server = await startHttpServer((_req, res) => {
    res.setHeader('connection', 'close');
    res.end('bye');
  });
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const http = createVuHttp(clientOptions(recorder, { baseUrl: server.baseUrl }));
  t.after(() => http.close());
  assert.equal((await http.get('/')).body, 'bye');
  const second = await http.get('/');
  assert.equal(second.body, 'bye');
  assert.equal(second.error, undefined);
  assert.equal(server.connections(), 2);
  assert.ok(recorder.calls[1].connectingUs > 0);
});

test('HEAD and 204 complete without a body', async (t) => {
  const server = await startHttpServer((req, res) => {
    if (req.url === '/none') {
      res.statusCode = 204;
      res.end();
    } else {
      res.setHeader('content-length', '5');
      res.end(req.method === 'HEAD' ? undefined : 'hello');
    }
  });
  t.after(() => server.close());
  const http = createVuHttp(clientOptions(new CallRecorder(), { baseUrl: server.baseUrl }));
  t.after(() => http.close());
  const head = await http.head('/x');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '5');
  assert.equal(head.body, '');
  const none = await http.delete('/none');
  assert.equal(none.status, 204);
  assert.equal(none.error, undefined);
  const after = await http.get('/x');
  assert.equal(after.body, 'hello');
  assert.equal(server.connections(), 1);
});

test('a timeout is recorded at the timeout value and its connection destroyed', async (t) => {
  const server = await startHttpServer((req, res) => {
    if (req.url === '/fast') res.end('fast');
    // else: never answer
  });
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const lag = { lagMs: 7 };
  const http = createVuHttp(clientOptions(recorder, { baseUrl: server.baseUrl, timeoutMs: 150, lag }));
  t.after(() => http.close());
  const slow = await http.get('/slow');
  assert.equal(slow.error, 'timeout');
  assert.equal(slow.status, 0);
  assert.equal(slow.timings.duration, 150);
  assert.equal(slow.timings.response, 157);
  assert.equal(recorder.calls[0].error, 'timeout');
  assert.equal(recorder.calls[0].serviceUs, 150_000);
  assert.equal(recorder.calls[0].responseUs, 157_000);
  const fast = await http.get('/fast', { timeout: 1000 });
  assert.equal(fast.body, 'fast');
  assert.equal(server.connections(), 2, 'the timed-out connection was not reused');
});

test('connection refused is classified connect', async (t) => {
  const port = await freePort();
  const recorder = new CallRecorder();
  const http = createVuHttp(clientOptions(recorder, { baseUrl: `http://127.0.0.1:${port}` }));
  t.after(() => http.close());
  const res = await http.get('/');
  assert.equal(res.status, 0);
  assert.equal(res.error, 'connect');
  assert.match(res.errorMessage ?? '', /ECONNREFUSED/);
  assert.equal(recorder.calls[0].error, 'connect');
});

test('a reset mid-response is classified reset; a close mid-body too', async (t) => {
  const server = await startRawServer((socket) => {
    socket.once('data', (d) => {
      const path = d.toString('latin1').split(' ')[1];
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc');
      setTimeout(() => (path === '/rst' ? socket.resetAndDestroy() : socket.end()), 10);
    });
  });
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const http = createVuHttp(clientOptions(recorder, { baseUrl: server.baseUrl }));
  t.after(() => http.close());
  const rst = await http.get('/rst');
  assert.equal(rst.error, 'reset');
  assert.equal(rst.status, 0);
  const fin = await http.get('/fin');
  assert.equal(fin.error, 'reset');
  assert.deepEqual(recorder.calls.map((c) => c.error), ['reset', 'reset']);
});

test('a garbled response is classified protocol', async (t) => {
  const server = await startRawServer((socket) => socket.once('data', () => socket.write('SMTP ready\r\n\r\n')));
  t.after(() => server.close());
  const http = createVuHttp(clientOptions(new CallRecorder(), { baseUrl: server.baseUrl }));
  t.after(() => http.close());
  const res = await http.get('/');
  assert.equal(res.error, 'protocol');
});

test('non-2xx is classified http with its status; expectedStatuses overrides', async (t) => {
  const server = await startHttpServer((req, res) => {
    res.statusCode = req.url === '/missing' ? 404 : 503;
    res.end('no');
  });
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const http = createVuHttp(clientOptions(recorder, { baseUrl: server.baseUrl }));
  t.after(() => http.close());
  const missing = await http.get('/missing');
  assert.equal(missing.status, 404);
  assert.equal(missing.error, 'http');
  assert.equal(missing.body, 'no');
  const allowed = await http.get('/missing', { expectedStatuses: [404] });
  assert.equal(allowed.error, undefined);
  const down = await http.get('/down');
  assert.equal(down.status, 503);
  assert.deepEqual(recorder.calls.map((c) => [c.status, c.error]), [[404, 'http'], [404, undefined], [503, 'http']]);
  assert.equal(server.connections(), 1, 'HTTP errors keep the connection');
});

test('a kept-alive connection the server drops before answering is retried once for idempotent requests only', async (t) => {
  // Simulates the keep-alive race: the server closes an idle connection just as the next request goes out.
  const server = await startRawServer((socket) => {
    let requests = 0;
    socket.on('data', () => {
      requests++;
      if (requests === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else socket.destroy();
    });
  });
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const http = createVuHttp(clientOptions(recorder, { baseUrl: server.baseUrl }));
  t.after(() => http.close());
  assert.equal((await http.get('/')).body, 'ok');
  const retried = await http.get('/');
  assert.equal(retried.error, undefined);
  assert.equal(retried.body, 'ok');
  assert.equal(server.connections(), 2);
  const post = await http.post('/', 'x');
  assert.equal(post.error, 'reset', 'a POST is not re-sent');
  assert.equal(server.connections(), 2);
});

test('invalid URLs reject with a TuneupError; close() aborts pending requests', async (t) => {
  const http = createVuHttp(clientOptions(new CallRecorder()));
  await assert.rejects(http.get('/relative-without-base'), { code: 'TUNEUP_HTTP_URL_INVALID' });
  await assert.rejects(http.get('ftp://127.0.0.1/'), { code: 'TUNEUP_HTTP_URL_INVALID' });
  await assert.rejects(http.get('http://127.0.0.1:1/', { headers: { 'x-bad': 'a\r\nb' } }), { code: 'TUNEUP_HTTP_HEADER_INVALID' });
  const server = await startHttpServer(() => {});
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const client = createVuHttp(clientOptions(recorder, { baseUrl: server.baseUrl }));
  const pending = client.get('/hang');
  setTimeout(() => client.close(), 20);
  const res = await pending;
  assert.equal(res.error, 'aborted');
  assert.equal(recorder.calls.length, 0, 'aborted requests are not recorded');
  const afterClose = await client.get('/x');
  assert.equal(afterClose.error, 'aborted');
});

test('a response trickled one byte per TCP write is parsed through the connection', async (t) => {
  const response = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Slow: yes\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
  const server = await startRawServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', () => {
      let i = 0;
      const next = () => {
        if (i >= response.length || socket.destroyed) return;
        socket.write(response.subarray(i, i + 1));
        i++;
        setTimeout(next, 1);
      };
      next();
    });
  });
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const http = createVuHttp(clientOptions(recorder, { baseUrl: server.baseUrl }));
  t.after(() => http.close());
  const first = await http.get('/');
  assert.equal(first.error, undefined);
  assert.equal(first.body, 'abcde');
  assert.equal(first.headers['x-slow'], 'yes');
  assert.equal(first.bytesReceived, response.length);
  assert.ok(first.timings.receiving > 0, 'first and last byte arrived in different reads');
  const second = await http.get('/');
  assert.equal(second.body, 'abcde');
  assert.equal(server.connections(), 1);
});
