/**
 * `tuneup diagnose` end to end through the real CLI: the fixture service
 * (test/fixtures/service) with a missing index planted on GET /orders/:id,
 * real PostgreSQL and Redis, every probe, and a YAML plan whose one scenario
 * mixes four endpoints (`requests:`) at a rate past the service's capacity.
 *
 * The experiment must find a capacity (a knee bracketed by a sustained and a
 * failing step), run the diagnosis at a rate the service sustains, say first
 * that the plan's rate is past capacity, and confirm the missing-index
 * finding on GET /orders/:id by running that request alone.
 *
 * Loads go to 127.0.0.1 only and are bounded: short steps (3 s), a ramp capped
 * at twice the plan's rate, one bisection, a 6 s diagnosis, a 3 s isolation. No timing is
 * asserted: where the knee falls depends on this shared machine, so the test
 * checks the knee's consistency with the steps, not its value.
 * `TUNEUP_E2E_VERBOSE=1` prints the CLI's progress and summary.
 *
 * @test-one-node — CI runs this file on the machine's Node only: it checks the
 * experiment's orchestration (steps, knee, chosen rate, isolation), which does
 * not depend on the Node version; `tuneup demo` runs the same experiment on
 * every Node version (test/demo/demo.e2e.test.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliNodeArgs } from '../harness/cli.js';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { startAll } from '../harness/resources.js';
import { startRedis, type TestRedis } from '../harness/redis.js';
import { seedFixtureDatabase, startFixtureService, type FixtureService } from '../fixtures/service/start.js';
import type { RunResult } from '../../src/result/types.js';

let pg: TestPostgres;
let redis: TestRedis;
let service: FixtureService;

before(async () => {
  ({ pg, redis } = await startAll({ pg: () => startPostgres({ extensions: ['pg_stat_statements'] }), redis: () => startRedis() }));
  await seedFixtureDatabase(pg.url);
  service = await startFixtureService({ pgUrl: pg.url, redisUrl: redis.url, faults: ['missing-index'] });
});

after(async () => {
  await service?.stop();
  await redis?.stop();
  await pg?.stop();
});

function cli(cwd: string, argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cliNodeArgs(argv), { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('diagnose: finds the capacity, diagnoses at a sustainable rate, confirms the missing index on its endpoint by isolation', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'tuneup-e2e-diagnose-'));
  try {
    // Every GET /orders/:id scans 200k rows: at 1600/s a quarter of the mix is far past what 2 cores scan (a
    // fast 2-core host sustained the 800/s that twice an earlier 400/s plan let the ramp reach, so no knee).
    writeFileSync(
      join(cwd, 'plan.yaml'),
      [
        `baseUrl: ${service.url}`,
        'scenarios:',
        '  shop:',
        '    executor: constant-arrival-rate',
        '    rate: 1600',
        '    duration: 30s',
        '    preAllocatedVUs: 40',
        '    maxVUs: 400',
        '    requests:',
        '      - { path: "/orders/{{ randomInt(1, 190000) }}", name: "GET /orders/:id" }',
        '      - { path: "/customers/{{ randomInt(1, 1900) }}/orders", name: "GET /customers/:id/orders" }',
        '      - { path: "/products/{{ randomInt(1, 40) }}", name: "GET /products/:id" }',
        '      - { path: /health }',
        '',
      ].join('\n'),
    );
    const args = [
      'diagnose', 'plan.yaml', '--step', '3s', '--duration', '6s', '--isolate', '3s', '--start-rate', '50', '--bisections', '1',
      '--pg', pg.url, '--redis', redis.url, '--metrics', `${service.url}/metrics`, '--pid', String(service.pid),
    ];
    const run = await cli(cwd, args);
    if (process.env.TUNEUP_E2E_VERBOSE) console.log(run.stderr, run.stdout);
    assert.equal(run.code, 0, `tuneup diagnose failed:\n${run.stderr}`);
    const runs = join(cwd, '.tuneup/runs');
    const ids = readdirSync(runs);
    assert.equal(ids.length, 1, 'one stored run: the diagnosis');
    const result = JSON.parse(readFileSync(join(runs, ids[0]!, 'result.json'), 'utf8')) as RunResult;
    const e = result.experiment;
    assert.ok(e, 'result.json has the experiment section');
    const describe = [
      ...e.steps.map((s) => `${s.phase} ${s.offeredRate}/s → ${s.achievedRate}/s p95 ${s.p95Ms} ${s.sustained ? 'ok' : s.reasons.join('; ')}`),
      `knee ${JSON.stringify(e.knee)} chosen ${e.chosenRate} by ${e.chosenBy}`,
      ...e.isolation.map((i) => `isolation ${i.endpoint} ${i.status} ${i.reason ?? ''} ${JSON.stringify(i.findings ?? [])}`),
      ...(result.findings ?? []).map((f) => `${f.category}/${f.severity} ${f.endpoint ?? '-'} ${f.confirmation?.status}: ${f.confirmation?.reason ?? ''}`),
    ].join('\n');

    // 1. A capacity: a sustained step below a failing one, consistent with the steps that ran.
    assert.equal(e.knee.status, 'found', describe);
    const sustained = e.steps.filter((s) => s.sustained).map((s) => s.offeredRate);
    const failed = e.steps.filter((s) => !s.sustained).map((s) => s.offeredRate);
    assert.equal(e.knee.sustainedRate, Math.max(...sustained), describe);
    assert.ok(e.knee.failedRate! > e.knee.sustainedRate!, describe);
    assert.ok(failed.includes(e.knee.failedRate!), describe);
    assert.ok(e.steps.some((s) => s.phase === 'bisect'), `bisected near the knee\n${describe}`);
    assert.equal(e.requestedRate, 1600);

    // 2. Where the knee falls depends on the machine: when the plan asks for more than the measured capacity,
    //    that is said first, as overload, with the capacity; when the service sustains the plan's rate, no
    //    overload finding at all.
    const first = result.findings?.[0];
    if (e.requestedRate > e.knee.sustainedRate!) {
      assert.equal(first?.category, 'overload', describe);
      assert.ok(first.evidence.some((x) => x.label === 'sustained rate (capacity)' && x.value === e.knee.sustainedRate), describe);
    } else {
      assert.equal(result.findings?.some((f) => f.category === 'overload'), false, describe);
    }

    // 3. The diagnosis ran at 70 % of the knee (below the plan's rate), and the service kept up with it.
    assert.equal(e.chosenBy, 'knee', describe);
    assert.ok(Math.abs(e.chosenRate - 0.7 * e.knee.sustainedRate!) <= 0.01 * e.knee.sustainedRate!, describe);
    assert.equal(result.totals.droppedIterations, 0, describe);

    // 4. The missing index is confirmed on GET /orders/:id by running that request alone: the mixed run
    // named the endpoint (confirmed on it), placed it on another (isolation moved it), or could not place
    // it (every endpoint ran alone, and GET /orders/:id is the one that shows it).
    const mi = result.findings?.find((f) => f.category === 'missing-index' && f.id.includes('orders(reference'));
    assert.ok(mi, describe);
    assert.equal(mi.confirmation?.status, 'confirmed', describe);
    assert.equal(mi.endpoint ?? mi.confirmation.shownBy, 'GET /orders/:id', describe);
    const iso = e.isolation.find((i) => i.endpoint === 'GET /orders/:id');
    assert.equal(iso?.status, 'ran', describe);
    assert.deepEqual(iso.via, { scenario: 'shop', request: 0 });
    assert.ok((iso.requests ?? 0) > 0 && iso.demand?.method === 'profile', describe);
    // The confirming measurement: the scan's database time per request, measured alone.
    const dbMs = mi.confirmation.evidence.find((x) => x.label === 'DB time per request (alone)');
    assert.ok(dbMs && typeof dbMs.value === 'number' && dbMs.value > 1, describe);

    // Every finding says whether it was tested; the summary shows it after the capacity line.
    assert.ok((result.findings ?? []).every((f) => f.confirmation !== undefined), describe);
    assert.match(run.stdout.split('\n')[0]!, /^capacity: /);
    assert.match(run.stdout, /confirmed by isolation/);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
