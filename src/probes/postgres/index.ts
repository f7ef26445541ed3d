/**
 * The postgres probe: pg_stat_statements, table/index, activity and lock
 * evidence for a run. See {@link createPostgresProbe} and the data types.
 *
 * @module
 */
export { createPostgresProbe, type PostgresProbeOptions } from './probe.js';
export * from './types.js';
