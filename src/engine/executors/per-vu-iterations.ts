/**
 * `per-vu-iterations` (closed model): each VU runs exactly `iterations`
 * iterations. Iterations not started when `maxDuration` expires are counted
 * as dropped (k6 semantics), then running ones get `gracefulStop`.
 *
 * @module
 */
import type { ResolvedPerVuIterations } from '../../plan/types.js';
import { scaleInt } from '../segments.js';
import type { ScenarioRuntime, Slot } from './runtime.js';

/** Run a `per-vu-iterations` scenario on `rt`. Each segment scales `vus`; `iterations` is per VU. */
export async function runPerVuIterations(rt: ScenarioRuntime, s: ResolvedPerVuIterations): Promise<void> {
  const vus = scaleInt(s.vus, rt.env.segment);
  rt.continuePolicy = takeOne;
  for (let i = 0; i < vus; i++) {
    const slot = rt.allocate();
    slot.quota = s.iterations;
    if (takeOne(slot)) rt.start(slot);
  }
  await rt.idleOrDeadline(s.maxDurationMs);
  let notStarted = 0;
  for (const slot of rt.slots) {
    notStarted += slot.quota;
    slot.quota = 0;
  }
  if (!rt.env.stopSignal.aborted && notStarted > 0) rt.drop(notStarted);
  await rt.gracefulEnd(s.gracefulStopMs);
}

function takeOne(slot: Slot): boolean {
  if (slot.quota <= 0) return false;
  slot.quota--;
  return true;
}
