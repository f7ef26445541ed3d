/**
 * `tuneup compare`, `tuneup baseline save|show|list`, `tuneup validate` and
 * `tuneup ab`: the statistical comparison of runs (src/compare/) on the
 * command line. Exit codes: 111 (REGRESSION) when the primary metric
 * regressed; 112 (INCONCLUSIVE) only with --fail-on-inconclusive.
 *
 * @module
 */
import { writeFileAtomic } from '../../store/index.js';
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { loadBaseline, listBaselines, saveBaseline } from '../../compare/baseline.js';
import { compareRuns, type CompareOptions } from '../../compare/compare.js';
import { evaluateGoals, parseGoals, type Goal, type GoalResult } from '../../compare/goals.js';
import { loadRunSet } from '../../compare/load.js';
import { parseGoalFlags, parsePrimaryFlag, parseThresholdFlags } from '../../compare/options.js';
import { renderHtml } from '../../compare/render-html.js';
import { renderJson, renderMarkdown, renderTerminal } from '../../compare/render.js';
import { runAgainstBaseline, runInterleaved, type Side } from '../../compare/schedule.js';
import type { Comparison } from '../../compare/types.js';
import { assembleRunResult, DEFAULT_RUNS_DIR, writeRunResult } from '../../engine/result.js';
import { runPlan } from '../../engine/run.js';
import { planFileSource, type PlanSource } from '../../engine/workers.js';
import { ExitCode, TuneupError, type ExitCodeValue } from '../../errors.js';
import { loadPlan, parseDuration, type ResolvedPlan } from '../../plan/index.js';
import type { RunResult } from '../../result/types.js';
import { setExitCode } from '../exit.js';
import type { CliIO } from '../io.js';
import { collect, parsePositiveInt, parsePositiveNumber } from '../options.js';

/** The flags every comparing command shares. */
interface CompareFlags {
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

/** CompareOptions from the shared flags. */
export function compareOptionsFromFlags(flags: CompareFlags, metricsForGoals: readonly Goal[] = []): CompareOptions {
  const outliers = flags.outliers;
  if (outliers !== undefined && outliers !== 'flag' && outliers !== 'inconclusive') {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--outliers: expected flag or inconclusive, got "${outliers}"`, { location: '--outliers', hint: 'use --outliers flag or --outliers inconclusive' });
  }
  const alpha = parsePositiveNumber(flags.alpha, '--alpha');
  if (alpha !== undefined && alpha >= 0.5) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--alpha: expected a level below 0.5, got ${alpha}`, { location: '--alpha', hint: 'for example --alpha 0.05' });
  }
  const primary = parsePrimaryFlag(flags.primary);
  const extraMetrics = metricsForGoals.map((g) => g.metric);
  return {
    ...(primary ? { primary } : {}),
    thresholds: parseThresholdFlags(flags.threshold),
    ...(alpha !== undefined ? { alpha } : {}),
    equivalence: Boolean(flags.equivalence),
    multipleComparisons: flags.holm ? 'holm' : 'none',
    outlierPolicy: outliers === 'inconclusive' ? 'inconclusive' : 'flag',
    ...(extraMetrics.length > 0 ? { metrics: [...new Set(['p50', 'p95', 'p99', 'throughput', 'errors', ...extraMetrics] as const)] } : {}),
    bootstrap: {
      ...(flags.seed !== undefined ? { seed: Number(flags.seed) >>> 0 } : {}),
      ...(flags.resamples !== undefined ? { resamples: parsePositiveInt(flags.resamples, '--resamples') } : {}),
      ...(flags.block !== undefined ? { blockLength: parsePositiveInt(flags.block, '--block') } : {}),
    },
  };
}

/** Print/write one or more comparisons and set the exit code (regression beats inconclusive). */
async function report(io: CliIO, flags: CompareFlags, items: { comparison: Comparison; goals: GoalResult[] }[]): Promise<void> {
  if (flags.json) {
    if (items.length === 1) io.out(renderJson(items[0].comparison, items[0].goals));
    else io.out(`{"kind":"tuneup.comparisons","version":1,"items":[${items.map((i) => renderJson(i.comparison, i.goals)).join(',')}]}`);
  } else {
    io.out(items.map((i) => renderTerminal(i.comparison, { color: io.color, goals: i.goals })).join('\n\n'));
  }
  if (flags.markdown) {
    await writeFileAtomic(resolve(flags.markdown), items.map((i) => renderMarkdown(i.comparison, { goals: i.goals })).join('\n\n'));
    if (!flags.json) io.err(`markdown: ${flags.markdown}`);
  }
  if (flags.html) {
    // One page per comparison would need several files; with several candidates the page holds the first and says so.
    await writeFileAtomic(resolve(flags.html), renderHtml(items[0].comparison, { goals: items[0].goals }));
    if (!flags.json) io.err(`html: ${flags.html}${items.length > 1 ? ' (first candidate only)' : ''}`);
  }
  const code = exitCodeFor(items.map((i) => i.comparison), Boolean(flags.failOnInconclusive));
  if (code !== ExitCode.OK) setExitCode(code);
}

/**
 * The exit code of a comparison command: REGRESSION (111) when any
 * candidate regressed on the primary metric, else INCONCLUSIVE (112) when
 * asked to fail on it and one is inconclusive, else OK. Goals and `~`
 * never fail the command.
 */
export function exitCodeFor(comparisons: readonly Comparison[], failOnInconclusive: boolean): ExitCodeValue {
  if (comparisons.some((c) => c.verdict === 'regressed')) return ExitCode.REGRESSION;
  if (failOnInconclusive && comparisons.some((c) => c.verdict === 'inconclusive')) return ExitCode.INCONCLUSIVE;
  return ExitCode.OK;
}

function registerCompare(program: Command, io: CliIO): void {
  const command = program
    .command('compare')
    .description('statistical verdict between runs: BEFORE and AFTER are comma-separated run sets (ids, "latest", result.json paths, baseline:NAME)')
    .argument('<before>', 'baseline run set, e.g. A1,A2,A3,A4,A5 or baseline:main')
    .argument('<after...>', 'candidate run set(s); each is compared with BEFORE');
  addSharedOptions(command);
  command.option('--runs-dir <dir>', 'directory of stored runs', DEFAULT_RUNS_DIR);
  command.action(async (before, afters, raw) => {
    const flags = raw as CompareFlags & { runsDir: string };
    const baseline = await loadRunSet(before, { runsDir: flags.runsDir });
    const candidates = [];
    for (const spec of afters) candidates.push(await loadRunSet(spec, { runsDir: flags.runsDir }));
    // Goals from flags win; otherwise the goals the plan declared, as stored with the candidate runs.
    const storedGoals = candidates[0]?.find((run) => run.plan.goals !== undefined)?.plan.goals;
    const goals = flags.goal?.length ? parseGoalFlags(flags.goal) : storedGoals ? parseGoals(storedGoals) : [];
    const options = compareOptionsFromFlags(flags, goals);
    const items = [];
    for (const candidate of candidates) {
      const comparison = compareRuns(baseline, candidate, options);
      items.push({ comparison, goals: evaluateGoals(goals, comparison) });
    }
    await report(io, flags, items);
  });
}

function registerBaseline(program: Command, io: CliIO): void {
  const baseline = program.command('baseline').description('named baselines to compare against (stored in .tuneup/baselines/)');
  baseline
    .command('save')
    .description('save runs as baseline NAME (replaces an existing one)')
    .argument('<name>', 'baseline name, e.g. main')
    .argument('<runs...>', 'run references: ids, "latest", result.json paths')
    .option('--runs-dir <dir>', 'directory of stored runs', DEFAULT_RUNS_DIR)
    .action(async (name, runs, flags) => {
      const saved = await saveBaseline(name, runs.flatMap((r) => r.split(',').filter(Boolean)), { runsDir: flags.runsDir });
      io.out(`baseline ${saved.name}: ${saved.runs.length} run(s) — ${saved.runs.map((r) => r.id).join(', ')}`);
      if (saved.runs.length < 4) io.err(`note: a verdict needs at least 4 runs per side (5 recommended); ${saved.runs.length} run(s) allow quick mode only`);
    });
  baseline
    .command('show')
    .description('show baseline NAME (or list all without NAME)')
    .argument('[name]', 'baseline name')
    .option('--json', 'print the baseline file as JSON')
    .action(async (name, flags) => {
      if (name === undefined) {
        const names = await listBaselines();
        io.out(names.length > 0 ? names.join('\n') : 'no baselines saved (tuneup baseline save NAME RUN...)');
        return;
      }
      const b = await loadBaseline(name);
      if (flags.json) {
        io.out(JSON.stringify(b, null, 2));
        return;
      }
      io.out(`baseline ${b.name}${b.plan ? ` (plan ${b.plan})` : ''}, saved ${new Date(b.createdAt).toISOString()}`);
      for (const r of b.runs) io.out(`  ${r.id}  ${new Date(r.startedAt).toISOString()}  ${r.path}`);
    });
}

/** Plan goals (from the plan file) plus --goal flags. */
function goalsOf(plan: ResolvedPlan, flags: CompareFlags): Goal[] {
  return [...parseGoals(plan.goals), ...parseGoalFlags(flags.goal)];
}

/** Run a plan once, store the result, return it; after Ctrl-C the partial run is stored and the schedule ends. */
async function runAndStore(
  plan: ResolvedPlan,
  source: PlanSource,
  labels: Record<string, string>,
  runsDir: string,
  workers: number | undefined,
  signal: AbortSignal,
): Promise<RunResult> {
  const outcome = await runPlan(plan, { workers, planSource: source, signal });
  const result = assembleRunResult(outcome, { argv: process.argv.slice(2), labels });
  const path = await writeRunResult(result, runsDir);
  if (signal.aborted) {
    throw new TuneupError('TUNEUP_INTERRUPTED', `interrupted; the runs so far are stored (last: ${path})`, {
      hint: 'compare the stored runs with "tuneup compare", or start again',
    });
  }
  return result;
}

/** An AbortSignal fired by the first Ctrl-C / SIGTERM, and a function removing the handlers. */
function interruptSignal(io: CliIO): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    io.err('stopping after the current run (it ends gracefully and is stored)');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

interface ScheduleFlags extends CompareFlags {
  runs?: string;
  maxRuns?: string;
  budget?: string;
  workers?: string;
  runsDir: string;
}

function scheduleBounds(flags: ScheduleFlags) {
  return {
    pairs: parsePositiveInt(flags.runs, '--runs') ?? 5,
    maxPairs: parsePositiveInt(flags.maxRuns, '--max-runs') ?? 10,
    ...(flags.budget !== undefined ? { budgetMs: parseDuration(flags.budget, '--budget') } : {}),
  };
}

function addScheduleOptions<C extends OptionSink>(command: C): C {
  command.option('--runs <n>', 'runs per side before the first look (default 5; 4 is the minimum for a verdict)');
  command.option('--max-runs <n>', 'extend one pair at a time up to this many while the primary metric is unresolved (default 10)');
  command.option('--budget <duration>', 'stop extending when the next run would exceed this total time, e.g. 20m');
  command.option('-w, --workers <n>', 'worker threads generating the load');
  command.option('--runs-dir <dir>', 'directory of stored runs', DEFAULT_RUNS_DIR);
  return command;
}

function registerValidate(program: Command, io: CliIO): void {
  const command = program
    .command('validate')
    .description('re-run the plan and compare with a baseline (goals in the plan are judged)')
    .argument('<plan>', 'plan file')
    .requiredOption('--baseline <runs>', 'baseline run set: baseline:NAME, ids, or result.json paths');
  addScheduleOptions(command);
  addSharedOptions(command);
  command.action(async (planPath, raw) => {
    const flags = raw as ScheduleFlags & { baseline: string };
    const plan = await loadPlan(resolve(planPath));
    const goals = goalsOf(plan, flags);
    const options = compareOptionsFromFlags(flags, goals);
    const baseline = await loadRunSet(flags.baseline, { runsDir: flags.runsDir });
    const workers = parsePositiveInt(flags.workers, '--workers');
    const interrupt = interruptSignal(io);
    const outcome = await runAgainstBaseline(baseline, {
      ...scheduleBounds(flags),
      compare: options,
      runOnce: () => runAndStore(plan, planFileSource(planPath), { variant: 'candidate' }, flags.runsDir, workers, interrupt.signal),
      onProgress: (e) => io.err(`candidate run ${e.index + 1}: ${e.runId}`),
    }).finally(interrupt.dispose);
    const s = outcome.comparison.sampling;
    if (s && !flags.json) io.err(`sampling: ${s.pairs} candidate run(s)${s.extended ? ' (extended while unresolved)' : ''}, stopped: ${s.stoppedBy}`);
    await report(io, flags, [{ comparison: outcome.comparison, goals: evaluateGoals(goals, outcome.comparison) }]);
  });
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
  command.action(async (planPath, raw) => {
    const flags = raw as ScheduleFlags & { a: string; b: string };
    const path = resolve(planPath);
    const plans: Record<Side, ResolvedPlan> = {
      A: await loadPlan(path, { overrides: { baseUrl: flags.a } }),
      B: await loadPlan(path, { overrides: { baseUrl: flags.b } }),
    };
    const goals = goalsOf(plans.A, flags);
    const options = compareOptionsFromFlags(flags, goals);
    const workers = parsePositiveInt(flags.workers, '--workers');
    const session = Date.now().toString(36);
    const seed = flags.seed !== undefined ? Number(flags.seed) >>> 0 : (Date.now() >>> 0);
    const interrupt = interruptSignal(io);
    const outcome = await runInterleaved({
      ...scheduleBounds(flags),
      seed,
      compare: options,
      runOnce: (side) =>
        runAndStore(
          plans[side],
          planFileSource(path, { overrides: { baseUrl: side === 'A' ? flags.a : flags.b } }),
          { variant: side, ab: session },
          flags.runsDir,
          workers,
          interrupt.signal,
        ),
      onProgress: (e) => io.err(`${e.side} run ${e.index + 1}: ${e.runId}`),
    }).finally(interrupt.dispose);
    const s = outcome.comparison.sampling;
    if (s && !flags.json) io.err(`sampling: ${s.pairs} pair(s), first side ${s.firstSide} (seed ${seed})${s.extended ? ', extended while unresolved' : ''}, stopped: ${s.stoppedBy}`);
    await report(io, flags, [{ comparison: outcome.comparison, goals: evaluateGoals(goals, outcome.comparison) }]);
  });
}

/** Register `compare`, `baseline`, `validate` and `ab`. */
export function registerCompareCommands(program: Command, io: CliIO): void {
  registerCompare(program, io);
  registerBaseline(program, io);
  registerValidate(program, io);
  registerAb(program, io);
}
