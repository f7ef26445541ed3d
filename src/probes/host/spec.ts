/**
 * Probe specs: a probe described as plain data (its kind and options), so
 * the run can build it in another thread. A probe created from a spec keeps
 * the spec on a symbol, which is how the probe runner knows it may host the
 * probe in its worker thread instead of sampling it on the generator's loop.
 *
 * @module
 */
import type { PostgresProbeOptions } from '../postgres/probe.js';
import type { ProcessProbeOptions } from '../process/probe.js';
import type { PrometheusProbeOptions } from '../prometheus/probe.js';
import type { RedisProbeOptions } from '../redis/probe.js';
import type { Probe } from '../types.js';

/** A built-in probe as structured-clone data: which probe, and the options of its factory. */
export type ProbeSpec =
  | { kind: 'postgres'; options: PostgresProbeOptions }
  | { kind: 'redis'; options: RedisProbeOptions }
  | { kind: 'prometheus'; options: PrometheusProbeOptions }
  | { kind: 'process'; options: ProcessProbeOptions };

/** The kinds a spec can name. */
export type ProbeKind = ProbeSpec['kind'];

/** Symbol under which a probe carries the spec it was built from (shared across module copies). */
export const PROBE_SPEC: unique symbol = Symbol.for('tuneup.probe-spec') as never;

/**
 * Attach `spec` to `probe` (non-enumerable) when the spec can cross a thread
 * boundary; a spec that does not clone (a function in the options) leaves
 * the probe as it is, so it runs in the caller's thread.
 */
export function tagProbeSpec<P extends Probe>(probe: P, spec: ProbeSpec): P {
  try {
    structuredClone(spec);
  } catch {
    return probe;
  }
  Object.defineProperty(probe, PROBE_SPEC, { value: spec, enumerable: false });
  return probe;
}

/** The spec a probe was built from, or undefined for a probe that can only run in its own thread. */
export function probeSpecOf(probe: Probe): ProbeSpec | undefined {
  return (probe as Probe & { [PROBE_SPEC]?: ProbeSpec })[PROBE_SPEC];
}
