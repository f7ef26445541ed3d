/**
 * The prometheus probe and its text-format parser.
 *
 * @module
 */
import type { Probe } from '../types.js';
import { tagProbeSpec } from '../host/spec.js';
import { createPrometheusProbe as createInThread, type PrometheusProbeOptions } from './probe.js';

export { type PrometheusProbeOptions } from './probe.js';

/**
 * Create a probe that scrapes a Prometheus text endpoint every sample.
 * The probe carries its options as a spec, so a run hosts it in the probe
 * worker thread (off the load generator's event loop); called directly it
 * runs in the caller's thread.
 */
export function createPrometheusProbe(options: PrometheusProbeOptions): Probe {
  return tagProbeSpec(createInThread(options), { kind: 'prometheus', options });
}
export { parsePrometheusText, histogramQuantile, type PromExposition, type PromFamily, type PromHistogram, type PromSummary, type PromSample } from './parse.js';
export type { PrometheusProbeData, PoolGaugeSummary, HttpRouteSummary } from './types.js';
