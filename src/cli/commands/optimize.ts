/**
 * `tuneup optimize --run ID [--apply]`, `tuneup rollback JOURNAL_ID` and
 * `tuneup journal [ID]`.
 *
 * - `optimize` plans actions for a stored run and prints them (the dry run,
 *   the default); `--out` saves the plan and `--plan FILE` applies exactly it. With `--apply --environment NAME` it applies them; for
 *   `production` it asks for confirmation on a terminal, or needs `--yes`.
 * - `rollback` undoes a journal (idempotent; completes an interrupted apply).
 * - `journal` lists journals, or shows one.
 *
 * By default `--apply` runs only the actions that fix a finding of the run;
 * the others are shown under "Not proposed by this run's findings" and run
 * only when named with `--only`. Global PostgreSQL settings are planned only
 * with `--component config`.
 *
 * Connection URLs come from `--pg`/`--redis`, or from the run's probe targets
 * when those carry no redacted password; when the run's findings need a
 * connection whose stored URL lost its password, optimize says to pass it
 * again (`TUNEUP_OPTION_MISSING`). Passwords are never printed or stored.
 *
 * The declarations only: the actions (optimize-action.ts) load when a command runs.
 *
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_JOURNAL_DIR } from '../../optimize/journal.js';
import type { StorageType, WorkloadType } from '../../optimize/pgtune.js';
import { STRATEGIES, type Component } from '../../optimize/types.js';
import type { CliIO } from '../io.js';

/** The components `--component` accepts. */
export const COMPONENTS: readonly Component[] = ['database', 'config', 'cache'];
/** The PgTune workloads `--workload` accepts. */
export const WORKLOADS: readonly WorkloadType[] = ['web', 'oltp', 'dw', 'desktop', 'mixed'];
/** The PgTune storage types `--storage` accepts. */
export const STORAGES: readonly StorageType[] = ['ssd', 'hdd', 'san', 'nvme'];

/** The flags of `tuneup optimize` as commander gives them. */
export interface OptimizeFlags {
  run?: string;
  plan?: string;
  pg?: string;
  redis?: string;
  strategy: string;
  component?: string;
  dbMemory?: string;
  dbCpus?: string;
  workload: string;
  storage: string;
  apply?: boolean;
  environment?: string;
  yes?: boolean;
  only?: string[];
  lockTimeout: string;
  json?: boolean;
  out?: string;
  runsDir: string;
  journalDir: string;
  verbose?: boolean;
}

/** The flags of `tuneup rollback` as commander gives them. */
export interface RollbackFlags {
  pg?: string;
  redis?: string;
  lockTimeout: string;
  journalDir: string;
  json?: boolean;
  verbose?: boolean;
}

/** Register `optimize`, `rollback` and `journal`. */
export function registerOptimizeCommands(program: Command, io: CliIO): void {
  program
    .command('optimize')
    .description('propose optimizations for a run (dry run); --apply makes the changes, with a rollback journal')
    .option('-r, --run <run>', 'run id (or unique prefix), "latest", a run directory, or a result.json')
    .option('-p, --plan <file>', 'use a plan saved with --out instead of planning again (apply exactly what was reviewed)')
    .option('--pg <url>', 'PostgreSQL URL of the run\'s database (default: the run\'s probe target when it has no password)')
    .option('--redis <url>', 'Redis URL (default: the run\'s probe target when it has no password)')
    .option('-s, --strategy <strategy>', `risks admitted: ${STRATEGIES.join('|')} (whatever the strategy, --apply runs only actions that fix a finding of the run unless named with --only)`, 'balanced')
    .option('-c, --component <component>', `only ${COMPONENTS.join('|')} actions (config = global PostgreSQL settings, planned only when asked)`)
    .option('--db-memory <size>', 'database host memory for --component config, e.g. 16GiB (default: read from the server, or the run\'s machine when the database is local)')
    .option('--db-cpus <n>', 'database host CPUs for --component config (default: as --db-memory)')
    .option('--workload <type>', `PgTune workload: ${WORKLOADS.join('|')}`, 'web')
    .option('--storage <type>', `PgTune storage: ${STORAGES.join('|')}`, 'ssd')
    .option('--apply', 'make the changes (default: dry run)')
    .option('-e, --environment <name>', 'environment name, required with --apply (production asks for confirmation)')
    .option('-y, --yes', 'do not ask for confirmation in production')
    .option('--only <ids...>', 'apply only these action ids (also those no finding of the run asks for)')
    .option('--lock-timeout <ms>', 'lock_timeout for DDL, in ms', '5000')
    .option('--json', 'print the plan (or the journal, with --apply) as JSON')
    .option('-o, --out <file>', 'also write the plan as JSON to this file')
    .option('--runs-dir <dir>', 'directory of stored runs', '.tuneup/runs')
    .option('--journal-dir <dir>', 'directory of apply journals', DEFAULT_JOURNAL_DIR)
    .option('--verbose', 'show stack traces on errors')
    .action(async (flags) => (await import('./optimize-action.js')).optimizeAction(flags, io));

  program
    .command('rollback')
    .description('undo an applied (or interrupted) optimization from its journal; safe to repeat')
    .argument('<journal-id>', 'journal id (see `tuneup journal`)')
    .option('--pg <url>', 'PostgreSQL URL (default: the journal\'s target when it has no password)')
    .option('--redis <url>', 'Redis URL (default: the journal\'s target when it has no password)')
    .option('--lock-timeout <ms>', 'lock_timeout for DDL, in ms', '5000')
    .option('--journal-dir <dir>', 'directory of apply journals', DEFAULT_JOURNAL_DIR)
    .option('--json', 'print the journal as JSON')
    .option('--verbose', 'show stack traces on errors')
    .action(async (id, flags) => (await import('./optimize-action.js')).rollbackAction(id, flags, io));

  program
    .command('journal')
    .description('list apply journals, or show one')
    .argument('[journal-id]', 'show this journal in full')
    .option('--journal-dir <dir>', 'directory of apply journals', DEFAULT_JOURNAL_DIR)
    .option('--json', 'print JSON')
    .action(async (id, flags) => (await import('./optimize-action.js')).journalAction(id, flags, io));
}
