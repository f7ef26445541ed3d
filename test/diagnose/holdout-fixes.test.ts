/**
 * Rule behaviour the holdout service (test/fixtures/holdout) exposed, each on
 * synthetic evidence shaped like what its runs recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import type { Finding } from '../../src/result/types.js';
import { statement, table } from './helpers.js';
import { build, healthyParts } from './scenarios.js';

const describe = (fs: Finding[]) => fs.map((f) => `${f.category}/${f.severity}/${f.endpoint ?? '-'}: ${f.title}`).join('\n');

test('missing-index: parallel sequential scans (one scan counted per worker, each reading a third) are full scans', () => {
  const p = healthyParts();
  const calls = p.pg.statements[0]!.calls;
  // Each call scans 200k rows with the leader and 2 workers: 3 scans of ~66.7k rows each.
  p.pg.tables[0] = table('orders', { seqScan: 3 * calls, seqTupRead: calls * 200_000, idxScan: 5, nLiveTup: { before: 200_000, after: 200_000 } });
  p.pg.statements[0] = statement('101', p.pg.statements[0]!.query, calls, 140, { shareOfExecTime: 0.97 });
  p.pg.statementSeries[0]!.execMsPerS = p.pg.statementSeries[0]!.callsPerS.map((c) => c! * 140);
  p.endpoints['GET /api/orders']!.serviceMeanMs = 150;
  const d = diagnose(build(p));
  const f = d.findings.find((x) => x.category === 'missing-index');
  assert.ok(f, describe(d.findings));
  assert.equal(f.endpoint, 'GET /api/orders');
  // Scans that stop early (a LIMIT without ORDER BY reads a few rows each) stay quiet.
  p.pg.tables[0] = table('orders', { seqScan: 3 * calls, seqTupRead: calls * 50, idxScan: 5, nLiveTup: { before: 200_000, after: 200_000 } });
  assert.equal(diagnose(build(p)).findings.some((x) => x.category === 'missing-index'), false);
});
