// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assembleRunResult, runPlan } from '../../src/engine/index.js';
import { scriptedPlan } from './fixtures/plan-factory.js';
import { plan, scenario, startServer, type TestServer } from './helpers.js';

describe('worker threads', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it('workers=2: merged counts equal the whole schedule', async () => {
    const before = server.requests();
    const p = plan(server.url, [
      scenario('open', { executor: 'constant-arrival-rate', rate: 60, durationMs: 1000, preAllocatedVUs: 20, maxVUs: 40 }, { fixed: `${server.url}/open` }),
      scenario('closed', { executor: 'shared-iterations', vus: 4, iterations: 41, maxDurationMs: 5000 }, { fixed: `${server.url}/closed` }),
    ]);
    const outcome = await runPlan(p, { workers: 2 });
    const [open, closed] = outcome.scenarios;
    assert.equal(open!.iterations + open!.droppedIterations, 60);
    assert.equal(closed!.iterations, 41);
    assert.equal(server.requests() - before, open!.iterations + 41);
    const result = assembleRunResult(outcome);
    assert.equal(result.totals.requests, open!.iterations + 41);
    assert.equal(result.totals.iterations, open!.iterations + 41);
    assert.equal(result.generator.workers, 2);
    assert.equal(result.model, 'mixed');
    assert.equal(result.scenarios[1]!.allocatedVUs, 4);
  });

  it('a plan with code needs a planSource; with one, workers re-load it', async () => {
    const p = scriptedPlan(server.url, 20);
    await assert.rejects(runPlan(p, { workers: 2 }), { code: 'TUNEUP_OPTION_INVALID' });
    const outcome = await runPlan(p, {
      workers: 2,
      planSource: { module: new URL('./fixtures/plan-factory.ts', import.meta.url).href, exportName: 'scriptedPlan', args: [server.url, 20] },
    });
    assert.equal(outcome.scenarios[0]!.iterations, 20);
    assert.equal(outcome.metrics.totals.checks.passes, 20);
  });

  it('abortOnFail works across workers (live metrics merged from the threads)', async () => {
    const failing = await startServer({
      handler: (_req, res) => {
        res.statusCode = 503;
        res.end();
      },
    });
    try {
      const p = plan(
        failing.url,
        [scenario('bad', { executor: 'constant-arrival-rate', rate: 40, durationMs: 20_000, preAllocatedVUs: 4, maxVUs: 8 }, { fixed: `${failing.url}/` })],
        { http_req_failed: [{ threshold: 'rate<0.5', abortOnFail: true }] },
      );
      const outcome = await runPlan(p, { workers: 2 });
      assert.equal(outcome.status, 'aborted-by-threshold');
      assert.equal(outcome.thresholds[0]!.aborted, true);
      assert.ok(outcome.scenarios[0]!.iterations < 800);
    } finally {
      await failing.close();
    }
  });

  it('--segment runs only its share of the iterations', async () => {
    const p = plan(server.url, [scenario('seg', { executor: 'shared-iterations', vus: 4, iterations: 10, maxDurationMs: 5000 }, { fixed: `${server.url}/seg` })]);
    const a = await runPlan(p, { segment: '1/2' });
    const b = await runPlan(p, { segment: '2/2' });
    assert.equal(a.scenarios[0]!.iterations + b.scenarios[0]!.iterations, 10);
    assert.equal(a.segment, '1/2');
  });
});

describe('worker threads with a plan file', () => {
  it('planFileSource lets workers re-load a YAML plan that runs a flow', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadPlan } = await import('../../src/plan/index.js');
    const { planFileSource } = await import('../../src/engine/index.js');
    const server = await startServer();
    const dir = await mkdtemp(join(tmpdir(), 'tuneup-plan-'));
    try {
      const file = join(dir, 'plan.yaml');
      await writeFile(
        file,
        [
          `baseUrl: ${server.url}`,
          'scenarios:',
          '  flow:',
          '    executor: shared-iterations',
          '    vus: 2',
          '    iterations: 6',
          '    flow:',
          '      - path: /a',
          '      - path: /b',
          '',
        ].join('\n'),
      );
      const p = await loadPlan(file);
      assert.equal(p.scenarios[0]!.fixed, undefined);
      const outcome = await runPlan(p, { workers: 2, planSource: planFileSource(file) });
      assert.equal(outcome.scenarios[0]!.iterations, 6);
      assert.equal(outcome.metrics.totals.requests, 12);
      assert.equal(server.requests(), 12);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await server.close();
    }
  });
});
