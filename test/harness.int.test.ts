// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createClient } from 'redis';
import { startPostgres, type TestPostgres } from './harness/postgres.js';
import { startRedis } from './harness/redis.js';

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
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

describe('startPostgres', () => {
  let server: TestPostgres | undefined;
  after(async () => server?.stop());

  it('starts a tuned server with pg_stat_statements, pg_qualstats preloaded and hypopg available', async () => {
    server = await startPostgres();
    assert.match(server.url, /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/tuneup$/);
    const [settings] = await server.query<{ preload: string; fsync: string; track: string; io: string }>(
      "SELECT current_setting('shared_preload_libraries') AS preload, current_setting('fsync') AS fsync, " +
        "current_setting('pg_stat_statements.track') AS track, current_setting('track_io_timing') AS io",
    );
    assert.equal(settings.preload, 'pg_stat_statements,pg_qualstats');
    assert.equal(settings.fsync, 'off');
    assert.equal(settings.track, 'all');
    assert.equal(settings.io, 'on');
    const ext = await server.query<{ extname: string }>('SELECT extname FROM pg_extension ORDER BY 1');
    assert.ok(ext.some((r) => r.extname === 'pg_stat_statements'));
    await server.query('CREATE EXTENSION hypopg');
    await server.query('CREATE TABLE t (a int)');
    const created = await server.query<{ indexname: string }>("SELECT indexname FROM hypopg_create_index('CREATE INDEX ON t (a)')");
    assert.match(created[0].indexname, /btree_t_a/);
    await server.query('CREATE EXTENSION pg_qualstats');
  });

  it('serves other clients by URL, and stop() removes the server and its files', async () => {
    assert.ok(server);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
    assert.equal(rows[0].one, 1);
    await client.end();
    const { port, dataDir } = server;
    await server.stop();
    await server.stop(); // idempotent
    assert.equal(existsSync(dataDir), false);
    assert.equal(await listening(port), false);
  });

  it('can run without preloaded libraries', async () => {
    const bare = await startPostgres({ preload: false });
    try {
      const [row] = await bare.query<{ preload: string }>("SELECT current_setting('shared_preload_libraries') AS preload");
      assert.equal(row.preload, '');
      const ext = await bare.query('SELECT 1 FROM pg_extension WHERE extname = $1', ['pg_stat_statements']);
      assert.equal(ext.length, 0);
    } finally {
      await bare.stop();
    }
  });
});

describe('startRedis', () => {
  it('starts a server without persistence and stops it', async () => {
    const server = await startRedis();
    const client = createClient({ url: server.url });
    await client.connect();
    assert.equal(await client.ping(), 'PONG');
    const save = await client.configGet('save');
    assert.equal(save.save, '');
    client.destroy();
    await server.stop();
    assert.equal(await listening(server.port), false);
  });
});

describe('exit cleanup', () => {
  it('stops servers a test process forgot to stop', () => {
    const script = `
      import { startPostgres } from './test/harness/postgres.ts';
      import { startRedis } from './test/harness/redis.ts';
      const p = await startPostgres({ preload: false });
      const r = await startRedis();
      console.log(JSON.stringify({ pgPort: p.port, dataDir: p.dataDir, redisPort: r.port }));
      process.exit(0);
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url).pathname,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const { pgPort, dataDir, redisPort } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
      pgPort: number;
      dataDir: string;
      redisPort: number;
    };
    assert.ok(pgPort > 0 && redisPort > 0);
    assert.equal(existsSync(dataDir), false);
    return Promise.all([listening(pgPort), listening(redisPort)]).then(([pgUp, redisUp]) => {
      assert.equal(pgUp, false);
      assert.equal(redisUp, false);
    });
  });
});
