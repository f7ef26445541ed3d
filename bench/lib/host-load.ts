/**
 * How busy the host was with work outside the run: the share of the host's
 * CPU (all cores) that processes other than the service, its database, its
 * cache and the generator used on average, from the process probe's host CPU
 * per process group. Diagnosis accuracy measured on a host that other work
 * keeps busy describes that host as much as the rules, so the corpus report
 * counts and marks such runs rather than mixing them silently with quiet ones.
 * Decided from the probe's raw figures, not from tuneup's findings.
 *
 * @module
 */
import type { RunResult } from '../../src/result/types.js';

/** Other processes using at least this share of the host's CPU on average make the run "contended". */
export const CONTENDED_SHARE = 0.25;

/** Mean share of the host's CPU used by processes outside the system under test; undefined without the process probe's host figures. */
export function othersCpuShare(result: RunResult): number | undefined {
  const host = result.probes?.find((p) => p.probe === 'process')?.data?.host as
    | { cores: number; groups?: { other?: { cpuPercent: { mean: number } } } }
    | undefined;
  const other = host?.groups?.other?.cpuPercent.mean;
  if (!host || host.cores <= 0 || other === undefined) return undefined;
  return other / (host.cores * 100);
}
