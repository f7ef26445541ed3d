/**
 * Knee search on the open model, as pure functions over step results, so
 * `tuneup diagnose` (find a sustainable rate) and `tuneup capacity` (the
 * breakpoint search) share one definition of "the service kept up".
 *
 * The search: geometric steps of the arrival rate starting low (each step a
 * short constant-arrival-rate run of the plan's mix), until a step is past the
 * knee; then a few bisections (geometric means) between the highest sustained
 * and the lowest failing rate. A step is past the knee when any of:
 *
 * - **throughput stops tracking the offered rate**: iterations finished in the
 *   step's steady part fall short of `minThroughputRatio` × offered by more
 *   than `countSlack` iterations (an open model's arrivals do not slow down,
 *   so a shortfall is queueing or loss; the slack absorbs the window's edges);
 * - **latency grows without bound**: the per-second median service time, each
 *   endpoint against itself (`step-result.ts#queueGrowthMs`), rises
 *   through the step by more than `latencyGrowthMinMs`, beyond
 *   `growthStandardErrors` standard errors of the fit, and by more than
 *   `latencyGrowthFactor` × the baseline p50 (a queue that keeps growing: ρ ≥ 1);
 * - **latency degrades past the knee of the curve**: an endpoint's p95 above
 *   `latencyFactor` × its own baseline p95 *and* `latencyFloorMs` above it,
 *   with `minP95Requests` requests in both steps (the p95 of a mix moves
 *   with its share of slow endpoints);
 * - **errors explode**: the error rate a saturated service produces (no
 *   answer, 429, 5xx — not an endpoint's own handler failing at any load,
 *   `step-result.ts#loadErrors`) `errorRateRise` above the baseline's, with
 *   at least `minFailedRequests` failures (1 failure in a 10-request step is
 *   10 %, and measures nothing);
 * - **dropped iterations**: more than `maxDroppedShare` of the offered
 *   iterations (and more than `countSlack`) found no free VU (in-flight
 *   requests exceeded the VU cap).
 *
 * The baseline is the lowest sustained step (the service lightly loaded).
 * Nothing here runs load; the caller runs the steps and feeds the results back
 * to {@link nextStep}.
 *
 * @module
 */

/** What one step measured (rates in iterations per second). */
export interface StepMeasurement {
  offeredRate: number;
  /** Iterations finished per second in the step's steady part. */
  achievedRate: number;
  /** Length of the steady part the achieved rate was counted over (s). */
  windowSeconds: number;
  /** Response-time percentiles over the step (ms), null without samples. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Failed requests / requests. */
  errorRate: number;
  /** Failed requests in the step; absent in steps measured before it was recorded. */
  failedRequests?: number;
  droppedIterations: number;
  /** Iterations the step offered (started + dropped), for the dropped share. */
  offeredIterations: number;
  /** Fitted rise of the per-second median service time over the steady part, each endpoint against itself (ms); null with under 2 seconds. */
  latencyGrowthMs: number | null;
  /** Standard error of `latencyGrowthMs` (ms); null or absent when it could not be estimated. */
  latencyGrowthSeMs?: number | null;
  /** Set when the load was stopped early because the step failed badly. */
  stoppedEarly?: string;
  /**
   * Each endpoint's response-time p95 over the step (ms) and the requests it rests on; absent in steps
   * measured before it was recorded. The p95 criterion compares each endpoint with itself.
   */
  endpointP95?: Record<string, { requests: number; p95Ms: number }>;
}

/** A step with its verdict and where it sits in the search (`tuneup capacity` adds a `repeat` phase). */
export interface JudgedStep<P extends string = 'ramp' | 'bisect'> extends StepMeasurement {
  phase: P;
  sustained: boolean;
  /** Why the step is past the knee (empty when sustained). */
  reasons: string[];
}

/** Limits of {@link judgeStep}. Each value's reasoning is in the module doc. */
export interface KneeCriteria {
  /** Achieved/offered below this is a shortfall (0.95: a service that keeps up finishes what arrives; 5 % absorbs jitter). */
  minThroughputRatio: number;
  /**
   * Iterations a count over the steady part may miss by chance: iterations finishing just either side of
   * the window's edges. At low rates and short steps this is more than 5 % (1 of 25 in a 1 s window).
   */
  countSlack: number;
  /** Dropped share of offered iterations above this is a knee. */
  maxDroppedShare: number;
  /** Error rate this far above the baseline's is "errors explode"... */
  errorRateRise: number;
  /** ... with at least this many failed requests (np ≥ 5: a proportion is measured, as the error-rate rule's `errorRate.minFailures`). */
  minFailedRequests: number;
  /** Median response-time growth within the step, absolute floor (ms). */
  latencyGrowthMinMs: number;
  /** ... and relative to the baseline p50. */
  latencyGrowthFactor: number;
  /** ... and beyond this many standard errors of the fitted rise (2: the usual ~95 % bound of a trend). */
  growthStandardErrors: number;
  /** p95 above this multiple of the baseline p95 ... */
  latencyFactor: number;
  /**
   * ... each endpoint against its own baseline, counted only with at least this many requests in both
   * steps: with fewer, the 95th percentile is the sample's largest request, one outlier.
   */
  minP95Requests: number;
  /** ... and at least this many ms above it, is past the knee. */
  latencyFloorMs: number;
}

/**
 * Default criteria. Calibrated on the fixture service (test/fixtures/service) on a shared 2-core machine:
 * a sustained step's median rises by well under 50 ms within 5 s even when neighbours load the CPU,
 * while a step 20 % past capacity grows its queue by ~200 ms per second.
 */
export const KNEE_CRITERIA: KneeCriteria = {
  minThroughputRatio: 0.95,
  countSlack: 2,
  maxDroppedShare: 0.01,
  errorRateRise: 0.05,
  minFailedRequests: 5,
  latencyGrowthMinMs: 100,
  latencyGrowthFactor: 2,
  growthStandardErrors: 2,
  latencyFactor: 10,
  minP95Requests: 20,
  latencyFloorMs: 100,
};

/** Limits of {@link abortReason}: a step this bad stops at once, so the target is never left overloaded. */
export interface AbortCriteria {
  /** Judge only after this much of the step (ms), so start-up noise does not stop it. */
  minElapsedMs: number;
  /** Failed share of requests (with at least `minRequests`). */
  errorRate: number;
  minRequests: number;
  /** Dropped share of iterations. */
  droppedShare: number;
  /** p95 response time so far (ms). */
  p95Ms: number;
}

/** Default abort limits: half the requests failing, a fifth of the arrivals dropped, or a 5 s p95. */
export const ABORT_CRITERIA: AbortCriteria = { minElapsedMs: 1500, errorRate: 0.5, minRequests: 20, droppedShare: 0.2, p95Ms: 5000 };

/** Shape of the search. */
export interface KneeSearchOptions {
  /** First offered rate (iterations/s). */
  startRate: number;
  /** Multiplier between ramp steps (> 1). */
  factor: number;
  /** No ramp step above this rate; undefined = only `maxSteps` bounds the ramp. */
  maxRate?: number;
  /** Most ramp steps (the first included). */
  maxSteps: number;
  /** Bisections between the last sustained and the first failing rate. */
  bisections: number;
  /** Stop bisecting when failing/sustained is at most this ratio (e.g. 1.1: within 10 %). */
  resolution: number;
  /** Steps down from a failing first step before giving up (`below-start`). */
  stepsDown: number;
}

/** Default search: ×2 per step, up to 8 steps, 2 bisections, 2 steps down. */
export const KNEE_SEARCH_DEFAULTS: Omit<KneeSearchOptions, 'startRate' | 'maxRate'> = {
  factor: 2,
  maxSteps: 8,
  bisections: 2,
  resolution: 1.1,
  stepsDown: 2,
};

/** Where the knee is, from the steps so far. */
export interface KneeEstimate {
  status: 'found' | 'not-reached' | 'below-start';
  /** Highest offered rate sustained. */
  sustainedRate?: number;
  /** Lowest offered rate that failed (above `sustainedRate`). */
  failedRate?: number;
  /** Reasons of the step at `failedRate`. */
  reasons: string[];
}

/** The search's next move. */
export type NextStep = { done: false; rate: number; phase: 'ramp' | 'bisect' } | { done: true; knee: KneeEstimate };

/**
 * The planned ramp (before any result): `startRate × factor^i`, capped by `maxRate` and `maxSteps`.
 * When the cap falls between two steps the last step is the cap itself, so the ramp reaches it.
 */
export function rampRates(options: Pick<KneeSearchOptions, 'startRate' | 'factor' | 'maxRate' | 'maxSteps'>): number[] {
  const rates: number[] = [];
  let rate = options.startRate;
  while (rates.length < options.maxSteps) {
    if (options.maxRate !== undefined && rate > options.maxRate * 1.0001) {
      if (rates.length === 0 || rates[rates.length - 1]! < options.maxRate / 1.0001) rates.push(options.maxRate);
      break;
    }
    rates.push(rate);
    rate *= options.factor;
  }
  return rates.map(roundRate);
}

/** Round a rate for display and plans: 3 significant digits. */
export function roundRate(rate: number): number {
  if (rate <= 0 || !Number.isFinite(rate)) return rate;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(rate)));
  const f = 10 ** digits;
  return Math.round(rate * f) / f;
}

/**
 * Judge one step against the baseline (the lowest sustained step; undefined for the first step, which
 * is then judged on throughput, drops and growth only).
 */
export function judgeStep(step: StepMeasurement, baseline: StepMeasurement | undefined, criteria: KneeCriteria = KNEE_CRITERIA): { sustained: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const window = Math.max(step.windowSeconds, 1e-9);
  if (step.offeredRate > 0 && step.achievedRate * window + criteria.countSlack < criteria.minThroughputRatio * step.offeredRate * window) {
    reasons.push(`throughput ${fmt(step.achievedRate)}/s < ${Math.round(criteria.minThroughputRatio * 100)} % of the offered ${fmt(step.offeredRate)}/s`);
  }
  if (step.offeredIterations > 0 && step.droppedIterations > criteria.countSlack && step.droppedIterations / step.offeredIterations > criteria.maxDroppedShare) {
    reasons.push(`${step.droppedIterations} iterations dropped (no free VU)`);
  }
  const baseP50 = baseline?.p50Ms ?? 0;
  const se = step.latencyGrowthSeMs ?? null;
  // A trend is a trend beyond its noise: a rise within 2 standard errors is the step's own variability.
  const beyondNoise = se === null || step.latencyGrowthMs === null || step.latencyGrowthMs > criteria.growthStandardErrors * se;
  if (step.latencyGrowthMs !== null && step.latencyGrowthMs > criteria.latencyGrowthMinMs && step.latencyGrowthMs > criteria.latencyGrowthFactor * baseP50 && beyondNoise) {
    reasons.push(`median response time grew ${fmt(step.latencyGrowthMs)} ms${se === null ? '' : ` (± ${fmt(se)})`} within the step (a growing queue)`);
  }
  const degraded = baseline ? degradedLatency(step, baseline, criteria) : undefined;
  if (degraded) reasons.push(degraded);
  const baseErrors = baseline?.errorRate ?? 0;
  if (step.errorRate - baseErrors > criteria.errorRateRise && (step.failedRequests === undefined || step.failedRequests >= criteria.minFailedRequests)) {
    reasons.push(`error rate ${fmt(step.errorRate * 100)} % (baseline ${fmt(baseErrors * 100)} %)`);
  }
  if (step.stoppedEarly && reasons.length === 0) reasons.push(step.stoppedEarly);
  return { sustained: reasons.length === 0, reasons };
}

/**
 * "Latency degrades past the knee of the curve", or undefined. Each endpoint is compared with itself: the
 * p95 of a mix moves with its share of slow endpoints (a step whose few requests of a 1.5 s upstream call
 * fall inside its top 5 % has a p95 ten times one whose do not), and a queue in front of any resource
 * raises every endpoint that waits in it. Only endpoints with `minP95Requests` in both steps are judged.
 * Steps measured before per-endpoint p95s were recorded fall back to the mixed p95.
 */
function degradedLatency(step: StepMeasurement, baseline: StepMeasurement, criteria: KneeCriteria): string | undefined {
  const past = (now: number, base: number) => now > criteria.latencyFactor * base && now - base > criteria.latencyFloorMs;
  if (step.endpointP95 && baseline.endpointP95) {
    const worst = Object.entries(step.endpointP95)
      .flatMap(([endpoint, now]) => {
        const base = baseline.endpointP95![endpoint];
        if (!base || now.requests < criteria.minP95Requests || base.requests < criteria.minP95Requests) return [];
        return past(now.p95Ms, base.p95Ms) ? [{ endpoint, now: now.p95Ms, base: base.p95Ms }] : [];
      })
      .sort((a, b) => b.now / Math.max(b.base, 0.001) - a.now / Math.max(a.base, 0.001))[0];
    return worst ? `${worst.endpoint} p95 ${fmt(worst.now)} ms, ${fmt(worst.now / Math.max(worst.base, 0.001))}× its lightly loaded ${fmt(worst.base)} ms` : undefined;
  }
  if (baseline.p95Ms === null || step.p95Ms === null || !past(step.p95Ms, baseline.p95Ms)) return undefined;
  return `p95 ${fmt(step.p95Ms)} ms, ${fmt(step.p95Ms / Math.max(baseline.p95Ms, 0.001))}× the lightly loaded ${fmt(baseline.p95Ms)} ms`;
}

/**
 * Should a running step stop now? Reads the live totals of the step so far; returns the reason, or
 * undefined to go on. Only a step failing badly stops: a mild shortfall is left to {@link judgeStep}.
 */
export function abortReason(
  live: { elapsedMs: number; requests: number; failed: number; iterations: number; droppedIterations: number; p95ResponseMs: number | null },
  criteria: AbortCriteria = ABORT_CRITERIA,
): string | undefined {
  if (live.elapsedMs < criteria.minElapsedMs) return undefined;
  if (live.requests >= criteria.minRequests && live.failed / live.requests >= criteria.errorRate) {
    return `stopped early: ${fmt((100 * live.failed) / live.requests)} % of requests failed`;
  }
  const offered = live.iterations + live.droppedIterations;
  if (offered > 0 && live.droppedIterations / offered >= criteria.droppedShare) {
    return `stopped early: ${live.droppedIterations} of ${offered} iterations dropped`;
  }
  if (live.p95ResponseMs !== null && live.p95ResponseMs >= criteria.p95Ms) {
    return `stopped early: p95 response time ${fmt(live.p95ResponseMs)} ms`;
  }
  return undefined;
}

/**
 * The baseline for judging: the lowest-rate sustained step so far. Its per-endpoint p95s are each
 * endpoint's at the lowest sustained step where it had `minP95Requests` (a light step may hold only a few
 * requests of a rare endpoint; the next sustained step is still the service lightly loaded).
 */
export function baselineOf<S extends JudgedStep<string>>(steps: readonly S[], criteria: KneeCriteria = KNEE_CRITERIA): S | undefined {
  const sustained = steps.filter((s) => s.sustained).sort((a, b) => a.offeredRate - b.offeredRate);
  const lowest = sustained[0];
  if (!lowest?.endpointP95) return lowest;
  const endpointP95: NonNullable<StepMeasurement['endpointP95']> = {};
  for (const s of sustained) {
    for (const [endpoint, m] of Object.entries(s.endpointP95 ?? {})) {
      if (!endpointP95[endpoint] && m.requests >= criteria.minP95Requests) endpointP95[endpoint] = m;
    }
  }
  return { ...lowest, endpointP95 };
}

/** The knee as the steps so far bracket it. */
export function kneeOf(steps: readonly JudgedStep<string>[]): KneeEstimate {
  const sustained = steps.filter((s) => s.sustained).map((s) => s.offeredRate);
  const failed = steps.filter((s) => !s.sustained);
  if (sustained.length === 0) {
    const lowest = failed.sort((a, b) => a.offeredRate - b.offeredRate)[0];
    return { status: 'below-start', failedRate: lowest?.offeredRate, reasons: lowest?.reasons ?? [] };
  }
  const best = Math.max(...sustained);
  const above = failed.filter((s) => s.offeredRate > best).sort((a, b) => a.offeredRate - b.offeredRate)[0];
  if (!above) return { status: 'not-reached', sustainedRate: best, reasons: [] };
  return { status: 'found', sustainedRate: best, failedRate: above.offeredRate, reasons: above.reasons };
}

/**
 * The next move of the search given the judged steps so far (in the order they ran).
 * Ramp up geometrically while steps are sustained; step down from a failing first step; bisect between
 * the highest sustained and the lowest failing rate; done when bracketed within `resolution`, out of
 * bisections, or the ramp reached its cap.
 */
export function nextStep(steps: readonly JudgedStep<string>[], options: KneeSearchOptions): NextStep {
  if (steps.length === 0) return { done: false, rate: roundRate(options.startRate), phase: 'ramp' };
  const knee = kneeOf(steps);
  const ramp = steps.filter((s) => s.phase === 'ramp');
  if (knee.status === 'below-start') {
    const lowest = Math.min(...steps.map((s) => s.offeredRate));
    const downs = steps.filter((s) => s.offeredRate < options.startRate).length;
    if (downs >= options.stepsDown) return { done: true, knee };
    return { done: false, rate: roundRate(lowest / options.factor), phase: 'ramp' };
  }
  if (knee.status === 'not-reached') {
    const last = Math.max(...ramp.map((s) => s.offeredRate));
    const planned = rampRates(options);
    const next = planned.find((r) => r > last * 1.0001);
    if (next === undefined || ramp.length >= options.maxSteps) return { done: true, knee };
    return { done: false, rate: next, phase: 'ramp' };
  }
  const bisections = steps.filter((s) => s.phase === 'bisect').length;
  const lo = knee.sustainedRate!;
  const hi = knee.failedRate!;
  if (bisections >= options.bisections || hi / lo <= options.resolution) return { done: true, knee };
  const mid = roundRate(Math.sqrt(lo * hi));
  if (mid <= lo || mid >= hi) return { done: true, knee };
  return { done: false, rate: mid, phase: 'bisect' };
}

/** Least-squares slope × span of `values` over their index (seconds): the fitted rise from first to last. */
export function fittedRise(values: readonly (number | null)[]): number | null {
  const points = values.map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]));
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  if (sxx === 0) return null;
  return (sxy / sxx) * (points[n - 1]![0] - points[0]![0]);
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n >= 10 ? n.toFixed(1).replace(/\.0$/, '') : n.toFixed(2).replace(/\.?0+$/, '');
}
