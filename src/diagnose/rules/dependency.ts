/**
 * slow-dependency: most of an endpoint's time is unexplained by its CPU,
 * database and cache demand while the service is not CPU-bound — it waits on
 * something else (Clinic Doctor's "io" category). The remote addresses the
 * process talks to (from /proc/<pid>/net/tcp) name the candidate.
 *
 * @module
 */
import type { Evidence, Finding, ProbeSeries } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { alignToGrid, quantile } from '../evidence.js';
import { checkObjectives, latencyObjectives, type ObjectiveCheck } from '../objectives.js';
import { waitChange, waitOf, type WaitChange } from '../reference.js';
import { fmt, makeFinding, pct, serviceMean, type DiagnosisInput } from './types.js';
import { coreWaitPerCpuMs, hostSaturatedPercent } from './host.js';

/** host:port of a probe target URL (`postgres://u@127.0.0.1:5433/db` → `127.0.0.1:5433`), with the scheme's default port. */
export function targetAddress(target: string | undefined): { host: string; port: number } | undefined {
  if (!target) return undefined;
  try {
    const u = new URL(target);
    const defaults: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379, 'rediss:': 6379, 'http:': 80, 'https:': 443 };
    const port = u.port ? Number(u.port) : defaults[u.protocol];
    if (!port) return undefined;
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    const m = /(?:host=)?([\w.-]+)[: ](?:port=)?(\d{2,5})/.exec(target);
    return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1';
}

/** Values of a probe column in the grid intervals where `endpoint` had requests. */
function duringEndpoint(input: DiagnosisInput, endpoint: string, series: ProbeSeries | undefined, column: string): number[] {
  if (!series?.values[column]) return [];
  const grid = input.result.series;
  const aligned = alignToGrid(grid, series, series.values[column]);
  const reqs = grid.endpoints[endpoint]?.requests ?? [];
  return aligned.filter((v, i): v is number => v !== null && (reqs[i] ?? 0) > 0);
}

/** slow-dependency rule (see module doc). */
export function slowDependencyRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const known: { host: string; port: number; what: string }[] = [];
  const pgAddr = targetAddress(input.probes.postgres?.target);
  if (pgAddr) known.push({ ...pgAddr, what: 'PostgreSQL (probed)' });
  const redisAddr = targetAddress(input.probes.redis?.target);
  if (redisAddr) known.push({ ...redisAddr, what: 'Redis (probed)' });
  const remotes = (input.probes.process?.data.remotes ?? []).map((r) => {
    const k = known.find((x) => x.port === r.port && (x.host === r.address || (isLoopback(x.host) && isLoopback(r.address))));
    return { ...r, what: k?.what };
  });
  const unknownRemotes = remotes.filter((r) => !r.what);
  const dbMeasured = !!input.probes.postgres;
  const objectives = latencyObjectives(input.result);
  const out: Finding[] = [];
  for (const d of input.demand.demands) {
    if (d.unexplainedMs === undefined) continue;
    const mean = serviceMean(input, d.endpoint);
    if (mean <= 0) continue;
    const share = d.unexplainedMs / mean;
    if (d.unexplainedMs < config.get('slowDependency.minMs') || share < config.get('slowDependency.share')) continue;
    // Queueing for a saturated CPU or behind a blocked event loop also looks like unexplained wait:
    // judge both in the seconds this endpoint ran (in a profile run, its own step).
    const cpu = duringEndpoint(input, d.endpoint, input.probes.process?.series ?? input.probes.prometheus?.series, 'cpuPercent');
    if (cpu.length >= 2 && quantile(cpu, 0.9) >= config.get('cpu.saturatedPercent')) continue;
    const lag = duringEndpoint(input, d.endpoint, input.probes.prometheus?.series, 'eventLoopLagP99Ms');
    // A blocked loop explains a wait only as far as its own delay reaches: 50 ms of loop delay does not
    // explain 200 ms of waiting (the same principle the ranking applies to a late generator).
    const loopMs = lag.length > 0 ? quantile(lag, 0.5) : 0;
    if (loopMs >= config.get('eventLoop.p99LagMs') && loopMs >= 0.5 * d.unexplainedMs) continue;
    const bound = d.unexplainedBound;
    // A host whose cores were all busy in most of this endpoint's seconds queues every runnable thread for a
    // core. It explains the wait as far as that queueing reaches: the request's own CPU of S ms waits about
    // S · C(c, ρ) / (c · (1 − ρ)) for a core (M/M/c, host.ts) — at least half the unexplained wait, as for a
    // blocked loop above. Only the service's CPU: the database's time is measured wall time, its own wait
    // for a core already in it. Judged on the cost model's CPU per request only: the utilization-law bound
    // (a run too short for the regression) is an upper one and cannot show that the host explains anything.
    const cores = input.probes.process?.data.host?.cores ?? 0;
    const hostCpu = cores > 0 && !bound && d.cpuMs !== undefined ? duringEndpoint(input, d.endpoint, input.probes.process?.series, 'hostCpuPercent') : [];
    const hostMedian = hostCpu.length >= 2 ? quantile(hostCpu, 0.5) : 0;
    const hostWaitMs = hostMedian > 0 ? (d.cpuMs ?? 0) * coreWaitPerCpuMs(cores, hostMedian / (cores * 100)) : 0;
    const hostSaturated = hostMedian >= hostSaturatedPercent(config, cores) && hostWaitMs >= 0.5 * d.unexplainedMs;
    const named = unknownRemotes.slice(0, 3);
    // The process probe watched the sockets and saw no connection except to the probed database/cache:
    // the wait is more likely in-process (queueing, round trips) than a remote service, so say so quietly.
    const sawNoOtherRemote = !!input.probes.process?.series.values.outboundConnections && unknownRemotes.length === 0;
    const evidence: Evidence[] = [{ label: 'mean service time', value: mean, unit: 'ms', source: 'load' }];
    if (bound) {
      const source = 'utilization law: the whole run per request of this endpoint';
      evidence.push({ label: 'unexplained wait per request, at least', value: d.unexplainedMs, unit: 'ms', source });
      evidence.push({ label: 'CPU per request, at most', value: bound.cpuMsAtMost, unit: 'ms', source });
      if (bound.dbMsAtMost !== undefined) evidence.push({ label: 'database time per request, at most', value: bound.dbMsAtMost, unit: 'ms', source });
    } else {
      evidence.push({ label: 'unexplained wait per request', value: d.unexplainedMs, unit: 'ms', source: `cost model (${d.method})` });
      evidence.push({ label: 'CPU per request', value: d.cpuMs ?? 0, unit: 'ms', source: `cost model (${d.method})` });
      if (d.dbMs !== undefined) evidence.push({ label: 'database time per request', value: d.dbMs, unit: 'ms', source: `cost model (${d.method})` });
    }
    for (const r of named) evidence.push({ label: `outbound connections to ${r.address}:${r.port}`, value: r.maxConnections, unit: 'connections', source: '/proc/<pid>/net/tcp' });
    const who = named.length > 0 ? named.map((r) => `${r.address}:${r.port}`).join(', ') : undefined;
    // A wait is a fault or a design only by the endpoint's objective: within every objective the plan states
    // for it, the wait is what the dependency costs (low); broken or unstated, the rule's own grading stands.
    const summary = input.result.endpoints.find((e) => e.endpoint === d.endpoint);
    const checks = summary ? checkObjectives(objectives, summary) : [];
    const withinObjectives = checks.length > 0 && checks.every((c) => c.met);
    for (const c of checks) evidence.push({ label: `${describeCheck(c)}: ${c.met ? 'met' : 'broken'}`, value: c.measuredMs, unit: 'ms', source: `plan (${c.objective.source})` });
    // Without an objective, an earlier run of the service is the other scale a wait has: the same wait as then
    // is what the dependency costs; a wait that grew beyond the runs' noise is a change (reference.ts).
    const current = waitOf(input.result, d);
    const change = current ? waitChange(input.reference, d.endpoint, current, config.get('slowDependency.referenceGrowth')) : undefined;
    if (change) {
      const source = `reference run${change.reference.runIds.length > 1 ? 's' : ''} ${change.reference.runIds.join(', ')}`;
      const ref = change.reference;
      evidence.push({ label: `unexplained wait per request in the reference${ref.leastMs !== ref.mostMs ? ', at most' : ''}`, value: ref.mostMs, unit: 'ms', source });
      evidence.push({ label: `change since the reference${change.bounded ? ', at least' : ''} (standard error ${fmt(change.stdErrorMs)} ms)`, value: change.deltaMs, unit: 'ms', source: `${source}; this run's cost model` });
    }
    const sameAsReference = checks.length === 0 && change !== undefined && !change.grew;
    if (hostSaturated) {
      evidence.push({ label: "host CPU in this endpoint's seconds (median)", value: hostMedian, unit: `% of one core (${cores} cores)`, source: 'process probe /proc/stat' });
      evidence.push({ label: 'wait for a core per request (its CPU × C(c, ρ) / (c (1 − ρ)), M/M/c)', value: hostWaitMs, unit: 'ms', source: 'process probe, cost model' });
    }
    const graded = sawNoOtherRemote || hostSaturated ? 'low' : share >= 0.8 && d.unexplainedMs >= 2 * config.get('slowDependency.minMs') ? 'high' : 'medium';
    out.push(
      makeFinding({
        rule: 'slow-dependency',
        category: 'slow-dependency',
        subject: d.endpoint,
        severity: withinObjectives || sameAsReference ? 'low' : graded,
        endpoint: d.endpoint,
        title: who ? `${d.endpoint} waits on a dependency (${who})` : `${d.endpoint} spends ${pct(share)} of its time waiting`,
        summary: `${bound ? `At least ${fmt(d.unexplainedMs)} of ${fmt(mean)} ms per request is neither CPU (at most ${fmt(bound.cpuMsAtMost)} ms, all of the process's CPU over the run per request of this endpoint)${bound.dbMsAtMost !== undefined ? `, database (at most ${fmt(bound.dbMsAtMost)} ms)` : ''} nor cache work` : `${fmt(d.unexplainedMs)} of ${fmt(mean)} ms per request is neither CPU (${fmt(d.cpuMs ?? 0)} ms)${dbMeasured ? `, database (${fmt(d.dbMs ?? 0)} ms)` : ''} nor cache work`}: the endpoint waits on something outside the process${who ? `; the service holds connections to ${who}` : ''}${sawNoOtherRemote ? '; yet the service had no TCP connection except to the probed database/cache, so look for queueing inside the service (pool, event loop, sequential round trips)' : ''}.${hostSaturated ? ` But the host's ${cores} cores were saturated in most of its seconds: its own CPU work waited about ${fmt(hostWaitMs)} ms per request for a core, enough to explain this wait, so it is the host's until a core is free (see the CPU findings).` : ''}${dbMeasured ? '' : ' The database was not probed, so its time is part of this wait.'}${withinObjectives ? ` The endpoint meets its latency objective${checks.length > 1 ? 's' : ''} (${checks.map(describeCheck).join('; ')}), so the wait is what the dependency costs, not a fault; tighten the objective if it is too slow.` : checks.length > 0 ? ` It breaks its latency objective (${checks.filter((c) => !c.met).map(describeCheck).join('; ')}).` : ''}${change ? describeChange(change, sameAsReference) : input.reference && checks.length === 0 ? " The reference runs measured no wait of this endpoint to judge it by." : ''}`,
        evidence,
        metrics: { waitMsPerRequest: d.unexplainedMs },
        recommendation: {
          text: 'Measure the outgoing call (timing or OpenTelemetry spans per dependency). Then: call it concurrently instead of serially (Promise.all), cache its answers, set a timeout with retry and backoff, and keep connections alive (undici Agent / http.Agent keepAlive with enough connections).',
        },
        confidence: (named.length > 0 ? 0.75 : sawNoOtherRemote ? 0.35 : dbMeasured ? 0.6 : 0.45) * (bound ? 0.8 : 1) * (hostSaturated ? 0.5 : 1),
        impact: share,
        attribution: d.method === 'profile' ? 'direct' : 'mixed-estimate',
      }),
    );
  }
  return out;
}

/** `p95 212 ms, objective 95 % within 300 ms` for an objective check. */
function describeCheck(c: ObjectiveCheck): string {
  return `p${c.percentile} ${fmt(c.measuredMs)} ms, objective ${fmt(c.objective.objective * 100)} % within ${fmt(c.objective.thresholdMs)} ms`;
}

/** The sentence a finding gains when a reference judged its wait. */
function describeChange(c: WaitChange, same: boolean): string {
  const runs = `the reference run${c.reference.runIds.length > 1 ? 's' : ''} (${c.reference.runIds.join(', ')})`;
  const then = c.reference.leastMs !== c.reference.mostMs ? `${fmt(c.reference.leastMs)}–${fmt(c.reference.mostMs)}` : fmt(c.reference.mostMs);
  const delta = `growth${c.bounded ? ' at least' : ''} ${c.deltaMs >= 0 ? '+' : '−'}${fmt(Math.abs(c.deltaMs))} ms, standard error ${fmt(c.stdErrorMs)} ms`;
  if (same) return ` It waited ${then} ms a request in ${runs}, and it did not grow beyond their noise (${delta}): the wait is what the dependency costs, not a change.`;
  // One run's standard error is its own requests' spread; how much a wait moves from one run to the next only
  // several reference runs show (bistro: the same healthy build waited 285 ms in one run, 386 ms in another).
  const single = c.reference.runIds.length === 1 ? ' One reference run cannot show how much the wait moves between runs: judge against two or more before calling it a regression.' : '';
  return ` It waited ${then} ms a request in ${runs}: the wait grew (${delta}), a change since then.${single}`;
}
