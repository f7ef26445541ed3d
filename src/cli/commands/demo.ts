/**
 * `tuneup demo`: the whole playbook on a bundled service with planted
 * bottlenecks (demo/), on embedded PostgreSQL by default — nothing to
 * install but Node. Starts the stack on loopback, seeds it, runs assess →
 * diagnose → optimize (dry run, then apply to the demo's own database) →
 * validate → compare, prints a closing summary, and stops everything it
 * started (also on Ctrl-C).
 *
 * The declaration only: the action (demo-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { DEMO_FAULTS } from '../../demo-stack/faults.js';
import type { CliIO } from '../io.js';
import { collect } from '../options.js';

/**
 * The diagnosis lengths of `QUICK_BUDGET` and `FULL_BUDGET` (src/demo-stack/playbook.ts) that `--quick`'s
 * help names. A copy, because that module loads the whole stack and the program is built on every
 * `--help`; test/cli/lazy-commands.test.ts checks it matches.
 */
export const DEMO_DIAGNOSIS_MS = { quick: 14_000, full: 25_000 } as const;

/** The flags of `tuneup demo` as commander gives them. */
export interface DemoFlags {
  quick?: boolean;
  fault?: string[];
  real?: boolean;
  pg?: string;
  redis?: string;
  rate?: string;
  duration?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Register `tuneup demo`. */
export function registerDemoCommand(program: Command, io: CliIO): void {
  program
    .command('demo')
    .description('the playbook (assess → diagnose → optimize → validate) on a bundled service with planted bottlenecks; embedded PostgreSQL by default')
    .option('--quick', `fewer capacity steps and shorter runs (a ${DEMO_DIAGNOSIS_MS.quick / 1000} s diagnosis instead of ${DEMO_DIAGNOSIS_MS.full / 1000} s)`)
    .option('--fault <name>', `plant only this fault (repeatable): ${DEMO_FAULTS.join(', ')}; default all`, collect)
    .option('--real', "start private PostgreSQL and Redis servers from the machine's binaries instead of embedded PostgreSQL")
    .option('--pg <url>', 'use this PostgreSQL (a scratch database is created on it and dropped afterwards)')
    .option('--redis <url>', "use this Redis for the service's cache")
    .option('--rate <n>', "the demo plan's rate (requests/s): the diagnosis runs at it when the service sustains it")
    .option('--duration <duration>', 'length of the diagnosis run and of the validation run, e.g. 20s')
    .option('--json', 'print the outcome as JSON on stdout (findings, changes, before/after, what the stack ran) instead of the summary')
    .option('--verbose', 'show stack traces on errors')
    .action(async (flags) => (await import('./demo-action.js')).demoAction(flags, io));
}
