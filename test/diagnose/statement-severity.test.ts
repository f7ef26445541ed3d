/**
 * A statement finding's severity (pg-common.ts#statementSeverity): its share of an endpoint's latency counts
 * only where the statement costs that endpoint's requests at least `statement.minMsPerRequest`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/diagnose/config.js';
import { statementSeverity } from '../../src/diagnose/rules/pg-common.js';
import type { DiagnosisInput } from '../../src/diagnose/rules/types.js';
import { statement } from './helpers.js';

const config = resolveConfig();
/** Only what the fallback reads: the run's requests per endpoint. */
const inputWith = (requests: number[]) => ({ result: { endpoints: requests.map((n, i) => ({ endpoint: `GET /e${i}`, requests: n })) } }) as unknown as DiagnosisInput;
const row = (endpoint: string, share: number, execMsPerRequest: number) => ({ queryid: '1', endpoint, callsPerRequest: 1, execMsPerRequest, method: 'regression' as const, share });

test('the largest share among the endpoints the statement costs 5 ms or more a request grades it', () => {
  const s = statement('1', 'SELECT * FROM t WHERE a = $1', 500, 3);
  // 30 % of a 3 ms endpoint (1 ms) and 20 % of a 40 ms one (8 ms): the 8 ms are worth a medium.
  assert.equal(statementSeverity(s, { rows: [row('GET /fast', 0.3, 1), row('GET /slow', 0.2, 8)] }, 0.3, inputWith([500]), config), 'medium');
  // Only the 1 ms share: low, whatever the share.
  assert.equal(statementSeverity(s, { rows: [row('GET /fast', 0.6, 1)] }, 0.6, inputWith([500]), config), 'low');
});

test('without an endpoint, the statement\'s time over every request of the run bounds its cost per request from below', () => {
  // 1 ms a call, 20 calls per request of some endpoint: 10,000 calls over 500 requests is at least 20 ms a request.
  const loop = statement('1', 'SELECT * FROM t WHERE id = $1', 10_000, 1);
  assert.equal(statementSeverity(loop, { rows: [] }, 0.3, inputWith([300, 200]), config), 'medium');
  // 500 calls of 1 ms over 500 requests: 1 ms a request.
  assert.equal(statementSeverity(statement('2', 'SELECT 1', 500, 1), { rows: [] }, 0.3, inputWith([300, 200]), config), 'low');
  // PgHero's slow query is medium at least, however it is attributed.
  assert.equal(statementSeverity(statement('3', 'SELECT 2', 200, 25), { rows: [] }, 0.1, inputWith([300, 200]), config), 'medium');
});
