/**
 * event-loop-blocked: synchronous work on the service's main thread delays
 * every other request. Two signals, either suffices:
 *
 * - the loop delay prom-client reports, against Clinic.js Doctor's limits
 *   (median ≥ 10 ms or max ≥ 100 ms) and overload-protection's 42 ms p99;
 * - a blocking handler: an endpoint whose synchronous work on the main thread
 *   (the cost model's main-thread CPU per request, from
 *   `/proc/<pid>/task/<pid>/stat`) delays the other requests beyond those
 *   limits — judged by its share of the main thread and the queueing at the
 *   loop's utilization (loop-delay.ts#loopDelayCausedBy), not by a fixed CPU
 *   per request. When the delay is measured, its per-scrape maximum must
 *   confirm the block (work cut into many short callbacks uses CPU without
 *   holding the loop).
 *
 * @module
 */
import type { Evidence, Finding } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { numbers } from '../evidence.js';
import { causesBlocking, loopDelayCausedBy, loopDelayOver, mainThreadUtilization, mainThreadUtilizationSeries, readLoopDelay, type CausedDelay, type LoopDelay } from './loop-delay.js';
import { cpuHeavyEndpoints, cpuSaturated, nonGcShareOfMainThread, serviceCpu } from './node.js';
import { demandAttribution } from './attribution.js';
import { PHYSICAL_SLACK } from '../demand.js';
import { hostHeldByOthers } from './host.js';
import { fmt, makeFinding, pct, serviceMean, summaryOf, type DiagnosisInput } from './types.js';

/**
 * A loose regression estimate still names a blocking handler when the timings corroborate it: the loop
 * shows blocks of at least half its CPU per request (its per-scrape maximum), the endpoint's typical request
 * lasts at least half of it (a request cannot hold the loop for longer than it runs), and the estimate makes
 * the endpoint CPU-bound (≥ half its mean service time): a dependency-bound endpoint lasts long without computing.
 */
function corroborated(input: DiagnosisInput, endpoint: string, ms: number, delay: LoopDelay | undefined): boolean {
  if (!delay || delay.maxP90 < 0.5 * ms) return false;
  const summary = summaryOf(input, endpoint);
  if (!summary) return false;
  return summary.serviceTime.p50 >= 0.5 * ms && ms >= 0.5 * summary.serviceTime.mean;
}

/** An endpoint whose every request holds the loop for `ms` of synchronous CPU, and the delay that causes to the others. */
interface BlockingHandler {
  endpoint: string;
  ms: number;
  /** Where `ms` comes from: the main thread alone, or the whole process (thread pool included). */
  source: 'main thread' | 'process';
  caused: CausedDelay;
  /** The endpoint's share of the main thread's synchronous work (rate × block over the sum for all endpoints). */
  share: number;
}

/**
 * Endpoints whose synchronous work delays the other requests beyond the limits, worst first. Each endpoint
 * is judged by the loop delay it causes (loop-delay.ts#loopDelayCausedBy: its share of the main thread and
 * the queueing at the loop's utilization), not by a fixed CPU per request: a 12 ms handler at a high rate
 * on a busy loop delays its neighbours as much as a 40 ms one on an idle loop. Main-thread CPU is
 * synchronous by construction; whole-process CPU (no per-thread data) also counts the thread pool, so it is
 * used only when a measured loop delay can confirm it.
 */
function blockingHandlers(input: DiagnosisInput, config: RuleConfig, delay: LoopDelay | undefined): BlockingHandler[] {
  // The main thread is the event loop only in a single-loop runtime; in Go or a threaded server it is one
  // worker among many. Without a measured loop delay, trust it only when the process is Node.js.
  if (!delay && !looksLikeNode(input)) return [];
  // GC pauses run on the main thread too: only the rest of its CPU is the handlers' own synchronous work.
  const nonGc = nonGcShareOfMainThread(input);
  const candidates: { endpoint: string; ms: number; judged: number; source: BlockingHandler['source']; loose: boolean }[] = [];
  const mainMeasured = input.demand.demands.some((d) => d.mainThreadCpuMs !== undefined);
  for (const d of input.demand.demands) {
    const main = d.mainThreadCpuMs === undefined ? undefined : d.mainThreadCpuMs * nonGc;
    const se = d.mainThreadCpuMs === undefined ? d.stdError?.cpuMs : d.stdError?.mainThreadCpuMs === undefined ? undefined : d.stdError.mainThreadCpuMs * nonGc;
    const ms = main ?? (delay && !mainMeasured ? d.cpuMs : undefined);
    if (ms === undefined) continue;
    // A regression estimate (mixed run) counts by its lower bound, estimate − 2 standard errors: a dozen
    // seconds over ten endpoints leaves some demands loose, and a loose one must not name a handler.
    const judged = d.method === 'profile' ? ms : se === undefined ? 0 : Math.max(0, ms - 2 * se);
    candidates.push({ endpoint: d.endpoint, ms, judged, source: main !== undefined ? 'main thread' : 'process', loose: d.method !== 'profile' });
  }
  const utilization = mainThreadUtilizationSeries(input);
  const sure = new Map(loopDelayCausedBy(input, candidates.map((c) => ({ endpoint: c.endpoint, blockMs: c.judged })), utilization).map((x) => [x.endpoint, x]));
  const point = new Map(loopDelayCausedBy(input, candidates.map((c) => ({ endpoint: c.endpoint, blockMs: c.ms })), utilization).map((x) => [x.endpoint, x]));
  const totalWork = [...point.values()].reduce((a, x) => a + x.utilization, 0);
  // The loop's delays corroborate a loose estimate only when they are the service's own: on a host held by
  // other processes they are the wait for a core (see hostHeldByOthers), whatever the estimate says.
  const delaysAreOwn = !hostHeldByOthers(input, config);
  const out: BlockingHandler[] = [];
  for (const c of candidates) {
    const caused = point.get(c.endpoint)!;
    const blocks = causesBlocking(sure.get(c.endpoint)!, config) || (c.loose && delaysAreOwn && c.source === 'main thread' && causesBlocking(caused, config) && corroborated(input, c.endpoint, c.ms, delay));
    if (blocks) out.push({ endpoint: c.endpoint, ms: c.ms, source: c.source, caused, share: totalWork > 0 ? caused.utilization / totalWork : 0 });
  }
  return (
    out
      // Synchronous work runs inside its own request's service time, so a demand above that time is an artefact
      // of the regression (a mixed run with few seconds per endpoint), not a block.
      .filter((h) => h.ms <= PHYSICAL_SLACK * serviceMean(input, h.endpoint))
      // A measured delay confirms a block when its per-scrape maximum reaches half the handler's CPU:
      // the sampler's timer lands inside a block at a random point, so it sees half of it on average.
      .filter((h) => !delay || delay.maxP90 >= 0.5 * h.ms)
      .sort((a, b) => b.caused.meanWaitMs - a.caused.meanWaitMs || b.ms - a.ms)
  );
}

/** event-loop-blocked: Clinic.js Doctor's delay limits, or a handler whose blocks delay the other requests beyond them. */
export function eventLoopBlockedRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const delay = readLoopDelay(input);
  const blockingMs = config.get('eventLoop.blockingMs');
  const loopOver = !!delay && loopDelayOver(delay, config);
  const blockers = blockingHandlers(input, config, delay);
  if (!loopOver && blockers.length === 0) return [];
  // Sustained GC with no handler blocking on its own: the pauses are the delay, and gc-pressure claims it
  // (Clinic Doctor files a GC issue before an event-loop one). A saturated CPU is reported by its own rule.
  const gc = numbers(input.probes.prometheus?.series.values.gcMsPerS);
  const gcSustained = gc.length >= 3 && gc.reduce((a, b) => a + b, 0) / gc.length >= config.get('gc.msPerSecond');
  if (blockers.length === 0 && gcSustained && !cpuSaturated(input, config)) return [];

  const worst = delay ? Math.max(delay.p99, delay.p50) : 0;
  const maxP90 = delay?.maxP90 ?? 0;
  const cpu = serviceCpu(input);
  const cpuMean = cpu ? cpu.values.reduce((a, b) => a + b, 0) / cpu.values.length : undefined;
  // Without a blocking handler, an endpoint is named only when its CPU work can explain the delay: on a busy
  // loop (≥ half a core) back-to-back requests add up, so a modest share of the delay will do; on a mostly idle
  // loop a delay of D ms needs one task of about D ms, and a handler far shorter than that did not cause it.
  const busyLoop = cpuMean !== undefined && cpuMean >= 50;
  const blockMs = Math.max(worst, maxP90);
  const minTaskMs = busyLoop ? 0.1 * Math.max(worst, maxP90 / 4) : 0.25 * blockMs;
  const heavy = blockers.length > 0
    ? blockers.slice(0, 2).map((b) => ({ endpoint: b.endpoint, cpuMs: b.ms, share: cpuHeavyEndpoints(input).find((h) => h.endpoint === b.endpoint)?.share }))
    : cpuHeavyEndpoints(input)
        .filter((h) => h.share >= 0.2 && h.cpuMs >= Math.max(1, minTaskMs))
        // On a mostly idle loop one request made the block, and a request cannot hold the loop longer than it lasts.
        .filter((h) => busyLoop || (summaryOf(input, h.endpoint)?.serviceTime.p50 ?? 0) >= 0.5 * blockMs)
        .slice(0, 2)
        .map((h) => ({ endpoint: h.endpoint, cpuMs: h.cpuMs, share: h.share as number | undefined }));
  const evidence: Evidence[] = [...(delay?.evidence ?? [])];
  for (const b of blockers.slice(0, 2)) {
    evidence.push(
      { label: `synchronous CPU per request, ${b.endpoint}`, value: b.ms, unit: 'ms', source: b.source === 'main thread' ? 'cost model, /proc/<pid>/task/<pid>/stat' : 'cost model, /proc/<pid>/stat' },
      { label: `share of the main thread's synchronous work, ${b.endpoint}`, value: b.share, unit: 'ratio', source: 'cost model × request rate' },
      { label: `mean loop delay it causes to other requests, ${b.endpoint}`, value: b.caused.meanWaitMs, unit: 'ms', source: 'queueing model (M/G/1)' },
      { label: `p99 loop delay it causes to other requests, ${b.endpoint}`, value: b.caused.p99WaitMs, unit: 'ms', source: 'queueing model (M/G/1)' },
    );
  }
  const utilization = mainThreadUtilization(input);
  if (blockers.length > 0 && utilization !== undefined) evidence.push({ label: 'main-thread utilization', value: utilization, unit: 'ratio', source: '/proc/<pid>/task/<pid>/stat' });
  if (blockers.length === 0) for (const h of heavy) evidence.push({ label: `CPU per request, ${h.endpoint}`, value: h.cpuMs, unit: 'ms', source: 'cost model' });
  if (cpu && cpuMean !== undefined) evidence.push({ label: 'service CPU mean', value: cpuMean, unit: '% of one core', source: cpu.source });
  const meanService = input.result.totals.serviceTime.mean || input.result.endpoints[0]?.serviceTime.mean || 0;

  // Delay without CPU-heavy handlers and with an idle process: the host (other processes, CPU steal) delays the loop.
  // So does a busy host held mostly by other processes, whatever the service does: without a handler whose own
  // synchronous CPU explains the delay, the loop waited for a core, and the endpoint with the most CPU is not its cause.
  const contended = blockers.length === 0 ? hostHeldByOthers(input, config) : undefined;
  if ((heavy.length === 0 && cpuMean !== undefined && cpuMean < 50) || contended) {
    return [
      makeFinding({
        rule: 'event-loop-blocked',
        category: 'event-loop-blocked',
        subject: 'service',
        severity: 'low',
        title: contended ? `Event-loop delay on a host held by other processes (${fmt(contended.othersPercent)} % of a core)` : 'Event-loop delay while the service is mostly idle (host contention?)',
        summary: contended
          ? `Event-loop delay p99 ${fmt(delay?.p99 ?? 0)} ms, max ${fmt(maxP90)} ms, while the host's ${contended.cores} cores were ${pct(contended.busyShare)} busy and processes outside the system under test held ${fmt(contended.othersPercent)} % of a core; no handler's own synchronous CPU per request explains the delay, so the loop waited for a core. Measure on a quieter host before changing code.`
          : `Event-loop delay p99 ${fmt(delay?.p99 ?? 0)} ms, max ${fmt(maxP90)} ms, but the service used only ${fmt(cpuMean ?? 0)} % of a core and no endpoint does enough CPU work per request to cause it: other processes on the host (or CPU steal) delay the loop. Measure on a quieter host before changing code.`,
        evidence,
        recommendation: { text: 'Check the host: other CPU-heavy processes, container CPU limits (throttling), noisy neighbours. Run the load generator on another machine.' },
        confidence: 0.5,
        impact: meanService > 0 ? Math.min(1, worst / meanService) * 0.5 : 0.2,
      }),
    ];
  }

  const top = blockers[0];
  const severe =
    (!!delay && (delay.p99 >= 2 * config.get('eventLoop.p99LagMs') || delay.maxP90 >= 2 * config.get('eventLoop.maxLagMs') || delay.p50 >= 2 * config.get('eventLoop.p50LagMs'))) ||
    (!!top && !!delay && (top.caused.p99WaitMs >= 2 * blockingMs || top.caused.meanWaitMs >= 2 * config.get('eventLoop.p50LagMs')));
  // How much latency the block explains: the loop-wide delay relative to a typical request, or the blocking
  // handler's own synchronous share of its latency — whichever is larger.
  const loopImpact = delay && meanService > 0 ? Math.min(1, worst / meanService) : 0;
  const handlerMean = top ? serviceMean(input, top.endpoint) : 0;
  const handlerImpact = top && handlerMean > 0 ? Math.min(1, top.ms / handlerMean) : 0;
  // The delay the handler causes to the other endpoints, as a share of their mean service time.
  const others = input.result.endpoints.filter((e) => e.endpoint !== top?.endpoint && e.requests > 0);
  const othersMean = others.reduce((a, e) => a + e.requests * e.serviceTime.mean, 0) / Math.max(1, others.reduce((a, e) => a + e.requests, 0));
  const causedImpact = top && othersMean > 0 ? Math.min(1, top.caused.meanWaitMs / othersMean) : 0;
  const delayText = delay ? `Event-loop delay p99 ${fmt(delay.p99)} ms, max ${fmt(maxP90)} ms` : 'The event-loop delay is not measured (no prom-client metrics)';
  const blockText = top
    ? ` ${top.endpoint} runs ${fmt(top.ms)} ms of synchronous CPU per request${top.source === 'main thread' ? ' on the main thread' : ''}: the loop serves nothing else meanwhile, so a request arriving then waits up to that long, and the service cannot exceed ~${fmt(1000 / top.ms)} req/s of it. At ${fmt(top.caused.rps)} req/s that is ${pct(top.share)} of the main thread's synchronous work; with the loop ${pct(mainThreadUtilization(input) ?? top.caused.utilization)} busy, every other request waits ${fmt(top.caused.meanWaitMs)} ms for it on average (p99 ${fmt(top.caused.p99WaitMs)} ms).`
    : heavy.length > 0 && heavy[0]!.share !== undefined
      ? ` ${heavy[0]!.endpoint} spends ${fmt(heavy[0]!.cpuMs)} ms of CPU per request (${pct(heavy[0]!.share)} of the service's CPU).`
      : '';
  return [
    makeFinding({
      rule: 'event-loop-blocked',
      category: 'event-loop-blocked',
      subject: 'service',
      severity: severe ? 'high' : 'medium',
      endpoint: heavy[0]?.endpoint,
      endpoints: heavy.map((h) => h.endpoint),
      title: heavy.length > 0 ? `Synchronous work blocks the event loop (${top ? `${fmt(top.ms)} ms per request in ` : 'most CPU per request: '}${heavy[0]!.endpoint})` : 'The event loop is blocked by synchronous work',
      summary: `${delayText}: while one request runs synchronous code, every other request waits.${blockText}`,
      evidence,
      recommendation: {
        text: `Move CPU-heavy synchronous work (hashing, JSON of large objects, sync crypto/zlib/fs, big loops) off the event loop: use the async API, a worker_threads pool, or precompute/cache the result. Find the hot frames with \`node --cpu-prof\` or \`clinic flame\`; add load shedding (503 when delay > 42 ms) as a safety net.${delay ? '' : ' Expose prom-client\'s default metrics at /metrics and pass --metrics to measure the loop delay itself.'}`,
        code: 'crypto.pbkdf2Sync(...) → await util.promisify(crypto.pbkdf2)(...)  // or run in a worker_threads pool',
      },
      confidence: delay ? 0.85 : 0.6,
      impact: Math.max(loopImpact, handlerImpact, causedImpact, delay ? 0 : 0.3),
      attribution: demandAttribution(input, heavy.map((h) => h.endpoint)),
    }),
  ];
}

/** Is the probed process a Node.js runtime (by name or command line)? Node 24 names its main thread "MainThread". */
function looksLikeNode(input: DiagnosisInput): boolean {
  const data = input.probes.process?.data;
  if (!data) return false;
  return data.comm === 'node' || data.comm === 'MainThread' || /(^|[/\s])(node|nodejs)(\s|$)/.test(data.cmdline ?? '');
}
