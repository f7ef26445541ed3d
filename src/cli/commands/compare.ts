/**
 * `tuneup compare`, `tuneup baseline save|show|list`, `tuneup validate` and
 * `tuneup ab`: the statistical comparison of runs (src/compare/) on the
 * command line. Exit codes: 111 (REGRESSION) when the primary metric
 * regressed; 112 (INCONCLUSIVE) only with --fail-on-inconclusive.
 *
 * The declarations only: the actions (compare-action.ts) load when a command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { DEFAULT_RUNS_DIR } from '../../engine/result.js';
import { ExitCode } from '../../errors.js';
import type { CliIO } from '../io.js';
import { collect } from '../options.js';

/** The flags every comparing command shares. */
export interface CompareFlags {
  primary?: string;
  threshold?: string[];
  alpha?: string;
  equivalence?: boolean;
  holm?: boolean;
  outliers?: string;
  goal?: string[];
  seed?: string;
  resamples?: string;
  block?: string;
  json?: boolean;
  markdown?: string;
  html?: string;
  failOnInconclusive?: boolean;
}

export interface ScheduleFlags extends CompareFlags {
  runs?: string;
  maxRuns?: string;
  budget?: string;
  workers?: string;
  runsDir: string;
}

// Shared options without a parser, as (flags, description).
const SHARED_OPTIONS: [string, string][] = [
  ['--primary <metric>', 'metric deciding the verdict: p50, p95, p99, throughput, errors, errors_5xx; "p95:GET /x" for one endpoint (default p95)'],
  ['--alpha <p>', 'significance level (default 0.05)'],
  ['--equivalence', 'report "equivalent" when the whole interval lies within ±threshold'],
  ['--holm', 'judge secondary rows on Holm-adjusted p-values'],
  ['--outliers <policy>', 'flag (default): outlier runs are reported; inconclusive: an outlier on the primary metric withholds the verdict'],
  ['--seed <n>', 'bootstrap seed for quick mode (default: derived from the run ids)'],
  ['--resamples <n>', 'bootstrap resamples for quick mode (default 2000)'],
  ['--block <n>', 'bootstrap block length in intervals for quick mode (default 5)'],
  ['--json', 'print the comparison as JSON on stdout'],
  ['--markdown <file>', 'also write the comparison as Markdown'],
  ['--html <file>', 'also write a self-contained HTML page with dot plots'],
  ['--fail-on-inconclusive', `exit ${ExitCode.INCONCLUSIVE} when no verdict could be reached`],
];

/**
 * The untyped view of a command the option helpers need. Commander's typed
 * chaining cannot flow through a helper, so options added here are read
 * back with a cast to the flag interfaces above.
 */
interface OptionSink {
  option(flags: string, description: string, parseArgOrDefault?: string | ((value: string, previous: string[] | undefined) => string[])): unknown;
}

function addSharedOptions<C extends OptionSink>(command: C): C {
  command.option('--threshold <metric=percent>', 'noise threshold, e.g. p95=5% (repeatable; defaults p50 3%, p95 5%, p99 10%, throughput 3%, errors 25%)', collect);
  command.option('--goal <metric=change>', 'goal to judge, e.g. p95=-20%, throughput=+30%, "p95:GET /x=-30%" (repeatable)', collect);
  for (const [flags, description] of SHARED_OPTIONS) command.option(flags, description);
  return command;
}

function addScheduleOptions<C extends OptionSink>(command: C): C {
  command.option('--runs <n>', 'runs per side before the first look (default 5; 4 is the minimum for a verdict)');
  command.option('--max-runs <n>', 'extend one pair at a time up to this many while the primary metric is unresolved (default 10)');
  command.option('--budget <duration>', 'stop extending when the next run would exceed this total time, e.g. 20m');
  command.option('-w, --workers <n>', 'worker threads generating the load');
  command.option('--runs-dir <dir>', 'directory of stored runs', DEFAULT_RUNS_DIR);
  return command;
}

function registerCompare(program: Command, io: CliIO): void {
  const command = program
    .command('compare')
    .description('statistical verdict between runs: BEFORE and AFTER are comma-separated run sets (ids, "latest", result.json paths, baseline:NAME)')
    .argument('<before>', 'baseline run set, e.g. A1,A2,A3,A4,A5 or baseline:main')
    .argument('<after...>', 'candidate run set(s); each is compared with BEFORE');
  addSharedOptions(command);
  command.option('--runs-dir <dir>', 'directory of stored runs', DEFAULT_RUNS_DIR);
  command.action(async (before, afters, flags) => (await import('./compare-action.js')).compareAction(before, afters, flags as CompareFlags & { runsDir: string }, io));
}

function registerBaseline(program: Command, io: CliIO): void {
  const baseline = program.command('baseline').description('named baselines to compare against (stored in .tuneup/baselines/)');
  baseline
    .command('save')
    .description('save runs as baseline NAME (replaces an existing one)')
    .argument('<name>', 'baseline name, e.g. main')
    .argument('<runs...>', 'run references: ids, "latest", result.json paths')
    .option('--runs-dir <dir>', 'directory of stored runs', DEFAULT_RUNS_DIR)
    .action(async (name, runs, flags) => (await import('./compare-action.js')).baselineSaveAction(name, runs, flags, io));
  baseline
    .command('show')
    .description('show baseline NAME (or list all without NAME)')
    .argument('[name]', 'baseline name')
    .option('--json', 'print the baseline file as JSON')
    .action(async (name, flags) => (await import('./compare-action.js')).baselineShowAction(name, flags, io));
}

function registerValidate(program: Command, io: CliIO): void {
  const command = program
    .command('validate')
    .description('re-run the plan and compare with a baseline (goals in the plan are judged)')
    .argument('<plan>', 'plan file')
    .requiredOption('--baseline <runs>', 'baseline run set: baseline:NAME, ids, or result.json paths');
  addScheduleOptions(command);
  addSharedOptions(command);
  command.action(async (planPath, flags) => (await import('./compare-action.js')).validateAction(planPath, flags as ScheduleFlags & { baseline: string }, io));
}

function registerAb(program: Command, io: CliIO): void {
  const command = program
    .command('ab')
    .description('A/B test two deployments with the same plan, runs interleaved A B A B … (random first side)')
    .argument('<plan>', 'plan file')
    .requiredOption('--a <url>', 'base URL of variant A (the baseline)')
    .requiredOption('--b <url>', 'base URL of variant B (the candidate)');
  addScheduleOptions(command);
  addSharedOptions(command);
  command.action(async (planPath, flags) => (await import('./compare-action.js')).abAction(planPath, flags as ScheduleFlags & { a: string; b: string }, io));
}

/** Register `compare`, `baseline`, `validate` and `ab`. */
export function registerCompareCommands(program: Command, io: CliIO): void {
  registerCompare(program, io);
  registerBaseline(program, io);
  registerValidate(program, io);
  registerAb(program, io);
}
