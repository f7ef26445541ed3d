/**
 * `tuneup analyze`: findings for a stored run, recomputed from its JSON
 * (`--run ID`), or a no-load health snapshot of PostgreSQL and Redis
 * (pgHero-style) when no run is given.
 *
 * The declaration only: the action (analyze-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliIO } from '../io.js';

/** The flags of `tuneup analyze` as commander gives them. */
export interface AnalyzeFlags {
  run?: string;
  pg?: string;
  redis?: string;
  sensitivity: string;
  update?: boolean;
  reference?: string;
  runsDir: string;
  json?: boolean;
  verbose?: boolean;
}

/** Register `tuneup analyze`. */
export function registerAnalyzeCommand(program: Command, io: CliIO): void {
  program
    .command('analyze')
    .description('findings of a stored run (--run), or a no-load snapshot of PostgreSQL/Redis (--pg, --redis)')
    .option('--run <id>', 'a stored run: id, "latest", or a path to result.json')
    .option('--pg <url>', 'PostgreSQL to analyze (snapshot mode), or to EXPLAIN hot statements with --run')
    .option('--redis <url>', 'Redis to analyze (snapshot mode)')
    .option('--sensitivity <level>', 'low, normal or high', 'normal')
    .option('--update', 'with --run: store the recomputed findings in result.json and rewrite its reports')
    .option('--reference <runs>', 'with --run: earlier runs of this service to judge dependency waits against (run ids, latest, result.json paths or baseline:NAME)')
    .option('--runs-dir <dir>', 'directory of stored runs', '.tuneup/runs')
    .option('--json', 'print findings as JSON')
    .option('--verbose', 'show stack traces on errors')
    .action(async (flags) => (await import('./analyze-action.js')).analyzeAction(flags, io));
}
