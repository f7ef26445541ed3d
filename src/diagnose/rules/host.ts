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

/** CPU (% of one core) at which a host of `cores` cores is saturated: `cpu.saturatedPercent` of every core. */
export function hostSaturatedPercent(config: RuleConfig, cores: number): number {
  return (config.get('cpu.saturatedPercent') / 100) * cores * 100;
}

/**
 * Mean wait for a core per millisecond of CPU work on a host of `cores` cores busy at utilization `rho`:
 * the M/M/c queue's C(c, ρ) / (c · (1 − ρ)), with C the Erlang C probability that a job waits. It is the
 * host's share of a request's unexplained time: a thread that needs S ms of CPU waits about S times this
 * for a core. ρ is capped at 0.99, where the model's wait grows without bound and the measurement's error
 * dominates.
 */
export function coreWaitPerCpuMs(cores: number, rho: number): number {
  const c = Math.max(1, Math.round(cores));
  const r = Math.min(0.99, Math.max(0, rho));
  const a = c * r;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c / (1 - r);
  const erlangC = last / (sum + last);
  return erlangC / (c * (1 - r));
}

/**
 * One sample of the host: `free` when its cores were below `cpu.saturatedPercent` of all of them (or the host
 * was not measured), `service` when they were saturated and the service's own processes held most of the busy
 * CPU, `others` when saturated and held mostly by other processes (its database, the generator, neighbours).
 */
export function hostSampleHolder(hostPercent: number | null | undefined, servicePercent: number | null | undefined, saturatedPercent: number): 'free' | 'service' | 'others' {
  if (hostPercent === null || hostPercent === undefined || hostPercent < saturatedPercent) return 'free';
  return servicePercent !== null && servicePercent !== undefined && servicePercent > hostPercent / 2 ? 'service' : 'others';
}
