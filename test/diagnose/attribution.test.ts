import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareAtLeast } from '../../src/diagnose/rules/attribution.js';
import { statementEndpoints } from '../../src/diagnose/rules/pg-common.js';
import { probeSet } from '../../src/diagnose/evidence.js';
import type { DiagnosisInput } from '../../src/diagnose/rules/types.js';
import { build, healthyParts } from './scenarios.js';
import { statement, trend } from './helpers.js';

test('shareAtLeast reads the share of requests lasting at least d ms off the percentiles', () => {
  const t = { ...trend(10, 40), count: 1000 }; // min 5, p50 10, p90 15, p95 18, p99 40, p999 44, max 48
  assert.equal(shareAtLeast(t, 1), 1);
  assert.equal(shareAtLeast(t, 10), 0.5);
  assert.ok(Math.abs(shareAtLeast(t, 12.5) - 0.3) < 1e-9);
  assert.equal(shareAtLeast(t, 100), 0);
});

test('a slow statement the regression charged to a fast endpoint is ranked after the endpoint whose requests last that long', () => {
  const result = build(healthyParts());
  // GET /api/products/:id: mean 2.5 ms, max ≈ 10 ms; GET /api/orders: mean 6 ms, max ≈ 24 ms.
  const pg = result.probes!.find((p) => p.probe === 'postgres')!;
  (pg.data as { statements: unknown[] }).statements.push(statement('900', 'SELECT * FROM orders WHERE reference = $1', 100, 15));
  const input: DiagnosisInput = {
    result,
    probes: probeSet(result),
    demand: {
      demands: [], method: 'regression', fits: [], notes: [], dbServers: 1,
      // Collinear columns: the split is arbitrary, and the fast endpoint got the larger share of its latency (capped at 1).
      statements: [
        { queryid: '900', endpoint: 'GET /api/products/:id', callsPerRequest: 0.3, execMsPerRequest: 4.5, method: 'regression' },
        { queryid: '900', endpoint: 'GET /api/orders', callsPerRequest: 0.3, execMsPerRequest: 4.5, method: 'regression' },
      ],
    },
  };
  const { rows, impact } = statementEndpoints(input, '900');
  assert.deepEqual(rows.map((r) => r.endpoint), ['GET /api/orders', 'GET /api/products/:id']);
  assert.equal(impact, 4.5 / 6);
});
