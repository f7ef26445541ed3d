/**
 * `tuneup diagnose plan`: diagnosis as an experiment — find the sustainable
 * rate of the plan's mix (capacity steps), diagnose the mix at a rate the
 * service sustains with every probe, and confirm each suspect finding by
 * running its endpoint alone. One stored run (the diagnosis run) holds the
 * findings, each with its confirmation, and the experiment.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { EXPERIMENT_DEFAULTS, runExperiment, type ExperimentHooks, type ExperimentOptions } from '../../diagnose/experiment/index.js';
import { DEFAULT_RUNS_DIR, writeRunResult } from '../../engine/result.js';
import { ExitCode, TuneupError } from '../../errors.js';
import { loadPlan, parseDuration, resolvePlan, type PlanOptions, type PlanOverrides } from '../../plan/index.js';
import { parseYamlSource } from '../../plan/locate.js';
import { renderExperimentSummary, writeReports } from '../../report/index.js';
import { setExitCode } from '../exit.js';
import { withInterrupts } from '../interrupts.js';
import type { CliIO } from '../io.js';
import { createLiveDisplay, type LiveDisplay } from '../live.js';
import { collect, parsePairs, parsePositiveInt, parsePositiveNumber } from '../options.js';
import { addProbeOptions, probesFromOptions, type ProbeFlags } from '../probe-options.js';

/** Register `tuneup diagnose`. */
export function registerDiagnoseCommand(program: Command, io: CliIO): void {
  const d = EXPERIMENT_DEFAULTS;
  const command = program
    .command('diagnose')
    .description('capacity steps → diagnosis at a sustainable rate → confirm each suspect by running its endpoint alone')
    .argument('<plan>', 'plan file; one scenario (or one requests: entry) per endpoint lets every suspect be isolated')
    .option('--rate <n>', 'rate of the diagnosis run (iterations/s); default 70 % of the knee, or the plan\'s rate if lower')
    .option('--step <duration>', 'length of each capacity step', `${d.stepMs / 1000}s`)
    .option('--start-rate <n>', "first capacity step (iterations/s); default an eighth of the plan's rate, or 10")
    .option('--max-rate <n>', "highest capacity step; default twice the plan's rate")
    .option('--max-steps <n>', 'most ramp steps', String(d.maxSteps))
    .option('--bisections <n>', 'steps bisecting the knee after the ramp (0 to skip)', String(d.bisections))
    .option('--duration <duration>', 'length of the diagnosis run', `${d.diagnosisMs / 1000}s`)
    .option('--isolate <duration>', 'length of each isolation run', `${d.isolateMs / 1000}s`)
    .option('--isolate-rate <n>', "rate of each isolation run; default the endpoint's rate in the diagnosis run, within 10–50/s")
    .option('--max-isolations <n>', 'most suspect endpoints run alone', String(d.maxIsolations))
    .option('--base-url <url>', "override the plan's baseUrl")
    .option('-e, --env <key=value>', 'environment variable for the plan (repeatable)', collect)
    .option('--json', 'print the RunResult JSON (findings with confirmation, experiment) on stdout')
    .option('-q, --quiet', 'no progress and no summary')
    .option('--no-report', 'do not write report.html / summary.md / junit.xml')
    .option('--verbose', 'show stack traces on errors');
  addProbeOptions(command);
  command.action(async (planPath, flags) => {
    const env = { ...process.env, ...parsePairs(flags.env, '--env') };
    const overrides: PlanOverrides = flags.baseUrl ? { baseUrl: flags.baseUrl } : {};
    const absolute = resolve(planPath);
    const plan = await loadPlan(absolute, { env, overrides, verbose: flags.verbose });
    const options: ExperimentOptions = {
      ...d,
      stepMs: parseDuration(flags.step, '--step'),
      diagnosisMs: parseDuration(flags.duration, '--duration'),
      isolateMs: parseDuration(flags.isolate, '--isolate'),
      maxSteps: parsePositiveInt(flags.maxSteps, '--max-steps') ?? d.maxSteps,
      maxIsolations: parsePositiveInt(flags.maxIsolations, '--max-isolations') ?? d.maxIsolations,
      bisections: flags.bisections === '0' ? 0 : (parsePositiveInt(flags.bisections, '--bisections') ?? d.bisections),
    };
    const rate = parsePositiveNumber(flags.rate, '--rate');
    const startRate = parsePositiveNumber(flags.startRate, '--start-rate');
    const maxRate = parsePositiveNumber(flags.maxRate, '--max-rate');
    const isolateRate = parsePositiveNumber(flags.isolateRate, '--isolate-rate');
    if (rate !== undefined) options.rate = rate;
    if (startRate !== undefined) options.startRate = startRate;
    if (maxRate !== undefined) options.maxRate = maxRate;
    if (isolateRate !== undefined) options.isolateRate = isolateRate;
    if (startRate !== undefined && maxRate !== undefined && maxRate < startRate) {
      throw new TuneupError('TUNEUP_OPTION_INVALID', `--max-rate ${maxRate} is below --start-rate ${startRate}`, { location: '--max-rate', hint: 'Give a --max-rate at or above --start-rate.' });
    }

    const probeFlags = flags as typeof flags & ProbeFlags;
    const setup = await probesFromOptions(probeFlags, plan, (line) => io.err(line));
    // Probes start and stop once: every run gets fresh ones for the same targets (a --target-cmd service is started once).
    const freshProbes = async () => (await probesFromOptions({ ...probeFlags, targetCmd: undefined, pid: setup.targetPid === undefined ? probeFlags.pid : String(setup.targetPid) }, plan)).probes;
    // Capacity steps only need the process probe (saturated CPU: the service's, its main thread's, PostgreSQL's).
    const pid = setup.targetPid ?? probeFlags.pid ?? plan.probes.process?.pid;
    const stepProbes = async () => (pid === undefined ? [] : (await probesFromOptions({ pid: String(pid), diagnose: false })).probes);
    const raw = await readRawPlan(absolute);
    const isolationEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !['TUNEUP_PROFILE', 'TUNEUP_RATE', 'TUNEUP_DURATION'].includes(k)));
    const resolveRaw = (derived: PlanOptions) => resolvePlan({ raw: derived, source: plan.source, env: isolationEnv, overrides, baseDir: dirname(absolute) });

    const quiet = Boolean(flags.quiet || flags.json);
    const notice = 'stopping: the current run ends gracefully, then the partial result is written; press Ctrl-C again to stop now';
    let outcome;
    try {
      outcome = await withInterrupts(io, { quiet, notice }, ({ signal, hardSignal }) => runExperiment(
        {
          plan,
          ...(raw ? { raw, resolveRaw } : {}),
          probes: freshProbes,
          stepProbes,
          targetPid: setup.targetPid,
          diagnoseRun: setup.enrich,
          signal,
          hardSignal,
          argv: process.argv.slice(2),
          hooks: quiet ? {} : progressHooks(io),
        },
        options,
      ));
    } finally {
      await setup.cleanup();
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

/** The plan as written, for YAML/JSON plans (per-request isolation); undefined for code plans. */
async function readRawPlan(file: string): Promise<PlanOptions | undefined> {
  if (!['.yaml', '.yml', '.json'].includes(extname(file).toLowerCase())) return undefined;
  return parseYamlSource(await readFile(file, 'utf8'), file).value as PlanOptions;
}

/** Progress on stderr: the plan up front, one line per step and isolation, a live line during each run. */
function progressHooks(io: CliIO): ExperimentHooks {
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
