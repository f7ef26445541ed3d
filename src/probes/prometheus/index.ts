/**
 * The prometheus probe and its text-format parser.
 *
 * @module
 */
export { createPrometheusProbe, type PrometheusProbeOptions } from './probe.js';
export { parsePrometheusText, histogramQuantile, type PromExposition, type PromFamily, type PromHistogram, type PromSummary, type PromSample } from './parse.js';
export type { PrometheusProbeData, PoolGaugeSummary, HttpRouteSummary } from './types.js';
