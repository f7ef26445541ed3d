/**
 * `tuneup diagnose plan`: diagnosis as an experiment — find the sustainable
 * rate of the plan's mix (capacity steps), diagnose the mix at a rate the
 * service sustains with every probe, and confirm each suspect finding by
 * running its endpoint alone. One stored run (the diagnosis run) holds the
 * findings, each with its confirmation, and the experiment.
 * @module
 */
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { runExperiment, type ExperimentHooks } from '../../diagnose/experiment/index.js';
import { DEFAULT_RUNS_DIR, writeRunResult } from '../../engine/result.js';
import { ExitCode } from '../../errors.js';
import { renderExperimentSummary, writeReports } from '../../report/index.js';
import { setExitCode } from '../exit.js';
import { withInterrupts } from '../interrupts.js';
import type { CliIO } from '../io.js';
import { createLiveDisplay, type LiveDisplay } from '../live.js';
import { addExperimentOptions, experimentOptionsFromFlags, prepareExperimentTarget, type ExperimentFlags, type TargetFlags } from '../experiment-options.js';
import { collect } from '../options.js';
import { addProbeOptions } from '../probe-options.js';

/** Register `tuneup diagnose`. */
export function registerDiagnoseCommand(program: Command, io: CliIO): void {
  const command = program
    .command('diagnose')
    .description('capacity steps → diagnosis at a sustainable rate → confirm each suspect by running its endpoint alone')
    .argument('<plan>', 'plan file; one scenario (or one requests: entry) per endpoint lets every suspect be isolated')
    .option('--base-url <url>', "override the plan's baseUrl")
    .option('-e, --env <key=value>', 'environment variable for the plan (repeatable)', collect)
    .option('--json', 'print the RunResult JSON (findings with confirmation, experiment) on stdout')
    .option('-q, --quiet', 'no progress and no summary')
    .option('--no-report', 'do not write report.html / summary.md / junit.xml')
    .option('--verbose', 'show stack traces on errors');
  addExperimentOptions(command);
  addProbeOptions(command);
  command.action(async (planPath, flags) => {
    const options = experimentOptionsFromFlags(flags as typeof flags & ExperimentFlags);
    const { cleanup, pgUrl: _pg, redisUrl: _redis, ...target } = await prepareExperimentTarget(planPath, flags as typeof flags & TargetFlags, (line) => io.err(line));

    const quiet = Boolean(flags.quiet || flags.json);
    const notice = 'stopping: the current run ends gracefully, then the partial result is written; press Ctrl-C again to stop now';
    let outcome;
    try {
      outcome = await withInterrupts(io, { quiet, notice }, ({ signal, hardSignal }) => runExperiment(
        {
          ...target,
          signal,
          hardSignal,
          argv: process.argv.slice(2),
          hooks: quiet ? {} : experimentProgressHooks(io),
        },
        options,
      ));
    } finally {
      await cleanup();
    }

    if (!outcome.result) {
      if (!quiet) io.err('interrupted before any run finished: nothing to store');
      setExitCode(ExitCode.INTERRUPTED);
      return;
    }
    const result = outcome.experiment.interrupted ? { ...outcome.result, status: 'interrupted' as const, statusReason: 'interrupted by the user' } : outcome.result;
    const resultPath = await writeRunResult(result, DEFAULT_RUNS_DIR);
    const htmlPath = flags.report ? (await writeReports(result, resolve(resultPath, '..'))).html : undefined;
    if (flags.json) io.out(JSON.stringify(result));
    else if (!flags.quiet) {
      io.out(renderExperimentSummary(result, { color: io.color }));
      io.out(`result: ${resultPath}${htmlPath ? `\nreport: ${htmlPath}` : ''}`);
    }
    if (outcome.experiment.interrupted) setExitCode(ExitCode.INTERRUPTED);
  });
}

/** Progress on stderr: the plan up front, one line per step and isolation, a live line during each run (also `demo`'s and `playbook`'s). */
export function experimentProgressHooks(io: CliIO): ExperimentHooks {
  let display: LiveDisplay | undefined;
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
    onRunStart({ label, rate, durationMs }) {
      display = createLiveDisplay(io, { quiet: false, plannedMs: durationMs });
      io.err(`${label}: ${rate > 0 ? `${r(rate)}/s for ` : ''}${Math.round(durationMs / 100) / 10} s`);
    },
    onLive: (live) => display?.update(live),
    onRunEnd() {
      display?.done();
      display = undefined;
    },
    onStep(step) {
      const p95 = step.p95Ms === null ? '-' : `${r(step.p95Ms)} ms`;
      io.err(`  offered ${r(step.offeredRate)}/s → ${r(step.achievedRate)}/s, p95 ${p95}, errors ${r(step.errorRate * 100)} %: ${step.sustained ? 'sustained' : `past the knee (${step.reasons.join('; ')})`}`);
    },
    onKnee(knee, chosen) {
      const cap = knee.status === 'found' ? `${r(knee.sustainedRate!)}/s (fails at ${r(knee.failedRate!)}/s)` : knee.status === 'not-reached' ? `≥ ${r(knee.sustainedRate ?? 0)}/s (no knee up to the ramp's cap)` : `< ${r(knee.failedRate ?? 0)}/s`;
      io.err(`capacity ${cap}${knee.saturatedResource ? `; saturated: ${knee.saturatedResource.name} (${knee.saturatedResource.detail})` : ''}`);
      io.err(`diagnosis rate ${r(chosen.rate)}/s (${chosen.by === 'plan' ? "the plan's rate" : chosen.by === 'flag' ? '--rate' : chosen.by === 'knee' ? '70 % of the sustained rate' : "70 % of the ramp's highest sustained step"})`);
    },
    onIsolation(iso) {
      io.err(iso.status === 'ran' ? `  ${iso.endpoint} alone at ${r(iso.rate ?? 0)}/s: ${iso.requests} requests${iso.findings?.length ? `; shows ${iso.findings.map((f) => f.category).join(', ')}` : ''}` : `  ${iso.endpoint}: not tested (${iso.reason})`);
    },
  };
}
