// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * `tuneup demo` stopped by SIGTERM while its first step runs: it exits with the
 * interrupted status, says so in its JSON, and leaves nothing it started
 * (processes, ports, temp dir). Judges no latency, so unlike the demo's own
 * file (demo.e2e.test.ts, which runs alone) it shares the end-to-end pool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { ExitCode } from '../../src/errors.js';
import { canConnect } from '../../src/cli/target-command.js';
import { startCli, tempDir } from '../cli/helpers.js';
import { alive } from '../harness/alive.js';

interface StoppedDemoJson {
  interrupted: boolean;
  stack: { pids: number[]; ports: number[]; tmpDir: string };
}

test('tuneup demo stopped by SIGTERM during the baseline stops everything it started', { timeout: 240_000 }, async () => {
  const cwd = tempDir();
  const { child, finished } = startCli(['demo', '--quick', '--json'], cwd);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const started = Date.now();
  while (!stderr.includes('1/4 assess') && child.exitCode === null && Date.now() - started < 180_000) await new Promise((r) => setTimeout(r, 250));
  assert.ok(stderr.includes('1/4 assess'), stderr);
  child.kill('SIGTERM');
  const run = await finished;
  assert.equal(run.code, ExitCode.INTERRUPTED, run.stderr);
  const out = JSON.parse(run.stdout) as StoppedDemoJson;
  assert.equal(out.interrupted, true);
  for (const pid of out.stack.pids) assert.equal(alive(pid), false, `pid ${pid} still running`);
  for (const port of out.stack.ports) assert.equal(await canConnect('127.0.0.1', port, 1000), false, `port ${port} still open`);
  assert.equal(existsSync(out.stack.tmpDir), false, `${out.stack.tmpDir} still exists`);
});
