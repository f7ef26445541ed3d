/**
 * Pure schedule functions of the executors: the intended start time of every
 * open-model iteration, the VU count of `ramping-vus` over time, and the
 * target rate at a given moment. They take no clock and start no timer, so
 * they are tested exactly (test/engine/schedule.test.ts).
 *
 * Conventions: times are milliseconds from the scenario start; rates are
 * iterations per `timeUnitMs`.
 *
 * @module
 */

/** One stage of a ramping executor (duration in ms, target VUs or iterations per timeUnit). */
export interface Stage {
  durationMs: number;
  target: number;
}

/**
 * Intended start offsets (ms from the scenario start) of every iteration of an
 * arrival-rate schedule that starts at `startRate` and moves linearly to each
 * stage's target over the stage's duration (a constant rate is one stage
 * whose target equals `startRate`).
 *
 * Iteration `k` (0-based) is due at the first moment the cumulative number of
 * arrivals N(t) = ∫rate reaches `k`, so a constant rate `r` per second yields
 * 0, 1000/r, 2000/r, … and exactly `r × duration` iterations — the first
 * starts immediately, as in k6's constant-arrival-rate. Offsets are strictly
 * inside `[0, total duration)`.
 *
 * Generated lazily: a long soak test never materialises its offsets.
 */
export function* arrivalOffsets(startRate: number, stages: readonly Stage[], timeUnitMs: number): Generator<number, void, undefined> {
  let k = 0; // next iteration index
  let done = 0; // arrivals (real-valued) before the current stage
  let stageStart = 0;
  let from = startRate / timeUnitMs; // iterations per ms at the stage start
  for (const stage of stages) {
    const d = stage.durationMs;
    const to = stage.target / timeUnitMs;
    if (d > 0) {
      const slope = (to - from) / d;
      const inStage = (from + to) / 2 * d; // arrivals within this stage
      while (k < done + inStage - 1e-9) {
        const need = k - done; // arrivals needed inside the stage
        const t = solveArrival(from, slope, need, d);
        if (t >= d) break;
        yield stageStart + t;
        k++;
      }
      done += inStage;
    }
    stageStart += d;
    from = to;
  }
}

/** Smallest t in [0, d] with from·t + slope·t²/2 ≥ need (need ≥ 0). */
function solveArrival(from: number, slope: number, need: number, d: number): number {
  if (need <= 0) return 0;
  if (Math.abs(slope) < 1e-15) return from > 0 ? need / from : d;
  // slope/2 t² + from t − need = 0 → the root where the cumulative count first reaches `need`.
  const disc = from * from + 2 * slope * need;
  if (disc < 0) return d; // the decreasing rate never reaches `need` in this stage
  // Numerically stable form of (−from + √disc) / slope.
  const t = (2 * need) / (from + Math.sqrt(disc));
  return Math.min(t, d);
}

/** Total duration (ms) of a list of stages. */
export function stagesDurationMs(stages: readonly Stage[]): number {
  let total = 0;
  for (const s of stages) total += s.durationMs;
  return total;
}

/**
 * The scheduled rate (iterations per `timeUnitMs`) at offset `t` of a ramping
 * schedule; 0 outside it. Used for the live `targetRate` series.
 */
export function rateAt(startRate: number, stages: readonly Stage[], t: number): number {
  if (t < 0) return 0;
  let stageStart = 0;
  let from = startRate;
  for (const stage of stages) {
    if (t < stageStart + stage.durationMs) {
      const f = stage.durationMs > 0 ? (t - stageStart) / stage.durationMs : 1;
      return from + (stage.target - from) * f;
    }
    stageStart += stage.durationMs;
    from = stage.target;
  }
  return 0;
}

/**
 * `ramping-vus` VU count at offset `t` (ms). Within a stage from `a` to `b`
 * VUs over `d` ms, the count is `a + trunc((b − a) · t / d)`: when ramping up,
 * VU number `a + i` joins at `i/(b−a)·d`; when ramping down one VU leaves at
 * each step. After the last stage the scenario is over (0).
 */
export function vusAt(startVUs: number, stages: readonly Stage[], t: number): number {
  if (t < 0) return 0;
  let stageStart = 0;
  let from = startVUs;
  for (const stage of stages) {
    if (t < stageStart + stage.durationMs) {
      const f = (t - stageStart) / stage.durationMs;
      return from + Math.trunc((stage.target - from) * f + 1e-9 * Math.sign(stage.target - from));
    }
    stageStart += stage.durationMs;
    from = stage.target;
  }
  return 0;
}

/** A change of the `ramping-vus` VU count: at offset `t` (ms) the count becomes `vus`. */
export interface VuStep {
  t: number;
  vus: number;
}

/**
 * Every moment the `ramping-vus` count changes, in order, starting with
 * `{ t: 0, vus: startVUs }` (or the first stage's count at 0). The executor
 * sets one timer per step instead of polling.
 */
export function vuSteps(startVUs: number, stages: readonly Stage[]): VuStep[] {
  const steps: VuStep[] = [{ t: 0, vus: startVUs }];
  let stageStart = 0;
  let from = startVUs;
  for (const stage of stages) {
    const delta = stage.target - from;
    const n = Math.abs(delta);
    if (stage.durationMs === 0) {
      if (delta !== 0) push(steps, stageStart, stage.target);
    } else {
      for (let i = 1; i <= n; i++) {
        const t = stageStart + (i / n) * stage.durationMs;
        // The last step of a stage lands on its end, which is the next stage's start.
        push(steps, t, from + Math.sign(delta) * i);
      }
    }
    stageStart += stage.durationMs;
    from = stage.target;
  }
  return steps;
}

function push(steps: VuStep[], t: number, vus: number): void {
  const last = steps[steps.length - 1];
  if (last !== undefined && Math.abs(last.t - t) < 1e-9) last.vus = vus;
  else steps.push({ t, vus });
}

/** Highest VU count a `ramping-vus` schedule reaches (the VUs to allocate). */
export function maxVus(startVUs: number, stages: readonly Stage[]): number {
  let max = startVUs;
  for (const s of stages) max = Math.max(max, s.target);
  return max;
}

/**
 * Mean scheduled rate (iterations per second) over the whole schedule, for
 * `ScenarioResult.targetRate`.
 */
export function meanRatePerSecond(startRate: number, stages: readonly Stage[], timeUnitMs: number): number {
  const total = stagesDurationMs(stages);
  if (total <= 0) return 0;
  let arrivals = 0;
  let from = startRate;
  for (const s of stages) {
    arrivals += ((from + s.target) / 2) * s.durationMs;
    from = s.target;
  }
  return (arrivals / timeUnitMs) / (total / 1000);
}
