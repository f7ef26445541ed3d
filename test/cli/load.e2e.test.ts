// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonHandler, runCli, startCli, startServer, tempDir } from './helpers.js';
import type { RunResult } from '../../src/result/types.js';

const target = await startServer(jsonHandler(2));
after(() => target.close());

test('tuneup load --json prints a RunResult and stores it under .tuneup/runs', async () => {
  const cwd = tempDir();
  const run = await runCli(['load', `${target.url}/api/orders/17`, '-c', '4', '-d', '1s', '--json'], cwd);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as RunResult;
  assert.equal(result.schemaVersion, 1);
  assert.equal(result.model, 'closed');
  assert.ok(result.totals.requests > 10, `requests ${result.totals.requests}`);
  assert.equal(result.totals.failed, 0);
  assert.equal(result.endpoints[0].endpoint, 'GET /api/orders/:id');
  assert.ok(existsSync(join(cwd, '.tuneup/runs', result.id, 'result.json')));
  assert.ok(existsSync(join(cwd, '.tuneup/runs', result.id, 'report.html')));
});

test('tuneup load --rate runs the open model and reports both latency views', async () => {
  const cwd = tempDir();
  const run = await runCli(['load', `${target.url}/x`, '-c', '20', '-d', '2s', '--rate', '100', '--json'], cwd);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as RunResult;
  assert.equal(result.model, 'open');
  // Every scheduled iteration is either sent or counted as dropped: 100/s for 2 s.
  const scheduled = result.totals.requests + result.totals.droppedIterations;
  assert.ok(scheduled >= 195 && scheduled <= 201, `sent ${result.totals.requests} + dropped ${result.totals.droppedIterations}`);
  assert.ok(result.totals.responseTime.p50 >= result.totals.serviceTime.p50);
});

test('an unreachable target is a one-line error with a hint and exit code 109', async () => {
  const cwd = tempDir();
  const run = await runCli(['load', 'http://127.0.0.1:9/', '-c', '1', '-d', '1s'], cwd);
  assert.equal(run.code, 109, run.stderr);
  assert.match(run.stderr, /^error TUNEUP_TARGET_UNREACHABLE/m);
  assert.match(run.stderr, /hint:/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace without --verbose');
});

test('a bad option names the flag and exits 104', async () => {
  const cwd = tempDir();
  const run = await runCli(['load', target.url, '-c', 'many'], cwd);
  assert.equal(run.code, 104, run.stderr);
  assert.match(run.stderr, /--connections/);
});

test('a failed threshold exits 99 and the plan error names file and line', async () => {
  const cwd = tempDir();
  writeFileSync(
    join(cwd, 'plan.yaml'),
    `baseUrl: ${target.url}\nscenarios:\n  s:\n    executor: constant-vus\n    vus: 2\n    duration: 1s\n    requests:\n      - path: /a\nthresholds:\n  http_req_duration: ['p(95)<0.001']\n`,
  );
  const failed = await runCli(['run', 'plan.yaml', '--quiet'], cwd);
  assert.equal(failed.code, 99, failed.stderr);
  // --quiet prints exactly the run id, for scripts to chain analyze/optimize/compare.
  assert.match(failed.stdout.trim(), /^\d{8}-\d{6}-[0-9a-f]{4}$/, failed.stdout);

  writeFileSync(join(cwd, 'bad.yaml'), `baseUrl: ${target.url}\nscenarios:\n  s:\n    executor: constant-vu\n    vus: 2\n`);
  const bad = await runCli(['run', 'bad.yaml'], cwd);
  assert.equal(bad.code, 104, bad.stderr);
  assert.match(bad.stderr, /bad\.yaml:4/);
  assert.match(bad.stderr, /constant-vus/);
});

test('Ctrl-C stops gracefully and still writes the partial result (exit 105)', async () => {
  const cwd = tempDir();
  const { child, finished } = startCli(['load', `${target.url}/slow`, '-c', '2', '-d', '30s'], cwd);
  // Wait for the first progress line: the run (and its signal handler) is then under way.
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      if (String(chunk).includes('req/s')) {
        child.stderr!.off('data', onData);
        resolve();
      }
    };
    child.stderr!.on('data', onData);
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  child.kill('SIGINT');
  const run = await finished;
  assert.equal(run.code, 105, run.stderr);
  const runs = join(cwd, '.tuneup/runs');
  const { readdirSync } = await import('node:fs');
  const [id] = readdirSync(runs);
  const result = JSON.parse(readFileSync(join(runs, id, 'result.json'), 'utf8')) as RunResult;
  assert.equal(result.status, 'interrupted');
  assert.ok(result.totals.requests > 0);
  assert.ok(result.durationMs < 20_000);
});
