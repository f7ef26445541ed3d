/**
 * `ramping-vus` (closed model): the VU count follows `stages` (see
 * {@link vuSteps}). A VU removed by a ramp-down finishes its iteration and
 * stops; if it is still running after `gracefulRampDown`, it is interrupted.
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { ResolvedRampingVus } from '../../plan/types.js';
import { vuSteps, stagesDurationMs } from '../schedule.js';
import { scaleInt } from '../segments.js';
import type { ScenarioRuntime, Slot } from './runtime.js';

/** Run a `ramping-vus` scenario on `rt`. */
export async function runRampingVus(rt: ScenarioRuntime, s: ResolvedRampingVus): Promise<void> {
  const segment = rt.env.segment;
  const active: Slot[] = [];
  const spare: Slot[] = [];
  // Ramp-down deadlines sleep on the run's clock (a virtual one in tests); aborted at the end.
  const deadlines = new AbortController();
  setMaxListeners(0, deadlines.signal); // one listener per VU ramped down while busy
  rt.continuePolicy = (slot) => !slot.retired;

  const setTarget = (target: number): void => {
    while (active.length < target) {
      const slot = spare.pop() ?? rt.allocate();
      slot.retired = false;
      slot.resume();
      active.push(slot);
      // A slot still finishing its ramp-down iteration simply keeps looping.
      if (!slot.engaged) rt.start(slot);
    }
    while (active.length > target) {
      const slot = active.pop()!;
      slot.retired = true;
      slot.markStopping();
      spare.push(slot);
      if (slot.engaged) {
        const gen = slot.gen;
        void rt.env.clock.sleep(s.gracefulRampDownMs, deadlines.signal).then(() => {
          if (!deadlines.signal.aborted && slot.retired && slot.gen === gen) rt.interruptSlot(slot);
        });
      }
    }
  };

  for (const step of vuSteps(s.startVUs, s.stages)) {
    if (!(await rt.sleepUntil(step.t))) break;
    setTarget(scaleInt(step.vus, segment));
  }
  await rt.sleepUntil(stagesDurationMs(s.stages));
  await rt.gracefulEnd(s.gracefulStopMs);
  deadlines.abort();
}
