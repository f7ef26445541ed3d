import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/engine/clock.js';
import { createFixedSender, type FixedSender } from '../../src/engine/http/index.js';
import { CallRecorder, clientOptions, freePort, startHttpServer } from './helpers.js';

/** Closed loop: re-send from onDone until `count` responses were recorded. */
function runClosedLoop(sender: FixedSender, count: number): Promise<void> {
  return new Promise((resolve) => {
    let done = 0;
    const onDone = () => {
      done++;
      if (done === count) resolve();
      else sender.send(systemClock.now(), onDone);
    };
    sender.send(systemClock.now(), onDone);
  });
}

test('closed loop on one keep-alive connection records every response once', async (t) => {
  const server = await startHttpServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, method: req.method }));
  });
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const sender = createFixedSender({ method: 'get', url: '/users/123' }, clientOptions(recorder, { baseUrl: server.baseUrl, tags: { q: '1' } }));
  t.after(() => sender.close());
  assert.equal(sender.busy, false);
  await runClosedLoop(sender, 200);
  assert.equal(sender.busy, false);
  assert.equal(recorder.calls.length, 200);
  assert.equal(recorder.endpointResolutions, 1);
  assert.equal(server.connections(), 1);
  const first = recorder.calls[0];
  assert.equal(first.endpoint, 'GET /users/:id');
  assert.deepEqual(first.tags, { q: '1' });
  assert.ok(first.connectingUs > 0);
  for (const call of recorder.calls) {
    assert.equal(call.status, 200);
    assert.equal(call.error, undefined);
    assert.ok(call.serviceUs > 0 && call.responseUs >= call.serviceUs);
    assert.ok(call.bytesReceived > 0 && call.bytesSent > 0);
  }
  assert.ok(recorder.calls.slice(1).every((c) => c.connectingUs === 0));
});

test('response time is measured from the intended start, service time from the send', async (t) => {
  const server = await startHttpServer((_req, res) => res.end('ok'));
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const sender = createFixedSender({ method: 'GET', url: `${server.baseUrl}/` }, clientOptions(recorder));
  t.after(() => sender.close());
  await runClosedLoop(sender, 1); // warm the connection
  await new Promise<void>((resolve) => sender.send(systemClock.now() - 250, resolve));
  const late = recorder.calls[1];
  assert.ok(late.responseUs >= 250_000, `response ${late.responseUs}`);
  assert.ok(late.serviceUs < 250_000, `service ${late.serviceUs}`);
});

test('POST with a JSON body and expected statuses', async (t) => {
  const server = await startHttpServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      res.statusCode = req.headers['content-type'] === 'application/json' && JSON.parse(body).n === 1 ? 201 : 400;
      res.end();
    });
  });
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const created = createFixedSender({ method: 'POST', url: '/things', body: { n: 1 }, expectedStatuses: [201] }, clientOptions(recorder, { baseUrl: server.baseUrl }));
  const defaults = createFixedSender({ method: 'POST', url: '/things', body: 'not json', name: 'bad post' }, clientOptions(recorder, { baseUrl: server.baseUrl }));
  t.after(() => {
    created.close();
    defaults.close();
  });
  await runClosedLoop(created, 3);
  await runClosedLoop(defaults, 2);
  assert.deepEqual(recorder.calls.map((c) => [c.endpoint, c.status, c.error]), [
    ['POST /things', 201, undefined],
    ['POST /things', 201, undefined],
    ['POST /things', 201, undefined],
    ['bad post', 400, 'http'],
    ['bad post', 400, 'http'],
  ]);
});

test('timeouts are recorded at the timeout value; refused connections as connect errors', async (t) => {
  const server = await startHttpServer(() => {});
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const hanging = createFixedSender({ method: 'GET', url: '/', timeout: 120 }, clientOptions(recorder, { baseUrl: server.baseUrl }));
  const port = await freePort();
  const refused = createFixedSender({ method: 'GET', url: `http://127.0.0.1:${port}/` }, clientOptions(recorder));
  t.after(() => {
    hanging.close();
    refused.close();
  });
  const intended = systemClock.now() - 30;
  await new Promise<void>((resolve) => hanging.send(intended, resolve));
  await runClosedLoop(hanging, 1);
  await runClosedLoop(refused, 2);
  const [first, second, c1, c2] = recorder.calls;
  assert.equal(first.error, 'timeout');
  assert.equal(first.serviceUs, 120_000);
  assert.ok(first.responseUs >= 150_000 && first.responseUs < 160_000, `response ${first.responseUs}`);
  assert.equal(second.error, 'timeout');
  assert.equal(server.connections(), 2, 'a timed-out connection is destroyed, not reused');
  assert.equal(c1.error, 'connect');
  assert.equal(c2.error, 'connect');
  assert.equal(c1.status, 0);
});

test('send after close does nothing and never calls back', async (t) => {
  const server = await startHttpServer((_req, res) => res.end('ok'));
  t.after(() => server.close());
  const recorder = new CallRecorder();
  const sender = createFixedSender({ method: 'GET', url: '/' }, clientOptions(recorder, { baseUrl: server.baseUrl }));
  sender.close();
  let called = false;
  sender.send(systemClock.now(), () => (called = true));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(called, false);
  assert.equal(sender.busy, false);
  assert.equal(recorder.calls.length, 0);
});

test('send while busy is a scheduler bug and throws', async (t) => {
  const server = await startHttpServer((_req, res) => setTimeout(() => res.end('ok'), 20));
  t.after(() => server.close());
  const sender = createFixedSender({ method: 'GET', url: '/' }, clientOptions(new CallRecorder(), { baseUrl: server.baseUrl }));
  t.after(() => sender.close());
  const done = new Promise<void>((resolve) => sender.send(systemClock.now(), resolve));
  assert.equal(sender.busy, true);
  assert.throws(() => sender.send(systemClock.now(), () => {}), { code: 'TUNEUP_INTERNAL' });
  await done;
});

test('a non-positive timeout is an option error', () => {
  assert.throws(() => createFixedSender({ method: 'GET', url: 'http://127.0.0.1:1/', timeout: 0 }, clientOptions(new CallRecorder())), {
    code: 'TUNEUP_OPTION_INVALID',
  });
});
