import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isTuneupError } from '../../src/errors.js';
import { createPostgresProbe } from '../../src/probes/postgres/index.js';
import type { PostgresProbeData } from '../../src/probes/postgres/types.js';
import type { ProbeEvidence } from '../../src/result/types.js';
import { freePort } from '../harness/free-port.js';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { makeProbeContext } from '../harness/probe-context.js';

const data = (e: ProbeEvidence): PostgresProbeData => e.data as unknown as PostgresProbeData;

async function seedOrders(server: TestPostgres): Promise<void> {
  await server.query(`CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, note text)`);
  await server.query(`INSERT INTO orders SELECT g, g % 500, 'n' FROM generate_series(1, 20000) g`);
  await server.query('ANALYZE orders');
}

async function connect(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Poll until some backend waits on a lock (the planted UPDATE is queued behind the open transaction). */
async function waitForLockWait(server: TestPostgres): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const rows = await server.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
    if (rows.length > 0) return;
    await sleep(20);
  }
  throw new Error('no lock wait appeared');
}

describe('postgres probe on a server with pg_stat_statements', () => {
  let server: TestPostgres;
  let evidence: ProbeEvidence;
  let customerQueryCallsBefore = 0;

  before(async () => {
    server = await startPostgres();
    await seedOrders(server);
    const traffic = await connect(server.url, 'traffic');
    const holder = await connect(server.url, 'holder');
    const waiter = await connect(server.url, 'waiter');
    // History before the run: the probe must report deltas, not these.
    for (let i = 0; i < 5; i++) await traffic.query('SELECT * FROM orders WHERE customer_id = $1', [i]);
    const [row] = await server.query<{ calls: string }>(
      "SELECT calls::text FROM pg_stat_statements WHERE query LIKE 'SELECT * FROM orders WHERE customer_id%'",
    );
    customerQueryCallsBefore = Number(row.calls);

    const ctx = makeProbeContext();
    const probe = createPostgresProbe({ url: server.url });
    await probe.start(ctx);
    await probe.sample(ctx.offsetMs());
    for (let i = 0; i < 30; i++) await traffic.query('SELECT * FROM orders WHERE customer_id = $1', [i]);
    for (let i = 1; i <= 20; i++) await traffic.query('SELECT note FROM orders WHERE id = $1', [i]);
    await probe.sample(ctx.offsetMs());

    // Planted lock wait: an open transaction holds the row, another UPDATE queues behind it.
    await holder.query('BEGIN');
    await holder.query("UPDATE orders SET note = 'held' WHERE id = 1");
    const blocked = waiter.query("UPDATE orders SET note = 'waiting' WHERE id = 1");
    await waitForLockWait(server);
    // Held for about half a second between two series samples: the wait sampler (100 ms) sees it several times.
    await sleep(450);
    await probe.sample(ctx.offsetMs());
    await holder.query('COMMIT');
    await blocked;
    await sleep(20);
    await probe.sample(ctx.offsetMs());
    // Ending the backends flushes their table statistics (PostgreSQL 15 flushes lazily otherwise).
    await Promise.all([traffic.end(), holder.end(), waiter.end()]);
    await sleep(100);
    evidence = await probe.stop();
  });

  after(async () => server?.stop());

  it('reports pg_stat_statements deltas for a known statement, not the history before the run', () => {
    const d = data(evidence);
    assert.equal(d.statementsStatus.available, true);
    const byCustomer = d.statements.find((s) => s.query.startsWith('SELECT * FROM orders WHERE customer_id = $1'));
    assert.ok(byCustomer, 'statement by customer_id listed');
    assert.equal(byCustomer.calls, 30);
    assert.equal(byCustomer.rows, 30 * 40);
    assert.ok(byCustomer.totalExecMs > 0 && byCustomer.meanExecMs > 0);
    assert.ok(byCustomer.sharedBlksHit + byCustomer.sharedBlksRead > 0);
    const byId = d.statements.find((s) => s.query.startsWith('SELECT note FROM orders WHERE id = $1'));
    assert.equal(byId?.calls, 20);
    assert.ok(d.statementTotals && d.statementTotals.calls >= 50);
  });

  it('excludes its own statements', () => {
    const d = data(evidence);
    assert.equal(d.statements.filter((s) => s.query.includes('tuneup-probe')).length, 0);
    // Only the probe calls these (the test itself queries pg_stat_activity, so that name proves nothing).
    assert.equal(d.statements.filter((s) => /pg_blocking_pids|pg_stat_statements\((true|false)\)|pg_statio_user_tables/.test(s.query)).length, 0);
  });

  it('times the round trip of its own statement at every sample, and leaves it out of the statements', () => {
    const d = data(evidence);
    assert.ok(d.roundTrip, 'a round trip summary');
    // Four series samples, three timed round trips each; priming at start is not counted.
    assert.equal(d.roundTrip.samples, 12);
    // Loopback: well under a millisecond on an idle host; the bound only says it was timed, not guessed.
    assert.ok(d.roundTrip.medianMs > 0 && d.roundTrip.medianMs < 50, `median ${d.roundTrip.medianMs} ms`);
    assert.ok(d.roundTrip.p90Ms >= d.roundTrip.medianMs, 'p90 at least the median');
    assert.equal(d.statements.filter((s) => s.query.includes('round trip')).length, 0);
  });

  it('never resets the user statistics', async () => {
    const [row] = await server.query<{ calls: string }>(
      "SELECT calls::text FROM pg_stat_statements WHERE query LIKE 'SELECT * FROM orders WHERE customer_id%'",
    );
    assert.equal(Number(row.calls), customerQueryCallsBefore + 30);
    const [db] = await server.query<{ reset: Date | null }>('SELECT stats_reset AS reset FROM pg_stat_database WHERE datname = current_database()');
    assert.equal(db.reset, null);
  });

  it('reports seq scans on the unindexed column and index scans on the primary key', () => {
    const d = data(evidence);
    const orders = d.tables.find((t) => t.name === 'orders');
    assert.ok(orders);
    assert.ok(orders.seqScan >= 30 && orders.seqScan < 40, `seqScan ${orders.seqScan}`);
    assert.ok(orders.seqTupRead >= 30 * 20000);
    assert.ok((orders.idxScan ?? 0) >= 20);
    // PostgreSQL 15 flushes insert counts lazily, possibly after ANALYZE set the estimate: at least the real count.
    assert.ok(orders.nLiveTup.after >= 20000);
    // The planner's row count, from the ANALYZE in setup (it survives a reset of the cumulative statistics).
    assert.equal(orders.relTuples, 20000);
    assert.ok(orders.sizeBytes > 500_000);
    assert.equal(orders.autovacuumEnabled, true);
    const pkey = d.indexes.find((i) => i.name === 'orders_pkey');
    assert.ok(pkey);
    assert.equal(pkey.primary, true);
    assert.equal(pkey.valid, true);
    assert.deepEqual(pkey.columns, ['id']);
    assert.ok(pkey.idxScan >= 20);
    assert.match(pkey.definition, /USING btree \(id\)/);
  });

  it('sees the blocked/blocking pair of the planted lock wait', () => {
    const d = data(evidence);
    assert.equal(d.blockedPairs.length, 1);
    const [pair] = d.blockedPairs;
    assert.equal(pair.blockedApplication, 'waiter');
    assert.equal(pair.blockingApplication, 'holder');
    assert.equal(pair.blockingState, 'idle in transaction');
    assert.match(pair.blockedQuery, /UPDATE orders SET note = 'waiting'/);
    assert.equal(pair.waitEventType, 'Lock');
    assert.equal(pair.lockType, 'transactionid');
    assert.equal(pair.lockMode, 'ShareLock');
    assert.deepEqual(evidence.series.values['pg.blocked'], [0, 0, 1, 0]);
    assert.deepEqual(evidence.series.values['pg.waiting_lock'], [0, 0, 1, 0]);
    assert.equal(d.activity.max.idleInTransaction, 1);
    const traffic = d.activity.byApplication.find((g) => g.key === 'traffic');
    assert.ok(traffic);
    assert.deepEqual(traffic.connections, [1, 1, 1, 1]);
    assert.equal(traffic.maxIdle, 1);
    const waiter = d.activity.byApplication.find((g) => g.key === 'waiter');
    assert.equal(waiter?.maxActive, 1);
    assert.equal(waiter?.meanActive, 1 / 4);
  });

  it('samples waits every 100 ms apart from the series: a lock held half a second is seen several times, as one pair', () => {
    const d = data(evidence);
    const sampling = d.activity.waitSampling!;
    assert.equal(sampling.intervalMs, 100);
    assert.ok(sampling.samples >= evidence.series.t.length + 3, `wait samples ${sampling.samples}, series ${evidence.series.t.length}`);
    const lock = d.activity.waitEvents.find((w) => w.type === 'Lock');
    assert.ok(lock && lock.count >= 3, JSON.stringify(d.activity.waitEvents));
    assert.ok(sampling.activeBackendSamples >= lock.count);
    assert.equal(d.blockedPairs.length, 1);
    assert.ok(d.blockedPairs[0]!.samples >= 3 && d.blockedPairs[0]!.maxWaitMs >= 300, JSON.stringify(d.blockedPairs[0]));
  });

  it('reports cache hit ratios, settings, version and series on the run clock', (t) => {
    const d = data(evidence);
    assert.ok(d.cacheHit.after !== null && d.cacheHit.after > 0 && d.cacheHit.after <= 1);
    assert.ok(d.cacheHit.window !== null);
    assert.equal(d.settings.shared_buffers.bytes, 32 * 1024 * 1024);
    assert.equal(d.settings.max_connections.value, '50');
    assert.equal(d.settings.track_io_timing.value, 'on');
    assert.ok((d.serverVersionNum ?? 0) >= 150000);
    assert.equal(d.database, 'tuneup');
    assert.equal(d.afterSource, 'snapshot');
    assert.ok((d.databaseSizeBytes.after ?? 0) > 0);
    assert.equal(evidence.series.t.length, 4);
    assert.ok(evidence.series.t.every((v, i, a) => i === 0 || v >= a[i - 1]));
    const calls = evidence.series.values['pg.calls_per_s'];
    assert.ok(calls[1] !== null && calls[1] > 0, 'traffic shows up in the second sample');
    const top = d.statementSeries.find((s) => d.statements[0] && s.queryid === d.statements[0].queryid);
    assert.ok(top, 'the top statement has a per-sample series');
    assert.equal(top.callsPerS.length, 4);
    assert.equal(evidence.ok, true);
    assert.deepEqual(evidence.errors, []);
    assert.equal(evidence.overhead.samples, 4);
    t.diagnostic(`mean sample ${evidence.overhead.meanSampleMs} ms`);
  });
});

describe('postgres probe with an unprivileged role', () => {
  it('says which statistics it cannot see and how to grant them', async () => {
    const server = await startPostgres();
    try {
      await server.query('CREATE ROLE app LOGIN');
      const ctx = makeProbeContext();
      const probe = createPostgresProbe({ url: server.url.replace('postgres@', 'app@') });
      await probe.start(ctx);
      await probe.sample(ctx.offsetMs());
      const evidence = await probe.stop();
      assert.ok(evidence.limitations.some((l) => l.includes('GRANT pg_read_all_stats TO app')), evidence.limitations.join('\n'));
      assert.equal(data(evidence).statementsStatus.available, true);
      assert.deepEqual(evidence.errors, []);
    } finally {
      await server.stop();
    }
  });
});

describe('postgres probe and a role with its own connection limit', () => {
  it('reads the role\'s CONNECTION LIMIT, counts its connections apart, and sees new sessions', async () => {
    const server = await startPostgres();
    const clients: pg.Client[] = [];
    try {
      await server.query('CREATE ROLE app_limited LOGIN CONNECTION LIMIT 3');
      await server.query('CREATE ROLE app_free LOGIN');
      const ctx = makeProbeContext();
      const probe = createPostgresProbe({ url: server.url });
      await probe.start(ctx);
      for (let i = 0; i < 2; i++) clients.push(await connect(server.url.replace('postgres@', 'app_limited@'), 'svc'));
      await probe.sample(ctx.offsetMs());
      const evidence = await probe.stop();
      // Only limited login roles are listed (app_free has none).
      assert.deepEqual(data(evidence).roleConnectionLimits, [{ role: 'app_limited', limit: 3 }]);
      const group = data(evidence).activity.byUser?.find((g) => g.key === 'app_limited');
      assert.equal(group?.maxConnections, 2);
      // The two sessions opened since the start show as new sessions per second (PostgreSQL 14+).
      assert.ok((evidence.series.values['pg.sessions_per_s'] ?? []).some((v) => (v ?? 0) > 0), JSON.stringify(evidence.series.values['pg.sessions_per_s']));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await server.stop();
    }
  });
});

describe('postgres probe without pg_stat_statements', () => {
  it('degrades: says what it lacks and how to enable it, still reports tables', async () => {
    const server = await startPostgres({ preload: false });
    try {
      await seedOrders(server);
      const ctx = makeProbeContext();
      const probe = createPostgresProbe({ url: server.url });
      await probe.start(ctx);
      await server.query('SELECT count(*) FROM orders WHERE customer_id = 3');
      await probe.sample(ctx.offsetMs());
      const evidence = await probe.stop();
      const d = data(evidence);
      assert.equal(d.statementsStatus.available, false);
      assert.match(d.statementsStatus.limitation ?? '', /shared_preload_libraries/);
      assert.match(d.statementsStatus.enable ?? '', /CREATE EXTENSION pg_stat_statements/);
      assert.ok(evidence.limitations.some((l) => l.includes('pg_stat_statements')));
      assert.deepEqual(d.statements, []);
      assert.equal(d.statementTotals, null);
      assert.equal(evidence.series.values['pg.calls_per_s'][0], null);
      assert.ok(d.tables.some((t) => t.name === 'orders'));
      assert.equal(evidence.ok, true);
    } finally {
      await server.stop();
    }
  });
});

describe('postgres probe resilience', () => {
  it('survives the server dying mid-run and keeps the last good data', async () => {
    const server = await startPostgres();
    await seedOrders(server);
    const ctx = makeProbeContext();
    const probe = createPostgresProbe({ url: server.url, connectTimeoutMs: 1000, relationSampleEvery: 1 });
    await probe.start(ctx);
    await server.query('SELECT count(*) FROM orders WHERE customer_id = 7');
    await probe.sample(ctx.offsetMs());
    await server.stop();
    await probe.sample(ctx.offsetMs());
    await probe.sample(ctx.offsetMs());
    const evidence = await probe.stop();
    const d = data(evidence);
    assert.equal(evidence.ok, true);
    assert.equal(d.afterSource, 'last-sample');
    assert.ok(evidence.errors.length >= 1);
    assert.deepEqual(evidence.series.values['pg.connections'].map((v) => v === null), [false, true, true]);
    assert.ok(d.statements.some((s) => s.query.includes('customer_id')), 'statement from before the crash kept');
    assert.ok(d.tables.some((t) => t.name === 'orders'));
    assert.ok(evidence.limitations.some((l) => l.includes('last good sample')));
  });

  it('fails start with TUNEUP_PG_CONNECT when nothing listens, and stop still returns evidence', async () => {
    const port = await freePort();
    const probe = createPostgresProbe({ url: `postgres://u:secret@127.0.0.1:${port}/x`, connectTimeoutMs: 1000 });
    await assert.rejects(probe.start(makeProbeContext()), (error: unknown) => {
      assert.ok(isTuneupError(error));
      assert.equal(error.code, 'TUNEUP_PG_CONNECT');
      assert.ok(!error.message.includes('secret'));
      assert.ok(error.hint);
      return true;
    });
    const evidence = await probe.stop();
    assert.equal(evidence.ok, false);
    assert.equal(evidence.target, `postgres://u:***@127.0.0.1:${port}/x`);
    assert.ok(evidence.errors.length >= 1);
  });
});
