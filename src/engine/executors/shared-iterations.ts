/**
 * `shared-iterations` (closed model): `vus` VUs share a pool of `iterations`;
 * a VU takes the next iteration as soon as it is free, so fast VUs do more.
 * Iterations not started when `maxDuration` expires are dropped (k6).
 *
 * @module
 */
import type { ResolvedSharedIterations } from '../../plan/types.js';
import { scaleInt } from '../segments.js';
import type { ScenarioRuntime } from './runtime.js';

/**
 * This segment's VUs and iterations. Both scale with the segment (shares sum
 * to the totals); a segment that owns iterations gets at least one VU.
 */
export function sharedIterationsShare(vus: number, iterations: number, segment: ScenarioRuntime['env']['segment']): { vus: number; iterations: number } {
  const its = scaleInt(iterations, segment);
  let v = Math.min(scaleInt(vus, segment), its);
  if (its > 0 && v === 0) v = 1;
  return { vus: v, iterations: its };
}

/** Run a `shared-iterations` scenario on `rt`. */
export async function runSharedIterations(rt: ScenarioRuntime, s: ResolvedSharedIterations): Promise<void> {
  const share = sharedIterationsShare(s.vus, s.iterations, rt.env.segment);
  let remaining = share.iterations;
  const take = (): boolean => {
    if (remaining <= 0) return false;
    remaining--;
    return true;
  };
  rt.continuePolicy = take;
  for (let i = 0; i < share.vus; i++) {
    const slot = rt.allocate();
    if (take()) rt.start(slot);
  }
  await rt.idleOrDeadline(s.maxDurationMs);
  const notStarted = remaining;
  remaining = 0;
  if (!rt.env.stopSignal.aborted && notStarted > 0) rt.drop(notStarted);
  await rt.gracefulEnd(s.gracefulStopMs);
}
