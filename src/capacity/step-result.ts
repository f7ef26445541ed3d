/**
 * One step's measurement ({@link StepMeasurement}) read from the RunResult of
 * a short constant-arrival-rate run. Pure: the engine ran the step, this only
 * reads its series.
 *
 * Throughput is read from the step's **steady part**: whole intervals after
 * the first second and before the step's planned end. Iterations finish one
 * response time after they start, so counting from t = 0 (or into the
 * graceful-stop tail) would under- or over-count by rate × latency; in the
 * steady part an open-model step that keeps up finishes exactly as many
 * iterations per second as it starts.
 *
 * @module
 */
import type { RunResult } from '../result/types.js';
import { fittedRise, type StepMeasurement } from './knee.js';

/** Seconds at the start of a step left out of its steady part (connections open, caches and JIT warm). */
export const STEP_WARMUP_MS = 1000;

/** Fewest steady seconds for the latency-growth signal (shorter steps are judged on the other criteria). */
export const MIN_GROWTH_POINTS = 3;

/**
 * Measure one step.
 * @param result - the step's run (one or more open-model scenarios started together)
 * @param offeredRate - iterations per second the step offered
 * @param stepMs - the step's planned duration (its steady part ends there)
 * @param stoppedEarly - why the load was stopped before the end, if it was
 */
export function measureStep(result: RunResult, offeredRate: number, stepMs: number, stoppedEarly?: string): StepMeasurement {
  const s = result.series;
  const end = Math.min(stepMs, stoppedEarly ? result.durationMs : stepMs);
  let window = s.t.map((t, i) => i).filter((i) => s.t[i]! >= STEP_WARMUP_MS && s.t[i]! + s.intervalMs <= end);
  // A step too short (or stopped too early) for a steady part: use what ran.
  if (window.length === 0) window = s.t.map((t, i) => i).filter((i) => s.t[i]! < Math.max(end, s.intervalMs));
  const seconds = (window.length * s.intervalMs) / 1000;
  const finished = window.reduce((a, i) => a + (s.iterations[i] ?? 0), 0);
  const achievedRate = seconds > 0 ? finished / seconds : 0;
  const dropped = result.totals.droppedIterations;
  const started = result.scenarios.reduce((a, sc) => a + sc.iterations + sc.interruptedIterations, 0);
  return {
    offeredRate,
    achievedRate,
    windowSeconds: seconds,
    p50Ms: result.totals.responseTime.count > 0 ? result.totals.responseTime.p50 : null,
    p95Ms: result.totals.responseTime.count > 0 ? result.totals.responseTime.p95 : null,
    errorRate: result.totals.errorRate,
    droppedIterations: dropped,
    offeredIterations: Math.max(started + dropped, Math.round((offeredRate * end) / 1000)),
    // A trend needs three seconds at least: two points are one noisy second against another.
    latencyGrowthMs: window.length >= MIN_GROWTH_POINTS ? fittedRise(window.map((i) => s.response.p50[i] ?? null)) : null,
    ...(stoppedEarly ? { stoppedEarly } : {}),
  };
}
