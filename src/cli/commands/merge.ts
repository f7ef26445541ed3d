/**
 * `tuneup merge RUN...`: combine execution-segment results (`--segment k/N`)
 * into one run with thresholds evaluated over the whole load.
 *
 * The declaration only: the action (merge-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_RUNS_DIR } from '../../engine/result.js';
import type { CliIO } from '../io.js';

/** Register `tuneup merge`. */
export function registerMergeCommand(program: Command, io: CliIO): void {
  program
    .command('merge')
    .description('merge execution-segment runs (--segment k/N) into one result; thresholds judged globally')
    .argument('<runs...>', 'the segment runs: ids, paths to result.json, or run directories')
    .option('--runs-dir <dir>', 'directory of stored runs', DEFAULT_RUNS_DIR)
    .option('--json', 'print the merged RunResult JSON')
    .option('--verbose', 'show stack traces on errors')
    .action(async (refs, flags) => {
      await (await import('./merge-action.js')).mergeRuns(refs, flags, io);
    });
}
