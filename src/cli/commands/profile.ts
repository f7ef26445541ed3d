/**
 * `tuneup profile plan`: run each scenario alone for a short step at its own
 * rate (or `--rate`), with the probes, and print each endpoint's cost per
 * request (CPU, database time and calls, distinct statements, Redis commands,
 * bytes, unexplained wait), its bottleneck and the throughput bound it
 * implies. The database bound divides by the database's cores (`--db-cores`,
 * else the host's when the server runs on it), not by its connections.
 *
 * The declaration only: the action (profile-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliIO } from '../io.js';
import { collect } from '../options.js';
import { addProbeOptions, addReferenceOption, type ProbeFlags } from '../probe-options.js';

/** The flags of `tuneup profile` as commander gives them. */
export interface ProfileFlags extends ProbeFlags {
  step: string;
  rate?: string;
  dbCores?: string;
  baseUrl?: string;
  env?: string[];
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** Register `tuneup profile`. */
export function registerProfileCommand(program: Command, io: CliIO): void {
  const command = program
    .command('profile')
    .description('per-endpoint cost profile: each scenario alone for a short step, with probes')
    .argument('<plan>', 'plan file; define one scenario per endpoint to profile endpoints apart')
    .option('--step <duration>', 'length of each step', '10s')
    .option('--rate <n>', "iterations per second in every step (default: each scenario's own rate, or its VUs for closed-model scenarios)")
    .option('--db-cores <n>', "cores of the database server, for its throughput bound (default: this host's when the process probe finds PostgreSQL here)")
    .option('--base-url <url>', "override the plan's baseUrl")
    .option('-e, --env <key=value>', 'environment variable for the plan (repeatable)', collect)
    .option('--json', 'print the RunResult JSON on stdout')
    .option('-q, --quiet', 'no live progress')
    .option('--verbose', 'show stack traces on errors');
  addProbeOptions(command);
  addReferenceOption(command);
  command.action(async (planPath, flags) => (await import('./profile-action.js')).profileAction(planPath, flags as ProfileFlags, io));
}
