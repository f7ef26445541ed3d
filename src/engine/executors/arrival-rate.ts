/**
 * The open-model dispatcher shared by `constant-arrival-rate` and
 * `ramping-arrival-rate`.
 *
 * Every iteration has an intended start time from the rate schedule. The
 * dispatcher sleeps on the run's `Clock` until the next due time (a timer in
 * production: no busy-spinning; Node timers fire up to ~1 ms late; a virtual
 * clock in tests); when it wakes, every iteration whose
 * intended time has passed is dispatched, each with its own intended time,
 * so lateness is measured as start lag instead of being hidden. If no VU is
 * free the iteration is dropped and counted — never queued — and one more VU
 * is allocated, up to `maxVUs` (k6 semantics).
 *
 * @module
 */
import { segmentWidth, stripeOffsets } from '../segments.js';
import type { ScenarioRuntime, Slot } from './runtime.js';

/** Open-model schedule of one scenario (already resolved). */
export interface ArrivalSchedule {
  /** Intended offsets (ms from scenario start) of the whole, unsegmented schedule. */
  offsets: Iterable<number>;
  /** Total scheduled duration (ms). */
  durationMs: number;
  gracefulStopMs: number;
  /** Scheduled rate (iterations/s, whole run) at an offset, for the live series. */
  rateAt(offsetMs: number): number;
}

/** Run an arrival-rate schedule on `rt` with a VU pool already scaled to the segment. */
export async function runArrivalRate(rt: ScenarioRuntime, schedule: ArrivalSchedule, pool: { preAllocated: number; max: number }): Promise<void> {
  const { clock, stopSignal } = rt.env;
  const idle: Slot[] = [];
  for (let i = 0; i < pool.preAllocated; i++) idle.push(rt.allocate());
  rt.onRelease = (slot) => {
    idle.push(slot);
  };
  rt.continuePolicy = () => false;
  const width = segmentWidth(rt.env.segment);
  rt.targetRateNow = (nowMs) => schedule.rateAt(nowMs - rt.startMs) * width;

  const dispatch = (intendedMs: number): void => {
    const slot = idle.pop();
    if (slot === undefined) {
      rt.drop();
      // k6: grow the pool by one VU per dropped iteration, up to maxVUs; the dropped iteration is not retried.
      if (rt.allocated < pool.max) idle.push(rt.allocate());
      return;
    }
    rt.start(slot, intendedMs);
  };

  const iterator = stripeOffsets(schedule.offsets, rt.env.segment)[Symbol.iterator]();
  // Through the clock, not setTimeout, so a test's virtual clock drives the schedule too.
  for (let next = iterator.next(); !stopSignal.aborted; ) {
    const now = clock.now();
    while (!next.done && rt.startMs + next.value <= now) {
      dispatch(rt.startMs + next.value);
      next = iterator.next();
    }
    if (next.done) break;
    await clock.sleep(rt.startMs + next.value - now, stopSignal);
  }
  await rt.sleepUntil(schedule.durationMs);
  await rt.gracefulEnd(schedule.gracefulStopMs);
}
