import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedCache, RequestShapeCache, createVuHttp, resolveUrl, type ShapeCacheScope } from '../../src/engine/http/index.js';
import { CallRecorder, clientOptions } from './helpers.js';

const BASE = 'http://127.0.0.1:9/api';

function scope(recorder = new CallRecorder(), overrides: Partial<ShapeCacheScope> = {}): ShapeCacheScope {
  return { baseUrl: BASE, rejectUnauthorized: true, recorder, scenario: 'test', ...overrides };
}

test('BoundedCache never holds more than its limit, and re-setting a key when full keeps the rest', () => {
  const cache = new BoundedCache<number>(100);
  for (let i = 0; i < 10_000; i++) {
    cache.set(`k${i}`, i);
    assert.ok(cache.size <= 100, `size ${cache.size} after ${i + 1} keys`);
  }
  assert.equal(cache.get('k9999'), 9999, 'the newest entry is kept');
  const full = new BoundedCache<number>(3);
  full.set('a', 1);
  full.set('b', 2);
  full.set('c', 3);
  full.set('b', 20);
  assert.equal(full.size, 3, 'an existing key is replaced without clearing');
  assert.equal(full.get('a'), 1);
  assert.equal(full.get('b'), 20);
  assert.throws(() => new BoundedCache(0), RangeError);
});

test('RequestShapeCache: resolved URLs equal resolveUrl, stay within the limit, and share their origin parts', () => {
  const shapes = new RequestShapeCache(scope(), 64);
  for (const raw of ['/items/1', 'orders/42?full=1', 'http://[::1]:8080/x?y=1', 'https://example.test/a%20b']) {
    assert.deepEqual(shapes.resolve(raw), resolveUrl(raw, BASE, true), raw);
  }
  const a = shapes.resolve('/items/7');
  const b = shapes.resolve('/items/8');
  assert.equal(shapes.resolve('/items/7'), a, 'a cached URL is the same object');
  assert.equal(a.target, b.target, 'one connection target per origin');
  assert.equal(a.origin, b.origin);
  assert.equal(a.hostHeader, b.hostHeader);
  for (let i = 0; i < 5000; i++) {
    shapes.resolve(`/items/${i}?q=${i}`);
    assert.ok(shapes.urls.size <= 64, `urls ${shapes.urls.size} after ${i + 1} distinct URLs`);
  }
  assert.throws(() => shapes.resolve('ftp://h/x'), { code: 'TUNEUP_HTTP_URL_INVALID' });
});

test('RequestShapeCache serves only the scope it was made for', () => {
  const recorder = new CallRecorder();
  const shapes = new RequestShapeCache(scope(recorder));
  assert.ok(shapes.serves(scope(recorder)));
  assert.ok(!shapes.serves(scope(recorder, { baseUrl: 'http://127.0.0.1:10' })));
  assert.ok(!shapes.serves(scope(recorder, { rejectUnauthorized: false })));
  assert.ok(!shapes.serves(scope(recorder, { scenario: 'other' })));
  assert.ok(!shapes.serves(scope(new CallRecorder())));
});

test('VUs sharing one cache resolve each request shape once, and its maps stay bounded over unbounded URLs', async () => {
  const recorder = new CallRecorder();
  const shapes = new RequestShapeCache(scope(recorder), 32);
  // Closed clients answer `aborted` without connecting, after resolving the URL, endpoint and handle.
  const vus = Array.from({ length: 50 }, () => createVuHttp(clientOptions(recorder, { baseUrl: BASE, shapes })));
  for (const vu of vus) vu.close();
  for (const vu of vus) {
    const res = await vu.get('/orders/42');
    assert.equal(res.error, 'aborted');
    assert.equal(res.request.endpoint, 'GET /api/orders/:id');
  }
  assert.equal(recorder.endpointResolutions, 1, 'one handle for 50 VUs');
  assert.equal(shapes.urls.size, 1);
  for (let i = 0; i < 2000; i++) {
    const res = await vus[i % vus.length].get(`/orders/${i}?v=${i}`, i % 2 === 0 ? { name: `named ${i}` } : undefined);
    assert.equal(res.request.url, `http://127.0.0.1:9/api/orders/${i}?v=${i}`);
    assert.ok(shapes.urls.size <= 32 && shapes.endpoints.size <= 32 && shapes.handles.size <= 32, `after ${i + 1} requests`);
  }
});

test('a client given a cache made for another base URL keeps its own', async () => {
  const recorder = new CallRecorder();
  const shapes = new RequestShapeCache(scope(recorder));
  const http = createVuHttp(clientOptions(recorder, { baseUrl: 'http://127.0.0.1:10/v2', shapes }));
  http.close();
  const res = await http.get('/orders/1');
  assert.equal(res.request.url, 'http://127.0.0.1:10/v2/orders/1');
  assert.equal(shapes.urls.size, 0, 'the mismatched cache was not used');
});
