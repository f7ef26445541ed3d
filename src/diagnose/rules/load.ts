/**
 * Rules on what the load generator saw: error rate, large payloads, a
 * service past its capacity (overload), a generator that limited the run
 * itself, and a host whose other processes held the CPU (host contention).
 *
 * @module
 */
import type { Finding, FindingCategory, Severity } from '../../result/types.js';
import { generatorEvidenceKind } from '../../result/legacy.js';
import type { ProcessProbeData } from '../../probes/process/types.js';
import type { RuleConfig } from '../config.js';
import { applicationErrorEndpoints, isOverloaded, overloadFacts, saturatedResource } from './overload.js';
import { poolHold } from './pool-hold.js';
import { hostHeldByOthers } from './host.js';
import { measuredSaturation } from './node.js';
import { fmt, makeFinding, pct, type DiagnosisInput } from './types.js';

/** error-rate: an endpoint whose failed share exceeds `errorRate.ratio` (APA: 5xx > 5 %). */
export function errorRateRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const limit = config.get('errorRate.ratio');
  const out: Finding[] = [];
  const own = applicationErrorEndpoints(input.result, config);
  for (const e of input.result.endpoints) {
    if (e.requests < config.get('errorRate.minRequests') || e.errorRate < limit) continue;
    // A 4xx is the answer to the request (not found, a conflict, invalid input: RFC 9110 §15.5), a 5xx or a failed
    // connection the service failing (§15.6); 408 and 429 are the service shedding load. The failures the rate is
    // judged by are the service's: an endpoint that fails only by answering 4xx is said at low, as a question about
    // the plan's data or the business rule (Envoy and the APA alerts judge 4xx apart from 5xx, at a looser limit).
    // Counted from the statuses (a plan may expect a 404, so `failed` holds only the unexpected ones), at most `failed`.
    const count = (keep: (status: number, raw: string) => boolean) => Object.entries(e.statuses).filter(([raw]) => keep(Number(raw), raw)).reduce((a, [, n]) => a + (n ?? 0), 0);
    const serviceFailed = Math.min(e.failed, count((status, raw) => raw === '0' || status >= 500 || SHEDDING_STATUSES.has(status)));
    const clientErrors = Math.max(0, e.failed - serviceFailed);
    const serviceRate = e.requests > 0 ? serviceFailed / e.requests : 0;
    const onlyAnswers = serviceRate < limit;
    // Too few failures to call the rate a measured fact: said at low (see errorRate.minFailures).
    const fewFailures = serviceFailed < config.get('errorRate.minFailures');
    const severity: Severity = onlyAnswers || fewFailures ? 'low' : serviceRate >= 0.5 ? 'critical' : serviceRate >= 0.05 ? 'high' : 'medium';
    const kinds = Object.entries(e.errors).filter(([, n]) => (n ?? 0) > 0);
    const failedStatuses = Object.entries(e.statuses).filter(([s]) => Number(s) >= 400 || s === '0');
    const transport = kinds.filter(([k]) => k !== 'http');
    out.push(
      makeFinding({
        rule: 'error-rate',
        category: 'error-rate',
        subject: e.endpoint,
        severity,
        endpoint: e.endpoint,
        title: onlyAnswers ? `${pct(e.errorRate)} of ${e.endpoint} requests failed, ${pct(clientErrors / e.requests)} with a 4xx answer` : `${pct(e.errorRate)} of ${e.endpoint} requests failed`,
        summary: `${e.failed} of ${e.requests} requests failed (${kinds.map(([k, n]) => `${k}: ${n}`).join(', ') || 'no kind recorded'}).${onlyAnswers ? ` ${clientErrors} of them were answered with a 4xx (${failedStatuses.filter(([s]) => Number(s) >= 400 && Number(s) < 500 && !SHEDDING_STATUSES.has(Number(s))).map(([s, n]) => `${s}: ${n}`).join(', ')}): the service answered that the request cannot be served (not found, a conflict, invalid input), which is the plan's data or a business rule, not the service failing; check the plan's IDs and payloads.` : ` Errors are a symptom: the other findings usually name the cause (a saturated pool or a timeout).${fewFailures ? ` Only ${serviceFailed} failed${clientErrors > 0 ? ' other than with a 4xx' : ''}: too few to say the rate is above ${pct(limit)} (run longer to measure it).` : ''}`}`,
        evidence: [
          { label: 'error rate', value: e.errorRate, unit: 'ratio', source: 'load' },
          { label: 'failed requests', value: e.failed, unit: 'requests', source: 'load' },
          ...failedStatuses.map(([s, n]) => ({ label: `HTTP ${s}`, value: n, unit: 'responses', source: 'load' })),
          ...transport.map(([k, n]) => ({ label: `${k} errors`, value: n ?? 0, unit: 'requests', source: 'load' })),
          ...own.filter((x) => x.endpoint === e.endpoint).map((x) => ({ label: 'server errors (5xx but 503/504) among answered requests', value: x.share, unit: 'ratio', source: 'load (its own handler: concentrated on this endpoint)' })),
        ],
        recommendation: {
          text: transport.length > 0
            ? 'Connections failed or timed out: check the service\'s capacity (accept queue, max connections, timeouts) and the findings about saturation.'
            : 'Read the service log for these responses; if 5xx appear only under load, look for pool timeouts and resource limits in the other findings.',
        },
        confidence: 0.95,
        // Failing requests are worse than slow ones: weigh by the failed share, at least a third.
        impact: Math.max(onlyAnswers ? e.errorRate : serviceRate, 0.35),
      }),
    );
  }
  return out;
}

/** Statuses of a service shedding load rather than answering the request: Request Timeout, Too Many Requests. */
const SHEDDING_STATUSES: ReadonlySet<number> = new Set([408, 429]);

/** large-payload: mean response body ≥ `largePayload.bytes` (Sentry: 300 kB). */
export function largePayloadRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const limit = config.get('largePayload.bytes');
  const out: Finding[] = [];
  for (const e of input.result.endpoints) {
    if (e.requests === 0 || e.meanResponseBytes < limit) continue;
    const mbPerS = (e.meanResponseBytes * e.rps) / 1e6;
    out.push(
      makeFinding({
        rule: 'large-payload',
        category: 'large-payload',
        subject: e.endpoint,
        // Sentry's detector calls a response over its limit a performance issue: medium, as an issue of its own.
        severity: 'medium',
        endpoint: e.endpoint,
        title: `${e.endpoint} returns ${fmt(e.meanResponseBytes / 1024)} KiB per response`,
        summary: `Mean response body ${fmt(e.meanResponseBytes / 1024)} KiB (${fmt(mbPerS)} MB/s at the tested rate). Serialising and sending it costs CPU and bandwidth on every request.`,
        evidence: [
          { label: 'mean response size', value: e.meanResponseBytes, unit: 'bytes', source: 'load' },
          { label: 'bytes received', value: e.bytesReceived, unit: 'bytes', source: 'load' },
          { label: 'rate', value: e.rps, unit: 'req/s', source: 'load' },
        ],
        recommendation: {
          text: 'Paginate or limit the result set, select only the fields the client needs, and enable compression (gzip/br) for text responses.',
        },
        confidence: 0.9,
        impact: 0.15,
      }),
    );
  }
  return out;
}

/**
 * How much of the run the generator's limits distort (0..1): the share of
 * iterations that started late or were dropped, the typical delay its own
 * event loop added to a measured latency (p50 over the mean service time),
 * and 1 when its CPU was exhausted. The engine marks `saturated` on any
 * breach of its limits, however slight; this says how much that matters for
 * the findings about the service.
 */
export function generatorDistortion(result: DiagnosisInput['result']): number {
  const g = result.generator;
  const started = result.series.iterations.reduce((a, b) => a + b, 0) || result.totals.requests;
  const affected = started + g.droppedIterations > 0 ? (g.lateStarts + g.droppedIterations) / (started + g.droppedIterations) : 0;
  const meanService = result.totals.serviceTime.mean;
  const loop = meanService > 0 ? g.eventLoopDelay.p50 / meanService : 0;
  // A core held at the top starves every timer: all timings are suspect.
  const cpu = g.cpuPercent.mean >= 90 ? 1 : 0;
  return Math.min(1, Math.max(affected, loop, cpu));
}

/**
 * generator-saturated: the generator limited the run. For results that
 * carry the engine's judgement by effect and cause (`generator.limitedBy`):
 * only when its own CPU was exhausted, with severity from how much its delays
 * distorted the measured latencies (`generator.distortion`, against the
 * engine's limit: high from twice the limit, medium from the limit, low
 * below). Drops with the generator's CPU free are the service's slowness: the
 * overload finding reports them when the load shows the service past its
 * capacity, otherwise a low note on the VUs. Older results keep the former
 * judgement ({@link generatorDistortion}).
 */
export function generatorSaturatedRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const g = input.result.generator;
  if (g.limitedBy !== undefined) {
    if (g.limitedBy === 'generator-cpu' && g.saturated) {
      const share = g.distortion?.share ?? 0;
      const limit = g.distortion?.limit ?? 0.1;
      const severity: Severity = share >= 2 * limit ? 'high' : share >= limit ? 'medium' : 'low';
      return [generatorFinding(input, severity, share)];
    }
    const dropped = (g.lateness ?? []).some((e) => generatorEvidenceKind(e) === 'dropped-iterations');
    const facts = overloadFacts(input.result);
    if (dropped && !(facts && isOverloaded(facts, config))) return [vusExhausted(input)];
    return [];
  }
  if (!g.saturated) return [];
  // Dropped iterations alone, with the generator's CPU and loop healthy: every VU was busy waiting for the
  // service. By Little's law the VUs needed are rate × latency, so a slow service exhausts them: the run
  // offered less than planned, but the service — not the generator — is what the other findings explain.
  if (g.evidence.length > 0 && g.evidence.every((e) => generatorEvidenceKind(e) === 'dropped-iterations')) return [vusExhausted(input)];
  const distortion = generatorDistortion(input.result);
  const severity: Severity = distortion >= 0.2 ? 'high' : distortion >= 0.05 ? 'medium' : 'low';
  return [generatorFinding(input, severity, distortion)];
}

function generatorFinding(input: DiagnosisInput, severity: Severity, distortion: number): Finding {
  const g = input.result.generator;
  return makeFinding({
    rule: 'generator-saturated',
    category: 'generator-saturated',
    subject: 'generator',
    severity,
    title: severity === 'low' ? 'The load generator was busy, without distorting the measured latencies much' : 'The load generator, not the service, limited this run',
    summary: `The generator could not keep up (${g.evidence.map((e) => `${e.label} ${fmt(e.value)} ${e.unit} > ${fmt(e.limit)}`).join('; ') || 'see generator health'}).${g.distortion ? ` Its delays were ${pct(g.distortion.share)} of the measured latency (${g.distortion.basis}).` : ''} Latency and throughput figures are partly the generator's, not the service's.`,
    evidence: [
      ...g.evidence.map((e) => ({ label: e.label, value: e.value, unit: e.unit, source: 'generator' })),
      { label: 'generator event-loop delay p99', value: g.eventLoopDelay.p99, unit: 'ms', source: 'generator' },
      { label: 'generator CPU mean', value: g.cpuPercent.mean, unit: '% of one core', source: 'generator' },
      ...(g.startLag ? [{ label: 'start lag p99 (response − service time)', value: g.startLag.p99, unit: 'ms', source: 'generator' }] : []),
      { label: 'late starts', value: g.lateStarts, unit: 'iterations', source: 'generator' },
      { label: 'dropped iterations', value: g.droppedIterations, unit: 'iterations', source: 'generator' },
      { label: 'share of the latency distorted', value: distortion, unit: 'ratio', source: 'generator' },
    ],
    metrics: { generatorDelayP99Ms: g.eventLoopDelay.p99 },
    recommendation: {
      text: 'Give the generator more room: use worker threads (--workers), run it on another machine, or split the load into execution segments.',
    },
    confidence: 0.9,
    impact: distortion,
  });
}

/**
 * overload: the offered load exceeds what the service sustains, judged from
 * the load itself (see `overload.ts`): completions fall short of the offered
 * arrivals by `overload.deficitShare` or more over the run's second half, or
 * that share of iterations was dropped (no free VU) or cut at the end, or
 * (with half that deficit) the response time grew by `overload.queueGrowth`
 * while the rate stayed offered — the queue grows without bound. Past
 * capacity every request queues, so every endpoint's latency carries the
 * same wait and per-endpoint signals are smeared: the finding says so first
 * (critical; impact = the share of the response time that is queueing, 1 −
 * the least-queued service time / the mean response time), names the
 * saturated resource when the probes show one at its limit, and marks the
 * waiting-type findings (slow-dependency, error-rate, generator-saturated), a
 * full pool where the queue sits, GC time no endpoint owns, and a CPU
 * saturation no endpoint owns when the CPU was not measured at its limit
 * (the utilization law on smeared estimates) as explained by it.
 */
export function overloadRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const facts = overloadFacts(input.result);
  if (!facts || !isOverloaded(facts, config)) return [];
  const resource = saturatedResource(input, config);
  const r = input.result;
  const responseMean = r.totals.responseTime.mean;
  const queueing = responseMean > 0 && facts.baseServiceMs > 0 ? Math.max(0, 1 - facts.baseServiceMs / responseMean) : 0.5;
  const sustainable = facts.completedRate;
  const explained: FindingCategory[] = ['slow-dependency', 'error-rate', 'generator-saturated'];
  const f = makeFinding({
    rule: 'overload',
    category: 'overload',
    subject: 'load',
    severity: 'critical',
    title: `Past capacity: the service completed ${fmt(facts.completedRate)} of ${fmt(facts.offeredRate)} offered iterations/s${resource ? `; saturated: ${resource.name}` : ''}`,
    summary:
      `The offered rate exceeds what the service sustains: over the second half of the run ${pct(facts.deficit)} of the offered iterations did not complete` +
      `${facts.dropped + facts.interrupted > 0 ? ` (${fmt(facts.dropped)} dropped for lack of a free VU, ${fmt(facts.interrupted)} cut at the end)` : ''}` +
      `, and the median response time grew ×${fmt(facts.responseGrowth)} from the first to the last third` +
      `${facts.inFlight ? ` while requests in flight went from ${fmt(facts.inFlight.first)} to ${fmt(facts.inFlight.last)} (Little's law: L = λW)` : ''}. ` +
      `Past capacity every request queues: ${pct(queueing)} of the mean response time is waiting, on every endpoint alike, so per-endpoint signals (latency shares, mixed-run attribution, waits) are smeared. ` +
      (resource ? `The resource at its limit is ${resource.name}.` : 'The probes show no single resource at its limit (add the process and database probes to name it).'),
    evidence: [
      { label: 'offered rate (second half)', value: facts.offeredRate, unit: 'iterations/s', source: 'load' },
      { label: 'completed rate (second half)', value: facts.completedRate, unit: 'iterations/s', source: 'load' },
      { label: 'offered iterations not completed', value: facts.deficit, unit: 'ratio', source: 'load (arrivals − completions)' },
      { label: 'dropped + interrupted iterations', value: facts.dropped + facts.interrupted, unit: 'iterations', source: 'load' },
      { label: 'response time p50 growth (last third / first third)', value: facts.responseGrowth, unit: '×', source: 'load' },
      ...(facts.inFlight
        ? [
            { label: 'in-flight requests, first third', value: facts.inFlight.first, unit: 'requests', source: "load facts (Little's law)" },
            { label: 'in-flight requests, last third', value: facts.inFlight.last, unit: 'requests', source: "load facts (Little's law)" },
          ]
        : []),
      { label: 'least-queued service time p50', value: facts.baseServiceMs, unit: 'ms', source: 'load' },
      { label: 'mean response time', value: responseMean, unit: 'ms', source: 'load' },
      ...(resource?.evidence ?? []),
    ],
    recommendation: {
      text:
        `Diagnose at a load the service sustains (about ${fmt(0.7 * sustainable)} iterations/s, 70 % of what it completed here; \`tuneup diagnose\` finds the knee), ` +
        `then fix the saturated resource${resource ? ` (${resource.name})` : ''} to raise capacity, or add instances; shed load (429/503) rather than queue without bound.`,
    },
    confidence: 0.9,
    impact: queueing,
  });
  // A full pool past capacity is where the queue sits (its clients wait like every other request), unless the
  // service holds the checked-out connections open in transactions doing no database work: that hold is a
  // fault more capacity would not fix, so it stands — except when the saturated resource is the service's own
  // CPU: then a transaction idle between its statements is a callback waiting for that CPU (the held-transaction
  // rule's principle), and the hold is the queue's too.
  const hold = poolHold(input);
  const poolIsQueue = !hold || hold.idleInTransactionShare < config.get('pool.idleInTxShare') || resource?.category === 'cpu-saturation';
  f.explains = [...explained.filter((c) => c !== resource?.category), ...(poolIsQueue ? (['pool-saturation'] as const) : [])].map((category) => ({ category }));
  // The queued requests hold memory, so GC work per second grows with the queue (newsroom's healthy build: GC
  // 34 ms/s at its moderate rate, 105–111 past capacity): GC time no endpoint's requests own is the queue's.
  f.explains.push({ category: 'gc-pressure', unowned: true });
  // Each request inside the service holds memory until it completes (its closures, parsed body, buffers), so while
  // the backlog grows the heap and RSS grow with it, leak or not: this run cannot tell the two apart, and the growth
  // is the queue's (bistro past capacity: +36 to +177 MB/min, at medium, on its healthy build and unrelated faults).
  if (facts.backlog && facts.backlog.first > 0 && facts.backlog.last >= config.get('overload.queueGrowth') * facts.backlog.first) f.explains.push({ category: 'memory-growth' });
  // A cpu-saturation finding that names no endpoint, with the CPU not measured at its limit, rests on the
  // utilization law alone — CPU per request from the mixed run's regression, which past capacity the queue smears
  // (this finding's own caveat) — against probes that measured another resource, or none, at its limit (bistro
  // past capacity: "the service's CPU is saturated" as high after the overload in 21 of 26 runs, healthy build
  // included, above every planted fault, in runs where PostgreSQL held the host's cores). It is the overload's:
  // capped at low, its evidence kept. A CPU *measured* at its limit stands even without an owner: a CPU-bound
  // service is a diagnosis with its own fix (the holdout's typo-tolerant search at 170/s: folding it let a
  // smeared event-loop finding on another endpoint lead), and so does one that names the endpoint holding it.
  if (!measuredSaturation(input, config)) f.explains.push({ category: 'cpu-saturation', unowned: true });
  // Errors of an endpoint's own handler (5xx among its answered requests, concentrated on it) are not the
  // queue's: the overload explains the error-rate findings of the other endpoints only.
  const own = new Set(applicationErrorEndpoints(r, config).map((x) => x.endpoint));
  if (own.size > 0) {
    const queued = r.endpoints.map((e) => e.endpoint).filter((e) => !own.has(e));
    f.explains = f.explains.flatMap((x) => (x.category !== 'error-rate' ? [x] : queued.length > 0 ? [{ ...x, endpoints: queued }] : []));
  }
  return [f];
}

/**
 * host-contention: the host's CPU was held by others while the run measured
 * time. Two signals, either suffices:
 *
 * - the generator was late enough to distort the measured latencies
 *   (`generator.distortion` past its limit) while its own CPU was free
 *   (`generator.limitedBy: 'host-contention'`): its timers waited for a core
 *   other processes held;
 * - the host's cores were busy and processes outside the system under test
 *   held most of the CPU in use (host.ts#hostHeldByOthers): every thread of
 *   the service and its database waited for a core too.
 *
 * Names who held the CPU from the process probe's host CPU per process group
 * (the service's processes, PostgreSQL, Redis, everything else). Low, medium
 * when the generator's distortion reaches `hostContention.mediumShare` of the
 * latency (the figures then describe the host more than the service). When
 * others held the host, the finding `explains` slow-dependency findings,
 * which are inferred from unexplained time and are then symptoms (capped at
 * low): a wait for a core looks like a wait on a dependency. (The
 * event-loop rule judges the same host itself; findings from counts — scans,
 * calls, hit ratios, errors — stand.)
 */
export function hostContentionRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const g = input.result.generator;
  const held = hostHeldByOthers(input, config);
  const host = (input.probes.process?.data as ProcessProbeData | undefined)?.host;
  const busy = host ? host.cpuPercent.mean / Math.max(1, host.cores * 100) : undefined;
  // Contention means no core was free. A host whose cores were mostly idle had one for the generator, and a
  // lag of a few ms is timer jitter that only looks large against a fast service's latency.
  const generatorLate =
    g.limitedBy === 'host-contention' && !!g.distortion &&
    !(busy !== undefined && busy < config.get('hostContention.busyShare')) &&
    Math.max(g.startLag?.p99 ?? 0, g.eventLoopDelay.p99) >= config.get('hostContention.minLagMs');
  if (!generatorLate && !held) return [];
  const names: Record<string, string> = { target: "the service's processes", postgres: 'PostgreSQL', redis: 'Redis', other: 'other processes on the host' };
  const holders = host
    ? (Object.entries(host.groups) as [string, { cpuPercent: { mean: number } }][])
        .filter(([k]) => k !== 'generator')
        .map(([k, v]) => ({ group: k, name: names[k] ?? k, cpu: v.cpuPercent.mean }))
        .sort((a, b) => b.cpu - a.cpu)
    : [];
  const top = held ? holders.find((h) => h.group === 'other') : holders[0];
  const share = generatorLate ? g.distortion!.share : 0;
  const hostText = host
    ? `The host's ${host.cores} cores were ${pct(busy!)} busy on average: ${holders.map((h) => `${h.name} ${fmt(h.cpu)} %`).join(', ')}, the generator ${fmt(host.groups.generator.cpuPercent.mean)} %.`
    : 'Without the process probe tuneup cannot say which process held it.';
  const finding = makeFinding({
    rule: 'host-contention',
    category: 'host-contention',
    subject: 'host',
    severity: share >= config.get('hostContention.mediumShare') ? 'medium' : 'low',
    title: held
      ? `Host contention: other processes on the host held the CPU (${fmt(held.othersPercent)} % of a core, the host ${pct(held.busyShare)} busy)`
      : top
        ? `Host contention: ${top.name} held the CPU (${fmt(top.cpu)} % of a core) while the generator waited`
        : 'Host contention: the generator was late with its own CPU free (add the process probe to name who held the CPU)',
    summary:
      (generatorLate
        ? `The generator's delays were ${pct(share)} of the measured latency (${g.distortion!.basis}) while its own CPU averaged ${fmt(g.cpuPercent.mean)} % of a core: its timers waited for a core other processes held. `
        : 'Processes outside the system under test held most of the busy host\'s CPU: the service, its database and the generator waited for a core, and that wait is in the measured times. ') +
      hostText +
      (held ? ' Waits on dependencies inferred from unexplained time cannot be told apart from that wait, so they are capped at low.' : '') +
      ' Latencies include this wait; compare runs only with the same neighbours.',
    evidence: [
      ...(generatorLate
        ? [
            { label: 'generator delays / measured latency', value: share, unit: 'ratio', source: 'generator' },
            { label: 'generator CPU mean', value: g.cpuPercent.mean, unit: '% of one core', source: 'generator' },
            ...(g.startLag ? [{ label: 'start lag p99 (response − service time)', value: g.startLag.p99, unit: 'ms', source: 'generator' }] : []),
            { label: 'generator event-loop delay p99', value: g.eventLoopDelay.p99, unit: 'ms', source: 'generator' },
          ]
        : []),
      ...(host ? [{ label: 'host CPU mean', value: host.cpuPercent.mean, unit: `% of one core (${host.cores} cores)`, source: 'process probe /proc/stat' }] : []),
      ...holders.map((h) => ({ label: `CPU of ${h.name}`, value: h.cpu, unit: '% of one core', source: 'process probe' })),
    ],
    recommendation: {
      text: top && top.group !== 'target'
        ? `Give the run a quieter host: stop or move ${top.name}, or run the generator on another machine; pin the generator and the service to separate cores (taskset) when they share one.`
        : 'Run the generator on another machine or pin it to its own core (taskset); on a laptop or CI box, close other work during the run.',
    },
    confidence: host ? 0.85 : 0.6,
    impact: generatorLate ? share : held!.othersPercent / Math.max(1, host!.cpuPercent.mean),
  });
  // The event-loop rule judges the same host itself: a handler whose own CPU blocks the loop stands there.
  if (held) finding.explains = [{ category: 'slow-dependency' }];
  return [finding];
}

/** The open-model executors ran out of VUs because the service's responses took long: a note on the run, low. */
function vusExhausted(input: DiagnosisInput): Finding {
  const g = input.result.generator;
  // With `limitedBy` set and the generator's CPU free the drops are lateness, not saturation evidence.
  const dropped = [...g.evidence, ...(g.lateness ?? [])].find((e) => generatorEvidenceKind(e) === 'dropped-iterations');
  const rate = input.result.totals.requests / Math.max(1, input.result.durationMs / 1000);
  const p99 = input.result.totals.serviceTime.p99;
  // Little's law with the tail's latency: the VUs a steady run at this rate needs.
  const needed = Math.ceil(rate * (p99 / 1000) * 1.2);
  return makeFinding({
    rule: 'generator-saturated',
    category: 'generator-saturated',
    subject: 'generator',
    severity: 'low',
    title: 'Not enough VUs for the arrival rate: the service\'s slow responses held them all',
    summary: `${fmt(dropped?.value ?? 0)} % of the planned iterations were dropped because every VU was waiting for a response. The generator itself was healthy (CPU max ${fmt(g.cpuPercent.max)} %, event-loop delay p99 ${fmt(g.eventLoopDelay.p99)} ms): the service's latency × the arrival rate needed more VUs than allowed (Little's law), so the run offered less load than planned. The findings on the service explain the latency.`,
    evidence: [
      { label: 'dropped iterations', value: g.droppedIterations, unit: 'iterations', source: 'generator' },
      { label: 'service time p99', value: p99, unit: 'ms', source: 'load' },
      { label: 'VUs needed at this rate (rate × p99 × 1.2)', value: needed, unit: 'VUs', source: "Little's law" },
      { label: 'generator CPU max', value: g.cpuPercent.max, unit: '% of one core', source: 'generator' },
    ],
    recommendation: { text: `Raise maxVUs to at least ${needed} to offer the planned rate while the service is this slow, or lower the rate; fix the service's latency first.` },
    confidence: 0.9,
    impact: 0.05,
  });
}
