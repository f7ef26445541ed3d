/**
 * Evidence `data` of the process probe (`ProbeEvidence.probe === 'process'`).
 *
 * Series columns:
 * - `cpuPercent` — target CPU (utime + stime) per second, % of one core
 * - `mainThreadCpuPercent` — CPU of the main thread alone (tid = pid; for Node.js
 *   the event loop's thread, without the libuv pool and V8's helper threads)
 * - `rssBytes`, `threads`, `openFds`
 * - `outboundConnections`, `inboundConnections` — established TCP connections
 * - `pgCpuPercent` — CPU of the local PostgreSQL processes, % of one core (when found)
 * - host CPU by process group, % of one core (a 2-core host tops out at 200 %):
 *   `hostCpuPercent` (whole host busy), `hostStealPercent`, `targetTreeCpuPercent`
 *   (target + descendants), `generatorCpuPercent` (tuneup's own process),
 *   `postgresCpuPercent`, `redisCpuPercent`, `otherCpuPercent` (the rest of the host)
 *
 * @module
 */
import type { Stats } from './series-builder.js';

/** A remote TCP endpoint the target talks to (it opened the connection). */
export interface RemoteEndpoint {
  address: string;
  port: number;
  /** Most simultaneous established connections seen in one sample. */
  maxConnections: number;
  /** Samples in which at least one connection was open. */
  samplesSeen: number;
}

/** One process group's share of the host CPU (% of one core). */
export interface HostCpuGroup {
  cpuPercent: Stats;
  cpuMsTotal: number;
  /** Most processes of the group seen in one sample. */
  maxProcesses?: number;
}

/** Host CPU by process group: who holds the CPU (see `host-cpu.ts`). */
export interface HostCpuData {
  /** Cores the kernel schedules on (`cpuN` lines of /proc/stat). */
  cores: number;
  /** Whole-host busy CPU, % of one core (max cores × 100). */
  cpuPercent: Stats;
  /** CPU a hypervisor gave to other guests (steal), % of one core. */
  stealPercent: Stats;
  /** The generator's pid (tuneup's own process). */
  generatorPid: number;
  /** Disjoint groups; `other` is the host's busy time not in any named group. */
  groups: { target: HostCpuGroup; generator: HostCpuGroup; postgres: HostCpuGroup; redis: HostCpuGroup; other: HostCpuGroup };
}

/** `ProbeEvidence.data` of the process probe. */
export interface ProcessProbeData {
  pid: number;
  /** Executable name and command line of the target. */
  comm: string;
  cmdline: string;
  clockTicksPerSecond: number;
  /** True when the target exited during the run; `exitedAtMs` is the offset where it was noticed. */
  exited: boolean;
  exitedAtMs?: number;
  cpuPercent: Stats;
  /** CPU of the main thread alone (for Node.js: the event loop), % of one core. */
  mainThreadCpuPercent?: Stats;
  /** CPU time consumed during the run (ms). */
  cpuMsTotal: number;
  rssBytes: Stats & { first: number; last: number };
  threads: Stats;
  openFds: Stats;
  /** Ports the target listens on (its own server sockets). */
  listeningPorts: number[];
  /** Outbound connections, by remote endpoint, most connections first. */
  remotes: RemoteEndpoint[];
  /** Host CPU by process group (absent in results of older versions, or with `hostCpu: false`). */
  host?: HostCpuData;
  /** Local PostgreSQL server processes, when found. */
  postgres?: {
    /** How they were selected: children of a known postmaster, or every process named `postgres`. */
    selection: 'postmaster' | 'name';
    postmasterPid?: number;
    maxProcesses: number;
    cpuPercent: Stats;
    cpuMsTotal: number;
  };
}
