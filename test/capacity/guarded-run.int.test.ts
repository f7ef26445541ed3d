// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
// The guarded run shared by `tuneup capacity` and `tuneup diagnose`: a probe that cannot start is retried
// once, then left out (said in the result), so the run still happens. Real node:http target on
// 127.0.0.1 port 0, a real process probe aimed at a pid that does not exist; short, bounded load.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runGuarded } from '../../src/capacity/guarded-run.js';
import { probeFromSpec } from '../../src/probes/host/create.js';
import { plan, scenario, startServer, type TestServer } from '../engine/helpers.js';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

test('a probe that cannot start is tried twice, then left out with a warning; the run still happens', async () => {
  const p = plan(server.url, [scenario('step', { executor: 'constant-arrival-rate', rate: 20, durationMs: 500, preAllocatedVUs: 4, maxVUs: 8 }, { fixed: `${server.url}/` })]);
  let made = 0;
  let ended = 0;
  const run = await runGuarded(p, {
    probes: async () => {
      made++;
      return [probeFromSpec({ kind: 'process', options: { pid: 2 ** 22 + 4321 } })];
    },
    guard: true,
    kind: 'capacity',
    probeRetryPauseMs: 50,
    onRunEnd: () => ended++,
  });
  assert.equal(made, 3, 'two tries with the probe, then its list once more to leave it out');
  assert.equal(ended, 3, 'every engine run ends through the hook');
  assert.equal(run.result.labels?.kind, 'capacity');
  assert.ok(run.result.totals.requests > 0, 'the load ran');
  assert.equal(run.result.probes?.length ?? 0, 0);
  assert.ok(run.result.warnings.some((w) => /the process probe could not start twice/.test(w)), run.result.warnings.join('\n'));
  assert.equal(run.stoppedEarly, undefined);
});
