/**
 * The redis probe: INFO, commandstats, SLOWLOG and LATENCY evidence for a
 * run. See {@link createRedisProbe} and the data types.
 *
 * @module
 */
export { createRedisProbe, type RedisProbeOptions } from './probe.js';
export * from './types.js';
