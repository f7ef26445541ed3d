import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityTracker } from '../../src/probes/postgres/activity.js';
import type { ActivityRow } from '../../src/probes/postgres/queries.js';

const row = (pid: number, application: string, state: string): ActivityRow => ({
  pid, state, application, client: '127.0.0.1', waitEventType: null, waitEvent: null, queryMs: 1, queryStartAt: 1, xactMs: 1, query: 'SELECT 1', blockedBy: [],
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
