/**
 * The SLO set of a plan as `tuneup slo export` and `tuneup monitor validate`
 * read it, with the command line's overrides (slo-options.ts).
 *
 * @module
 */
import { loadPlan } from '../plan/index.js';
import { slosFromPlan, type SloOverrides, type SloSet } from '../slo/spec.js';
import type { SloFlags } from './slo-options.js';

/** Load the plan and read its SLOs, with the command line's overrides (and a command's own, e.g. `slo export --run`). */
export async function loadSloSet(planPath: string, flags: SloFlags, extra: Pick<SloOverrides, 'cacheObjective' | 'measured'> = {}): Promise<SloSet> {
  const plan = await loadPlan(planPath, { verbose: flags.verbose === true });
  const overrides: SloOverrides = { preset: flags.preset, histogram: flags.metric, service: flags.service, window: flags.window, ...extra };
  return slosFromPlan(plan, overrides);
}
