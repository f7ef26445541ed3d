import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityTracker } from '../../src/probes/postgres/activity.js';
import type { ActivityRow } from '../../src/probes/postgres/queries.js';

const row = (pid: number, application: string, state: string, queryId: string | null = null): ActivityRow => ({
  pid, state, application, client: '127.0.0.1', user: 'app', waitEventType: null, waitEvent: null, queryMs: 1, queryStartAt: 1, xactMs: 1, query: 'SELECT 1', queryId, blockedBy: [],
});

test('activity groups keep per-sample counts by state (a pool is judged on its own connections)', () => {
  const t = new ActivityTracker();
  t.record(0, 1000, [row(1, 'shop', 'active'), row(2, 'psql', 'idle'), row(3, 'psql', 'idle')], []);
  t.recordFailure(1);
  t.record(2, 3000, [row(1, 'shop', 'idle in transaction'), row(2, 'psql', 'idle')], []);
  const shop = t.summary(3).byApplication.find((g) => g.key === 'shop')!;
  assert.deepEqual(shop.connections, [1, null, 1]);
  assert.deepEqual(shop.active, [1, null, 0]);
  assert.deepEqual(shop.idleInTransaction, [0, null, 1]);
  const psql = t.summary(3).byApplication.find((g) => g.key === 'psql')!;
  assert.deepEqual(psql.active, [0, null, 0]);
});

test('backends idle in a transaction are counted by the last statement they ran (query_id)', () => {
  const t = new ActivityTracker();
  t.record(0, 1000, [row(1, 'shop', 'idle in transaction', '42'), row(2, 'shop', 'idle in transaction', '42'), row(3, 'shop', 'active', '7')], []);
  t.record(1, 2000, [row(1, 'shop', 'idle in transaction', '42'), row(2, 'shop', 'idle in transaction', '9'), row(3, 'shop', 'idle', '7')], []);
  assert.deepEqual(
    t.summary(2).idleInTransactionStatements?.map((s) => [s.queryid, s.samples]),
    [['42', 3], ['9', 1]],
  );
  // Every connection counts for its last statement, whatever its state: who holds the server's connections.
  assert.deepEqual(
    t.summary(2).connectionStatements?.map((s) => [s.queryid, s.samples]),
    [['42', 3], ['7', 2], ['9', 1]],
  );
  // Without query_id (PostgreSQL 13 and older), nothing is listed.
  const old = new ActivityTracker();
  old.record(0, 1000, [row(1, 'shop', 'idle in transaction')], []);
  assert.equal(old.summary(1).idleInTransactionStatements, undefined);
  assert.equal(old.summary(1).connectionStatements, undefined);
});

test('activity groups by role too (a role is judged against its own connection limit)', () => {
  const t = new ActivityTracker();
  t.record(0, 1000, [{ ...row(1, 'svc', 'active'), user: 'app_role' }, { ...row(2, 'svc', 'idle'), user: 'app_role' }, { ...row(3, 'psql', 'idle'), user: 'postgres' }], []);
  const byUser = t.summary(1).byUser!;
  assert.deepEqual(byUser.map((g) => [g.key, g.maxConnections]), [['app_role', 2], ['postgres', 1]]);
});


test("a role's connections are counted by their last statements apart from the server's (whose work holds the role's limit)", () => {
  const t = new ActivityTracker();
  const as = (user: string, r: ActivityRow): ActivityRow => ({ ...r, user });
  t.record(0, 1000, [as('reader', row(1, 'svc', 'idle', '5')), as('reader', row(2, 'svc', 'idle', '5')), as('app', row(3, 'svc', 'idle', '7')), as('app', row(4, 'svc', 'idle', '7')), as('app', row(5, 'svc', 'active', '7'))], []);
  const summary = t.summary(1);
  assert.deepEqual(summary.connectionStatements?.map((s) => [s.queryid, s.samples]), [['7', 3], ['5', 2]]);
  assert.deepEqual(summary.byUser!.find((g) => g.key === 'reader')!.connectionStatements?.map((s) => [s.queryid, s.samples]), [['5', 2]]);
  assert.deepEqual(summary.byUser!.find((g) => g.key === 'app')!.connectionStatements?.map((s) => [s.queryid, s.samples]), [['7', 3]]);
  // Applications and clients are not split by statement.
  assert.equal(summary.byApplication.find((g) => g.key === 'svc')!.connectionStatements, undefined);
});
