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
