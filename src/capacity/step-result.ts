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
 * The queue-growth signal ({@link queueGrowthMs}) is read **per endpoint**: the per-second
 * median of a mixed step moves with the share of slow endpoints in that second (at 4 requests
 * a second, one more 200 ms upstream call moves it from 8 ms to 200 ms), not only with a queue.
 *
 * @module
 */
import type { IntervalSeries, RunResult } from '../result/types.js';
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
    latencyGrowthMs: window.length >= MIN_GROWTH_POINTS ? queueGrowthMs(s, window) : null,
    ...(stoppedEarly ? { stoppedEarly } : {}),
  };
}

/**
 * Fitted rise (ms) over `window` (interval indexes) of the queueing delay the step's requests met.
 *
 * Each endpoint is compared with itself: a least-squares trend of the per-second median service time
 * with one level per endpoint (a fixed-effects regression, weighted by the second's requests), so
 * the common slope is estimated from within-endpoint changes only. A queue in front of any resource
 * raises its endpoints' times second after second, so it shows; a second that merely held more
 * requests of a slow endpoint does not. With one endpoint this is the weighted fit of its
 * per-second median. Falls back to the mixed median when the series has no per-endpoint columns
 * (results written without them). Null when no endpoint has two seconds with requests.
 */
export function queueGrowthMs(series: IntervalSeries, window: readonly number[]): number | null {
  const columns = Object.values(series.endpoints ?? {});
  if (columns.length === 0 || window.length < 2) return fittedRise(window.map((i) => series.response.p50[i] ?? null));
  let sxy = 0;
  let sxx = 0;
  for (const c of columns) {
    const points = window.flatMap((i, x) => {
      const n = c.requests[i] ?? 0;
      const y = c.p50[i];
      return n > 0 && y !== null && y !== undefined && Number.isFinite(y) ? [{ x, y, w: n }] : [];
    });
    const weight = points.reduce((a, p) => a + p.w, 0);
    if (points.length < 2) continue;
    const mx = points.reduce((a, p) => a + p.w * p.x, 0) / weight;
    const my = points.reduce((a, p) => a + p.w * p.y, 0) / weight;
    for (const p of points) {
      sxy += p.w * (p.x - mx) * (p.y - my);
      sxx += p.w * (p.x - mx) ** 2;
    }
  }
  if (sxx === 0) return null;
  return (sxy / sxx) * (window.length - 1);
}
