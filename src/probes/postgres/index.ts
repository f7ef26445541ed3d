/**
 * The postgres probe: pg_stat_statements, table/index, activity and lock
 * evidence for a run. See {@link createPostgresProbe} and the data types.
 *
 * @module
 */
import type { Probe } from '../types.js';
import { tagProbeSpec } from '../host/spec.js';
import { createPostgresProbe as createInThread, type PostgresProbeOptions } from './probe.js';

export { type PostgresProbeOptions } from './probe.js';

/**
 * Create a postgres probe. Nothing connects until `start`.
 * The probe carries its options as a spec, so a run hosts it in the probe
 * worker thread (off the load generator's event loop); called directly it
 * runs in the caller's thread.
 */
export function createPostgresProbe(options: PostgresProbeOptions): Probe {
  return tagProbeSpec(createInThread(options), { kind: 'postgres', options });
}
export * from './types.js';
