// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * A test file whose setup fails half-way must fail with the reason and end,
 * not hang with a server still running. Each case runs a small node:test file
 * in a child process with PostgreSQL made unavailable (TUNEUP_PG_BIN points
 * nowhere) while Redis starts fine.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { alive } from './harness/alive.js';

const HARNESS = new URL('./harness/', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'tuneup-harness-failures-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Far above the few seconds these files need: reaching it means the file hung
 * (what this test exists to catch), not that the machine was slow.
 */
const HANG_MS = 90_000;

interface ChildOutcome {
  code: number | null;
  output: string;
  hung: boolean;
  redis?: { pid: number; port: number };
}

/** Run a generated test file whose before() uses `setup`; Redis's pid and port are printed when it starts. */
async function runFile(name: string, setup: string): Promise<ChildOutcome> {
  const file = join(dir, `${name}.test.ts`);
  writeFileSync(
    file,
    `import { after, before, test } from 'node:test';
import { startPostgres } from '${HARNESS}postgres.ts';
import { startRedis } from '${HARNESS}redis.ts';
import { startAll, stopAll } from '${HARNESS}resources.ts';
let redisPid = 0;
const loggedRedis = async () => {
  const r = await startRedis();
  redisPid = r.pid;
  console.log('REDIS ' + JSON.stringify({ pid: r.pid, port: r.port }));
  return r;
};
/** Whether the Redis started above still runs right now (before this file ends and its exit cleanup runs). */
const redisRunning = () => {
  try {
    process.kill(redisPid, 0);
    return true;
  } catch {
    return false;
  }
};
let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
before(async () => {
  ${setup}
});
after(() => stopAll([pg, redis]));
test('uses both servers', () => {});
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', '--test-reporter=tap', file], {
    // Without NODE_TEST_CONTEXT (set by a parent `node --test`) the child reports plain TAP, not the runner's binary protocol.
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, TUNEUP_PG_BIN: join(dir, 'no-postgres-here') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, HANG_MS);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  const line = /REDIS (\{.*\})/.exec(output);
  return { code, output, hung, redis: line ? (JSON.parse(line[1]!) as { pid: number; port: number }) : undefined };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether a redis-server process serves `port` (its title is "redis-server 127.0.0.1:PORT"; its argv has --port PORT). */
function redisServing(port: number): boolean {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (cmd.includes('redis-server') && (cmd.includes(`:${port}`) || cmd.includes(`--port ${port} `))) return true;
  }
  return false;
}

/**
 * Redis must be gone once the file has ended (its SIGKILL may take a moment to land). The port alone is
 * not the test: once Redis freed it, a server of another test file running alongside may be given it.
 */
async function assertRedisGone(redis: { pid: number; port: number }): Promise<void> {
  for (let i = 0; i < 50 && alive(redis.pid); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(redis.pid), false, `redis-server ${redis.pid} still running`);
  if (await listening(redis.port)) assert.equal(redisServing(redis.port), false, `a redis-server still serves port ${redis.port}`);
}

describe('a setup that fails half-way', () => {
  it('startAll stops the server that did start, and the file fails with the reason and ends', async () => {
    const outcome = await runFile(
      'start-all',
      `try {
    ({ pg, redis } = await startAll({ pg: () => startPostgres(), redis: loggedRedis }));
  } catch (error) {
    console.log('REDIS RUNNING AFTER THE FAILED START: ' + redisRunning());
    throw error;
  }`,
    );
    assert.equal(outcome.hung, false, `the file hung:\n${outcome.output}`);
    assert.notEqual(outcome.code, 0, outcome.output);
    assert.match(outcome.output, /no-postgres-here\/initdb not found: install PostgreSQL 15/);
    assert.ok(outcome.redis, `Redis never started:\n${outcome.output}`);
    // Stopped by startAll itself, not only by the exit cleanup when the file ends.
    assert.match(outcome.output, /REDIS RUNNING AFTER THE FAILED START: false/);
    await assertRedisGone(outcome.redis);
  });

  it('a bare Promise.all that loses the Redis handle no longer keeps the file alive; exit cleanup stops Redis', async () => {
    const outcome = await runFile('promise-all', `[pg, redis] = await Promise.all([startPostgres(), loggedRedis()]);`);
    assert.equal(outcome.hung, false, `the file hung:\n${outcome.output}`);
    assert.notEqual(outcome.code, 0, outcome.output);
    assert.match(outcome.output, /not found: install PostgreSQL 15/);
    assert.ok(outcome.redis, `Redis never started:\n${outcome.output}`);
    await assertRedisGone(outcome.redis);
  });
});
