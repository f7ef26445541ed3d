/**
 * Executor semantics on a virtual clock: the scenario functions wait on the
 * clock (a stand-in for service time), so schedules of seconds run in
 * milliseconds and every count is exact. The same executors against a real
 * HTTP server are covered by run.int.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPlan } from '../../src/engine/index.js';
import type { ResolvedScenario } from '../../src/plan/types.js';
import { plan, scenario } from './helpers.js';
import { VirtualClock } from './virtual-clock.js';

// Nothing listens here and nothing is sent: the scenario functions make no requests.
const BASE = 'http://127.0.0.1:9';

async function run(scenarios: ResolvedScenario[], clock: VirtualClock) {
  const started = clock.now();
  const outcome = await runPlan(plan(BASE, scenarios), { clock, precheck: false });
  return { outcome, s: outcome.scenarios[0]!, virtualMs: clock.now() - started };
}

/** A scenario function that "serves" each iteration in `ms` of clock time (not cut short by stopping). */
const serve = (clock: VirtualClock, ms: number) => async (): Promise<void> => clock.sleep(ms);

describe('executors on a virtual clock', () => {
  it('constant-arrival-rate: exactly rate × duration iterations, none dropped, no start lag', async () => {
    const clock = new VirtualClock();
    const { outcome, s, virtualMs } = await run(
      [scenario('steady', { executor: 'constant-arrival-rate', rate: 100, durationMs: 10_000, preAllocatedVUs: 2, maxVUs: 2 }, { fn: serve(clock, 5) })],
      clock,
    );
    assert.equal(s.iterations, 1000);
    assert.equal(s.droppedIterations, 0);
    assert.equal(s.interruptedIterations, 0);
    assert.equal(outcome.status, 'completed');
    assert.equal(outcome.generator.lateStarts, 0);
    assert.equal(virtualMs, 10_000);
    assert.equal(clock.pendingSleeps, 0);
  });

  it('constant-arrival-rate with too few VUs: drops exactly as k6 does (one VU added per drop, up to maxVUs)', async () => {
    // 40/s for 1 s (every 25 ms), each iteration busy 190 ms, 2 VUs growing to 4:
    // a hand simulation of the k6 rule gives 20 started and 20 dropped.
    const tight = (clock: VirtualClock) =>
      scenario('tight', { executor: 'constant-arrival-rate', rate: 40, durationMs: 1000, preAllocatedVUs: 2, maxVUs: 4 }, { fn: serve(clock, 190) });
    const clock = new VirtualClock();
    const { s, outcome } = await run([tight(clock)], clock);
    assert.equal(s.iterations, 20);
    assert.equal(s.droppedIterations, 20);
    assert.equal(s.allocatedVUs, 4);
    assert.equal(s.interruptedIterations, 0);
    // Drops with the generator's CPU free are the service's slowness, not the generator's limit (health.ts).
    assert.ok(outcome.generator.lateness?.some((e) => e.label.includes('dropped')) || outcome.generator.evidence.some((e) => e.label.includes('dropped')));
    // Virtual time makes the outcome reproducible run after run.
    const again = new VirtualClock();
    const second = await run([tight(again)], again);
    assert.deepEqual([second.s.iterations, second.s.droppedIterations], [20, 20]);
  });

  it('ramping-arrival-rate follows the ramp: 0 → 100/s over 1 s, then 100/s for 1 s', async () => {
    const clock = new VirtualClock();
    const { s } = await run(
      [
        scenario(
          'ramp',
          { executor: 'ramping-arrival-rate', startRate: 0, timeUnitMs: 1000, stages: [{ durationMs: 1000, target: 100 }, { durationMs: 1000, target: 100 }], preAllocatedVUs: 5, maxVUs: 5 },
          { fn: serve(clock, 5) },
        ),
      ],
      clock,
    );
    assert.equal(s.iterations + s.droppedIterations, 150);
    assert.equal(s.droppedIterations, 0);
  });

  it('constant-vus: each VU loops back to back until the duration; the last iteration finishes in gracefulStop', async () => {
    const clock = new VirtualClock();
    // 90 ms iterations from 0 to 990 ms: 12 per VU.
    const { s } = await run([scenario('loop', { executor: 'constant-vus', vus: 2, durationMs: 1000 }, { fn: serve(clock, 90) })], clock);
    assert.equal(s.iterations, 24);
    assert.equal(s.interruptedIterations, 0);
    assert.equal(s.maxBusyVUs, 2);
  });

  it('vu.sleep ends when the scenario stops (think time does not hold the run)', async () => {
    const clock = new VirtualClock();
    const { s, virtualMs } = await run(
      [
        scenario(
          'thinker',
          { executor: 'constant-vus', vus: 2, durationMs: 200, gracefulStopMs: 2000 },
          {
            fn: async (vu) => {
              await vu.sleep(10);
              if (!vu.stopping) throw new Error('sleep returned before the stop');
            },
          },
        ),
      ],
      clock,
    );
    assert.equal(s.iterations, 2);
    assert.equal(s.failedIterations, 0);
    assert.equal(s.interruptedIterations, 0);
    assert.ok(virtualMs < 10_000, `the run waited out the 10 s think time (${virtualMs} ms)`);
  });

  it('ramping-vus: a VU ramped down mid-iteration is interrupted after gracefulRampDown, and not before', async () => {
    const rampDown = (clock: VirtualClock, gracefulRampDownMs: number) =>
      scenario(
        'down',
        { executor: 'ramping-vus', startVUs: 2, stages: [{ durationMs: 100, target: 2 }, { durationMs: 100, target: 0 }], gracefulRampDownMs, gracefulStopMs: 5000 },
        { fn: serve(clock, 1000) },
      );
    const short = new VirtualClock();
    const cut = await run([rampDown(short, 50)], short);
    assert.equal(cut.s.interruptedIterations, 2);
    assert.equal(cut.s.iterations, 0);
    const long = new VirtualClock();
    const kept = await run([rampDown(long, 5000)], long);
    assert.equal(kept.s.interruptedIterations, 0);
    assert.equal(kept.s.iterations, 2);
  });

  it('shared-iterations: iterations not started by maxDuration are dropped', async () => {
    const clock = new VirtualClock();
    // One VU, 150 ms each, 400 ms cap: starts at 0, 150, 300; 17 of 20 never start.
    const { s } = await run([scenario('capped', { executor: 'shared-iterations', vus: 1, iterations: 20, maxDurationMs: 400, gracefulStopMs: 1000 }, { fn: serve(clock, 150) })], clock);
    assert.equal(s.iterations, 3);
    assert.equal(s.droppedIterations, 17);
  });

  it('per-vu-iterations runs exactly its iterations', async () => {
    const clock = new VirtualClock();
    const { s } = await run([scenario('per-vu', { executor: 'per-vu-iterations', vus: 3, iterations: 4, maxDurationMs: 5000 }, { fn: serve(clock, 30) })], clock);
    assert.equal(s.iterations, 12);
    assert.equal(s.droppedIterations, 0);
  });
});
