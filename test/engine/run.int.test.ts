import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assembleRunResult, runPlan, startRun, writeRunResult } from '../../src/engine/index.js';
import { planFromQuickOptions } from '../../src/plan/index.js';
import { plan, scenario, startServer, type TestServer } from './helpers.js';

describe('runPlan end to end (real node:http target)', () => {
  let fast: TestServer;
  before(async () => {
    fast = await startServer();
    // Warm-up: JIT and first connections, and let parallel test processes finish starting,
    // so the rate assertions below judge the executor, not a cold process on a busy machine.
    await runPlan(plan(fast.url, [scenario('warm', { executor: 'shared-iterations', vus: 4, iterations: 200, maxDurationMs: 5000 }, { fixed: `${fast.url}/` })]));
  });
  after(async () => {
    await fast.close();
  });

  it('constant-arrival-rate achieves its rate and drops nothing', async () => {
    const before = fast.requests();
    const p = plan(fast.url, [
      scenario('steady', { executor: 'constant-arrival-rate', rate: 100, durationMs: 1000, preAllocatedVUs: 20, maxVUs: 40 }, { fixed: `${fast.url}/` }),
    ]);
    const outcome = await runPlan(p);
    const s = outcome.scenarios[0]!;
    assert.equal(outcome.status, 'completed');
    assert.equal(s.iterations, 100, JSON.stringify(s));
    assert.equal(s.droppedIterations, 0);
    assert.equal(s.model, 'open');
    assert.equal(s.targetRate, 100);
    assert.equal(fast.requests() - before, 100);
    const result = assembleRunResult(outcome);
    assert.equal(result.model, 'open');
    assert.equal(result.totals.requests, 100);
    assert.equal(result.totals.iterations, 100);
    assert.equal(result.totals.droppedIterations, 0);
    assert.match(result.id, /^\d{8}-\d{6}-[0-9a-f]{4}$/);
    assert.equal(result.generator.workers, 1);
  });

  it('slow server with too few VUs: dropped iterations are counted and response time ≥ service time ≥ the delay', async () => {
    const slow = await startServer({ delayMs: 200 });
    try {
      const p = plan(slow.url, [
        scenario('tight', { executor: 'constant-arrival-rate', rate: 40, durationMs: 1000, preAllocatedVUs: 2, maxVUs: 4 }, { fixed: `${slow.url}/` }),
      ]);
      const outcome = await runPlan(p);
      const s = outcome.scenarios[0]!;
      assert.ok(s.droppedIterations > 0, `dropped ${s.droppedIterations}`);
      assert.equal(s.allocatedVUs, 4);
      assert.equal(s.iterations + s.droppedIterations + s.interruptedIterations, 40);
      const totals = outcome.metrics.totals;
      assert.ok(totals.serviceTime.min >= 195, `service min ${totals.serviceTime.min}`);
      assert.ok(totals.responseTime.p50 >= totals.serviceTime.p50);
      assert.equal(totals.droppedIterations, s.droppedIterations);
      // Every VU waited for the slow server: reported as lateness, and `saturated` only if the generator's own CPU was exhausted.
      assert.ok([...(outcome.generator.lateness ?? []), ...outcome.generator.evidence].some((e) => e.kind === 'dropped-iterations'));
      assert.equal(outcome.generator.saturated, outcome.generator.limitedBy === 'generator-cpu');
    } finally {
      await slow.close();
    }
  });

  it('closed model with plan code: checks recorded, failed iterations kept as warnings, labelled closed', async () => {
    const p = plan(fast.url, [
      scenario(
        'loop',
        { executor: 'constant-vus', vus: 2, durationMs: 400 },
        {
          fn: async (vu) => {
            const res = await vu.http.get('/hello');
            vu.check(res, { 'status is 200': (r) => r.status === 200 });
            if (vu.iteration % 3 === 2) throw new Error('planned failure');
          },
        },
      ),
    ]);
    const outcome = await runPlan(p);
    const s = outcome.scenarios[0]!;
    assert.equal(s.model, 'closed');
    assert.ok(s.iterations > 3);
    assert.ok(s.failedIterations > 0 && s.failedIterations < s.iterations);
    assert.equal(s.maxBusyVUs, 2);
    assert.ok(outcome.warnings.some((w) => w.includes('planned failure')));
    const result = assembleRunResult(outcome);
    assert.equal(result.model, 'closed');
    assert.equal(result.totals.checks.fails, 0);
    assert.ok(result.totals.checks.passes >= s.iterations);
    assert.equal(result.totals.requests, s.iterations);
  });

  it('open model with plan code: every iteration runs the function, start lag measured', async () => {
    let calls = 0;
    const p = plan(fast.url, [
      scenario(
        'open-fn',
        { executor: 'constant-arrival-rate', rate: 50, durationMs: 600, preAllocatedVUs: 10, maxVUs: 20 },
        {
          fn: async (vu) => {
            calls++;
            await vu.http.get('/open-fn');
          },
        },
      ),
    ]);
    const outcome = await runPlan(p);
    const s = outcome.scenarios[0]!;
    assert.equal(s.iterations + s.droppedIterations, 30);
    assert.equal(calls, s.iterations);
    assert.equal(outcome.metrics.totals.requests, s.iterations);
    assert.ok(outcome.metrics.totals.responseTime.p50 >= outcome.metrics.totals.serviceTime.p50);
  });

  it('vu.sleep ends early when the scenario stops, so think time is not interrupted', async () => {
    const p = plan(fast.url, [
      scenario(
        'thinker',
        { executor: 'constant-vus', vus: 2, durationMs: 200, gracefulStopMs: 2000 },
        {
          fn: async (vu) => {
            await vu.http.get('/think');
            await vu.sleep(10);
            if (!vu.stopping) throw new Error('sleep returned before the stop');
          },
        },
      ),
    ]);
    const s = (await runPlan(p)).scenarios[0]!;
    assert.equal(s.iterations, 2);
    assert.equal(s.failedIterations, 0);
    assert.equal(s.interruptedIterations, 0);
  });

  it('per-vu-iterations and shared-iterations run exactly their iterations', async () => {
    const before = fast.requests();
    const p = plan(fast.url, [
      scenario('per-vu', { executor: 'per-vu-iterations', vus: 3, iterations: 4, maxDurationMs: 5000 }, { fixed: `${fast.url}/a` }),
      scenario('shared', { executor: 'shared-iterations', vus: 3, iterations: 10, maxDurationMs: 5000 }, { fixed: `${fast.url}/b` }),
    ]);
    const outcome = await runPlan(p);
    const [perVu, shared] = outcome.scenarios;
    assert.equal(perVu!.iterations, 12);
    assert.equal(shared!.iterations, 10);
    assert.equal(fast.requests() - before, 22);
    assert.equal(perVu!.droppedIterations + shared!.droppedIterations, 0);
  });

  it('shared-iterations: iterations not started by maxDuration are dropped', async () => {
    const slow = await startServer({ delayMs: 150 });
    try {
      const p = plan(slow.url, [
        scenario('capped', { executor: 'shared-iterations', vus: 1, iterations: 20, maxDurationMs: 400, gracefulStopMs: 1000 }, { fixed: `${slow.url}/` }),
      ]);
      const s = (await runPlan(p)).scenarios[0]!;
      assert.ok(s.droppedIterations > 0);
      assert.equal(s.iterations + s.droppedIterations + s.interruptedIterations, 20);
    } finally {
      await slow.close();
    }
  });

  it('ramping-vus reaches its target VU count', async () => {
    const p = plan(fast.url, [
      scenario(
        'ramp',
        { executor: 'ramping-vus', startVUs: 0, stages: [{ durationMs: 300, target: 3 }, { durationMs: 300, target: 3 }], gracefulRampDownMs: 500 },
        { fixed: `${fast.url}/` },
      ),
    ]);
    const s = (await runPlan(p)).scenarios[0]!;
    assert.equal(s.maxBusyVUs, 3);
    assert.equal(s.allocatedVUs, 3);
    assert.ok(s.iterations > 0);
  });

  it('gracefulStop interrupts iterations still running after it', async () => {
    const stuck = await startServer({ delayMs: 3000 });
    try {
      const p = plan(stuck.url, [
        scenario('stuck', { executor: 'constant-vus', vus: 2, durationMs: 200, gracefulStopMs: 300 }, { fn: async (vu) => void (await vu.http.get('/')) }),
      ]);
      const outcome = await runPlan(p);
      const s = outcome.scenarios[0]!;
      assert.equal(s.iterations, 0);
      assert.equal(s.interruptedIterations, 2);
      assert.equal(outcome.status, 'completed');
    } finally {
      await stuck.close();
    }
  });

  it('a signal stops the run gracefully and returns a partial outcome marked interrupted', async () => {
    const controller = new AbortController();
    const p = plan(fast.url, [
      scenario('long', { executor: 'constant-arrival-rate', rate: 50, durationMs: 20_000, preAllocatedVUs: 5, maxVUs: 5 }, { fixed: `${fast.url}/` }),
    ]);
    const pending = runPlan(p, { signal: controller.signal });
    setTimeout(() => controller.abort(), 600);
    const outcome = await pending;
    const s = outcome.scenarios[0]!;
    assert.equal(outcome.status, 'interrupted');
    assert.ok(s.iterations > 0 && s.iterations < 1000, `iterations ${s.iterations}`);
    assert.equal(outcome.metrics.totals.requests, s.iterations);
    const result = assembleRunResult(outcome);
    assert.equal(result.status, 'interrupted');
    assert.ok(result.statusReason);
  });

  it('hardStop interrupts at once even with a long gracefulStop', async () => {
    const stuck = await startServer({ delayMs: 3000 });
    try {
      const p = plan(stuck.url, [
        scenario('stuck', { executor: 'constant-vus', vus: 3, durationMs: 20_000, gracefulStopMs: 20_000 }, { fixed: `${stuck.url}/` }),
      ]);
      const run = startRun(p);
      setTimeout(() => run.stop(), 300);
      setTimeout(() => run.hardStop(), 500);
      const outcome = await run.done;
      assert.equal(outcome.status, 'interrupted');
      assert.equal(outcome.scenarios[0]!.interruptedIterations, 3);
    } finally {
      await stuck.close();
    }
  });

  it('abortOnFail stops the run early with status aborted-by-threshold', async () => {
    const failing = await startServer({
      handler: (_req, res) => {
        res.statusCode = 500;
        res.end('no');
      },
    });
    try {
      const p = plan(
        failing.url,
        [scenario('bad', { executor: 'constant-arrival-rate', rate: 50, durationMs: 20_000, preAllocatedVUs: 5, maxVUs: 5 }, { fixed: `${failing.url}/` })],
        { http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true }] },
      );
      const outcome = await runPlan(p);
      assert.equal(outcome.status, 'aborted-by-threshold');
      assert.match(outcome.statusReason ?? '', /http_req_failed/);
      assert.equal(outcome.thresholds[0]!.passed, false);
      assert.equal(outcome.thresholds[0]!.aborted, true);
      assert.ok(outcome.scenarios[0]!.iterations < 1000);
    } finally {
      await failing.close();
    }
  });

  it('startTime delays a scenario relative to the run start', async () => {
    const p = plan(fast.url, [
      scenario('first', { executor: 'constant-vus', vus: 1, durationMs: 300 }, { fixed: `${fast.url}/1` }),
      scenario('second', { executor: 'constant-vus', vus: 1, durationMs: 200, startTimeMs: 500 }, { fixed: `${fast.url}/2` }),
    ]);
    const outcome = await runPlan(p);
    const [first, second] = outcome.scenarios;
    assert.ok(first!.startOffsetMs < 100, `first at ${first!.startOffsetMs}`);
    assert.ok(second!.startOffsetMs >= 499, `second at ${second!.startOffsetMs}`);
    assert.ok(second!.iterations > 0);
  });

  it('quick mode plans (planFromQuickOptions) run end to end', async () => {
    const p = planFromQuickOptions({ url: `${fast.url}/quick`, connections: 2, duration: '300ms' });
    const outcome = await runPlan(p);
    const result = assembleRunResult(outcome, { argv: ['load', fast.url, '-H', 'Authorization: Bearer secret'] });
    assert.ok(result.totals.requests > 0);
    assert.equal(result.model, 'closed');
    assert.ok(!JSON.stringify(result.environment.argv).includes('secret'));
  });

  it('an unreachable target fails fast with TUNEUP_TARGET_UNREACHABLE', async () => {
    const gone = await startServer();
    const url = gone.url;
    await gone.close();
    const p = plan(url, [scenario('x', { executor: 'constant-vus', vus: 1, durationMs: 1000 }, { fixed: `${url}/` })]);
    await assert.rejects(runPlan(p), (error: { code?: string; hint?: string }) => {
      assert.equal(error.code, 'TUNEUP_TARGET_UNREACHABLE');
      assert.ok(error.hint);
      return true;
    });
  });
});

describe('writeRunResult', () => {
  it('writes <dir>/<id>/result.json atomically, with secrets removed from the plan', async () => {
    const server = await startServer();
    const dir = await mkdtemp(join(tmpdir(), 'tuneup-runs-'));
    try {
      const p = plan(`http://user:hunter2@127.0.0.1:${new URL(server.url).port}`, [
        scenario('one', { executor: 'shared-iterations', vus: 1, iterations: 3, maxDurationMs: 5000 }, { fixed: `${server.url}/` }),
      ]);
      p.json = { ...p.json, scenarios: { one: { headers: { Authorization: 'Bearer abc', Cookie: 'sid=1', accept: 'x' } } } };
      const result = assembleRunResult(await runPlan(p));
      const path = await writeRunResult(result, dir);
      assert.equal(path, join(dir, result.id, 'result.json'));
      const text = await readFile(path, 'utf8');
      const back = JSON.parse(text) as typeof result;
      assert.equal(back.totals.requests, 3);
      assert.ok(!text.includes('hunter2') && !text.includes('Bearer abc') && !text.includes('sid=1'));
      assert.ok(text.includes('"accept": "x"'));
      assert.deepEqual(await readdir(join(dir, result.id)), ['result.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await server.close();
    }
  });
});

describe('runPlan: ramping-arrival-rate, progress and probes', () => {
  it('ramping-arrival-rate sends its scheduled iterations; onProgress and probes are driven every second', async () => {
    const server = await startServer();
    try {
      const p = plan(server.url, [
        scenario(
          'ramp',
          { executor: 'ramping-arrival-rate', startRate: 0, stages: [{ durationMs: 1000, target: 40 }, { durationMs: 500, target: 40 }], preAllocatedVUs: 10, maxVUs: 20 },
          { fixed: `${server.url}/` },
        ),
      ]);
      const progress: number[] = [];
      const samples: number[] = [];
      let started = 0;
      const probe = {
        name: 'fake',
        start: async () => void started++,
        sample: async (offsetMs: number) => void samples.push(offsetMs),
        stop: async () => ({
          probe: 'fake',
          target: 'memory',
          ok: true,
          limitations: [],
          errors: [],
          series: { t: samples.slice(), values: {}, units: {} },
          data: {},
          overhead: { samples: samples.length, meanSampleMs: 0 },
        }),
      };
      const outcome = await runPlan(p, { onProgress: (live) => progress.push(live.requests), probes: [probe] });
      const s = outcome.scenarios[0]!;
      // ∫ rate = 20 + 20 = 40 iterations
      assert.equal(s.iterations + s.droppedIterations, 40);
      assert.equal(s.targetRate !== null && Math.round(s.targetRate * 1000) / 1000, Math.round((40 / 1.5) * 1000) / 1000);
      assert.equal(started, 1);
      assert.ok(progress.length >= 1);
      assert.ok(samples.length >= 1 && samples[0]! >= 900);
      assert.equal(outcome.probes.length, 1);
      assert.equal(assembleRunResult(outcome).probes?.[0]?.probe, 'fake');
    } finally {
      await server.close();
    }
  });
});
