import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBody, resolveUrl, serializeRequest } from '../../src/engine/http/index.js';

test('resolveUrl joins paths to baseUrl by concatenation and keeps absolute URLs', () => {
  assert.equal(resolveUrl('/orders/1?x=2', 'http://127.0.0.1:8080/api/').pathAndQuery, '/api/orders/1?x=2');
  assert.equal(resolveUrl('orders', 'http://127.0.0.1:8080/api').pathAndQuery, '/api/orders');
  assert.equal(resolveUrl('/', 'http://127.0.0.1:8080').pathAndQuery, '/');
  const abs = resolveUrl('http://127.0.0.2:9/x', 'http://127.0.0.1:8080/api');
  assert.equal(abs.origin, 'http://127.0.0.2:9');
  assert.deepEqual(abs.target, { host: '127.0.0.2', port: 9, tls: false, rejectUnauthorized: true });
  const v6 = resolveUrl('http://[::1]:81/a', undefined);
  assert.equal(v6.target.host, '::1');
  assert.equal(v6.hostHeader, '[::1]:81');
  const tls = resolveUrl('https://example.test/', undefined, false);
  assert.deepEqual(tls.target, { host: 'example.test', port: 443, tls: true, rejectUnauthorized: false });
  assert.throws(() => resolveUrl('/x', undefined), { code: 'TUNEUP_HTTP_URL_INVALID' });
});

test('serializeRequest writes one framed request; plan headers cannot override framing', () => {
  const url = resolveUrl('/things?a=1', 'http://127.0.0.1:8080');
  const bytes = serializeRequest('POST', url, [{ 'X-Base': '1', 'User-Agent': 'mine' }, { 'x-base': '2', 'Content-Length': '999' }], encodeBody({ a: 'é' }));
  const text = bytes.toString('utf8');
  const [head, body] = text.split('\r\n\r\n');
  const lines = head.split('\r\n');
  assert.equal(lines[0], 'POST /things?a=1 HTTP/1.1');
  assert.equal(lines[1], 'host: 127.0.0.1:8080');
  assert.ok(lines.includes('x-base: 2'));
  assert.ok(lines.includes('User-Agent: mine'));
  assert.ok(lines.includes('content-type: application/json'));
  assert.ok(lines.includes(`content-length: ${Buffer.byteLength('{"a":"é"}')}`));
  assert.ok(!lines.some((l) => l.includes('999')));
  assert.equal(body, '{"a":"é"}');
  const get = serializeRequest('GET', url, [], encodeBody(undefined)).toString('latin1');
  assert.ok(!get.includes('content-length'));
  assert.ok(get.endsWith('\r\n\r\n'));
  assert.ok(get.includes('user-agent: tuneup/0.1'));
});
