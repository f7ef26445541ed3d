/**
 * What `tuneup playbook` does (declared in playbook.ts): the experiment,
 * the optimization (dry run or applied and validated), the baseline saved,
 * the closing summary and the next command.
 * @module
 */
import { saveBaseline } from '../../compare/baseline.js';
import { ExitCode, TuneupError } from '../../errors.js';
import { runPlaybook, type PlaybookResult } from '../../playbook/run.js';
import { parseDuration } from '../../plan/index.js';
import { setExitCode } from '../exit.js';
import { experimentOptionsFromFlags, prepareExperimentTarget } from '../experiment-target.js';
import { withInterrupts } from '../interrupts.js';
import type { CliIO } from '../io.js';
import { actionLines, capacityLine, findingLines, playbookProgressHooks, validationLines } from '../playbook-text.js';
import type { PlaybookFlags } from './playbook.js';

/** Run `tuneup playbook`. */
export async function playbookAction(planPath: string, flags: PlaybookFlags, io: CliIO): Promise<void> {
  if (flags.apply && !flags.environment) {
    throw new TuneupError('TUNEUP_OPTION_MISSING', '--apply needs --environment NAME', { location: '--environment', hint: 'say where the changes go, e.g. --environment staging' });
  }
  if (flags.apply && flags.environment === 'production' && !flags.yes) {
    throw new TuneupError('TUNEUP_APPLY_REFUSED', 'applying to production in a playbook needs --yes', {
      hint: 'review the dry run first (run without --apply), then add --yes, or apply with `tuneup optimize --run ID --apply --environment production`',
    });
  }
  const experiment = experimentOptionsFromFlags(flags);
  const aloneMs = flags.alone === '0' || flags.alone === '0s' ? 0 : parseDuration(flags.alone, '--alone');
  const started = Date.now();
  const { cleanup, ...target } = await prepareExperimentTarget(planPath, flags, (line) => io.err(line));
  const progress = playbookProgressHooks(io, started);
  const notice = 'stopping: the current run ends, then the playbook stops (an apply in progress finishes its statement; its journal can be rolled back); press Ctrl-C again to stop now';
  let result: PlaybookResult;
  try {
    result = await withInterrupts(io, { quiet: false, notice }, ({ signal, hardSignal }) =>
      runPlaybook(
        { ...target, signal, hardSignal, argv: process.argv.slice(2), hooks: progress },
        {
          experiment,
          ...(flags.apply ? { apply: { environment: flags.environment!, journalDir: flags.journalDir } } : {}),
          aloneMs,
          aloneVus: 2,
        },
      ),
    );
  } finally {
    progress.done();
    await cleanup();
  }
  const baselineRun = result.afterPath ?? result.beforePath;
  const baseline = baselineRun ? await saveBaseline(flags.baseline, [baselineRun]) : undefined;
  const next = baseline ? validateCommand(planPath, flags.baseline, flags.baseUrl, flags.env) : undefined;
  const seconds = (Date.now() - started) / 1000;
  if (flags.json) io.out(JSON.stringify(playbookJson(result, { baseline: baseline?.name, next, seconds })));
  else io.out(renderPlaybookSummary(result, { planPath, seconds, apply: Boolean(flags.apply), baseline: baseline?.name, next }));
  if (result.interrupted) setExitCode(ExitCode.INTERRUPTED);
}

/** The `tuneup validate` command that compares a re-run of the plan with the saved baseline (one run, as the baseline). */
export function validateCommand(planPath: string, baseline: string, baseUrl?: string, env?: string[]): string {
  const quote = (s: string): string => (/^[\w./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  const parts = ['tuneup validate', quote(planPath), '--baseline', quote(`baseline:${baseline}`), '--runs 1 --max-runs 1'];
  if (baseUrl) parts.push('--base-url', quote(baseUrl));
  for (const e of env ?? []) parts.push('-e', quote(e));
  return parts.join(' ');
}

/** The closing summary: capacity, findings, database actions (dry run or applied), changes by hand, the next command. */
export function renderPlaybookSummary(r: PlaybookResult, ctx: { planPath: string; seconds: number; apply: boolean; baseline?: string; next?: string }): string {
  const lines = ['', `── tuneup playbook: summary (${Math.round(ctx.seconds)} s) ──`, '', capacityLine(r), ...findingLines(r)];
  if (r.plan) {
    // Ctrl-C can stop an apply between changes: say which ran (they stay until rolled back) and which did not.
    const notApplied = r.journal ? r.toApply.filter((a) => !r.applied.includes(a)) : [];
    if (r.journal && r.applied.length === 0) {
      lines.push('', `apply interrupted before its first change (journal ${r.journal.id}): nothing was changed; not applied:`);
      lines.push(...actionLines(r.toApply));
    } else {
      lines.push('', r.applied.length > 0 ? `applied (journal ${r.journal!.id}):` : `database actions fixing these findings${r.toApply.length > 0 && !ctx.apply ? ' (dry run: nothing was changed)' : ''}:`);
      if (r.toApply.length === 0) lines.push('  none');
      lines.push(...actionLines(r.applied.length > 0 ? r.applied : r.toApply));
      if (notApplied.length > 0) lines.push('  not applied (the apply was interrupted before them):', ...actionLines(notApplied).map((l) => `  ${l}`));
      if (r.journal) lines.push(`  undo: tuneup rollback ${r.journal.id}`);
      else if (r.toApply.length > 0 && !ctx.apply) lines.push(`  to apply them and validate: add --apply --environment NAME (journaled; undo with tuneup rollback JOURNAL_ID)`);
    }
  }
  lines.push(...validationLines(r));
  if (r.byHand.length > 0) {
    lines.push('', 'to change by hand (tuneup does not edit code):');
    r.byHand.forEach(({ finding, advice }, i) => {
      lines.push(`  ${i + 1}. [${finding.category}] ${finding.endpoint ? `${finding.endpoint} — ` : ''}${finding.title}`);
      lines.push(`     change: ${advice ? `${advice.title}. ${advice.rationale.replace(/\s+/g, ' ')}` : finding.recommendation.text}`);
    });
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (ctx.baseline && ctx.next) {
    lines.push('', `baseline saved: baseline:${ctx.baseline} (${r.after ? 'the run after the applied change' : 'the diagnosis run'}, ${r.experiment.chosenRate}/s)`);
    // Only a rate other than the plan's needs the plan changed (`--rate` may pin the plan's own rate).
    if (r.experiment.chosenBy !== 'plan' && r.experiment.requestedRate !== r.experiment.chosenRate) {
      lines.push(`  the plan asks for ${r.experiment.requestedRate ?? '?'}/s but the baseline ran at ${r.experiment.chosenRate}/s (what the service sustains): give the plan that rate before validating`);
    }
    lines.push(`next: ${r.byHand.length > 0 ? 'make the changes above, then run' : 'after a change, run'}:`, `  ${ctx.next}`);
  }
  if (r.reportPath) lines.push('', `report: ${r.reportPath}`);
  if (r.interrupted) lines.push('interrupted: the playbook stopped early');
  return lines.join('\n');
}

/** The `--json` document. */
export function playbookJson(r: PlaybookResult, ctx: { baseline?: string; next?: string; seconds: number }): object {
  return {
    seconds: ctx.seconds,
    experiment: { steps: r.experiment.steps.map((s) => ({ rate: s.offeredRate, sustained: s.sustained })), knee: r.experiment.knee, chosenRate: r.experiment.chosenRate, chosenBy: r.experiment.chosenBy },
    findings: r.findings.map((f) => ({ id: f.id, category: f.category, severity: f.severity, endpoint: f.endpoint ?? null, confirmation: f.confirmation?.status ?? null, title: f.title })),
    toApply: r.toApply.map((a) => ({ id: a.id, statements: a.changes.flatMap((c) => c.statements) })),
    applied: r.applied.map((a) => a.id),
    journal: r.journal?.id ?? null,
    byHand: r.byHand.map((b) => ({ finding: b.finding.id, change: b.advice?.title ?? b.finding.recommendation.text })),
    deltas: r.deltas,
    baseline: ctx.baseline ?? null,
    next: ctx.next ?? null,
    runs: { before: r.beforePath ?? null, after: r.afterPath ?? null },
    reportPath: r.reportPath ?? null,
    notes: r.notes,
    interrupted: r.interrupted,
  };
}
