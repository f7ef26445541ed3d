/**
 * `tuneup run plan.ts|plan.js|plan.yaml|plan.json`: the plan's scenarios,
 * thresholds and probes, then the result, reports and exit code.
 *
 * The declaration only: the action (run-action.ts) and everything it needs
 * load when the command runs, so building the program stays cheap.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliIO } from '../io.js';
import { collect } from '../options.js';
import { addProbeOptions, addReferenceOption, type ProbeFlags } from '../probe-options.js';
import { addRunOutputOptions, type RunOutputFlags } from '../run-options.js';

/** The flags of `tuneup run` as commander gives them. */
export interface RunFlags extends RunOutputFlags, ProbeFlags {
  baseUrl?: string;
  timeout?: string;
  profile?: string;
  rate?: string;
  duration?: string;
  env?: string[];
}

/** Register `tuneup run`. */
export function registerRunCommand(program: Command, io: CliIO): void {
  const command = program
    .command('run')
    .description('run a plan (.ts, .js, .yaml, .json): scenarios, thresholds, probes, report')
    .argument('<plan>', 'plan file')
    .option('--base-url <url>', "override the plan's baseUrl")
    .option('--timeout <duration>', 'override the per-request timeout')
    .option('--profile <name>', 'replace the scenarios by a profile: smoke, load, stress, spike, soak, breakpoint')
    .option('--rate <n>', "the profile's expected load (iterations per second)")
    .option('--duration <duration>', "the profile's main duration")
    .option('-e, --env <key=value>', 'environment variable for the plan (repeatable)', collect);
  addRunOutputOptions(command, { segment: true, thresholds: true });
  addProbeOptions(command);
  addReferenceOption(command);
  command.action(async (planPath, flags) => (await import('./run-action.js')).runAction(planPath, flags as RunFlags, io));
}
