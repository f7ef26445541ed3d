/**
 * Ground truth for the corpus's `overload` load: was the run past the
 * service's capacity? Decided from the load generator's own counts with the
 * open-model definition (throughput stops tracking the offered rate), not
 * from tuneup's findings, so the scorer does not grade the overload rule
 * against itself. A corpus case's `overloadRate` is the writer's estimate on
 * their machine; on another host state the service may sustain it.
 *
 * @module
 */
import type { RunResult } from '../../src/result/types.js';

/** Completed below this share of the offered iterations over the second half is past capacity. */
export const TRACKING_SHARE = 0.95;
/** Dropped iterations (no free VU) at or above this share of the scheduled ones are past capacity. */
export const DROPPED_SHARE = 0.05;

/**
 * True when the run's second half (of the seconds with an offered rate) completed fewer than
 * {@link TRACKING_SHARE} of the offered iterations, or {@link DROPPED_SHARE} or more of the
 * scheduled iterations were dropped. Undefined for closed-model runs and runs under 4 offered seconds.
 */
export function pastCapacity(result: RunResult): boolean | undefined {
  const open = result.scenarios.filter((s) => s.model === 'open');
  const s = result.series;
  const offered = s.targetRate.map((r, i) => (r > 0 ? i : -1)).filter((i) => i >= 0);
  if (open.length === 0 || offered.length < 4) return undefined;
  const half = offered.slice(Math.floor(offered.length / 2));
  const intervalS = s.intervalMs / 1000;
  const want = half.reduce((a, i) => a + s.targetRate[i]! * intervalS, 0);
  const done = half.reduce((a, i) => a + (s.iterations[i] ?? 0), 0);
  const dropped = open.reduce((a, sc) => a + sc.droppedIterations, 0);
  const scheduled = open.reduce((a, sc) => a + sc.iterations + sc.droppedIterations + sc.interruptedIterations, 0);
  return (want > 0 && done < TRACKING_SHARE * want) || (scheduled > 0 && dropped / scheduled >= DROPPED_SHARE);
}
