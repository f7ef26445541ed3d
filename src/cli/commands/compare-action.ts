/**
 * What `tuneup compare`, `baseline save|show`, `validate` and `ab` do
 * (declared in compare.ts): load or run the runs, compare them
 * (src/compare/), print and write the verdicts, set the exit code.
 * @module
 */
import { writeFileAtomic } from '../../store/index.js';
import { resolve } from 'node:path';
import { loadBaseline, listBaselines, saveBaseline } from '../../compare/baseline.js';
import { compareRuns, type CompareOptions } from '../../compare/compare.js';
import { evaluateGoals, parseGoals, type Goal, type GoalResult } from '../../compare/goals.js';
import { loadRunSet } from '../../compare/load.js';
import { parseGoalFlags, parsePrimaryFlag, parseThresholdFlags } from '../../compare/options.js';
import { renderHtml } from '../../compare/render-html.js';
import { renderJson, renderMarkdown, renderTerminal } from '../../compare/render.js';
import { runAgainstBaseline, runInterleaved, type Side } from '../../compare/schedule.js';
import type { Comparison } from '../../compare/types.js';
import { assembleRunResult, writeRunResult } from '../../engine/result.js';
import { runPlan } from '../../engine/run.js';
import { planFileSource, type PlanSource } from '../../engine/workers.js';
import { ExitCode, TuneupError, type ExitCodeValue } from '../../errors.js';
import { loadPlan, parseDuration, type ResolvedPlan } from '../../plan/index.js';
import type { RunResult } from '../../result/types.js';
import { setExitCode } from '../exit.js';
import type { CliIO } from '../io.js';
import { parsePositiveInt, parsePositiveNumber } from '../options.js';
import type { CompareFlags, ScheduleFlags } from './compare.js';

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

function scheduleBounds(flags: ScheduleFlags) {
  return {
    pairs: parsePositiveInt(flags.runs, '--runs') ?? 5,
    maxPairs: parsePositiveInt(flags.maxRuns, '--max-runs') ?? 10,
    ...(flags.budget !== undefined ? { budgetMs: parseDuration(flags.budget, '--budget') } : {}),
  };
}

/** Run `tuneup compare BEFORE AFTER...`. */
export async function compareAction(before: string, afters: string[], flags: CompareFlags & { runsDir: string }, io: CliIO): Promise<void> {
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
}

/** Run `tuneup baseline save NAME RUN...`. */
export async function baselineSaveAction(name: string, runs: string[], flags: { runsDir: string }, io: CliIO): Promise<void> {
  const saved = await saveBaseline(name, runs.flatMap((r) => r.split(',').filter(Boolean)), { runsDir: flags.runsDir });
  io.out(`baseline ${saved.name}: ${saved.runs.length} run(s) — ${saved.runs.map((r) => r.id).join(', ')}`);
  if (saved.runs.length < 4) io.err(`note: a verdict needs at least 4 runs per side (5 recommended); ${saved.runs.length} run(s) allow quick mode only`);
}

/** Run `tuneup baseline show [NAME]`. */
export async function baselineShowAction(name: string | undefined, flags: { json?: boolean }, io: CliIO): Promise<void> {
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
}

/** Run `tuneup validate PLAN --baseline RUNS`. */
export async function validateAction(planPath: string, flags: ScheduleFlags & { baseline: string }, io: CliIO): Promise<void> {
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
}

/** Run `tuneup ab PLAN --a URL --b URL`. */
export async function abAction(planPath: string, flags: ScheduleFlags & { a: string; b: string }, io: CliIO): Promise<void> {
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
}
