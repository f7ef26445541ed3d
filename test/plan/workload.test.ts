import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTuneupError } from '../../src/errors.js';
import { resolvePlan } from '../../src/plan/index.js';
import { recordingVU } from './fake-vu.js';

const baseUrl = 'http://127.0.0.1:9/';
const closed = { executor: 'shared-iterations', vus: 1, iterations: 1 };

function plan(raw: Record<string, unknown>) {
  return resolvePlan({ raw: { baseUrl, ...raw }, env: { API_KEY: 'k-1' } });
}

describe('YAML workloads', () => {
  it('picks requests by weight', async () => {
    const p = plan({ scenarios: { s: { ...closed, requests: [{ path: '/a', weight: 1 }, { path: '/b', weight: 9 }] } } });
    const { vu, sent } = recordingVU();
    for (let i = 0; i < 2000; i++) await p.scenarios[0].fn(vu);
    const a = sent.filter((s) => s.url.endsWith('/a')).length;
    assert.ok(a > 100 && a < 320, `about 10% of 2000 should be /a, got ${a}`);
  });

  it('derives endpoint names from templates and keeps static ones unnamed', async () => {
    const p = plan({
      scenarios: {
        s: {
          ...closed,
          requests: [
            { path: '/api/orders/{{ randomInt(1,1000) }}?expand={{ uuid() }}' },
            { method: 'delete', url: 'http://127.0.0.1:9/api/carts/{{ vu.id }}/items' },
            { path: '/named/{{ vu.id }}', name: 'custom' },
          ],
        },
      },
    });
    const { vu, sent } = recordingVU();
    for (let i = 0; i < 60; i++) await p.scenarios[0].fn(vu);
    assert.deepEqual([...new Set(sent.map((s) => s.name))].sort(), ['DELETE /api/carts/:id/items', 'GET /api/orders/:randomInt', 'custom']);
    const order = sent.find((s) => s.name === 'GET /api/orders/:randomInt');
    assert.match(order?.url ?? '', /^http:\/\/127\.0\.0\.1:9\/api\/orders\/\d+\?expand=[0-9a-f-]{36}$/);
  });

  it('makes a single static request fixed with expect, timeout, tags and env-free headers', () => {
    const p = plan({
      headers: { accept: 'application/json' },
      scenarios: {
        s: { ...closed, requests: [{ method: 'POST', path: 'items', body: 'x=1', expect: { status: [201] }, timeout: '2s', tags: { kind: 'w' } }] },
      },
    });
    assert.deepEqual(p.scenarios[0].fixed, {
      method: 'POST',
      url: 'http://127.0.0.1:9/items',
      headers: { accept: 'application/json' },
      body: 'x=1',
      tags: { kind: 'w' },
      timeout: 2000,
      expectedStatuses: [201],
      discardBody: true,
    });
  });

  it('passes a templated cacheKey to each request (the key of the load facts), and a templated one is not fixed', async () => {
    const p = plan({ scenarios: { s: { ...closed, requests: [{ path: '/me?nonce={{ uuid() }}', cacheKey: 'user:{{ vu.id }}' }] } } });
    assert.equal(p.scenarios[0].fixed, undefined);
    const { vu, sent } = recordingVU();
    await p.scenarios[0].fn(vu);
    assert.equal(sent[0]?.cacheKey, `user:${vu.id}`);
    const fixed = plan({ scenarios: { s: { ...closed, requests: [{ path: '/x', cacheKey: 'x' }] } } });
    assert.equal(fixed.scenarios[0].fixed?.cacheKey, 'x');
  });

  it('is not fixed when a header is templated', async () => {
    const p = plan({
      requests: [{ path: '/', headers: { 'x-api-key': '{{ env.API_KEY }}' } }],
      scenarios: { s: { ...closed }, t: { ...closed, env: { API_KEY: 'scenario' } } },
    });
    assert.equal(p.scenarios[0].fixed, undefined);
    const { vu, sent } = recordingVU();
    await p.scenarios[0].fn(vu);
    await p.scenarios[1].fn(vu);
    assert.deepEqual(sent.map((s) => s.headers?.['x-api-key']), ['k-1', 'scenario'], 'scenario env wins over the plan env');
  });

  it('captures from JSON, headers and regex, and fails the iteration when a capture finds nothing', async () => {
    const p = plan({
      scenarios: {
        s: {
          ...closed,
          flow: [
            { method: 'POST', path: '/login', capture: { token: 'json.data.items[1].id', rid: 'header:X-Request-Id', n: 'regex:count=(\\d+)' } },
            { path: '/next/{{ token }}/{{ rid }}/{{ n }}' },
          ],
        },
      },
    });
    const ok = recordingVU((spec) =>
      spec.url.endsWith('/login')
        ? { body: '{"data":{"items":[{"id":1},{"id":"two"}]},"x":"count=42"}', headers: { 'x-request-id': 'r9' } }
        : {},
    );
    await p.scenarios[0].fn(ok.vu);
    assert.equal(ok.sent[1].url, 'http://127.0.0.1:9/next/two/r9/42');
    assert.equal(ok.sent[0].discardBody, undefined, 'a body capture needs the body');
    assert.equal(ok.sent[1].discardBody, true);
    const bad = recordingVU(() => ({ body: '{}', status: 500 }));
    await assert.rejects(async () => p.scenarios[0].fn(bad.vu), /capture "token" \(json\.data\.items\[1\]\.id\) found nothing in the response of POST \/login \(status 500\)/);
    assert.equal(bad.sent.length, 1, 'the flow stops at the failed capture');
  });

  it('rejects a capture used before it is captured, and bad capture rules', () => {
    assert.throws(
      () => plan({ scenarios: { s: { ...closed, flow: [{ path: '/a/{{ token }}' }, { path: '/b', capture: { token: 'json.t' } }] } } }),
      (error: unknown) => isTuneupError(error) && /scenarios\.s\.flow\[0\]\.path: unknown name "token"/.test(error.message),
    );
    assert.throws(
      () => plan({ scenarios: { s: { ...closed, flow: [{ path: '/a', capture: { t: 'body.x', u: 'regex:(' } }] } } }),
      (error: unknown) =>
        isTuneupError(error) && /capture\.t: capture rule "body\.x" must start with "json\."/.test(error.message) && /capture\.u: invalid regular expression/.test(error.message),
    );
  });

  it('renders JSON bodies with numbers for lone numeric templates', async () => {
    const p = plan({
      scenarios: { s: { ...closed, requests: [{ path: '/o', json: { qty: '{{ randomInt(2, 2) }}', note: 'vu {{ vu.id }}', tags: ['x', '{{ vu.id }}'] } }] } },
    });
    const { vu, sent } = recordingVU();
    await p.scenarios[0].fn(vu);
    assert.equal(sent[0].method, 'POST');
    assert.equal(sent[0].body, '{"qty":2,"note":"vu 7","tags":["x",7]}');
  });

  it('hands out data rows round-robin per iteration, one row per iteration', async () => {
    const p = plan({
      data: { users: [{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }], codes: ['x', 'y'] },
      scenarios: { s: { ...closed, flow: [{ path: '/a/{{ users.id }}' }, { path: '/b/{{ users.id }}/{{ codes.value }}' }] } },
    });
    const { vu, sent } = recordingVU();
    for (let i = 0; i < 4; i++) await p.scenarios[0].fn(vu);
    assert.deepEqual(
      sent.map((s) => s.url.slice('http://127.0.0.1:9'.length)),
      ['/a/u1', '/b/u1/x', '/a/u2', '/b/u2/y', '/a/u3', '/b/u3/x', '/a/u1', '/b/u1/y'],
    );
  });

  it('reports a missing data file relative to the plan', () => {
    assert.throws(
      () => resolvePlan({ raw: { baseUrl, data: { users: { csv: 'nope.csv' } }, requests: [{ path: '/' }], scenarios: { s: closed } }, env: {}, baseDir: '/tmp' }),
      (error: unknown) => isTuneupError(error) && /data\.users: file not found: \/tmp\/nope\.csv/.test(error.message),
    );
  });
});
