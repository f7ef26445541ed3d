// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { isTuneupError } from '../../src/errors.js';
import { createRedisProbe } from '../../src/probes/redis/index.js';
import type { RedisProbeData } from '../../src/probes/redis/types.js';
import type { ProbeEvidence } from '../../src/result/types.js';
import { freePort } from '../harness/free-port.js';
import { makeProbeContext } from '../harness/probe-context.js';
import { startRedis, type TestRedis } from '../harness/redis.js';

const data = (e: ProbeEvidence): RedisProbeData => e.data as unknown as RedisProbeData;
/** A Lua busy loop: certainly slower than 1 ms, so the latency monitor records it. */
const BUSY_LOOP = 'local i = 0 while i < 300000 do i = i + 1 end return i';

async function connect(url: string) {
  const client = createClient({ url, disableClientInfo: true });
  client.on('error', () => {});
  await client.connect();
  return client;
}

describe('redis probe', () => {
  let server: TestRedis;
  let evidence: ProbeEvidence;
  let slowlogIdsBeforeRun: number[] = [];

  before(async () => {
    server = await startRedis();
    const app = await connect(server.url);
    await app.sendCommand(['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
    await app.sendCommand(['CONFIG', 'SET', 'latency-monitor-threshold', '1']);
    // History before the run: counted by Redis, not by the probe's deltas.
    await app.set('old', '1');
    await app.get('old');
    await app.get('nothing-here');
    const history = (await app.sendCommand(['SLOWLOG', 'GET', '128'])) as unknown[][];
    slowlogIdsBeforeRun = history.map((e) => Number(e[0]));

    const ctx = makeProbeContext();
    const probe = createRedisProbe({ url: server.url, slowlogEvery: 2 });
    await probe.start(ctx);
    await probe.sample(ctx.offsetMs());
    for (let i = 0; i < 5; i++) await app.set(`k${i}`, 'v');
    for (let i = 0; i < 5; i++) await app.get(`k${i}`);
    for (let i = 0; i < 3; i++) await app.get(`missing${i}`);
    await probe.sample(ctx.offsetMs());
    await app.sendCommand(['KEYS', '*']);
    await app.sendCommand(['EVAL', BUSY_LOOP, '0']);
    await probe.sample(ctx.offsetMs());
    evidence = await probe.stop();
    app.destroy();
  });

  after(async () => server?.stop());

  it('reports INFO deltas of the run: hits, misses and commands, without its own commands', () => {
    const info = data(evidence).info;
    assert.ok(info);
    assert.equal(info.keyspaceHits, 5);
    assert.equal(info.keyspaceMisses, 3);
    assert.equal(info.hitRatio, 5 / 8);
    // 5 SET + 8 GET + KEYS + EVAL: nothing of the history, nothing of the probe.
    assert.equal(info.totalCommandsProcessed, 15);
    assert.equal(info.connectedClients.after, 1);
    assert.ok((info.usedMemory.after ?? 0) > 0);
    assert.equal(info.keyspace.db0?.keys, 6);
    assert.equal(info.maxmemoryPolicy, 'noeviction');
  });

  it('reports per-command deltas with its own calls subtracted', () => {
    const stats = data(evidence).commandStats;
    assert.equal(stats.find((s) => s.command === 'get')?.calls, 8);
    assert.equal(stats.find((s) => s.command === 'set')?.calls, 5);
    assert.equal(stats.find((s) => s.command === 'keys')?.calls, 1);
    assert.equal(stats.find((s) => s.command === 'info'), undefined);
    assert.equal(stats.find((s) => s.command.startsWith('slowlog')), undefined);
  });

  it('collects SLOWLOG entries of the run only, without its own, and never resets the slowlog', async () => {
    const d = data(evidence);
    const commands = d.slowlog.map((e) => e.args[0]?.toUpperCase());
    assert.ok(commands.includes('KEYS'), `slowlog has KEYS: ${commands.join(',')}`);
    assert.ok(commands.includes('EVAL'));
    assert.equal(d.slowlog.filter((e) => slowlogIdsBeforeRun.includes(e.id)).length, 0);
    assert.equal(d.slowlog.filter((e) => e.clientName === 'tuneup-probe').length, 0);
    assert.equal(d.slowlog.filter((e) => ['INFO', 'SLOWLOG', 'CONFIG'].includes(e.args[0]?.toUpperCase() ?? '')).length, 0);
    assert.equal(d.slowlogMayHaveDropped, false);
    const client = await connect(server.url);
    const ids = ((await client.sendCommand(['SLOWLOG', 'GET', '128'])) as unknown[][]).map((e) => Number(e[0]));
    client.destroy();
    for (const id of slowlogIdsBeforeRun) assert.ok(ids.includes(id), `history entry ${id} still in the slowlog`);
  });

  it('reports LATENCY LATEST and configuration', () => {
    const d = data(evidence);
    const command = d.latency.find((e) => e.event === 'command');
    assert.ok(command, 'a command latency spike was recorded');
    assert.ok(command.maxMs >= 1);
    assert.equal(d.config['slowlog-log-slower-than'], '0');
    assert.equal(d.config['maxmemory'], '0');
    assert.match(d.serverVersion ?? '', /^\d+\.\d+/);
  });

  it('writes series on the run clock', (t) => {
    const s = evidence.series;
    assert.equal(s.t.length, 3);
    assert.deepEqual(s.values['redis.clients'], [1, 1, 1]);
    const hits = s.values['redis.hits_per_s'];
    assert.equal(hits[0], 0);
    assert.ok(hits[1] !== null && hits[1] > 0);
    assert.equal(s.values['redis.hit_ratio'][0], null, 'no lookup in the first interval');
    assert.ok(Math.abs((s.values['redis.hit_ratio'][1] ?? 0) - 5 / 8) < 1e-9, 'hit ratio of the second interval');
    assert.ok((s.values['redis.ops_per_s'][1] ?? 0) > 0);
    assert.equal(s.units['redis.used_memory'], 'bytes');
    assert.equal(evidence.ok, true);
    assert.deepEqual(evidence.errors, []);
    assert.equal(evidence.overhead.samples, 3);
    t.diagnostic(`mean sample ${evidence.overhead.meanSampleMs} ms`);
  });
});

describe('redis probe under memory pressure', () => {
  it('counts evictions', async () => {
    const server = await startRedis({ config: { maxmemory: '2mb', 'maxmemory-policy': 'allkeys-lru' } });
    try {
      const app = await connect(server.url);
      const ctx = makeProbeContext();
      const probe = createRedisProbe({ url: server.url });
      await probe.start(ctx);
      const value = 'x'.repeat(10_000);
      for (let i = 0; i < 400; i++) await app.set(`big${i}`, value);
      await probe.sample(ctx.offsetMs());
      const evidence = await probe.stop();
      app.destroy();
      const info = data(evidence).info;
      assert.ok(info && info.evictedKeys > 0, `evicted ${info?.evictedKeys}`);
      assert.equal(info.maxmemory, 2 * 1024 * 1024);
      assert.ok((evidence.series.values['redis.evicted_per_s'][0] ?? 0) > 0);
    } finally {
      await server.stop();
    }
  });
});

describe('redis probe resilience', () => {
  it('survives Redis dying mid-run and keeps the last good data', async () => {
    const server = await startRedis();
    const app = await connect(server.url);
    const ctx = makeProbeContext();
    const probe = createRedisProbe({ url: server.url, connectTimeoutMs: 1000 });
    await probe.start(ctx);
    await app.get('a');
    await probe.sample(ctx.offsetMs());
    app.destroy();
    await server.stop();
    await probe.sample(ctx.offsetMs());
    await probe.sample(ctx.offsetMs());
    const evidence = await probe.stop();
    const d = data(evidence);
    assert.equal(evidence.ok, true);
    assert.equal(d.afterSource, 'last-sample');
    assert.equal(d.info?.keyspaceMisses, 1);
    assert.ok(evidence.errors.length >= 1);
    assert.deepEqual(evidence.series.values['redis.clients'].map((v) => v === null), [false, true, true]);
    assert.ok(evidence.limitations.some((l) => l.includes('last good sample')));
  });

  it('fails start with TUNEUP_REDIS_CONNECT when nothing listens, and stop still returns evidence', async () => {
    const port = await freePort();
    const probe = createRedisProbe({ url: `redis://:hunter2@127.0.0.1:${port}`, connectTimeoutMs: 1000 });
    await assert.rejects(probe.start(makeProbeContext()), (error: unknown) => {
      assert.ok(isTuneupError(error));
      assert.equal(error.code, 'TUNEUP_REDIS_CONNECT');
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
    const evidence = await probe.stop();
    assert.equal(evidence.ok, false);
    assert.equal(evidence.target, `redis://:***@127.0.0.1:${port}`);
  });
});
