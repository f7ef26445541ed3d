/**
 * The count identity: a statement or command run once per request of one endpoint has that endpoint's count
 * of calls, which decides its owner where queueing leaves the per-second series to whoever was busy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDemands } from '../../src/diagnose/index.js';
import { oncePerRequestOwner } from '../../src/diagnose/count-identity.js';
import { makeResult, pgData, probe, statement } from './helpers.js';

test('one endpoint with the count of calls owns them; none or several decide nothing', () => {
  const served = [{ endpoint: 'GET /a', requests: 472 }, { endpoint: 'GET /b', requests: 408 }, { endpoint: 'GET /c', requests: 919 }];
  assert.equal(oncePerRequestOwner(472, served)?.endpoint, 'GET /a');
  // Within half a percent (a request still queued at the window's end).
  assert.equal(oncePerRequestOwner(470, served)?.endpoint, 'GET /a');
  assert.equal(oncePerRequestOwner(460, served)?.endpoint, undefined);
  assert.equal(oncePerRequestOwner(0, served)?.endpoint, undefined);
  // Two endpoints with that count: a coincidence that decides nothing.
  assert.equal(oncePerRequestOwner(477, [{ endpoint: 'GET /x', requests: 477 }, { endpoint: 'GET /y', requests: 478 }])?.endpoint, undefined);
});

test('behind a queue, a statement with one endpoint\'s count of calls is that endpoint\'s, whatever the per-second series say', () => {
  // Seen on hiring past capacity: a 62 ms statement of GET /teams/:id/queue ran 472 times, as many as that
  // endpoint served, but its calls per second followed the notifications endpoint's completions (the queue
  // decided when each ran) and the regression charged it there.
  const notifications = [30, 45, 38, 52, 41, 47, 36, 50, 44, 25];
  const queue = [47, 47, 47, 47, 47, 47, 47, 47, 47, 49];
  const calls = notifications.map((n) => n * 1.16);
  const total = queue.reduce((a, b) => a + b, 0);
  const build = (totalCalls: number) => {
    const pg = pgData({
      statements: [statement('9', 'select * from recruiter_queues where team_id = $1', totalCalls, 62)],
      statementSeries: [{ queryid: '9', toplevel: true, callsPerS: calls, execMsPerS: calls.map((c) => c * 62) }],
    });
    return makeResult(
      { 'GET /recruiters/:id/notifications': { requests: notifications, serviceMeanMs: 1500 }, 'GET /teams/:id/queue': { requests: queue, serviceMeanMs: 3000 } },
      [probe('postgres', { 'pg.calls_per_s': calls, 'pg.exec_ms_per_s': calls.map((c) => c * 62) }, pg as unknown as Record<string, unknown>)],
    );
  };
  const owners = computeDemands(build(total)).statements.filter((s) => s.queryid === '9');
  assert.deepEqual(owners.map((s) => [s.endpoint, s.byCount]), [['GET /teams/:id/queue', true]], JSON.stringify(owners));
  assert.ok(Math.abs(owners[0]!.callsPerRequest - 1) < 1e-9);
  assert.ok(Math.abs(owners[0]!.execMsPerRequest - 62) < 1, `${owners[0]!.execMsPerRequest}`);
  // A total that matches no endpoint's count leaves the regression's answer.
  const fitted = computeDemands(build(total + 40)).statements.filter((s) => s.queryid === '9');
  assert.equal(fitted[0]?.endpoint, 'GET /recruiters/:id/notifications');
  assert.equal(fitted[0]?.byCount, undefined);
});
