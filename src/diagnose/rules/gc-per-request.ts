/**
 * gc-pressure per endpoint, at a load below the service-wide limit: an endpoint
 * whose every request costs the process a material GC pause — an allocation
 * hot spot, the same at any rate.
 *
 * Why a reading per request: GC time per second grows with the rate, so a
 * handler that allocates a large temporary structure per request stays under
 * Clinic Doctor's 100 ms/s at a moderate load and crosses it near its
 * capacity. The cost model's GC per request (GC ms/s regressed on the
 * endpoints' requests) is a property of the handler. It is judged by two
 * conditions, both needed:
 * - material: at least `gc.msPerRequest` of GC per request, a pause whichever
 *   request runs then pays;
 * - a large part of the handler's own work: at least `gc.cpuShare` of its
 *   main-thread CPU, so that where the endpoint fills its main thread the GC
 *   alone is at Clinic's limit (100 ms of every 1000).
 *
 * The service-wide reading (node.ts `gcPressureRule`) speaks when the run
 * crosses the limit; this one only below it, so one run says it once, and not
 * past capacity, where a completion carries the GC of the queue behind it. The
 * endpoint's synchronous work is in good part building what it allocates, so
 * the finding `explains` the event-loop finding on the same endpoint as a
 * contributor: it ranks first, and the loop finding keeps its severity.
 *
 * @module
 */
import type { Finding } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { attributionOf } from './attribution.js';
import { gcOverServiceLimit } from './node.js';
import { Z_95 } from '../nnls.js';
import { PHYSICAL_SLACK } from '../demand.js';
import { isOverloaded, overloadFacts } from './overload.js';
import { fmt, makeFinding, pct, serviceMean, type DiagnosisInput } from './types.js';

/** The allocation hot spots of a run below the service-wide GC limit (see the module doc). */
export function gcPerRequestRule(input: DiagnosisInput, config: RuleConfig): Finding[] {
  if (!input.probes.prometheus?.series.values.gcMsPerS || gcOverServiceLimit(input, config)) return [];
  // Past capacity a completion carries the GC of the requests queued behind it: per request, GC is the queue's.
  const facts = overloadFacts(input.result);
  if (facts && isOverloaded(facts, config)) return [];
  const out: Finding[] = [];
  for (const d of input.demand.demands) {
    const gcMs = d.gcMs;
    const mainMs = d.mainThreadCpuMs ?? d.cpuMs;
    if (gcMs === undefined || mainMs === undefined || mainMs <= 0) continue;
    // A regression estimate is judged at its lower 95 % bound (no standard error: not judged); one measured alone is exact.
    const se = d.method === 'profile' ? 0 : (d.stdError?.gcMs ?? Number.POSITIVE_INFINITY);
    const gcAtLeast = Math.max(0, gcMs - Z_95 * se);
    const share = gcAtLeast / mainMs;
    if (gcAtLeast < config.get('gc.msPerRequest') || share < config.get('gc.cpuShare')) continue;
    // GC pauses run on the main thread, so a request's GC is part of its main-thread CPU: an estimate beyond it is
    // the fit's (the background GC a model without an intercept spreads over a few requests), not the handler's.
    if (gcMs > PHYSICAL_SLACK * mainMs) continue;
    const serviceMs = serviceMean(input, d.endpoint);
    const source = `cost model (${d.method})`;
    const cpuLabel = d.mainThreadCpuMs !== undefined ? 'main-thread CPU' : 'service CPU';
    const finding = makeFinding({
      rule: 'gc-per-request',
      category: 'gc-pressure',
      subject: d.endpoint,
      severity: 'medium',
      endpoint: d.endpoint,
      endpoints: [d.endpoint],
      attribution: attributionOf([d.method]),
      title: `${d.endpoint} costs ${fmt(gcMs)} ms of garbage collection per request`,
      summary: `Each request of ${d.endpoint} costs the process ${fmt(gcMs)} ms of GC${se > 0 ? ` (at least ${fmt(gcAtLeast)} ms)` : ''}, at least ${pct(share)} of its ${fmt(mainMs)} ms of ${cpuLabel}: it allocates a large short-lived structure per request. GC pauses stop JavaScript, so whichever request runs then waits. The service's GC did not hold ${fmt(config.get('gc.msPerSecond'))} ms/s at this load, but GC per second grows with the rate: where ${d.endpoint} fills its main thread, its collections alone take ${fmt(1000 * share)} ms of every second.`,
      evidence: [
        { label: `GC time per request, ${d.endpoint}`, value: gcMs, unit: 'ms', source },
        ...(se > 0 ? [{ label: 'its lower 95 % bound', value: gcAtLeast, unit: 'ms', source }] : []),
        { label: `${cpuLabel} per request, ${d.endpoint}`, value: mainMs, unit: 'ms', source },
        { label: 'GC share of that CPU', value: share, unit: 'ratio', source },
        { label: `mean service time, ${d.endpoint}`, value: serviceMs, unit: 'ms', source: 'load' },
      ],
      recommendation: {
        text: `Allocate less in ${d.endpoint}: build the response without large temporary arrays, copies or intermediate strings, reuse what does not change per request (compute it once and keep it), stream large results. Profile its allocations with \`clinic heapprofiler\` or \`node --heap-prof\` while it runs alone.`,
      },
      confidence: d.method === 'profile' ? 0.8 : 0.6,
      impact: serviceMs > 0 ? Math.min(1, gcAtLeast / serviceMs) : 0.1,
    });
    finding.explains = [{ category: 'event-loop-blocked', endpoints: [d.endpoint], as: 'contributes' }];
    out.push(finding);
  }
  return out;
}
