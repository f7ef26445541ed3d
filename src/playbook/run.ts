/**
 * The playbook on a service: assess and diagnose with `tuneup diagnose`'s
 * experiment (capacity steps → the mix at a sustainable rate with every
 * probe → each suspect endpoint alone), optimize (the dry run; with `apply`,
 * the database actions that fix this run's findings, journaled), and, when
 * something was applied, validate (the same load again, compared with
 * statistics, and the changed endpoint alone before and after).
 *
 * The experiment's diagnosis run is the baseline: it is a run of the plan's
 * mix at the rate the service sustains, so the validation run repeats it
 * exactly (same mix, rate and length). Findings whose fix is in the code are
 * returned as advice; nothing here edits code.
 *
 * Shared by `tuneup demo` (on the bundled service) and `tuneup playbook`.
 * Library code: progress goes through hooks; it never prints.
 *
 * @module
 */
import { resolve } from 'node:path';
import { compareRuns } from '../compare/compare.js';
import type { Comparison } from '../compare/types.js';
import { mixPlan, planMix, runExperiment, type ExperimentContext, type ExperimentHooks, type ExperimentOptions } from '../diagnose/experiment/index.js';
import { assembleRunResult, DEFAULT_RUNS_DIR, writeRunResult } from '../engine/result.js';
import { startRun } from '../engine/run.js';
import type { LiveStats } from '../metrics/recorder-types.js';
import { isTuneupError } from '../errors.js';
import { applyPlan, DEFAULT_JOURNAL_DIR, listJournals, planOptimizations, selectForApply, type Action, type JournalEntry, type OptimizationPlan } from '../optimize/index.js';
import type { IndexAdvisorOptions } from '../optimize/pg-index.js';
import type { ResolvedPlan } from '../plan/types.js';
import { writeReports } from '../report/index.js';
import type { ExperimentSection, Finding, RunResult } from '../result/types.js';
import { closedAlonePlan } from './alone.js';
import { playbookDeltas, type PlaybookDelta } from './deltas.js';

/** The playbook's steps, for progress. */
export type PlaybookStep = 'assess' | 'diagnose' | 'optimize' | 'apply' | 'validate' | 'compare';

/** Progress callbacks (all optional; must not throw). */
export interface PlaybookHooks {
  onStep?: (step: PlaybookStep, detail: string) => void;
  /** A run of the validation starts (the experiment's runs report through {@link experiment}). */
  onRunStart?: (label: string, durationMs: number) => void;
  onLive?: (live: LiveStats) => void;
  onRunEnd?: (label: string) => void;
  /** The experiment's own progress, as `tuneup diagnose` reports it. */
  experiment?: ExperimentHooks;
}

/** The service under test, as `tuneup diagnose` gets it, plus what the optimizer connects to. */
export interface PlaybookContext extends Omit<ExperimentContext, 'hooks'> {
  /** The service's database, for the optimizer. */
  pgUrl?: string;
  /** The service's Redis, for the optimizer. */
  redisUrl?: string;
  /** Labels added to every stored run. */
  labels?: Record<string, string>;
  hooks?: PlaybookHooks;
}

/** Shape of the playbook. */
export interface PlaybookOptions {
  /** The experiment's budget (`tuneup diagnose`'s options). */
  experiment: ExperimentOptions;
  /** Apply the database actions that fix this run's findings; absent: the dry run only. */
  apply?: { environment: string; journalDir?: string; lockTimeoutMs?: number };
  /** Index advisor options of the dry run (e.g. the build-and-rollback what-if where HypoPG is missing). */
  index?: IndexAdvisorOptions;
  /** Length of the validation run (ms; default the diagnosis run's): at least 100 requests for a one-run p50 comparison. */
  validateMs?: number;
  /** Length of each before/after run of the changed endpoint alone (ms); 0 skips them. */
  aloneMs: number;
  /** Users of those runs (closed model). */
  aloneVus: number;
  /** Directory of stored runs (default `.tuneup/runs`). */
  runsDir?: string;
}

/** The changed endpoint alone, before and after. */
export interface PlaybookAlone {
  endpoint: string;
  comparison: Comparison;
  before: RunResult;
  after: RunResult;
}

/** A finding the playbook cannot fix itself: the change is in the code (or the setup), made by hand. */
export interface ByHand {
  finding: Finding;
  /** The optimizer's code-level advice for it (the pattern of the fix), when it has one. */
  advice?: Action;
}

/** What the playbook did and found. */
export interface PlaybookResult {
  /** The experiment's diagnosis run (the baseline), with the confirmed findings and the experiment. */
  before?: RunResult;
  beforePath?: string;
  experiment: ExperimentSection;
  findings: Finding[];
  /** The dry run. */
  plan?: OptimizationPlan;
  /** Actions that would be applied (dry run) or were applied (with `apply`). */
  toApply: Action[];
  applied: Action[];
  journal?: JournalEntry;
  /** This run's findings no database action fixes, with the code-level advice when there is one: changes for the user to make. */
  byHand: ByHand[];
  after?: RunResult;
  afterPath?: string;
  comparison?: Comparison;
  alone?: PlaybookAlone;
  /** Before/after numbers with their intervals (mixed load, then the endpoint alone). */
  deltas: PlaybookDelta[];
  /** Things the playbook could not do, and why. */
  notes: string[];
  /** HTML report of the validation run (diffed against the baseline), else of the baseline. */
  reportPath?: string;
  /** Set when the playbook was stopped early. */
  interrupted: boolean;
}

/** Bootstrap block (1 s intervals) of the before/after comparison of the endpoint alone. */
const ALONE_BLOCK_INTERVALS = 2;

/**
 * Run the playbook (see the module doc). Rejects only when a run cannot start or a change fails to apply; an
 * interrupt (ctx.signal), also during the apply, resolves with what was done and `interrupted` set.
 */
export async function runPlaybook(ctx: PlaybookContext, options: PlaybookOptions): Promise<PlaybookResult> {
  const hooks = ctx.hooks ?? {};
  const runsDir = options.runsDir ?? DEFAULT_RUNS_DIR;
  const stopped = (): boolean => ctx.signal?.aborted === true;
  const notes: string[] = [];
  const labels = (kind: string): Record<string, string> => ({ ...ctx.labels, playbook: kind });

  // 1–2. Assess and diagnose: the experiment of `tuneup diagnose`.
  hooks.onStep?.('assess', 'capacity steps of the plan\'s mix up to the knee (the process probe names what saturates)');
  const exp = hooks.experiment ?? {};
  const experimentHooks: ExperimentHooks = {
    ...exp,
    onKnee(knee, chosen) {
      exp.onKnee?.(knee, chosen);
      hooks.onStep?.('diagnose', `the mix at ${chosen.rate}/s for ${chosen.durationMs / 1000} s with every probe, then each suspect endpoint alone`);
    },
  };
  const { pgUrl: _pg, redisUrl: _redis, labels: _labels, ...experimentCtx } = ctx;
  const outcome = await runExperiment({ ...experimentCtx, hooks: experimentHooks }, options.experiment);
  const experiment = outcome.experiment;
  const empty: PlaybookResult = { experiment, findings: [], toApply: [], applied: [], byHand: [], deltas: [], notes, interrupted: true };
  if (!outcome.result || experiment.chosenRate <= 0 || !outcome.result.findings) {
    if (!stopped()) notes.push('the experiment found no rate the service sustains: nothing to diagnose at, so nothing to optimize');
    return { ...empty, interrupted: stopped() };
  }
  const before: RunResult = { ...outcome.result, labels: { ...outcome.result.labels, ...labels('baseline') } };
  const beforePath = await writeRunResult(before, runsDir);
  const findings = before.findings ?? [];
  const beforeReport = async (): Promise<string> => (await writeReports(before, resolve(beforePath, '..'))).html;
  const base = { ...empty, before, beforePath, findings };
  if (stopped()) return { ...base, reportPath: await beforeReport() };

  // 3. Optimize: the dry run, then (when asked) the database actions this run's findings ask for.
  hooks.onStep?.('optimize', 'dry run: index what-ifs, maintenance, code advice');
  const plan = await planOptimizations(before, { pgUrl: ctx.pgUrl, redisUrl: ctx.redisUrl, ...(options.index ? { index: options.index } : {}) });
  const toApply = databaseActionsFor(plan, findings);
  const planned = { ...base, plan, toApply, byHand: byHandOf(plan, findings, toApply) };
  if (!options.apply || toApply.length === 0 || stopped()) {
    if (toApply.length === 0) notes.push('no database action fixes a finding of this run: nothing to apply');
    return { ...planned, reportPath: await beforeReport(), interrupted: stopped() };
  }

  // The changed endpoint alone before the change, so the validation can show it by itself.
  const endpoint = changedEndpoint(toApply, findings);
  const alonePlan = endpoint ? closedAlonePlan(ctx, endpoint, before, options.aloneVus, options.aloneMs) : undefined;
  if (typeof alonePlan === 'string') notes.push(`${endpoint} could not be run alone for the validation: ${alonePlan}`);
  const runAlone = async (label: string): Promise<RunResult | undefined> => {
    if (!alonePlan || typeof alonePlan === 'string' || options.aloneMs <= 0 || stopped()) return undefined;
    // No probes: these runs measure the endpoint's latency and throughput only, and a probe's start costs seconds.
    const run = await runOnce(ctx, alonePlan, label, options.aloneMs, labels(label), false);
    await writeRunResult(run, runsDir);
    return run;
  };
  if (endpoint && typeof alonePlan !== 'string' && options.aloneMs > 0) {
    hooks.onStep?.('optimize', `${endpoint} alone (${options.aloneVus} users back to back, ${options.aloneMs / 1000} s): its own latency before the change`);
  }
  const aloneBefore = await runAlone('alone-before');
  if (stopped()) return { ...planned, reportPath: await beforeReport() };

  hooks.onStep?.('apply', `${toApply.length} database action${toApply.length === 1 ? '' : 's'} fixing this run's findings, journaled (environment ${options.apply.environment})`);
  const journalDir = options.apply.journalDir ?? DEFAULT_JOURNAL_DIR;
  const applyStartedAt = Date.now();
  // applyPlan hands its journal to onStep and keeps updating that same object, so after an interrupt between
  // steps it holds the final states (the steps that ran, the rest pending).
  let journal: JournalEntry | undefined;
  try {
    journal = await applyPlan(plan, {
      journalDir,
      environment: options.apply.environment,
      pgUrl: ctx.pgUrl,
      redisUrl: ctx.redisUrl,
      only: toApply.map((a) => a.id),
      ...(options.apply.lockTimeoutMs ? { lockTimeoutMs: options.apply.lockTimeoutMs } : {}),
      signal: ctx.signal,
      onStep: (_step, entry) => {
        journal = entry;
      },
    });
  } catch (err) {
    // Ctrl-C between two changes is an interrupt, not a failure: like every other step of the playbook, the
    // apply returns what it did, so the summary, the report and the baseline are still written and the
    // journal to roll back is in the result. A change that failed still rejects (TUNEUP_APPLY_FAILED).
    if (!stopped() || !isTuneupError(err) || err.code !== 'TUNEUP_APPLY_INTERRUPTED') throw err;
    journal ??= await journalSince(journalDir, plan.runId, applyStartedAt);
  }
  const applied = { ...planned, applied: journal?.status === 'applied' ? toApply : changedBy(toApply, journal), ...(journal ? { journal } : {}) };
  if (stopped()) return { ...applied, reportPath: await beforeReport() };

  // 4. Validate: the diagnosis run's load again, then the changed endpoint alone again.
  // The diagnosis run's own length (sized to the mix unless --duration was given): the same load again.
  const validateMs = options.validateMs ?? experiment.diagnosisMs ?? options.experiment.diagnosisMs;
  hooks.onStep?.('validate', `the same load again (the mix at ${experiment.chosenRate}/s for ${validateMs / 1000} s), after the change`);
  const again = mixPlan(ctx.plan, planMix(ctx.plan), experiment.chosenRate, { durationMs: validateMs, gracefulStopMs: 1000, label: `validation at ${experiment.chosenRate}/s` });
  const after = await ctx.diagnoseRun(await runOnce(ctx, again, 'after', validateMs, labels('after')));
  const afterPath = await writeRunResult(after, runsDir);
  const reportPath = (await writeReports(after, resolve(afterPath, '..'), { baseline: before })).html;
  hooks.onStep?.('compare', 'one run per side: block bootstrap over the 1 s histograms (quick mode)');
  // p50 decides: a one-run p95 needs 1000 requests per run to be judged, more than a short run sends.
  const comparison = compareRuns([before], [after], { labels: { before: 'baseline', after: 'after the change' }, primary: { metric: 'p50' } });
  if (endpoint && aloneBefore) hooks.onStep?.('validate', `${endpoint} alone again`);
  const aloneAfter = aloneBefore ? await runAlone('alone-after') : undefined;
  const alone =
    endpoint && aloneBefore && aloneAfter
      ? {
          endpoint,
          before: aloneBefore,
          after: aloneAfter,
          comparison: compareRuns([aloneBefore], [aloneAfter], {
            labels: { before: 'before the change', after: 'after the change' },
            primary: { metric: 'throughput' },
            metrics: ['throughput', 'p50', 'p95'],
            endpoints: false,
            // Blocks of 2 intervals, not 5: a few seconds of one endpoint at a steady concurrency would be one
            // block (every resample the whole run: a zero-width interval), and its seconds hardly correlate.
            bootstrap: { blockLength: ALONE_BLOCK_INTERVALS },
          }),
        }
      : undefined;
  return {
    ...applied,
    after,
    afterPath,
    comparison,
    ...(alone ? { alone } : {}),
    deltas: playbookDeltas(comparison, alone && { ...alone, vus: options.aloneVus }),
    reportPath,
    interrupted: stopped(),
  };
}

/**
 * The database actions to apply: applicable, with changes, asked for by a finding of this run
 * (`selectForApply`'s default), and fixing at least one finding the isolation did not refute.
 */
export function databaseActionsFor(plan: OptimizationPlan, findings: readonly Finding[]): Action[] {
  const refuted = new Set(findings.filter((f) => f.confirmation?.status === 'refuted').map((f) => f.id));
  return selectForApply(plan).filter((a) => a.component === 'database' && (a.findings ?? []).some((id) => !refuted.has(id)));
}

/** Severities worth a change by hand (a low finding is a note, not a task). */
const ACTIONABLE = new Set(['medium', 'high', 'critical']);

/**
 * The findings no database action to apply fixes, at medium or above and not refuted by isolation,
 * each with its code-level advice when the optimizer has one.
 */
export function byHandOf(plan: OptimizationPlan, findings: readonly Finding[], toApply: readonly Action[]): ByHand[] {
  const fixed = new Set(toApply.flatMap((a) => a.findings ?? []));
  return findings
    .filter((f) => ACTIONABLE.has(f.severity) && f.confirmation?.status !== 'refuted' && !fixed.has(f.id))
    .map((finding) => {
      const advice = plan.actions.find((a) => a.kind === 'code-advice' && a.findings?.includes(finding.id));
      return advice ? { finding, advice } : { finding };
    });
}

/**
 * The endpoint an applied change is for: that of the first finding the actions fix, a confirmed one
 * first (its endpoint was measured alone; for a finding the mixed run could not place, the endpoint
 * whose isolated run showed it), else undefined.
 */
export function changedEndpoint(actions: readonly Action[], findings: readonly Finding[]): string | undefined {
  const fixed = new Set(actions.flatMap((a) => a.findings ?? []));
  const placed = findings
    .filter((f) => fixed.has(f.id))
    .map((f) => ({ confirmed: f.confirmation?.status === 'confirmed', endpoint: f.endpoint ?? (f.confirmation?.status === 'confirmed' ? f.confirmation.shownBy : undefined) }))
    .filter((c) => c.endpoint !== undefined);
  return (placed.find((c) => c.confirmed) ?? placed[0])?.endpoint;
}

/** The actions with a change the journal says ran (what `tuneup rollback` undoes): applied, or started when the apply stopped mid-change. */
export function changedBy(actions: readonly Action[], journal: JournalEntry | undefined): Action[] {
  const ran = new Set((journal?.steps ?? []).filter((s) => s.state === 'applied' || s.state === 'started').map((s) => s.actionId));
  return actions.filter((a) => ran.has(a.id));
}

/**
 * The journal an apply of run `runId` wrote since `since` (ms), the newest: an apply interrupted before its
 * first change calls no onStep, yet has written its journal (every step pending) before anything else.
 */
async function journalSince(journalDir: string, runId: string, since: number): Promise<JournalEntry | undefined> {
  const mine = (await listJournals(journalDir)).filter((j) => j.runId === runId && j.createdAt >= since);
  return mine.sort((a, b) => b.createdAt - a.createdAt)[0];
}

/** One engine run (with fresh probes unless `probed` is false), assembled into a RunResult. */
async function runOnce(ctx: PlaybookContext, plan: ResolvedPlan, label: string, durationMs: number, labels: Record<string, string>, probed = true): Promise<RunResult> {
  const hooks = ctx.hooks ?? {};
  hooks.onRunStart?.(label, durationMs);
  try {
    const handle = startRun(plan, {
      probes: probed ? await ctx.probes() : [],
      targetPid: ctx.targetPid,
      signal: ctx.signal,
      hardSignal: ctx.hardSignal,
      onProgress: (live) => hooks.onLive?.(live),
    });
    return assembleRunResult(await handle.done, { argv: ctx.argv ?? [], labels });
  } finally {
    hooks.onRunEnd?.(label);
  }
}
