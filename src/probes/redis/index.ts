/**
 * The redis probe: INFO, commandstats, SLOWLOG and LATENCY evidence for a
 * run. See {@link createRedisProbe} and the data types.
 *
 * @module
 */
import type { Probe } from '../types.js';
import { tagProbeSpec } from '../host/spec.js';
import { createRedisProbe as createInThread, type RedisProbeOptions } from './probe.js';

export { type RedisProbeOptions } from './probe.js';

/**
 * Create a redis probe. Nothing connects until `start`.
 * The probe carries its options as a spec, so a run hosts it in the probe
 * worker thread (off the load generator's event loop); called directly it
 * runs in the caller's thread.
 */
export function createRedisProbe(options: RedisProbeOptions): Probe {
  return tagProbeSpec(createInThread(options), { kind: 'redis', options });
}
export * from './types.js';
