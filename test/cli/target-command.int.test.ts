// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/free-port.js';
import { startTargetCommand, targetShellScript } from '../../src/cli/target-command.js';

test('leading NAME=value assignments reach the program, which keeps the pid', async () => {
  const port = await freePort();
  const cwd = process.cwd();
  process.chdir(mkdtempSync(join(tmpdir(), 'tuneup-target-')));
  try {
    const server = "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')";
    const target = await startTargetCommand(`PORT=${port} ${process.execPath} -e "${server}"`, `http://127.0.0.1:${port}/`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(await res.text(), 'ok');
      // exec replaced the shell: the pid is node's, so the process probe measures the service itself.
      // (The executable, not /proc/PID/comm: Node 24 renames its main thread "MainThread".)
      assert.equal(readlinkSync(`/proc/${target.pid}/exe`), realpathSync(process.execPath));
    } finally {
      await target.stop();
    }
  } finally {
    process.chdir(cwd);
  }
});

test('commands with shell operators run as written', () => {
  assert.equal(targetShellScript('npm run build && node dist/server.js'), 'npm run build && node dist/server.js');
  assert.equal(targetShellScript("A='x y' node s.js"), "A='x y' exec node s.js");
});

test('stopping a command with shell operators stops the service it started, not only the shell', async () => {
  const port = await freePort();
  const cwd = process.cwd();
  process.chdir(mkdtempSync(join(tmpdir(), 'tuneup-target-')));
  try {
    const server = "require('node:http').createServer((q, s) => s.end(String(process.pid))).listen(Number(process.env.PORT), '127.0.0.1')";
    const target = await startTargetCommand(`true && PORT=${port} ${process.execPath} -e "${server}"`, `http://127.0.0.1:${port}/`);
    const servicePid = Number(await (await fetch(`http://127.0.0.1:${port}/`)).text());
    assert.notEqual(servicePid, target.pid, 'the shell holds the pid');
    await target.stop();
    // Gone, or a zombie waiting for init to reap it: either way no longer running.
    const running = (): boolean => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${servicePid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 20 && running(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(running(), false, 'the service is gone');
  } finally {
    process.chdir(cwd);
  }
});
