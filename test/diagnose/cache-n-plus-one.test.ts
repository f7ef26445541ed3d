/**
 * N+1 on the cache: an endpoint that reads one key per item in a loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import type { Finding } from '../../src/result/types.js';
import { build, healthyParts, redisInfo } from './scenarios.js';

const describe = (fs: Finding[]) => fs.map((f) => `${f.category}/${f.severity}/${f.endpoint ?? '-'}: ${f.title}`).join('\n');

test('an endpoint sending ~25 GETs per request is an N+1 on the cache, with MGET as the fix', () => {
  const p = healthyParts();
  const list = p.endpoints['GET /api/orders']!.requests;
  const get = p.endpoints['GET /api/products/:id']!.requests;
  const opsPerS = list.map((x, i) => x * 25 + get[i]!);
  const gets = opsPerS.reduce((a, b) => a + b, 0);
  p.redis!.series['redis.ops_per_s'] = opsPerS;
  p.redis!.data = {
    ...p.redis!.data,
    info: redisInfo({ keyspaceHits: gets * 0.98, keyspaceMisses: gets * 0.02 }),
    commandStats: [{ command: 'get', calls: gets, usec: gets * 4 }, { command: 'set', calls: 50, usec: 200 }],
  };
  p.endpoints['GET /api/orders']!.serviceMeanMs = 14;
  const d = diagnose(build(p));
  const f = d.findings.find((x) => x.rule === 'cache-n-plus-one');
  assert.ok(f, describe(d.findings));
  assert.equal(f.category, 'n-plus-one');
  assert.equal(f.endpoint, 'GET /api/orders');
  assert.match(f.recommendation.text, /MGET/);
  const perRequest = f.evidence.find((e) => e.label === 'Redis commands per request');
  assert.ok(perRequest && Math.abs(Number(perRequest.value) - 25) < 3, JSON.stringify(f.evidence));
  // The one-GET-per-request endpoint is not flagged.
  assert.equal(d.findings.some((x) => x.rule === 'cache-n-plus-one' && x.endpoint === 'GET /api/products/:id'), false);
});

test('many commands of mixed kinds (no single batchable command dominates) are not called N+1', () => {
  const p = healthyParts();
  const list = p.endpoints['GET /api/orders']!.requests;
  const get = p.endpoints['GET /api/products/:id']!.requests;
  const opsPerS = list.map((x, i) => x * 12 + get[i]!);
  const total = opsPerS.reduce((a, b) => a + b, 0);
  p.redis!.series['redis.ops_per_s'] = opsPerS;
  p.redis!.data = {
    ...p.redis!.data,
    commandStats: [
      { command: 'get', calls: total * 0.3, usec: total },
      { command: 'zadd', calls: total * 0.3, usec: total },
      { command: 'xadd', calls: total * 0.4, usec: total },
    ],
  };
  const d = diagnose(build(p));
  assert.equal(d.findings.some((x) => x.rule === 'cache-n-plus-one'), false, describe(d.findings));
});
