// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
/**
 * `tuneup demo --real`'s stack: private PostgreSQL and Redis started from the
 * machine's binaries (PostgreSQL as the `postgres` user when running as
 * root), pg_stat_statements preloaded, the demo service caching in that
 * Redis — and nothing left behind after stop(): no process, no listening
 * port, no temp dir. The playbook on top of the stack is the same code as the
 * embedded path's (test/demo/demo.e2e.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { createClient } from 'redis';
import { startDemoStack } from '../../src/demo-stack/stack.js';
import { canConnect } from '../../src/cli/target-command.js';
import { alive } from '../harness/alive.js';

test('--real: private PostgreSQL with pg_stat_statements and a private Redis the service caches in; stop() leaves nothing', async () => {
  const stack = await startDemoStack({ faults: [], real: true });
  try {
    assert.equal(stack.database, 'private');
    assert.match(stack.databaseVersion, /PostgreSQL 1[3-9]/, stack.databaseVersion);
    assert.ok(stack.redisUrl, 'a private Redis (redis-server is on this machine)');

    // The service answers, and a repeated book is served from the cache in Redis.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${stack.baseUrl}/api/books/7`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    const redis = createClient({ url: stack.redisUrl });
    await redis.connect();
    try {
      const keys = await redis.keys('*');
      assert.ok(keys.some((k) => k.includes('book:7')), `cache keys: ${keys.join(', ')}`);
    } finally {
      await redis.quit();
    }

    // The probes and the optimizer need pg_stat_statements: preloaded, and the extension answers.
    const client = new pg.Client({ connectionString: stack.pgUrl });
    await client.connect();
    try {
      const preload = await client.query<{ v: string }>("SELECT current_setting('shared_preload_libraries') AS v");
      assert.match(preload.rows[0]!.v, /pg_stat_statements/);
      const calls = await client.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_statements WHERE query ILIKE '%books%'");
      assert.ok(Number(calls.rows[0]!.n) > 0, 'the service\'s book query is in pg_stat_statements');
    } finally {
      await client.end();
    }
  } finally {
    await stack.stop();
  }
  for (const pid of stack.pids) assert.equal(alive(pid), false, `pid ${pid} still alive after stop()`);
  for (const port of stack.ports) assert.equal(await canConnect('127.0.0.1', port), false, `port ${port} still open after stop()`);
  assert.equal(existsSync(stack.tmpDir), false, `${stack.tmpDir} still exists after stop()`);
});
