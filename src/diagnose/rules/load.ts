/**
 * Rules on what the load generator saw: error rate, large payloads, and a
 * generator that limited the run itself.
 *
 * @module
 */
import type { Finding, Severity } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { fmt, makeFinding, pct, type DiagnosisInput } from './types.js';

/** error-rate: an endpoint whose failed share exceeds `errorRate.ratio` (APA: 5xx > 5 %). */
export function errorRateRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const limit = config.get('errorRate.ratio');
  const out: Finding[] = [];
  for (const e of input.result.endpoints) {
    if (e.requests < config.get('errorRate.minRequests') || e.errorRate < limit) continue;
    const severity: Severity = e.errorRate >= 0.5 ? 'critical' : e.errorRate >= 0.05 ? 'high' : 'medium';
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
        title: `${pct(e.errorRate)} of ${e.endpoint} requests failed`,
        summary: `${e.failed} of ${e.requests} requests failed (${kinds.map(([k, n]) => `${k}: ${n}`).join(', ') || 'no kind recorded'}). Errors are a symptom: the other findings usually name the cause (a saturated pool or a timeout).`,
        evidence: [
          { label: 'error rate', value: e.errorRate, unit: 'ratio', source: 'load' },
          { label: 'failed requests', value: e.failed, unit: 'requests', source: 'load' },
          ...failedStatuses.map(([s, n]) => ({ label: `HTTP ${s}`, value: n, unit: 'responses', source: 'load' })),
          ...transport.map(([k, n]) => ({ label: `${k} errors`, value: n ?? 0, unit: 'requests', source: 'load' })),
        ],
        recommendation: {
          text: transport.length > 0
            ? 'Connections failed or timed out: check the service\'s capacity (accept queue, max connections, timeouts) and the findings about saturation.'
            : 'Read the service log for these responses; if 5xx appear only under load, look for pool timeouts and resource limits in the other findings.',
        },
        confidence: 0.95,
        // Failing requests are worse than slow ones: weigh by the failed share, at least a third.
        impact: Math.max(e.errorRate, 0.35),
      }),
    );
  }
  return out;
}

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
        severity: e.meanResponseBytes >= 3 * limit ? 'medium' : 'low',
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
 * generator-saturated: the generator marked itself as the limit; the run's
 * numbers describe the generator, not the service. Severity and impact follow
 * {@link generatorDistortion}, so a slight breach (a few late starts) does not
 * outrank a fault the server-side probes measured directly.
 */
export function generatorSaturatedRule(input: DiagnosisInput): Finding[] {
  const g = input.result.generator;
  if (!g.saturated) return [];
  // Dropped iterations alone, with the generator's CPU and loop healthy: every VU was busy waiting for the
  // service. By Little's law the VUs needed are rate × latency, so a slow service exhausts them: the run
  // offered less than planned, but the service — not the generator — is what the other findings explain.
  if (g.evidence.length > 0 && g.evidence.every((e) => e.label.startsWith('iterations dropped'))) return [vusExhausted(input)];
  const distortion = generatorDistortion(input.result);
  const severity: Severity = distortion >= 0.2 ? 'high' : distortion >= 0.05 ? 'medium' : 'low';
  return [
    makeFinding({
      rule: 'generator-saturated',
      category: 'generator-saturated',
      subject: 'generator',
      severity,
      title: severity === 'low' ? 'The load generator was briefly late (its limits were exceeded slightly)' : 'The load generator, not the service, limited this run',
      summary: `The generator could not keep up (${g.evidence.map((e) => `${e.label} ${fmt(e.value)} ${e.unit} > ${fmt(e.limit)}`).join('; ') || 'see generator health'}). Latency and throughput figures are not the service's; compare refuses a verdict on this run.`,
      evidence: [
        ...g.evidence.map((e) => ({ label: e.label, value: e.value, unit: e.unit, source: 'generator' })),
        { label: 'generator event-loop delay p99', value: g.eventLoopDelay.p99, unit: 'ms', source: 'generator' },
        { label: 'generator CPU max', value: g.cpuPercent.max, unit: '% of one core', source: 'generator' },
        { label: 'late starts', value: g.lateStarts, unit: 'iterations', source: 'generator' },
        { label: 'dropped iterations', value: g.droppedIterations, unit: 'iterations', source: 'generator' },
        { label: 'share of the run distorted', value: distortion, unit: 'ratio', source: 'generator' },
      ],
      recommendation: {
        text: 'Give the generator more room: use worker threads (--workers), raise preAllocatedVUs/maxVUs, run it on another machine, or split the load into execution segments.',
      },
      confidence: 0.9,
      // At least a tenth: a saturated generator always qualifies every latency figure a little.
      impact: Math.max(0.1, distortion),
    }),
  ];
}

/** The open-model executors ran out of VUs because the service's responses took long: a note on the run, low. */
function vusExhausted(input: DiagnosisInput): Finding {
  const g = input.result.generator;
  const dropped = g.evidence.find((e) => e.label.startsWith('iterations dropped'));
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
