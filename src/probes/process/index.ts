/**
 * The process probe (Linux /proc): CPU, memory, files, connections of the service, and local PostgreSQL CPU.
 *
 * @module
 */
import type { Probe } from '../types.js';
import { tagProbeSpec } from '../host/spec.js';
import { createProcessProbe as createInThread, type ProcessProbeOptions } from './probe.js';

export { type ProcessProbeOptions, findPidByCommand } from './probe.js';

/**
 * Create a probe of one local process (Linux only): give `pid`, or `command` to find it; without either it probes `ctx.targetPid`.
 * The probe carries its options as a spec, so a run hosts it in the probe
 * worker thread (off the load generator's event loop); called directly it
 * runs in the caller's thread.
 */
export function createProcessProbe(options: ProcessProbeOptions = {}): Probe {
  return tagProbeSpec(createInThread(options), { kind: 'process', options });
}
export type { ProcessProbeData, RemoteEndpoint, HostCpuData, HostCpuGroup } from './types.js';
export { parseProcStat } from './host-cpu.js';
export { parseNetTcp, decodeAddress, parseStat, uniqueSockets } from './procfs.js';
