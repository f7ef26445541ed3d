/**
 * `constant-vus` (closed model): a fixed number of VUs loop over the scenario
 * function for `duration`, then get `gracefulStop` to finish.
 *
 * @module
 */
import type { ResolvedConstantVus } from '../../plan/types.js';
import { scaleInt } from '../segments.js';
import type { ScenarioRuntime } from './runtime.js';

/** Run a `constant-vus` scenario on `rt`. */
export async function runConstantVus(rt: ScenarioRuntime, s: ResolvedConstantVus): Promise<void> {
  const vus = scaleInt(s.vus, rt.env.segment);
  rt.continuePolicy = () => true;
  for (let i = 0; i < vus; i++) rt.start(rt.allocate());
  await rt.sleepUntil(s.durationMs);
  await rt.gracefulEnd(s.gracefulStopMs);
}
