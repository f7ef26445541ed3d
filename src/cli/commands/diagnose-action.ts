/**
 * What `tuneup diagnose` does (declared in diagnose.ts): the experiment,
 * its progress on stderr, the diagnosis run stored and printed.
 * @module
 */
import { runExperiment, type ExperimentHooks } from '../../diagnose/experiment/index.js';
import { ExitCode } from '../../errors.js';
import { keptPerRequestText, renderExperimentSummary } from '../../report/index.js';
import { setExitCode } from '../exit.js';
import type { CliIO } from '../io.js';
import { experimentOptionsFromFlags, prepareExperimentTarget } from '../experiment-target.js';
import { runInterruptible, runProgressHooks, storeAndPrint } from '../stepped-command.js';
import type { DiagnoseFlags } from './diagnose.js';

/** Run `tuneup diagnose`. */
export async function diagnoseAction(planPath: string, flags: DiagnoseFlags, io: CliIO): Promise<void> {
  const options = experimentOptionsFromFlags(flags);
  const { cleanup, pgUrl: _pg, redisUrl: _redis, ...target } = await prepareExperimentTarget(planPath, flags, (line) => io.err(line));

  const quiet = Boolean(flags.quiet || flags.json);
  const notice = 'stopping: the current run ends gracefully, then the partial result is written; press Ctrl-C again to stop now';
  const outcome = await runInterruptible(io, cleanup, { quiet, notice }, ({ signal, hardSignal }) => runExperiment(
    {
      ...target,
      signal,
      hardSignal,
      argv: process.argv.slice(2),
      hooks: quiet ? {} : experimentProgressHooks(io),
    },
    options,
  ));

  if (!outcome.result) {
    if (!quiet) io.err('interrupted before any run finished: nothing to store');
    setExitCode(ExitCode.INTERRUPTED);
    return;
  }
  const result = outcome.experiment.interrupted ? { ...outcome.result, status: 'interrupted' as const, statusReason: 'interrupted by the user' } : outcome.result;
  await storeAndPrint(io, result, flags, () => [renderExperimentSummary(result, { color: io.color })]);
  if (outcome.experiment.interrupted) setExitCode(ExitCode.INTERRUPTED);
}

/** Progress on stderr: the plan up front, one line per step and isolation, a live line during each run (also `demo`'s and `playbook`'s). */
export function experimentProgressHooks(io: CliIO): ExperimentHooks {
  const r = (n: number) => (n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10));
  return {
    onPlan({ rates, requestedRate, search, mix }) {
      const shares = mix.shares.map((s) => `${s.scenario} ${Math.round(s.share * 100)} %`).join(', ');
      io.err(`mix: ${shares}${requestedRate !== undefined ? `; the plan asks for ${r(requestedRate)}/s` : ''}`);
      io.err(
        `plan: capacity steps ${rates.map(r).join(', ')}/s (×${search.factor}, stopping at the knee, then ≤ ${search.bisections} bisections)` +
          ' → diagnosis at a sustainable rate → each suspect endpoint alone',
      );
    },
    ...runProgressHooks(io, r),
    onKnee(knee, chosen) {
      const cap = knee.status === 'found' ? `${r(knee.sustainedRate!)}/s (fails at ${r(knee.failedRate!)}/s)` : knee.status === 'not-reached' ? `≥ ${r(knee.sustainedRate ?? 0)}/s (no knee up to the ramp's cap)` : `< ${r(knee.failedRate ?? 0)}/s`;
      io.err(`capacity ${cap}${knee.saturatedResource ? `; saturated: ${knee.saturatedResource.name} (${knee.saturatedResource.detail})` : ''}`);
      io.err(`diagnosis rate ${r(chosen.rate)}/s (${chosen.by === 'plan' ? "the plan's rate" : chosen.by === 'flag' ? '--rate' : chosen.by === 'knee' ? '70 % of the sustained rate' : "70 % of the ramp's highest sustained step"}) for ${r(chosen.durationMs / 1000)} s`);
    },
    onIsolation(iso) {
      const kept = keptPerRequestText(iso);
      const keptText = kept ? `; ${kept}` : '';
      io.err(iso.status === 'ran' ? `  ${iso.endpoint} alone at ${r(iso.rate ?? 0)}/s: ${iso.requests} requests${iso.findings?.length ? `; shows ${iso.findings.map((f) => f.category).join(', ')}` : ''}${keptText}` : `  ${iso.endpoint}: not tested (${iso.reason})`);
    },
  };
}
