/**
 * `tuneup playbook PLAN`: the playbook against the user's own service —
 * assess and diagnose with `tuneup diagnose`'s experiment, optimize (a dry
 * run; `--apply --environment NAME` applies the database actions that fix
 * this run's findings, journaled, then validates them), and hand over what
 * only the user can change: each code-level finding with the change to
 * make, the baseline saved under a name, and the exact `tuneup validate`
 * command to run after the change.
 *
 * The declaration only: the action (playbook-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_JOURNAL_DIR } from '../../optimize/journal.js';
import { addExperimentOptions, type ExperimentFlags } from '../experiment-options.js';
import type { CliIO } from '../io.js';
import { collect } from '../options.js';
import { addProbeOptions, type ProbeFlags } from '../probe-options.js';

/** Default name of the baseline the playbook saves for `tuneup validate`. */
export const PLAYBOOK_BASELINE = 'playbook';

/** The flags of `tuneup playbook` as commander gives them. */
export interface PlaybookFlags extends ExperimentFlags, ProbeFlags {
  apply?: boolean;
  environment?: string;
  yes?: boolean;
  journalDir: string;
  alone: string;
  baseline: string;
  baseUrl?: string;
  env?: string[];
  json?: boolean;
  verbose?: boolean;
}

/** Register `tuneup playbook`. */
export function registerPlaybookCommand(program: Command, io: CliIO): void {
  const command = program
    .command('playbook')
    .description('assess → diagnose (the experiment of `tuneup diagnose`) → optimize (dry run; --apply for the database actions) → validate, on your service')
    .argument('<plan>', 'plan file; one scenario (or one requests: entry) per endpoint lets every suspect be isolated')
    .option('--apply', "apply the database actions that fix this run's findings (journaled), then validate them; default: dry run")
    .option('--environment <name>', 'where the changes go, required with --apply (production needs --yes)')
    .option('-y, --yes', 'apply to production without asking')
    .option('--journal-dir <dir>', 'directory of apply journals', DEFAULT_JOURNAL_DIR)
    .option('--alone <duration>', 'length of each before/after run of the changed endpoint alone (2 users back to back; 0s to skip)', '8s')
    .option('--baseline <name>', 'save the baseline for `tuneup validate` under this name', PLAYBOOK_BASELINE)
    .option('--base-url <url>', "override the plan's baseUrl")
    .option('-e, --env <key=value>', 'environment variable for the plan (repeatable)', collect)
    .option('--json', 'print the outcome as JSON on stdout (findings, actions, changes by hand, baseline, next command)')
    .option('--verbose', 'show stack traces on errors');
  addExperimentOptions(command);
  addProbeOptions(command);
  command.action(async (planPath, flags) => (await import('./playbook-action.js')).playbookAction(planPath, flags as PlaybookFlags, io));
}
