/**
 * The service's event-loop delay as prom-client reports it (monitorEventLoopDelay percentiles per scrape),
 * summarised over the run the one way every rule reads it: medians over scrapes of p50 and p99, the p90 over
 * scrapes of the maximum, all less the monitor's own resolution.
 *
 * @module
 */
import type { Evidence } from '../../result/types.js';
import type { RuleConfig } from '../config.js';
import { numbers, quantile } from '../evidence.js';
import type { DiagnosisInput } from './types.js';

/** Event-loop delay read from prom-client's metrics, less the monitor's own resolution. */
export interface LoopDelay {
  /** Medians over scrapes of the reported p50 and p99, and the p90 over scrapes of the maximum (ms, excess over the floor). */
  p50: number;
  p99: number;
  maxP90: number;
  /** Monitor resolution subtracted (ms). */
  floor: number;
  evidence: Evidence[];
}

/** The loop delay, or undefined when the service exposes none. */
export function readLoopDelay(input: DiagnosisInput): LoopDelay | undefined {
  const v = input.probes.prometheus?.series.values;
  if (!v) return undefined;
  const p50 = numbers(v.eventLoopLagP50Ms);
  const p99 = numbers(v.eventLoopLagP99Ms);
  const max = numbers(v.eventLoopLagMaxMs);
  const legacy = numbers(v.eventLoopLagMs);
  if (p50.length + p99.length + max.length + legacy.length === 0) return undefined;
  // prom-client (like perf_hooks.monitorEventLoopDelay underneath) samples the loop on a timer of
  // `eventLoopMonitoringPrecision` (10 ms by default) and reports that resolution as delay: an idle
  // loop shows p50 ≈ min ≈ 10 ms. The reported minimum is that floor; only the excess is blocking.
  const mins = numbers(v.eventLoopLagMinMs);
  const floor = mins.length > 0 ? quantile(mins, 0.5) : 0;
  const excess = (x: number) => Math.max(0, x - floor);
  const delay: LoopDelay = {
    p50: excess(p50.length > 0 ? quantile(p50, 0.5) : legacy.length > 0 ? quantile(legacy, 0.5) : 0),
    p99: excess(p99.length > 0 ? quantile(p99, 0.5) : 0),
    maxP90: max.length >= 3 ? excess(quantile(max, 0.9)) : 0,
    floor,
    evidence: [],
  };
  if (p50.length > 0 || legacy.length > 0) delay.evidence.push({ label: 'event-loop delay p50 (median over scrapes)', value: delay.p50, unit: 'ms', source: p50.length > 0 ? 'nodejs_eventloop_lag_p50_seconds' : 'nodejs_eventloop_lag_seconds' });
  if (p99.length > 0) delay.evidence.push({ label: 'event-loop delay p99 (median over scrapes)', value: delay.p99, unit: 'ms', source: 'nodejs_eventloop_lag_p99_seconds' });
  if (max.length > 0) delay.evidence.push({ label: 'event-loop delay max (p90 over scrapes)', value: delay.maxP90, unit: 'ms', source: 'nodejs_eventloop_lag_max_seconds' });
  if (floor > 0) delay.evidence.push({ label: 'monitor resolution subtracted (median reported minimum)', value: floor, unit: 'ms', source: 'nodejs_eventloop_lag_min_seconds' });
  return delay;
}

/** Does the delay breach Clinic Doctor's limits (median ≥ 10 ms, max ≥ 100 ms) or overload-protection's 42 ms p99? */
export function loopDelayOver(delay: LoopDelay, config: RuleConfig): boolean {
  return delay.p50 >= config.get('eventLoop.p50LagMs') || delay.p99 >= config.get('eventLoop.p99LagMs') || delay.maxP90 >= config.get('eventLoop.maxLagMs');
}
