import { test } from 'node:test';
import assert from 'node:assert/strict';
import { templateEndpoint, templateSegment } from '../../src/metrics/endpoint.js';

test('templateEndpoint strips origin, query string and fragment and keeps the method', () => {
  assert.equal(templateEndpoint('get', 'http://127.0.0.1:8080/api/orders/123?expand=items#top'), 'GET /api/orders/:id');
  assert.equal(templateEndpoint('POST', '/api/orders'), 'POST /api/orders');
  assert.equal(templateEndpoint('GET', 'https://example.com'), 'GET /');
  assert.equal(templateEndpoint('GET', '/'), 'GET /');
  assert.equal(templateEndpoint('GET', '?q=1'), 'GET /');
});

test('templateEndpoint drops trailing and duplicate slashes', () => {
  assert.equal(templateEndpoint('GET', '/api/orders/'), 'GET /api/orders');
  assert.equal(templateEndpoint('GET', '//api//orders/7/'), 'GET /api/orders/:id');
  assert.equal(templateEndpoint('GET', 'api/orders'), 'GET /api/orders');
});

test('templateEndpoint replaces numbers, UUIDs, hashes, tokens, e-mails and dates', () => {
  assert.equal(templateEndpoint('GET', '/users/42/orders/1001'), 'GET /users/:id/orders/:id');
  assert.equal(templateEndpoint('GET', '/items/3f2504e0-4f89-11d3-9a0c-0305e82c3301'), 'GET /items/:uuid');
  assert.equal(templateEndpoint('GET', '/items/3F2504E0-4F89-11D3-9A0C-0305E82C3301/x'), 'GET /items/:uuid/x');
  assert.equal(templateEndpoint('GET', '/commits/da39a3ee5e6b4b0d3255bfef95601890afd80709'), 'GET /commits/:id');
  assert.equal(templateEndpoint('GET', '/docs/507f1f77bcf86cd799439011'), 'GET /docs/:id');
  assert.equal(templateEndpoint('GET', '/s/aZ9_x-Qm3LpR0tYv2K'), 'GET /s/:id');
  assert.equal(templateEndpoint('GET', '/users/jane.doe@example.com'), 'GET /users/:email');
  assert.equal(templateEndpoint('GET', '/users/jane%40example.com/prefs'), 'GET /users/:email/prefs');
  assert.equal(templateEndpoint('GET', '/reports/2024-05-01'), 'GET /reports/:date');
  assert.equal(templateEndpoint('GET', '/reports/2024-05-01T10:00:00Z'), 'GET /reports/:date');
  assert.equal(templateEndpoint('GET', '/invoices/INV-2024-0001'), 'GET /invoices/:id');
  assert.equal(templateEndpoint('GET', '/orders/ord_123456'), 'GET /orders/:id');
});

test('templateEndpoint keeps ordinary words, versions and short mixed segments', () => {
  assert.equal(templateEndpoint('GET', '/api/v1/orders'), 'GET /api/v1/orders');
  assert.equal(templateEndpoint('GET', '/api/v2/top10/html5'), 'GET /api/v2/top10/html5');
  assert.equal(templateEndpoint('GET', '/blog/deadbeef/my-first-post'), 'GET /blog/deadbeef/my-first-post');
  assert.equal(templateEndpoint('GET', '/oauth2/authorize'), 'GET /oauth2/authorize');
  assert.equal(templateSegment('health'), 'health');
  assert.equal(templateSegment('2fa'), '2fa');
});
