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
import { resolveConfig } from '../diagnose/config.js';
import { applicationErrorEndpoints, QUEUE_STATUSES } from '../diagnose/rules/overload.js';
import type { IntervalSeries, RunResult } from '../result/types.js';
import { fittedRise, type StepMeasurement } from './knee.js';

/** Seconds at the start of a step left out of its steady part (connections open, caches and JIT warm). */
export const STEP_WARMUP_MS = 1000;

/** Fewest steady seconds for the latency-growth signal (shorter steps are judged on the other criteria). */
export const MIN_GROWTH_POINTS = 3;

function growthOf(growth: QueueGrowth | null): Pick<StepMeasurement, 'latencyGrowthMs' | 'latencyGrowthSeMs'> {
  return { latencyGrowthMs: growth?.riseMs ?? null, latencyGrowthSeMs: growth?.seMs ?? null };
}

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
  const errors = loadErrors(result);
  return {
    offeredRate,
    achievedRate,
    windowSeconds: seconds,
    p50Ms: result.totals.responseTime.count > 0 ? result.totals.responseTime.p50 : null,
    p95Ms: result.totals.responseTime.count > 0 ? result.totals.responseTime.p95 : null,
    errorRate: errors.rate,
    failedRequests: errors.failed,
    droppedIterations: dropped,
    offeredIterations: Math.max(started + dropped, Math.round((offeredRate * end) / 1000)),
    // A trend needs three seconds at least: two points are one noisy second against another.
    ...growthOf(window.length >= MIN_GROWTH_POINTS ? queueGrowth(s, window, serviceSpreads(result)) : null),
    ...(stoppedEarly ? { stoppedEarly } : {}),
    endpointP95: Object.fromEntries(result.endpoints.filter((e) => e.responseTime.count > 0).map((e) => [e.endpoint, { requests: e.requests, p95Ms: e.responseTime.p95 }])),
  };
}

/** Statuses a saturated service answers with besides 5xx: 0 (no answer: a timeout, a reset, a refused connection) and 429. */
const LOAD_STATUSES = new Set([0, 429]);

/**
 * The failures of a step that say the service could not keep up, and their share of its requests: no
 * answer, 429 and 5xx. Left out: 4xx (the request's own answer, the same at any load) and the 5xx of an
 * endpoint whose own handler fails — concentrated on it among its answered requests, as the overload rule
 * reads them (`diagnose/rules/overload.ts#applicationErrorEndpoints`): a bug on one path fails that path
 * at every rate, and is the error-rate rule's to report, not a knee. Seen on the fleet corpus, where one
 * endpoint's crash on a report category ended the ramp at a rate the service sustained.
 */
export function loadErrors(result: RunResult): { failed: number; rate: number } {
  const own = new Set(applicationErrorEndpoints(result, resolveConfig()).map((x) => x.endpoint));
  let failed = 0;
  for (const e of result.endpoints) {
    const counted = Object.entries(e.statuses).reduce((a, [status, n]) => {
      const code = Number(status);
      const server = code >= 500 && code <= 599;
      // An own-handler endpoint keeps the 5xx a queue produces (503 shed, 504 timed out), not its own.
      if (own.has(e.endpoint) && server && !QUEUE_STATUSES.has(code)) return a;
      return LOAD_STATUSES.has(code) || server ? a + (n ?? 0) : a;
    }, 0);
    failed += Math.min(e.failed, counted);
  }
  const requests = result.totals.requests;
  return { failed, rate: requests > 0 ? failed / requests : 0 };
}

/** A fitted rise of the queueing delay over a step and its standard error (ms). */
export interface QueueGrowth {
  riseMs: number;
  /** Standard error of the rise; null when it cannot be estimated (too few points). */
  seMs: number | null;
}

/** Var(median of n) ≈ (π/2)·σ²/n for a sample median: how noisy one second's median is. */
const MEDIAN_VARIANCE_FACTOR = Math.PI / 2;

/** Smallest per-request spread (ms) assumed for an endpoint, so a near-constant one does not take all the weight. */
const MIN_SPREAD_MS = 1;

/**
 * Fitted rise (ms) over `window` (interval indexes) of the queueing delay the step's requests met, with
 * its standard error.
 *
 * Each endpoint is compared with itself: a least-squares trend of the per-second median service time
 * with one level per endpoint (a fixed-effects regression), so the common slope comes from within-endpoint
 * changes only. A queue in front of any resource raises its endpoints' times second after second, so it
 * shows; a second that merely held more requests of a slow endpoint does not.
 *
 * Each second's median weighs by its precision, n / ((π/2)·σ²), with σ the endpoint's spread of
 * single requests over the step (`spreadMs`): one call of a 1.5–3 s upstream a second is a median
 * that wanders by hundreds of ms at random and must not outweigh a dozen 5 ms reads that stay put.
 * The standard error then follows from those variances. Without spreads (older results), the weights
 * are the request counts and the standard error comes from the residuals.
 *
 * Falls back to the mixed median when the series has no per-endpoint columns. Null when no endpoint has
 * two seconds with requests.
 */
export function queueGrowth(series: IntervalSeries, window: readonly number[], spreadMs?: Readonly<Record<string, number>>): QueueGrowth | null {
  const span = window.length - 1;
  const columns = Object.entries(series.endpoints ?? {});
  if (columns.length === 0) {
    const rise = fittedRise(window.map((i) => series.response.p50[i] ?? null));
    return rise === null ? null : { riseMs: rise, seMs: null };
  }
  const groups = columns.flatMap(([endpoint, c]) => {
    const spread = spreadMs?.[endpoint];
    const points = window.flatMap((i, x) => {
      const n = c.requests[i] ?? 0;
      const y = c.p50[i];
      if (!(n > 0) || y === null || y === undefined || !Number.isFinite(y)) return [];
      const w = spread === undefined ? n : n / (MEDIAN_VARIANCE_FACTOR * Math.max(spread, MIN_SPREAD_MS) ** 2);
      return [{ x, y, w }];
    });
    if (points.length < 2) return [];
    const weight = points.reduce((a, p) => a + p.w, 0);
    const mx = points.reduce((a, p) => a + p.w * p.x, 0) / weight;
    const my = points.reduce((a, p) => a + p.w * p.y, 0) / weight;
    return [{ points, mx, my }];
  });
  let sxy = 0;
  let sxx = 0;
  let count = 0;
  for (const g of groups) {
    for (const p of g.points) {
      sxy += p.w * (p.x - g.mx) * (p.y - g.my);
      sxx += p.w * (p.x - g.mx) ** 2;
      count++;
    }
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  let variance: number | null;
  if (spreadMs) {
    variance = 1 / sxx;
  } else {
    // Weighted residuals around each endpoint's level and the common slope; one degree of freedom per level and one for the slope.
    const dof = count - groups.length - 1;
    let ssr = 0;
    for (const g of groups) for (const p of g.points) ssr += p.w * (p.y - g.my - slope * (p.x - g.mx)) ** 2;
    variance = dof > 0 ? ssr / dof / sxx : null;
  }
  return { riseMs: slope * span, seMs: variance === null ? null : Math.sqrt(variance) * span };
}

/**
 * Each endpoint's spread of single requests over a step (ms): (p90 − p50) / 1.2816, the standard
 * deviation a normal distribution with those percentiles has (a robust scale: a few outliers do not move it).
 */
export function serviceSpreads(result: Pick<RunResult, 'endpoints'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of result.endpoints) if (e.serviceTime.count > 0) out[e.endpoint] = Math.max(0, e.serviceTime.p90 - e.serviceTime.p50) / 1.2816;
  return out;
}
