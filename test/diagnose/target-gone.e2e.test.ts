/**
 * A service that dies part-way through a run: the result must lead with it,
 * not with findings computed from a wall of refused connections.
 *
 * @test-shared — a dead target is judged from refused connections and the process's exit, which no
 * neighbour's CPU use can move, so this file runs alongside others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RunResult } from '../../src/result/types.js';
import { runCli, tempDir } from '../cli/helpers.js';

test('a target killed mid-run is the first finding, with the moment it went', async () => {
  // Answers for 2.5 s after its first request, then exits: the crash a user would meet.
  const source = `
    let timer;
    const server = require('node:http').createServer((q, s) => {
      timer ??= setTimeout(() => process.exit(1), 2500);
      s.end('ok');
    });
    server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = await once(createInterface({ input: child.stdout! }), 'line');
    const port = String(line).split(' ')[1];
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'plan.yaml'),
      `baseUrl: http://127.0.0.1:${port}\nscenarios:\n  s:\n    executor: constant-arrival-rate\n    rate: 50\n    duration: 6s\n    preAllocatedVUs: 10\n    requests:\n      - { path: /x, name: GET /x }\n`,
    );
    const run = await runCli(['run', 'plan.yaml', '--pid', String(child.pid), '--no-thresholds'], cwd);
    assert.equal(run.code, 0, run.stderr);
    const runs = join(cwd, '.tuneup', 'runs');
    const result = JSON.parse(readFileSync(join(runs, readdirSync(runs)[0]!, 'result.json'), 'utf8')) as RunResult;
    const first = result.findings?.[0];
    assert.equal(first?.rule, 'target-gone', JSON.stringify(result.findings?.map((f) => f.id)));
    assert.equal(first?.severity, 'critical');
    const at = first?.evidence.find((e) => e.label === 'target process exited at')?.value as number;
    assert.ok(at >= 2 && at <= 4.5, `exited at ${at} s`);
    assert.match(run.stdout, /stopped answering/);
  } finally {
    child.kill('SIGKILL');
  }
});
