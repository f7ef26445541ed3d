/**
 * The host the run shared, from the process probe's CPU per process group: a
 * pure helper on the run's facts for the rules that judge time (rules never
 * call each other).
 *
 * @module
 */
import type { ProcessProbeData } from '../../probes/process/types.js';
import type { RuleConfig } from '../config.js';
import type { DiagnosisInput } from './types.js';

/** A host busy mostly with processes outside the system under test. */
export interface HostHeldByOthers {
  /** CPU of the processes outside the system under test (% of one core). */
  othersPercent: number;
  /** Mean busy share of all the host's cores. */
  busyShare: number;
  cores: number;
}

/**
 * The host's cores busy (`hostContention.busyShare` or more) and held mostly by processes outside the system
 * under test (the service, its database, its cache and the generator): at least half of the CPU in use. Then
 * every runnable thread waits for a core — the event loop, the service's callbacks, the database's backends —
 * and that wait shows as delay and unexplained time in whatever the run measured. Undefined without the
 * process probe's host figures or when the host is not so held.
 */
export function hostHeldByOthers(input: DiagnosisInput, config: RuleConfig): HostHeldByOthers | undefined {
  const host = (input.probes.process?.data as ProcessProbeData | undefined)?.host;
  if (!host || host.cores <= 0 || !host.groups) return undefined;
  const busyShare = host.cpuPercent.mean / (host.cores * 100);
  const othersPercent = host.groups.other?.cpuPercent.mean ?? 0;
  if (busyShare < config.get('hostContention.busyShare') || othersPercent < host.cpuPercent.mean / 2) return undefined;
  return { othersPercent, busyShare, cores: host.cores };
}
