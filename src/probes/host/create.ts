/**
 * Build a probe from its {@link ProbeSpec}: used by the probe worker thread,
 * and by callers that want a probe the runner can move off the generator's
 * thread ({@link probeFromSpec}).
 *
 * @module
 */
import { createPostgresProbe } from '../postgres/probe.js';
import { createProcessProbe } from '../process/probe.js';
import { createPrometheusProbe } from '../prometheus/probe.js';
import { createRedisProbe } from '../redis/probe.js';
import type { Probe } from '../types.js';
import { tagProbeSpec, type ProbeSpec } from './spec.js';

/** Construct the probe a spec names, in this thread, without tagging it. */
export function createProbeFromSpec(spec: ProbeSpec): Probe {
  switch (spec.kind) {
    case 'postgres':
      return createPostgresProbe(spec.options);
    case 'redis':
      return createRedisProbe(spec.options);
    case 'prometheus':
      return createPrometheusProbe(spec.options);
    case 'process':
      return createProcessProbe(spec.options);
    default: {
      const kind: never = spec;
      throw new Error(`unknown probe kind ${JSON.stringify((kind as { kind?: unknown }).kind)}`);
    }
  }
}

/**
 * A probe built from `spec` and tagged with it: called directly it runs in
 * this thread like any probe; given to the run, it is rebuilt from the spec
 * and sampled in the probe worker thread.
 */
export function probeFromSpec(spec: ProbeSpec): Probe {
  return tagProbeSpec(createProbeFromSpec(spec), spec);
}
