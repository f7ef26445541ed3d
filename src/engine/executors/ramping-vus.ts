/**
 * `ramping-vus` (closed model): the VU count follows `stages` (see
 * {@link vuSteps}). A VU removed by a ramp-down finishes its iteration and
 * stops; if it is still running after `gracefulRampDown`, it is interrupted.
 *
 * @module
 */
import type { ResolvedRampingVus } from '../../plan/types.js';
import { vuSteps, stagesDurationMs } from '../schedule.js';
import { scaleInt } from '../segments.js';
import type { ScenarioRuntime, Slot } from './runtime.js';

/** Run a `ramping-vus` scenario on `rt`. */
export async function runRampingVus(rt: ScenarioRuntime, s: ResolvedRampingVus): Promise<void> {
  const segment = rt.env.segment;
  const active: Slot[] = [];
  const spare: Slot[] = [];
  const timers = new Set<NodeJS.Timeout>();
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
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (slot.retired && slot.gen === gen) rt.interruptSlot(slot);
        }, s.gracefulRampDownMs);
        timers.add(timer);
      }
    }
  };

  for (const step of vuSteps(s.startVUs, s.stages)) {
    if (!(await rt.sleepUntil(step.t))) break;
    setTarget(scaleInt(step.vus, segment));
  }
  await rt.sleepUntil(stagesDurationMs(s.stages));
  await rt.gracefulEnd(s.gracefulStopMs);
  for (const t of timers) clearTimeout(t);
}
