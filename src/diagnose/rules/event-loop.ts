/**
 * event-loop-blocked: synchronous work on the service's main thread delays
 * every other request (Clinic.js Doctor's delay signal, read from prom-client
 * metrics, confirmed by the cost model's CPU per request).
 *
 * @module
 */
import type { Evidence, Finding } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { numbers, quantile } from '../evidence.js';
import { cpuHeavyEndpoints, serviceCpu } from './node.js';
import { fmt, makeFinding, pct, type DiagnosisInput } from './types.js';

/** event-loop-blocked: event-loop delay beyond Clinic Doctor's limits (median ≥ 10 ms or max ≥ 100 ms) or p99 ≥ 42 ms. */
export function eventLoopBlockedRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  const v = input.probes.prometheus?.series.values;
  if (!v) return [];
  const p50 = numbers(v.eventLoopLagP50Ms);
  const p99 = numbers(v.eventLoopLagP99Ms);
  const max = numbers(v.eventLoopLagMaxMs);
  const legacy = numbers(v.eventLoopLagMs);
  // prom-client (like perf_hooks.monitorEventLoopDelay underneath) samples the loop on a timer of
  // `eventLoopMonitoringPrecision` (10 ms by default) and reports that resolution as delay: an idle
  // loop shows p50 ≈ min ≈ 10 ms. The reported minimum is that floor; only the excess is blocking.
  const mins = numbers(v.eventLoopLagMinMs);
  const floor = mins.length > 0 ? quantile(mins, 0.5) : 0;
  const excess = (x: number) => Math.max(0, x - floor);
  const p50Med = excess(p50.length > 0 ? quantile(p50, 0.5) : legacy.length > 0 ? quantile(legacy, 0.5) : 0);
  const p99Med = excess(quantile(p99, 0.5));
  const maxP90 = excess(quantile(max, 0.9));
  const over = [
    p50Med >= config.get('eventLoop.p50LagMs'),
    p99Med >= config.get('eventLoop.p99LagMs'),
    max.length >= 3 && maxP90 >= config.get('eventLoop.maxLagMs'),
  ];
  if (!over.some(Boolean)) return [];
  const worst = Math.max(p99Med, p50Med);
  // An endpoint is named only when one of its requests does enough CPU work to explain the delay itself.
  const heavy = cpuHeavyEndpoints(input)
    .filter((h) => h.share >= 0.2 && h.cpuMs >= Math.max(1, 0.1 * Math.max(worst, maxP90 / 4)))
    .slice(0, 2);
  const cpu = serviceCpu(input);
  const cpuMean = cpu ? cpu.values.reduce((a, b) => a + b, 0) / cpu.values.length : undefined;
  // Delay without CPU-heavy handlers and with an idle process: the host (other processes, CPU steal) delays the loop.
  const hostContention = heavy.length === 0 && cpuMean !== undefined && cpuMean < 50;
  const meanService = input.result.totals.serviceTime.mean || input.result.endpoints[0]?.serviceTime.mean || 0;
  const evidence: Evidence[] = [];
  if (p50.length > 0 || legacy.length > 0) evidence.push({ label: 'event-loop delay p50 (median over scrapes)', value: p50Med, unit: 'ms', source: p50.length > 0 ? 'nodejs_eventloop_lag_p50_seconds' : 'nodejs_eventloop_lag_seconds' });
  if (p99.length > 0) evidence.push({ label: 'event-loop delay p99 (median over scrapes)', value: p99Med, unit: 'ms', source: 'nodejs_eventloop_lag_p99_seconds' });
  if (max.length > 0) evidence.push({ label: 'event-loop delay max (p90 over scrapes)', value: maxP90, unit: 'ms', source: 'nodejs_eventloop_lag_max_seconds' });
  if (floor > 0) evidence.push({ label: 'monitor resolution subtracted (median reported minimum)', value: floor, unit: 'ms', source: 'nodejs_eventloop_lag_min_seconds' });
  for (const h of heavy) evidence.push({ label: `CPU per request, ${h.endpoint}`, value: h.cpuMs, unit: 'ms', source: 'cost model' });
  if (cpu && cpuMean !== undefined) evidence.push({ label: 'service CPU mean', value: cpuMean, unit: '% of one core', source: cpu.source });
  if (hostContention) {
    return [
      makeFinding({
        rule: 'event-loop-blocked',
        category: 'event-loop-blocked',
        subject: 'service',
        severity: 'low',
        title: 'Event-loop delay while the service is mostly idle (host contention?)',
        summary: `Event-loop delay p99 ${fmt(p99Med)} ms, max ${fmt(maxP90)} ms, but the service used only ${fmt(cpuMean!)} % of a core and no endpoint does enough CPU work per request to cause it: other processes on the host (or CPU steal) delay the loop. Measure on a quieter host before changing code.`,
        evidence,
        recommendation: { text: 'Check the host: other CPU-heavy processes, container CPU limits (throttling), noisy neighbours. Run the load generator on another machine.' },
        confidence: 0.5,
        impact: meanService > 0 ? Math.min(1, worst / meanService) * 0.5 : 0.2,
      }),
    ];
  }
  const severe = p99Med >= 2 * config.get('eventLoop.p99LagMs') || maxP90 >= 2 * config.get('eventLoop.maxLagMs') || p50Med >= 2 * config.get('eventLoop.p50LagMs');
  return [
    makeFinding({
      rule: 'event-loop-blocked',
      category: 'event-loop-blocked',
      subject: 'service',
      severity: severe ? 'high' : 'medium',
      endpoint: heavy[0]?.endpoint,
      endpoints: heavy.map((h) => h.endpoint),
      title: heavy.length > 0 ? `Synchronous work blocks the event loop (most CPU per request: ${heavy[0]!.endpoint})` : 'The event loop is blocked by synchronous work',
      summary: `Event-loop delay p99 ${fmt(p99Med)} ms, max ${fmt(maxP90)} ms: while one request runs synchronous code, every other request waits.${heavy.length > 0 ? ` ${heavy[0]!.endpoint} spends ${fmt(heavy[0]!.cpuMs)} ms of CPU per request (${pct(heavy[0]!.share)} of the service's CPU).` : ''}`,
      evidence,
      recommendation: {
        text: 'Move CPU-heavy synchronous work (hashing, JSON of large objects, sync crypto/zlib/fs, big loops) off the event loop: use the async API, a worker_threads pool, or precompute/cache the result. Find the hot frames with `node --cpu-prof` or `clinic flame`; add load shedding (503 when delay > 42 ms) as a safety net.',
        code: 'crypto.pbkdf2Sync(...) → await util.promisify(crypto.pbkdf2)(...)  // or run in a worker_threads pool',
      },
      confidence: p99.length + max.length + p50.length > 0 ? 0.85 : 0.7,
      impact: meanService > 0 ? Math.min(1, worst / meanService) : 0.5,
    }),
  ];
}
