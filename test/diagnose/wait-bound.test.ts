/**
 * A mixed run with fewer seconds than endpoints + 1 cannot estimate any endpoint's CPU or database time; an
 * endpoint's wait is then bounded below by charging it the whole run's CPU (utilization law), so a wait that
 * no share of the process's work could explain is still found, and one that could be is not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDemands, diagnose } from '../../src/diagnose/index.js';
import { makeResult, probe } from './helpers.js';

/** 4 seconds, 4 endpoints: the regression needs 5. The process uses 300 ms of CPU a second. */
function shortRun() {
  const result = makeResult(
    {
      'GET /lessons/:id': { requests: [3, 3, 3, 3], serviceMeanMs: 620 },
      'POST /certificates': { requests: [1, 0, 1, 0], serviceMeanMs: 250 },
      'GET /courses': { requests: [5, 5, 5, 5], serviceMeanMs: 15 },
      'GET /courses/:id': { requests: [4, 4, 4, 4], serviceMeanMs: 12 },
    },
    [probe('process', { cpuPercent: [30, 30, 30, 30] }, { remotes: [{ address: '127.0.0.1', port: 46221, maxConnections: 3, samplesSeen: 4 }] })],
  );
  return result;
}

test('too few seconds for the regression: waits are lower bounds from the whole run', () => {
  const model = computeDemands(shortRun());
  assert.ok(model.notes.some((n) => /Too few seconds \(4\) to estimate 4 endpoints/.test(n)), model.notes.join('\n'));
  const lessons = model.demands.find((d) => d.endpoint === 'GET /lessons/:id')!;
  // 1200 ms of CPU over 12 lesson requests: at most 100 ms each, so at least 520 ms of the 620 ms is a wait.
  assert.deepEqual(lessons.unexplainedBound, { cpuMsAtMost: 100 });
  assert.equal(lessons.unexplainedMs, 520);
  assert.equal(lessons.cpuMs, undefined, 'no estimate is made up');
  // Two certificate requests could have used all 1200 ms: nothing is known about their wait.
  assert.equal(model.demands.find((d) => d.endpoint === 'POST /certificates')!.unexplainedMs, 0);
});

test('the bounded wait is a slow-dependency finding that says it is a bound', () => {
  const found = diagnose(shortRun()).findings.filter((f) => f.category === 'slow-dependency');
  assert.deepEqual(found.map((f) => f.endpoint), ['GET /lessons/:id']);
  assert.match(found[0]!.summary, /^At least 520 of 620 ms per request is neither CPU \(at most 100 ms/);
  assert.equal(found[0]!.metrics?.waitMsPerRequest, 520);
});
