/**
 * `tuneup capacity plan`: the breakpoint search on the open model — the
 * maximum sustainable rate of the plan's mix with its uncertainty, the
 * bottleneck at the knee (with probes), a USL fit, and instances and monthly
 * cost for target rates. `tuneup capacity --compare BEFORE,AFTER` compares two
 * stored capacity results (no load). One stored run holds the search
 * (`result.capacity`); its report.html and summary.md show it.
 *
 * The declaration only: the action (capacity-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_HEADROOM } from '../../capacity/cost.js';
import { CAPACITY_DEFAULTS } from '../../capacity/options.js';
import type { CliIO } from '../io.js';
import { addProbeOptions } from '../probe-options.js';
import { addStoredRunOptions, stepSearchOptions, type StepSearchFlags, type StoredRunFlags } from '../stepped-options.js';

/** Flags of the command as commander gives them (strings). */
export interface CapacityFlags extends StepSearchFlags {
  gap: string;
  repeats: string;
  repeatPoints: string;
  targetRate?: string;
  growth?: string;
  baseRate?: string;
  headroom: string;
  pricePerHour?: string;
}

/** Register `tuneup capacity`. */
export function registerCapacityCommand(program: Command, io: CliIO): void {
  const d = CAPACITY_DEFAULTS;
  const search = stepSearchOptions(
    {
      step: 'length of each step',
      startRate: "first step (iterations/s); default an eighth of the plan's rate, or 10",
      maxRate: 'highest ramp step (iterations/s); default no cap but --max-steps',
      maxSteps: 'most ramp steps (×2 each)',
      bisections: 'bisections between the last sustained and the first failing rate',
    },
    d,
  );
  const command = program
    .command('capacity')
    .description('breakpoint search: maximum sustainable rate with its uncertainty, bottleneck, USL fit, instances and monthly cost')
    .argument('[plan]', 'plan file (its mix is stepped up; its thresholds are the SLO each step must meet); not needed with --compare')
    .addOption(search.step)
    .option('--gap <duration>', 'pause after each step (a failing step adds the time its backlog takes to drain)', `${d.gapMs / 1000}s`)
    .addOption(search.startRate)
    .addOption(search.maxRate)
    .addOption(search.maxSteps)
    .addOption(search.bisections)
    .option('--repeats <n>', 'runs of each rate near the knee (1 = no repeats, no uncertainty)', String(d.repeat.repeats))
    .option('--repeat-points <n>', 'rates repeated near the knee, from the highest sustained to the lowest failing', String(d.repeat.points))
    .option('--target-rate <list>', 'target rates to size for (iterations/s, comma-separated)')
    .option('--growth <list>', "growth factors of the base rate to size for, e.g. 2,3,5")
    .option('--base-rate <n>', "today's rate the growth factors multiply; default the plan's rate")
    .option('--headroom <fraction>', 'share of each instance kept free, in [0, 1)', String(DEFAULT_HEADROOM))
    .option('--price-per-hour <n>', 'price of one instance-hour (monthly cost = instances × price × 730 h)')
    .option('--compare <before,after>', 'compare two stored capacity results (run ids) instead of measuring');
  addStoredRunOptions(command, 'print the RunResult JSON (with its capacity section) on stdout');
  addProbeOptions(command).action(async (planPath, parsed) => (await import('./capacity-action.js')).capacityAction(planPath, parsed as CapacityFlags & StoredRunFlags & { compare?: string }, io));
}
