// The transport against the real metrics recorder: what quick mode and the
// executors will run. Checks that counts, statuses and error kinds arrive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/engine/clock.js';
import { createFixedSender, createVuHttp } from '../../src/engine/http/index.js';
import { buildResultMetrics } from '../../src/metrics/build.js';
import { createRecorder } from '../../src/metrics/recorder.js';
import { clientOptions, startHttpServer } from './helpers.js';

test('fixed sender and VU client record into the real recorder', async (t) => {
  let n = 0;
  const server = await startHttpServer((req, res) => {
    n++;
    res.statusCode = req.url === '/missing' ? 404 : 200;
    res.end('{"ok":true}');
  });
  t.after(() => server.close());
  const start = systemClock.now();
  const recorder = createRecorder({ runStartMs: start });
  const sender = createFixedSender({ method: 'GET', url: '/items/7' }, clientOptions(recorder, { baseUrl: server.baseUrl }));
  const vu = createVuHttp(clientOptions(recorder, { baseUrl: server.baseUrl }));
  t.after(() => {
    sender.close();
    vu.close();
  });
  await new Promise<void>((resolve) => {
    let left = 50;
    const onDone = () => (--left === 0 ? resolve() : sender.send(systemClock.now(), onDone));
    sender.send(systemClock.now(), onDone);
  });
  await vu.get('/missing');
  await vu.get('/missing');
  recorder.tick(systemClock.now() + 1000);
  const built = buildResultMetrics(recorder.snapshot(), { durationMs: systemClock.now() - start });
  const items = built.endpoints.find((e) => e.endpoint === 'GET /items/:id');
  const missing = built.endpoints.find((e) => e.endpoint === 'GET /missing');
  assert.ok(items, JSON.stringify(built.endpoints.map((e) => e.endpoint)));
  assert.ok(missing);
  assert.equal(items.requests, 50);
  assert.equal(items.failed, 0);
  assert.equal(items.statuses['200'], 50);
  assert.ok(items.serviceTime.p50 > 0);
  assert.equal(missing.requests, 2);
  assert.equal(missing.failed, 2);
  assert.equal(missing.errors.http, 2);
  assert.equal(n, 52);
});
