/**
 * The process probe (Linux /proc): CPU, memory, files, connections of the service, and local PostgreSQL CPU.
 *
 * @module
 */
export { createProcessProbe, findPidByCommand, type ProcessProbeOptions } from './probe.js';
export type { ProcessProbeData, RemoteEndpoint, HostCpuData, HostCpuGroup } from './types.js';
export { parseProcStat } from './host-cpu.js';
export { parseNetTcp, decodeAddress, parseStat } from './procfs.js';
