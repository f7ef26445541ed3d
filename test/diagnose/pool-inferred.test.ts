/**
 * Pool starvation without a pool gauge, inferred from the database side: the service's own connections
 * (its pg_stat_activity group, not the server's total) are all busy, at a small fixed number, while its
 * requests wait and its CPU idles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose } from '../../src/diagnose/index.js';
import type { ActivityGroup } from '../../src/probes/postgres/types.js';
import type { Finding } from '../../src/result/types.js';
import { build, healthyParts, N } from './scenarios.js';
import { rng } from './helpers.js';

const atLeastMedium = (f: Finding) => ['medium', 'high', 'critical'].includes(f.severity);
const describe = (fs: Finding[]) => fs.map((f) => `${f.category}/${f.severity}/${f.endpoint ?? '-'}: ${f.title}`).join('\n');

function group(key: string, connections: number, active: number[]): ActivityGroup {
  return {
    key,
    maxConnections: connections,
    meanConnections: connections,
    maxActive: Math.max(...active),
    meanActive: active.reduce((a, b) => a + b, 0) / active.length,
    maxIdle: connections,
    maxIdleInTransaction: 0,
    connections: active.map(() => connections),
    active,
    idleInTransaction: active.map(() => 0),
  };
}

/** The service ("bookshop") has a pool of `pool` connections, busy `busy` of the time; a console holds 3 idle connections. */
function starvedParts(pool: number, busy: number, waitMs: number) {
  const r = rng(3);
  const p = healthyParts();
  p.endpoints['GET /api/orders']!.serviceMeanMs = waitMs;
  p.endpoints['GET /api/products/:id']!.serviceMeanMs = waitMs * 0.8;
  const active = Array.from({ length: N }, () => Math.round(pool * Math.min(1, busy + (r() - 0.5) * 0.1)));
  p.pg.activity.byApplication = [group('bookshop', pool, active), group('psql', 3, active.map(() => 0))];
  // The server-wide columns count the console's idle connections too: on them alone the pool looks a quarter busy.
  p.pgSeries['pg.connections'] = active.map(() => pool + 3);
  p.pgSeries['pg.active'] = active;
  // An unrelated upstream the service also talks to (it used to be blamed).
  p.processData = { ...p.processData, remotes: [...(p.processData.remotes as object[]), { address: '10.0.0.7', port: 8443, maxConnections: 2, samplesSeen: N }] };
  return p;
}

test('a pool of one, always busy, while every endpoint waits: pool-saturation, not slow-dependency everywhere', () => {
  const d = diagnose(build(starvedParts(1, 0.95, 180)));
  const serious = d.findings.filter(atLeastMedium);
  assert.equal(serious[0]?.category, 'pool-saturation', describe(d.findings));
  assert.match(serious[0]!.title, /saturated at 1 connection/);
  assert.ok(serious[0]!.evidence.some((e) => String(e.source).includes('application_name "bookshop"')), JSON.stringify(serious[0]!.evidence));
  assert.equal(d.findings.filter((f) => f.category === 'slow-dependency').length, 0, describe(d.findings));
});

test('the same waits with the pool lightly busy are not pool saturation', () => {
  const d = diagnose(build(starvedParts(1, 0.2, 180)));
  assert.equal(d.findings.some((f) => f.category === 'pool-saturation' && atLeastMedium(f)), false, describe(d.findings));
});

test('a fixed pool of 10, always open, lightly busy, on a 2-core database: at most an info note', () => {
  const p = starvedParts(10, 0.1, 6);
  p.endpoints['GET /api/orders']!.serviceMeanMs = 6;
  p.endpoints['GET /api/products/:id']!.serviceMeanMs = 2.5;
  p.processData = { ...p.processData, postgres: { selection: 'postmaster', maxProcesses: 14 } };
  const d = diagnose(build(p));
  const pool = d.findings.filter((f) => f.category === 'pool-saturation');
  assert.equal(pool.length, 1, describe(d.findings));
  assert.equal(pool[0]!.severity, 'info');
  assert.match(pool[0]!.summary, /2 cores/);
});
