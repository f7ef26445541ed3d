/**
 * The resource a capacity step saturated, from the step's probe evidence:
 * the service's main thread (a Node.js event loop is one core), the service's
 * CPU, PostgreSQL's CPU, or the whole host's CPU (everything sharing the
 * machine, so contention names who holds it). Utilization law: a resource
 * near 100 % busy is the one that stops throughput from tracking the offered
 * rate. Medians over the step's samples, so the start of the step does not
 * dilute them. The host's CPU comes from the probe's /proc/stat reading by
 * process group when it has one (so "other processes" are named), else from
 * the sum of the service, PostgreSQL and the generator.
 *
 * @module
 */
import type { RunResult } from '../../result/types.js';
import type { ProcessProbeData } from '../../probes/process/types.js';

/** Utilization at or above which a resource counts as saturated (a queue forms well before 100 %; M/M/1 waits 6× service time at 85 %). */
export const SATURATED_UTILIZATION = 0.85;

/** A saturated resource: name, utilization (0..1) and a one-line detail. */
export interface SaturatedResource {
  name: string;
  utilization: number;
  detail: string;
}

/** The most utilized resource at or above {@link SATURATED_UTILIZATION} in `step`, if the probes saw one. */
export function saturatedResource(step: RunResult): SaturatedResource | undefined {
  const proc = step.probes?.find((p) => p.probe === 'process' && p.ok)?.data as ProcessProbeData | undefined;
  const cores = Math.max(1, step.environment.cpus);
  const candidates: SaturatedResource[] = [];
  const pct = (v: number) => `${Math.round(v)} %`;
  if (proc?.mainThreadCpuPercent) {
    const u = proc.mainThreadCpuPercent.median / 100;
    candidates.push({ name: "the service's main thread (event loop)", utilization: u, detail: `main thread CPU ${pct(proc.mainThreadCpuPercent.median)} of one core` });
  } else if (proc?.cpuPercent) {
    const u = proc.cpuPercent.median / 100;
    candidates.push({ name: "the service's CPU", utilization: u, detail: `service CPU ${pct(proc.cpuPercent.median)} of one core` });
  }
  const serviceCpu = proc?.cpuPercent?.median ?? 0;
  const pgCpu = proc?.postgres?.cpuPercent.median ?? 0;
  if (proc?.postgres) {
    candidates.push({ name: 'PostgreSQL CPU', utilization: pgCpu / (100 * cores), detail: `PostgreSQL processes ${pct(pgCpu)} of ${cores} cores` });
  }
  const generatorCpu = step.generator.cpuPercent.mean;
  if (proc?.host) {
    // The probe read the whole host (/proc/stat) and split it by process group: name everyone holding the CPU.
    const h = proc.host;
    const g = h.groups;
    const parts: [string, number][] = [['service', g.target.cpuPercent.median], ['PostgreSQL', g.postgres.cpuPercent.median], ['Redis', g.redis.cpuPercent.median], ['load generator', g.generator.cpuPercent.median], ['other processes', g.other.cpuPercent.median]];
    candidates.push({
      name: 'the host CPU',
      utilization: h.cpuPercent.median / (100 * Math.max(1, h.cores)),
      detail: `${pct(h.cpuPercent.median)} of ${h.cores} cores: ${parts.filter(([, v]) => v >= 1).sort((a, b) => b[1] - a[1]).map(([n, v]) => `${n} ${pct(v)}`).join(', ')}`,
    });
  } else if (proc) {
    const total = serviceCpu + pgCpu + generatorCpu;
    candidates.push({
      name: 'the host CPU',
      utilization: total / (100 * cores),
      detail: `${pct(total)} of ${cores} cores: service ${pct(serviceCpu)}, PostgreSQL ${pct(pgCpu)}, load generator ${pct(generatorCpu)}`,
    });
  }
  // A saturated process names the bottleneck more precisely than the host it saturates: the host CPU is
  // named only when no one process group is saturated on its own (contention spread over processes).
  const saturated = candidates.filter((c) => c.utilization >= SATURATED_UTILIZATION);
  const specific = saturated.filter((c) => c.name !== 'the host CPU');
  const top = (specific.length > 0 ? specific : saturated).sort((a, b) => b.utilization - a.utilization)[0];
  return top ? { ...top, utilization: Math.round(top.utilization * 100) / 100 } : undefined;
}
