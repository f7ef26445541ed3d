// @test-cpu-tolerant: asserts contents, effects and exit codes, not timing (scripts/run-tests.mjs runs it in the pool's spare slot).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createProcessProbe, decodeAddress, parseNetTcp, parseStat, uniqueSockets } from '../../src/probes/process/index.js';
import type { ProcessProbeData } from '../../src/probes/process/types.js';
import type { ProbeEvidence } from '../../src/result/types.js';

const MAX_CHILD_MS = 8000; // every child exits by itself even if a test fails

function child(code: string): ChildProcess {
  const c = spawn(process.execPath, ['-e', `setTimeout(() => process.exit(0), ${MAX_CHILD_MS}).unref?.(); ${code}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  return c;
}

function ready(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => c.stdout!.once('data', () => resolve()));
}

async function probeFor(pid: number, samples: number, everyMs: number, between?: (i: number) => Promise<void> | void): Promise<ProbeEvidence> {
  const t0 = performance.now();
  const probe = createProcessProbe({ pid, postgres: false });
  await probe.start({ runStartedAt: Date.now(), offsetMs: () => performance.now() - t0, signal: new AbortController().signal });
  for (let i = 0; i < samples; i++) {
    await new Promise((r) => setTimeout(r, everyMs));
    await between?.(i);
    await probe.sample(performance.now() - t0);
  }
  return probe.stop();
}

test('/proc parsers: stat with odd comm, tcp rows, IPv4 and IPv6 addresses', () => {
  const st = parseStat('1234 (my (odd) proc) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0 98765 0 0\n');
  assert.equal(st.comm, 'my (odd) proc');
  assert.equal(st.ppid, 1);
  assert.equal(st.cpuTicks, 300);
  assert.equal(st.startTicks, 98765);
  assert.equal(decodeAddress('0100007F'), '127.0.0.1');
  assert.equal(decodeAddress('0000000000000000FFFF00000100007F'), '127.0.0.1');
  assert.equal(decodeAddress('00000000000000000000000001000000'), '::1');
  const rows = parseNetTcp(
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n' +
      '   1: 0100007F:C350 0100007F:1538 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1\n',
  );
  assert.deepEqual(
    rows.map((r) => [r.localPort, r.remoteAddress, r.remotePort, r.state, r.inode]),
    [
      [8080, '0.0.0.0', 0, '0A', '4242'],
      [50000, '127.0.0.1', 5432, '01', '4343'],
    ],
  );
  // The table is read a page at a time, not as a snapshot: a row that comes twice is one socket; rows no
  // process holds (inode 0) are not merged.
  const orphan = { ...rows[1]!, inode: '0' };
  assert.deepEqual(uniqueSockets([...rows, rows[1]!, orphan, orphan]).map((r) => r.inode), ['4242', '4343', '0', '0']);
});

test('process probe: CPU of a busy child exceeds that of an idle one', async () => {
  const busy = child(`process.stdout.write('go'); for(;;){}`);
  const idle = child(`process.stdout.write('go'); setInterval(()=>{}, 1000)`);
  try {
    await Promise.all([ready(busy), ready(idle)]);
    const [b, i] = await Promise.all([probeFor(busy.pid!, 4, 250), probeFor(idle.pid!, 4, 250)]);
    const bd = b.data as unknown as ProcessProbeData;
    const id = i.data as unknown as ProcessProbeData;
    assert.equal(b.ok, true);
    assert.equal(b.series.values.cpuPercent!.length, 5);
    assert.equal(b.series.values.cpuPercent![0], null, 'no rate before the second reading');
    assert.ok(bd.cpuPercent.mean > id.cpuPercent.mean, `busy ${bd.cpuPercent.mean} vs idle ${id.cpuPercent.mean}`);
    assert.ok(bd.cpuMsTotal > 0);
    assert.ok(bd.threads.max >= 1);
    assert.ok(bd.openFds.max >= 3);
    // Node ≤ 22 keeps the executable's name; Node 24 names its main thread "MainThread".
    assert.match(bd.comm, /^(node|MainThread)$/);
  } finally {
    busy.kill('SIGKILL');
    idle.kill('SIGKILL');
  }
});

test('process probe: RSS of a child that keeps allocating grows', async () => {
  const grow = child(`const keep=[]; process.stdout.write('go'); setInterval(()=>{ if (keep.length < 40) keep.push(Buffer.alloc(4*1024*1024, 1)); }, 20)`);
  try {
    await ready(grow);
    const ev = await probeFor(grow.pid!, 4, 250);
    const d = ev.data as unknown as ProcessProbeData;
    assert.ok(d.rssBytes.last - d.rssBytes.first > 30 * 1024 * 1024, `rss ${d.rssBytes.first} → ${d.rssBytes.last}`);
  } finally {
    grow.kill('SIGKILL');
  }
});

test('process probe names the remote address a child connects to, not its own clients, and survives its exit', async () => {
  const sockets: Socket[] = [];
  const upstream: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  // The child listens (its own server) and holds two connections to the upstream.
  const c = child(`
    const net = require('node:net');
    const srv = net.createServer(() => {}).listen(0, '127.0.0.1', () => {
      const a = net.connect(${upstreamPort}, '127.0.0.1');
      const b = net.connect(${upstreamPort}, '127.0.0.1');
      let n = 0; const done = () => { if (++n === 2) process.stdout.write(String(srv.address().port)); };
      a.on('connect', done); b.on('connect', done);
    });`);
  const ownPort = await new Promise<number>((resolve) => c.stdout!.once('data', (d) => resolve(Number(String(d)))));
  // A client of the child's server: must count as inbound, not as a remote dependency.
  const { connect } = await import('node:net');
  const client = connect(ownPort, '127.0.0.1');
  await new Promise((r) => client.once('connect', r));
  try {
    const ev = await probeFor(c.pid!, 4, 150, (i) => {
      if (i === 2) c.kill('SIGKILL');
      return new Promise((r) => setTimeout(r, i === 2 ? 100 : 0));
    });
    const d = ev.data as unknown as ProcessProbeData;
    assert.ok(d.listeningPorts.includes(ownPort));
    assert.equal(d.remotes.length, 1, JSON.stringify(d.remotes));
    assert.deepEqual([d.remotes[0]!.address, d.remotes[0]!.port, d.remotes[0]!.maxConnections], ['127.0.0.1', upstreamPort, 2]);
    assert.equal(Math.max(...(ev.series.values.inboundConnections!.filter((x) => x !== null) as number[])), 1);
    assert.equal(d.exited, true);
    assert.match(ev.errors.at(-1)!.message, /exited/);
    assert.equal(ev.series.t.length, 5);
    assert.equal(ev.series.values.rssBytes!.at(-1), null);
  } finally {
    c.kill('SIGKILL');
    client.destroy();
    for (const s of sockets) s.destroy();
    upstream.close();
  }
});

test('process probe: unknown pid or command gives a TuneupError with a hint', async () => {
  const ctx = { runStartedAt: Date.now(), offsetMs: () => 0, signal: new AbortController().signal };
  await assert.rejects(createProcessProbe({ pid: 2 ** 22 + 12345 }).start(ctx), { code: 'TUNEUP_PROBE_PROCESS_NOT_FOUND' });
  await assert.rejects(createProcessProbe({ command: 'no-such-command-' + Math.random() }).start(ctx), { code: 'TUNEUP_PROBE_PROCESS_NOT_FOUND' });
});

test('process probe finds local postgres-named processes when present (skipped when none)', async (t) => {
  const busy = child(`process.stdout.write('go'); setInterval(()=>{}, 1000)`);
  try {
    await ready(busy);
    const t0 = performance.now();
    const probe = createProcessProbe({ pid: busy.pid!, postgres: 'auto' });
    await probe.start({ runStartedAt: Date.now(), offsetMs: () => performance.now() - t0, signal: new AbortController().signal });
    await new Promise((r) => setTimeout(r, 200));
    await probe.sample(performance.now() - t0);
    const d = (await probe.stop()).data as unknown as ProcessProbeData;
    if (!d.postgres) {
      t.skip('no PostgreSQL process on this host');
      return;
    }
    assert.ok(d.postgres.maxProcesses >= 1);
    assert.equal(d.postgres.selection, 'name');
  } finally {
    busy.kill('SIGKILL');
  }
});
