/**
 * The probe worker thread: probes built from a spec run in a worker (not on
 * the generator's thread), their evidence is the same as in-thread, their
 * start errors arrive with code and hint, and a hung probe cannot hold stop.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { threadId } from 'node:worker_threads';
import { createClient } from 'redis';
import { ProbeRunner } from '../../src/engine/probe-runner.js';
import { isTuneupError } from '../../src/errors.js';
import { probeFromSpec } from '../../src/probes/host/create.js';
import type { ProbeSpec } from '../../src/probes/host/spec.js';
import type { PostgresProbeData } from '../../src/probes/postgres/types.js';
import type { RedisProbeData } from '../../src/probes/redis/types.js';
import type { ProbeContext } from '../../src/probes/types.js';
import { freePort } from '../harness/free-port.js';
import { startPostgres, type TestPostgres } from '../harness/postgres.js';
import { startRedis, type TestRedis } from '../harness/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A run context whose offset 0 can be moved to "the load start", like run.ts does. */
function runContext(): ProbeContext & { t0: number } {
  const ctx = {
    t0: performance.now(),
    runStartedAt: Date.now(),
    offsetMs: () => performance.now() - ctx.t0,
    signal: new AbortController().signal,
  };
  return ctx;
}

/** Block this thread's event loop (what a busy generator does to in-thread probes). */
function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe('probe worker: where probes run', () => {
  it('runs probes built from a spec in a worker thread that samples while the main thread is blocked', async () => {
    const ctx = runContext();
    const runner = new ProbeRunner([probeFromSpec({ kind: 'process', options: { pid: process.pid, postgres: false } })]);
    await runner.start(ctx);
    assert.equal(typeof runner.workerThreadId, 'number');
    assert.notEqual(runner.workerThreadId, threadId);
    ctx.t0 = performance.now();
    runner.loadStarted();
    // The main thread never yields for 3.5 s: only a sampler on another thread can sample meanwhile.
    blockFor(3500);
    const [evidence] = await runner.stop();
    assert.equal(evidence!.probe, 'process');
    assert.equal(evidence!.ok, true);
    // The worker's boot time is not in the start offsets: the "before" sample comes first.
    assert.deepEqual([...evidence!.series.t].sort((a, b) => a - b), evidence!.series.t);
    const during = evidence!.series.t.filter((t) => t >= 500 && t <= 3400);
    assert.ok(during.length >= 1, `expected samples taken while the main thread was blocked, got t = ${JSON.stringify(evidence!.series.t)}`);
  });

  it('with host "main" the same probe runs on this thread and samples only when called', async () => {
    const ctx = runContext();
    const runner = new ProbeRunner([probeFromSpec({ kind: 'process', options: { pid: process.pid, postgres: false } })], { host: 'main' });
    await runner.start(ctx);
    assert.equal(runner.workerThreadId, undefined);
    ctx.t0 = performance.now();
    runner.loadStarted();
    blockFor(1500);
    await sleep(50);
    const [evidence] = await runner.stop();
    assert.equal(evidence!.series.t.filter((t) => t >= 500).length, 0, 'no sample without a call to sample()');
  });
});

describe('probe worker: evidence and errors with real PostgreSQL and Redis', () => {
  let pg: TestPostgres | undefined;
  let redis: TestRedis | undefined;

  before(async () => {
    const [p, r] = await Promise.allSettled([startPostgres(), startRedis()]);
    if (p.status === 'fulfilled') pg = p.value;
    if (r.status === 'fulfilled') redis = r.value;
    if (p.status === 'rejected' || r.status === 'rejected') {
      await Promise.allSettled([pg?.stop(), redis?.stop()]);
      throw p.status === 'rejected' ? p.reason : (r as PromiseRejectedResult).reason;
    }
  });
  after(async () => {
    await Promise.allSettled([pg?.stop(), redis?.stop()]);
  });

  it('gives the same evidence from the worker as in-thread', async () => {
    const specs: ProbeSpec[] = [
      { kind: 'postgres', options: { url: pg!.url } },
      { kind: 'redis', options: { url: redis!.url } },
    ];
    const workerCtx = runContext();
    const mainCtx = runContext();
    const inWorker = new ProbeRunner(specs.map(probeFromSpec));
    const inThread = new ProbeRunner(specs.map(probeFromSpec), { host: 'main' });
    await Promise.all([inWorker.start(workerCtx), inThread.start(mainCtx)]);
    assert.equal(typeof inWorker.workerThreadId, 'number');
    inWorker.loadStarted();
    inThread.loadStarted();
    const ticker = setInterval(() => inThread.sample(mainCtx.offsetMs()), 1000);

    // The same work, seen by both runners: between both starts and both stops.
    const app = createClient({ url: redis!.url });
    app.on('error', () => {});
    await app.connect();
    for (let i = 0; i < 25; i++) {
      await pg!.query('SELECT $1::int + 1 AS probe_worker_marker', [i]);
      await app.set(`probe-worker-${i}`, String(i));
    }
    await app.quit();
    await sleep(2300);
    clearInterval(ticker);
    const [fromWorker, fromThread] = await Promise.all([inWorker.stop(), inThread.stop()]);

    assert.deepEqual(fromWorker.map((e) => e.probe), ['postgres', 'redis']);
    assert.deepEqual(fromThread.map((e) => e.probe), ['postgres', 'redis']);
    for (let i = 0; i < 2; i++) {
      const w = fromWorker[i]!;
      const t = fromThread[i]!;
      assert.equal(w.ok, true, JSON.stringify(w.errors));
      assert.equal(t.ok, true, JSON.stringify(t.errors));
      assert.equal(w.target, t.target);
      assert.deepEqual(w.limitations, t.limitations);
      assert.deepEqual(Object.keys(w.data).sort(), Object.keys(t.data).sort());
      assert.deepEqual(Object.keys(w.series.values).sort(), Object.keys(t.series.values).sort());
      assert.deepEqual(w.series.units, t.series.units);
      assert.ok(w.series.t.length >= 2, `worker samples: ${JSON.stringify(w.series.t)}`);
      // What crossed the thread boundary is plain data: it survives JSON unchanged.
      assert.deepEqual(JSON.parse(JSON.stringify(w)), w);
    }
    const pgW = fromWorker[0]!.data as unknown as PostgresProbeData;
    const pgT = fromThread[0]!.data as unknown as PostgresProbeData;
    assert.equal(pgW.serverVersion, pgT.serverVersion);
    assert.deepEqual(pgW.settings, pgT.settings);
    const marker = (d: PostgresProbeData) => d.statements.find((s) => s.query.includes('probe_worker_marker'))?.calls;
    assert.equal(marker(pgW), 25);
    assert.equal(marker(pgT), 25);
    const rW = fromWorker[1]!.data as unknown as RedisProbeData;
    const rT = fromThread[1]!.data as unknown as RedisProbeData;
    assert.deepEqual(rW.config, rT.config);
    assert.equal(rW.commandStats.find((c) => c.command === 'set')?.calls, 25);
    assert.equal(rT.commandStats.find((c) => c.command === 'set')?.calls, 25);
  });

  it('rejects start with the failing probe\'s code and hint, and stops the probes that started', async () => {
    const closedPort = await freePort();
    const runner = new ProbeRunner([
      probeFromSpec({ kind: 'redis', options: { url: redis!.url, clientName: 'probe-worker-survivor' } }),
      probeFromSpec({ kind: 'postgres', options: { url: `postgres://u:secret@127.0.0.1:${closedPort}/x`, connectTimeoutMs: 1000 } }),
      probeFromSpec({ kind: 'process', options: { pid: 2 ** 22 + 4321 } }),
    ]);
    const error = await runner.start(runContext()).then(
      () => assert.fail('start should have failed'),
      (e: unknown) => e,
    );
    assert.ok(isTuneupError(error), String(error));
    // The first failing probe in order is the one reported, from whichever thread.
    assert.equal(error.code, 'TUNEUP_PG_CONNECT');
    assert.match(error.hint ?? '', /--pg URL/);
    assert.equal(error.exitCode, 114);
    assert.ok(!error.message.includes('secret'), error.message);
    // The probe that did start was stopped: its connection is gone.
    const app = createClient({ url: redis!.url });
    app.on('error', () => {});
    await app.connect();
    const clients = String(await app.sendCommand(['CLIENT', 'LIST']));
    await app.quit();
    assert.ok(!clients.includes('probe-worker-survivor'), clients);

    const process404 = await new ProbeRunner([probeFromSpec({ kind: 'process', options: { pid: 2 ** 22 + 4321 } })]).start(runContext()).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isTuneupError(process404));
    assert.equal(process404.code, 'TUNEUP_PROBE_PROCESS_NOT_FOUND');
    assert.match(process404.hint ?? '', /Check the pid/);
  });

  it('gives up on a frozen database at stop: bounded wait, evidence marked not ok', async () => {
    const ctx = runContext();
    const runner = new ProbeRunner(
      [probeFromSpec({ kind: 'postgres', options: { url: pg!.url, applicationName: 'probe-worker-frozen', statementTimeoutMs: 600_000 } })],
      { stopTimeoutMs: 1500 },
    );
    await runner.start(ctx);
    const [row] = await pg!.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'probe-worker-frozen'");
    assert.ok(row, 'the probe has a backend');
    // Freeze the probe's backend: no error, no RST, its queries just never answer.
    process.kill(row.pid, 'SIGSTOP');
    try {
      ctx.t0 = performance.now();
      runner.loadStarted();
      await sleep(1300);
      const evidence = await runner.stop();
      assert.equal(evidence.length, 1);
      assert.equal(evidence[0]!.probe, 'postgres');
      assert.equal(evidence[0]!.ok, false);
      assert.match(evidence[0]!.errors.map((e) => e.message).join('\n'), /did not stop within 1500 ms/);
    } finally {
      process.kill(row.pid, 'SIGCONT');
    }
  });

  it('does not wait for a scrape that never answers', async () => {
    let hang = false;
    let hung = 0;
    const server: Server = createServer((req, res) => {
      if (hang) {
        hung++;
        return; // never answers
      }
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end('# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const ctx = runContext();
      const runner = new ProbeRunner([probeFromSpec({ kind: 'prometheus', options: { url: `http://127.0.0.1:${port}/metrics`, timeoutMs: 600_000 } })], {
        stopTimeoutMs: 1500,
      });
      await runner.start(ctx);
      hang = true;
      ctx.t0 = performance.now();
      runner.loadStarted();
      // Stop only once a scrape is certainly hanging (the worker's first tick may come late on a busy machine).
      for (let i = 0; i < 100 && hung === 0; i++) await sleep(100);
      assert.ok(hung >= 1, 'the worker scraped after the load start');
      const [evidence] = await runner.stop();
      assert.equal(evidence!.probe, 'prometheus');
      assert.match(evidence!.errors.map((e) => e.message).join('\n'), /sample was still running/);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

it("the probe worker's thread is left out of the generator's CPU; the load threads' CPU is counted", async () => {
  const { ProcessUsageMonitor, excludeThreadFromGeneratorCpu } = await import('../../src/engine/health.js');
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  const monitor = new ProcessUsageMonitor();
  monitor.takeInterval();
  // Exclude this (main) thread as if it were the probe worker: its busy loop must not count.
  const release = excludeThreadFromGeneratorCpu(process.pid);
  spin(300);
  const excluded = monitor.takeInterval();
  release();
  spin(300);
  const counted = monitor.takeInterval();
  assert.ok(counted > 20 && counted > 3 * excluded, `counted ${counted.toFixed(1)} %, excluded ${excluded.toFixed(1)} %`);
});
