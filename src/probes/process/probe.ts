/**
 * The process probe: CPU, RSS, threads and open files of the service's
 * process from Linux /proc, the CPU of a local PostgreSQL, and the remote
 * addresses the service connects to (its sockets matched to
 * `/proc/<pid>/net/tcp{,6}` by inode), so a slow dependency can be named.
 * Reading /proc costs well under a millisecond per sample for one process;
 * the PostgreSQL scan reads one small file per process on the machine.
 *
 * @module
 */
import type { ProbeEvidence } from '../../result/types.js';
import { ExitCode, TuneupError } from '../../errors.js';
import { readingTime, type Probe, type ProbeContext } from '../types.js';
import { SeriesBuilder, stats } from './series-builder.js';
import { SYNC_SLICE, yieldToLoop, clockTicksPerSecond, listPids, readChildren, readCmdline, readFds, readStat, readStatus, readThreadStat, readTcpSockets, type ProcStat } from './procfs.js';
import type { HostCpuGroup, ProcessProbeData, RemoteEndpoint } from './types.js';
import { GroupTicks, processTree, readHostStat, readStats, type HostStat } from './host-cpu.js';

/** Options of {@link createProcessProbe}. Give `pid`, or `command` to find the process by its command line. */
export type ProcessProbeOptions = ({ pid: number; command?: undefined } | { command: string; pid?: undefined } | { pid?: undefined; command?: undefined }) & {
  /**
   * Local PostgreSQL CPU: `'auto'` (default) sums every process named `postgres`;
   * `{ postmasterPid }` restricts to that server and its children (use it when
   * several clusters run on the machine); `false` disables it.
   */
  postgres?: 'auto' | false | { postmasterPid: number };
  /** Skip the TCP connection scan (it is cheap; this exists for locked-down hosts). */
  connections?: boolean;
  /**
   * Host CPU per process group (target tree, PostgreSQL, Redis, the
   * generator, everything else) from /proc/stat and the groups' /proc/<pid>/stat.
   * Default true; false skips it (one more small file per process of the groups).
   */
  hostCpu?: boolean;
  /**
   * Pid of the load generator (tuneup's own process), whose CPU is reported
   * apart. Default: this process — the probe runs inside tuneup, in the
   * generator's thread or a worker thread of the same process.
   */
  generatorPid?: number;
};

const MAX_ERRORS_KEPT = 20;
/** Full /proc scans for PostgreSQL processes happen every this many samples (new backends are picked up then). */
const FULL_SCAN_EVERY = 5;

/**
 * Find the newest process whose command line contains `command`, excluding
 * this process and its parent (whose command lines may contain the pattern).
 */
export async function findPidByCommand(command: string): Promise<number | undefined> {
  let best: { pid: number; start: number } | undefined;
  for (const pid of await listPids()) {
    if (pid === process.pid || pid === process.ppid) continue;
    const cmd = await readCmdline(pid);
    if (!cmd.includes(command)) continue;
    try {
      const st = await readStat(pid);
      if (!best || st.startTicks > best.start) best = { pid, start: st.startTicks };
    } catch {
      // exited meanwhile
    }
  }
  return best?.pid;
}

/**
 * Create a probe of one local process (Linux only).
 *
 * @param options - the target by pid or command-line substring; falls back to `ctx.targetPid`
 * @returns a {@link Probe} named `process`
 */
export function createProcessProbe(options: ProcessProbeOptions = {}): Probe {
  const ticksPerS = clockTicksPerSecond();
  const series = new SeriesBuilder();
  const errors: { offsetMs: number; message: string }[] = [];
  const remotes = new Map<string, RemoteEndpoint>();
  const listening = new Set<number>();
  const pgTicks = new GroupTicks();
  let pid = 0;
  let comm = '';
  let cmdline = '';
  let lastTicks: number | undefined;
  let lastMainTicks: number | undefined;
  let lastMainAt = 0;
  let firstTicks: number | undefined;
  let lastAt = 0;
  /** The run's context, for the clock spans between readings are measured on (see readingTime); set at start. */
  let context: ProbeContext | undefined;
  let exitedAtMs: number | undefined;
  let pgLastAt: number | undefined;
  let pgMsTotal = 0;
  let pgMaxProcs = 0;
  let samples = 0;
  let sampleMsTotal = 0;
  const pgMode = options.postgres ?? 'auto';

  const record = (offsetMs: number, message: string) => {
    if (errors.length < MAX_ERRORS_KEPT) errors.push({ offsetMs, message });
  };

  /**
   * The PostgreSQL processes to read. With a postmaster pid, its children
   * (one small file); otherwise a full /proc scan for processes named
   * `postgres`, repeated only every few samples — on a busy host with
   * hundreds of processes a scan per second costs more than the probe should.
   * The same scan finds redis-server processes and every process's parent
   * (for the target's tree where the kernel has no children file).
   */
  let knownPg: number[] = [];
  let knownRedis: number[] = [];
  let ppidOf = new Map<number, number>();
  let scansSinceFull = Infinity;
  const scan = async (): Promise<void> => {
    if (scansSinceFull < FULL_SCAN_EVERY) {
      scansSinceFull++;
      return;
    }
    scansSinceFull = 1;
    const pg: number[] = [];
    const redis: number[] = [];
    const parents = new Map<number, number>();
    let read = 0;
    for (const p of await listPids()) {
      if (++read % SYNC_SLICE === 0) await yieldToLoop();
      try {
        const st = await readStat(p);
        parents.set(p, st.ppid);
        if (p === pid) continue;
        if (st.comm === 'redis-server') redis.push(p);
        if (st.comm !== 'postgres' && !st.comm.startsWith('postgres')) continue;
        if (typeof pgMode === 'object' && st.pid !== pgMode.postmasterPid && st.ppid !== pgMode.postmasterPid) continue;
        pg.push(p);
      } catch {
        // exited between listing and reading
      }
    }
    knownPg = pg;
    knownRedis = redis;
    ppidOf = parents;
  };
  const wantsScan = () => pgMode !== false || options.hostCpu !== false;
  const pgCandidates = async (): Promise<number[]> => {
    if (typeof pgMode === 'object') {
      const children = await readChildren(pgMode.postmasterPid);
      if (children) return [pgMode.postmasterPid, ...children];
    }
    return knownPg;
  };

  /** Sum of CPU ticks of the selected PostgreSQL processes that advanced since the last scan. */
  const samplePostgres = async (atMs: number): Promise<ProcStat[]> => {
    if (pgMode === false) return [];
    const stats: ProcStat[] = [];
    for (const p of await pgCandidates()) {
      try {
        stats.push(await readStat(p));
      } catch {
        // a backend that exited
      }
    }
    pgMaxProcs = Math.max(pgMaxProcs, stats.length);
    // Backends born since the last scan count all their ticks; those gone count through the postmaster.
    const deltaTicks = pgTicks.delta(stats);
    if (pgLastAt !== undefined && atMs > pgLastAt && stats.length > 0) {
      const ms = (deltaTicks / ticksPerS) * 1000;
      pgMsTotal += ms;
      series.set('pgCpuPercent', (ms / (atMs - pgLastAt)) * 100, '%');
    }
    pgLastAt = atMs;
    return stats;
  };

  /**
   * Host CPU by process group. Groups are disjoint (a process counts in the
   * first group that holds it: target tree, generator, PostgreSQL, Redis);
   * `other` is the host's busy time left over, so the groups add up to it.
   */
  const generatorPid = options.generatorPid ?? process.pid;
  const groups = { target: new GroupTicks(), generator: new GroupTicks(), postgres: new GroupTicks(), redis: new GroupTicks() };
  const groupMs = { target: 0, generator: 0, postgres: 0, redis: 0, other: 0 };
  const groupMaxProcs = { target: 0, postgres: 0, redis: 0 };
  let hostLast: HostStat | undefined;
  let hostLastNow = 0;
  let hostCores = 0;
  const sampleHost = async (offsetMs: number, pgStats: ProcStat[]) => {
    if (options.hostCpu === false) return;
    // Rates use the time of this read, not the sample's offset: the scans before it can take a while on a
    // busy host, and the host counters must be divided by the time they actually cover.
    const now = performance.now();
    const host = readHostStat();
    hostCores = host.cores;
    const tree = exitedAtMs === undefined ? await processTree(pid, ppidOf) : [];
    const inTree = new Set(tree);
    const targetStats = await readStats(tree);
    const generatorStats = inTree.has(generatorPid) ? [] : await readStats([generatorPid]);
    const taken = new Set([...inTree, generatorPid]);
    const pg = pgStats.filter((st) => !taken.has(st.pid));
    for (const st of pg) taken.add(st.pid);
    const redisStats = await readStats(knownRedis.filter((p) => !taken.has(p)));
    groupMaxProcs.target = Math.max(groupMaxProcs.target, targetStats.length);
    groupMaxProcs.postgres = Math.max(groupMaxProcs.postgres, pg.length);
    groupMaxProcs.redis = Math.max(groupMaxProcs.redis, redisStats.length);
    const ticks = {
      target: groups.target.delta(targetStats),
      generator: groups.generator.delta(generatorStats),
      postgres: groups.postgres.delta(pg),
      redis: groups.redis.delta(redisStats),
    };
    if (hostLast !== undefined && now > hostLastNow) {
      const busy = Math.max(0, host.busyTicks - hostLast.busyTicks);
      // The time the host counters cover is their own tick total (all cores, busy + idle + steal), not the
      // probe's wall clock: on a busy host the read lags the timestamp, and dividing by the wrong span made
      // the host look busier than all its cores.
      const hostTicks = busy + Math.max(0, host.idleTicks - hostLast.idleTicks) + Math.max(0, host.stealTicks - hostLast.stealTicks);
      const elapsed = hostTicks > 0 && host.cores > 0 ? ((hostTicks / host.cores) * 1000) / ticksPerS : now - hostLastNow;
      const toPercent = (t: number) => ((t / ticksPerS) * 1000 * 100) / elapsed;
      const named = ticks.target + ticks.generator + ticks.postgres + ticks.redis;
      // Per-process and host counters are read microseconds apart: the residual can dip below zero by a tick.
      const other = Math.max(0, busy - named);
      series.set('hostCpuPercent', toPercent(busy), '%');
      series.set('hostStealPercent', toPercent(Math.max(0, host.stealTicks - hostLast.stealTicks)), '%');
      series.set('targetTreeCpuPercent', toPercent(ticks.target), '%');
      series.set('generatorCpuPercent', toPercent(ticks.generator), '%');
      series.set('postgresCpuPercent', toPercent(ticks.postgres), '%');
      series.set('redisCpuPercent', toPercent(ticks.redis), '%');
      series.set('otherCpuPercent', toPercent(other), '%');
      const ms = (t: number) => (t / ticksPerS) * 1000;
      groupMs.target += ms(ticks.target);
      groupMs.generator += ms(ticks.generator);
      groupMs.postgres += ms(ticks.postgres);
      groupMs.redis += ms(ticks.redis);
      groupMs.other += ms(other);
    }
    hostLast = host;
    hostLastNow = now;
  };

  const sampleConnections = async (socketInodes: Set<string>) => {
    if (options.connections === false) return;
    const sockets = await readTcpSockets(pid);
    const mine = sockets.filter((s) => socketInodes.has(s.inode));
    for (const s of mine) if (s.state === '0A') listening.add(s.localPort);
    let inbound = 0;
    const perRemote = new Map<string, { address: string; port: number; n: number }>();
    for (const s of mine) {
      if (s.state !== '01') continue;
      // A connection whose local port is one of our listening ports was accepted: a client of the service.
      if (listening.has(s.localPort)) {
        inbound++;
        continue;
      }
      const key = `${s.remoteAddress}:${s.remotePort}`;
      const r = perRemote.get(key) ?? { address: s.remoteAddress, port: s.remotePort, n: 0 };
      r.n++;
      perRemote.set(key, r);
    }
    let outbound = 0;
    for (const [key, r] of perRemote) {
      outbound += r.n;
      const acc = remotes.get(key) ?? { address: r.address, port: r.port, maxConnections: 0, samplesSeen: 0 };
      acc.maxConnections = Math.max(acc.maxConnections, r.n);
      acc.samplesSeen++;
      remotes.set(key, acc);
    }
    series.set('outboundConnections', outbound, 'connections');
    series.set('inboundConnections', inbound, 'connections');
  };

  /** CPU of the main thread (the event loop's, for Node.js) on its own: what blocks the loop, without the thread pool. */
  const sampleMainThread = async (atMs: number) => {
    let main: ProcStat;
    try {
      main = await readThreadStat(pid, pid);
    } catch {
      // Kernels without per-task stat, or the process is exiting: the process total still stands.
      return;
    }
    if (lastMainTicks !== undefined && atMs > lastMainAt) {
      series.set('mainThreadCpuPercent', (((main.cpuTicks - lastMainTicks) / ticksPerS) * 1000 * 100) / (atMs - lastMainAt), '%');
    }
    lastMainTicks = main.cpuTicks;
    lastMainAt = atMs;
  };

  const takeSample = async (offsetMs: number) => {
    series.row(offsetMs);
    // Spans between readings on the reading clock: the offsets jump when t = 0 moves to the load start.
    const atMs = readingTime(context, offsetMs);
    if (exitedAtMs === undefined) {
      try {
        const st = await readStat(pid);
        const status = await readStatus(pid);
        if (lastTicks !== undefined && atMs > lastAt) {
          series.set('cpuPercent', (((st.cpuTicks - lastTicks) / ticksPerS) * 1000 * 100) / (atMs - lastAt), '%');
        }
        lastTicks = st.cpuTicks;
        firstTicks ??= st.cpuTicks;
        await sampleMainThread(atMs);
        lastAt = atMs;
        series.set('rssBytes', status.rssBytes, 'bytes');
        series.set('threads', status.threads, 'threads');
        const fds = await readFds(pid);
        series.set('openFds', fds.count, 'fds');
        await sampleConnections(fds.socketInodes);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ESRCH') {
          exitedAtMs = offsetMs;
          record(offsetMs, `process ${pid} exited`);
        } else record(offsetMs, (err as Error).message);
      }
    }
    let pgStats: ProcStat[] = [];
    try {
      if (wantsScan()) await scan();
      pgStats = await samplePostgres(atMs);
    } catch (err) {
      record(offsetMs, `postgres scan: ${(err as Error).message}`);
    }
    try {
      await sampleHost(offsetMs, pgStats);
    } catch (err) {
      record(offsetMs, `host CPU: ${(err as Error).message}`);
    }
  };

  return {
    name: 'process',
    async start(ctx: ProbeContext): Promise<void> {
      if (process.platform !== 'linux') {
        throw new TuneupError('TUNEUP_PROBE_PROCESS_UNSUPPORTED', 'The process probe reads /proc and needs Linux.', {
          hint: 'Run tuneup on the service host (Linux), or drop the process probe and use the prometheus probe.',
        });
      }
      const resolved = options.pid ?? (options.command !== undefined ? await findPidByCommand(options.command) : undefined) ?? ctx.targetPid;
      if (resolved === undefined) {
        throw new TuneupError('TUNEUP_PROBE_PROCESS_NOT_FOUND', options.command !== undefined ? `No process matches "${options.command}".` : 'The process probe has no target pid.', {
          hint: 'Pass --pid <pid> of the service, or a command-line substring that matches it.',
          location: 'probes.process',
        });
      }
      pid = resolved;
      try {
        const st = await readStat(pid);
        comm = st.comm;
        cmdline = await readCmdline(pid);
      } catch (err) {
        throw new TuneupError('TUNEUP_PROBE_PROCESS_NOT_FOUND', `Process ${pid} does not exist or cannot be read.`, {
          hint: 'Check the pid (the service may have restarted) and that tuneup runs as the same user or root.',
          cause: err,
        });
      }
      context = ctx;
      await takeSample(ctx.offsetMs());
    },
    async sample(offsetMs: number): Promise<void> {
      const started = performance.now();
      await takeSample(offsetMs);
      samples++;
      sampleMsTotal += performance.now() - started;
    },
    async stop(): Promise<ProbeEvidence> {
      const rss = series.numbers('rssBytes');
      const pgCpu = series.numbers('pgCpuPercent');
      const data: ProcessProbeData = {
        pid,
        comm,
        cmdline,
        clockTicksPerSecond: ticksPerS,
        exited: exitedAtMs !== undefined,
        exitedAtMs,
        cpuPercent: stats(series.numbers('cpuPercent')),
        mainThreadCpuPercent: stats(series.numbers('mainThreadCpuPercent')),
        cpuMsTotal: firstTicks !== undefined && lastTicks !== undefined ? ((lastTicks - firstTicks) / ticksPerS) * 1000 : 0,
        rssBytes: { ...stats(rss), first: rss[0] ?? 0, last: rss.at(-1) ?? 0 },
        threads: stats(series.numbers('threads')),
        openFds: stats(series.numbers('openFds')),
        listeningPorts: [...listening].sort((a, b) => a - b),
        remotes: [...remotes.values()].sort((a, b) => b.maxConnections - a.maxConnections || b.samplesSeen - a.samplesSeen),
        postgres:
          pgMaxProcs > 0
            ? {
                selection: typeof pgMode === 'object' ? 'postmaster' : 'name',
                postmasterPid: typeof pgMode === 'object' ? pgMode.postmasterPid : undefined,
                maxProcesses: pgMaxProcs,
                cpuPercent: stats(pgCpu),
                cpuMsTotal: pgMsTotal,
              }
            : undefined,
      };
      if (hostLast !== undefined && series.numbers('hostCpuPercent').length > 0) {
        const group = (column: string, key: keyof typeof groupMs, maxProcesses?: number): HostCpuGroup => ({
          cpuPercent: stats(series.numbers(column)),
          cpuMsTotal: groupMs[key],
          ...(maxProcesses !== undefined ? { maxProcesses } : {}),
        });
        data.host = {
          cores: hostCores,
          cpuPercent: stats(series.numbers('hostCpuPercent')),
          stealPercent: stats(series.numbers('hostStealPercent')),
          generatorPid,
          groups: {
            target: group('targetTreeCpuPercent', 'target', groupMaxProcs.target),
            generator: group('generatorCpuPercent', 'generator'),
            postgres: group('postgresCpuPercent', 'postgres', groupMaxProcs.postgres),
            redis: group('redisCpuPercent', 'redis', groupMaxProcs.redis),
            other: group('otherCpuPercent', 'other'),
          },
        };
      }
      const limitations: string[] = [];
      if (pgMode === 'auto' && pgMaxProcs > 0) {
        limitations.push('PostgreSQL CPU sums every process named "postgres" on this host; pass postgres: { postmasterPid } to restrict it to one server.');
      }
      return {
        probe: 'process',
        target: `pid ${pid}${comm ? ` (${comm})` : ''}`,
        ok: firstTicks !== undefined,
        limitations,
        errors,
        series: series.build(),
        data: data as unknown as Record<string, unknown>,
        overhead: { samples, meanSampleMs: samples > 0 ? sampleMsTotal / samples : 0 },
      };
    },
  };
}
