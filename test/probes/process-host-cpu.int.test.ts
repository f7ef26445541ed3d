// Host CPU per process group, measured on real processes: a busy grandchild of the target counts as the
// target's, an unrelated busy process as "other", tuneup's own CPU as the generator's; the groups add up
// to the host's busy time. Assertions compare the probe's attribution with the kernel's own per-process
// accounting over the same window (no timing assertions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createProcessProbe } from '../../src/probes/process/probe.js';
import { parseProcStat } from '../../src/probes/process/host-cpu.js';
import { clockTicksPerSecond, parseStat } from '../../src/probes/process/procfs.js';
import type { ProcessProbeData } from '../../src/probes/process/types.js';

const MAX_CHILD_MS = 15_000; // every process exits by itself even if the test fails
/** A busy loop that ends by itself: a timer can never fire inside `for (;;) {}`, so the loop checks the clock. */
const SPIN = `const end = Date.now() + ${MAX_CHILD_MS}; while (Date.now() < end) {} process.exit(0);`;

function node(code: string): ChildProcess {
  return spawn(process.execPath, ['-e', `setTimeout(() => process.exit(0), ${MAX_CHILD_MS}).unref?.(); ${code}`], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function firstLine(c: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    c.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
    });
  });
}

const ticksMs = (pid: number) => (parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).cpuTicks / clockTicksPerSecond()) * 1000;
const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

test('host CPU: a busy child of the target is the target\'s, a busy stranger is "other", tuneup\'s own CPU the generator\'s', async () => {
  // The target: an idle parent whose child spins (like a shell wrapper around a busy service).
  const target = node(`const c = require('node:child_process').spawn(process.execPath, ['-e', '${SPIN}'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);`);
  let busyChildPid = 0;
  const stranger = node(`console.log(process.pid); ${SPIN}`);
  try {
    const busyChild = Number(await firstLine(target));
    busyChildPid = busyChild;
    await firstLine(stranger);
    assert.ok(busyChild > 0);
    const t0 = performance.now();
    const probe = createProcessProbe({ pid: target.pid!, postgres: false });
    await probe.start({ runStartedAt: Date.now(), offsetMs: () => performance.now() - t0, signal: new AbortController().signal });
    // The window the probe measures starts at start()'s sample; read the kernel's counters right after it.
    const before = { target: ticksMs(target.pid!) + ticksMs(busyChild), stranger: ticksMs(stranger.pid!), self: process.cpuUsage() };
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 150));
      spin(60); // the generator works too
      await probe.sample(performance.now() - t0);
    }
    const after = { target: ticksMs(target.pid!) + ticksMs(busyChild), stranger: ticksMs(stranger.pid!), self: process.cpuUsage(before.self) };
    const ev = await probe.stop();
    const host = (ev.data as unknown as ProcessProbeData).host!;
    assert.ok(host, 'host CPU data');
    assert.equal(host.cores, parseProcStat(readFileSync('/proc/stat', 'utf8')).cores);
    assert.equal(host.generatorPid, process.pid);
    const g = host.groups;
    const expectTarget = after.target - before.target;
    const expectSelf = (after.self.user + after.self.system) / 1000;
    const tick = 1000 / clockTicksPerSecond();
    // Attribution equals the kernel's accounting of those processes, to a few ticks (reads are µs apart).
    assert.ok(expectTarget > 5 * tick, `the busy child ran: ${expectTarget} ms`);
    assert.ok(Math.abs(g.target.cpuMsTotal - expectTarget) <= Math.max(4 * tick, 0.1 * expectTarget), `target ${g.target.cpuMsTotal} ms vs kernel ${expectTarget} ms`);
    assert.equal(g.target.maxProcesses, 2);
    assert.ok(Math.abs(g.generator.cpuMsTotal - expectSelf) <= Math.max(6 * tick, 0.2 * expectSelf), `generator ${g.generator.cpuMsTotal} ms vs own ${expectSelf} ms`);
    // The stranger is in "other" (with whatever else the host runs), never in the target's share.
    assert.ok(g.other.cpuMsTotal >= 0.8 * (after.stranger - before.stranger) - 4 * tick, `other ${g.other.cpuMsTotal} ms, stranger ${after.stranger - before.stranger} ms`);
    // Groups are disjoint and add up to the host's busy time (other is the remainder, clamped at 0).
    const sumMeans = g.target.cpuPercent.mean + g.generator.cpuPercent.mean + g.postgres.cpuPercent.mean + g.redis.cpuPercent.mean + g.other.cpuPercent.mean;
    assert.ok(Math.abs(sumMeans - host.cpuPercent.mean) <= 0.05 * host.cpuPercent.mean + 5, `groups ${sumMeans} % vs host ${host.cpuPercent.mean} %`);
    // Per-sample values are ticks over ~0.2 s: one tick per core is 5 % of quantization.
    assert.ok(host.cpuPercent.max <= host.cores * 100 * 1.1, `host max ${host.cpuPercent.max} % on ${host.cores} cores`);
    for (const col of ['hostCpuPercent', 'targetTreeCpuPercent', 'generatorCpuPercent', 'otherCpuPercent', 'redisCpuPercent', 'postgresCpuPercent']) {
      assert.ok(ev.series.values[col], `series ${col}`);
    }
  } finally {
    // The grandchild is not killed with its parent: kill it by pid.
    if (busyChildPid > 0) {
      try {
        process.kill(busyChildPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    target.kill('SIGKILL');
    stranger.kill('SIGKILL');
  }
});

test('host CPU: short-lived children of the target (a process per request) count as the target\'s, not "other"', async () => {
  // The target starts a child every 120 ms that spins ~60 ms and exits: most live and die between two samples.
  const burst = `const end = Date.now() + 60; while (Date.now() < end) {} process.exit(0);`;
  const target = node(`console.log(process.pid); const cp = require('node:child_process'); setInterval(() => cp.spawn(process.execPath, ['-e', '${burst}'], { stdio: 'ignore' }), 120);`);
  // All the CPU the target and its tree used so far: its own ticks, its reaped children's (cutime/cstime), and
  // those of the children still alive (the kernel adds them to the parent only when it reaps them). Children
  // first, so one that exits in between is counted in its parent at worst twice, never missed.
  const treeMs = (pid: number) => {
    const ticks = (text: string) => {
      const st = parseStat(text);
      return st.cpuTicks + st.childTicks;
    };
    let live = 0;
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean)) {
      try {
        live += ticks(readFileSync(`/proc/${child}/stat`, 'utf8'));
      } catch {
        // exited and reaped since the list was read: its ticks are in the parent's children time
      }
    }
    return ((live + ticks(readFileSync(`/proc/${pid}/stat`, 'utf8'))) / clockTicksPerSecond()) * 1000;
  };
  try {
    await firstLine(target);
    const t0 = performance.now();
    const probe = createProcessProbe({ pid: target.pid!, postgres: false });
    await probe.start({ runStartedAt: Date.now(), offsetMs: () => performance.now() - t0, signal: new AbortController().signal });
    const before = treeMs(target.pid!);
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 400));
      await probe.sample(performance.now() - t0);
    }
    const after = treeMs(target.pid!);
    const host = ((await probe.stop()).data as unknown as ProcessProbeData).host!;
    const expected = after - before;
    const tick = 1000 / clockTicksPerSecond();
    assert.ok(expected > 20 * tick, `the children ran: ${expected} ms`);
    // The probe's reads and the kernel's are a moment apart, and a child reaped just after a read reaches the
    // next interval: a child's worth of slack (~60 ms of spin plus its start) on either side.
    assert.ok(Math.abs(host.groups.target.cpuMsTotal - expected) <= Math.max(300, 0.25 * expected), `target ${host.groups.target.cpuMsTotal} ms vs kernel ${expected} ms (own + reaped children)`);
  } finally {
    target.kill('SIGKILL');
  }
});

test('/proc/stat parser: busy, idle, steal and cores', () => {
  const s = parseProcStat('cpu  100 5 50 1000 20 3 2 7 0 0\ncpu0 50 2 25 500 10 1 1 3 0 0\ncpu1 50 3 25 500 10 2 1 4 0 0\nintr 1 2 3\n');
  assert.deepEqual(s, { busyTicks: 160, idleTicks: 1020, stealTicks: 7, cores: 2 });
});
