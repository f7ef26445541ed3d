/**
 * What the stepped commands (`tuneup capacity`, `tuneup diagnose`) share when
 * they run (their flags are declared in stepped-options.ts): parsing the
 * step-search flags, loading the plan, probes set up once and made fresh for
 * every run, Ctrl-C handling, the progress lines of each step, and storing
 * and printing the result.
 *
 * @module
 */
import { dirname, resolve } from 'node:path';
import { DEFAULT_RUNS_DIR, writeRunResult } from '../engine/result.js';
import { TuneupError } from '../errors.js';
import { loadPlan, parseDuration, type PlanOverrides, type ResolvedPlan } from '../plan/index.js';
import type { LiveStats } from '../metrics/recorder-types.js';
import type { Probe } from '../probes/types.js';
import type { RunResult } from '../result/types.js';
import { writeReports } from '../report/index.js';
import { withInterrupts, type InterruptSignals } from './interrupts.js';
import type { CliIO } from './io.js';
import { createLiveDisplay, type LiveDisplay } from './live.js';
import { parsePairs, parsePositiveInt, parsePositiveNumber } from './options.js';
import type { ProbeFlags, ProbeSetup } from './probe-options.js';
import { probesFromOptions } from './probe-setup.js';
import type { StepSearchDefaults, StepSearchFlags } from './stepped-options.js';

/** The step-search flags parsed; bad values are TUNEUP_OPTION_INVALID naming the flag. */
export interface StepSearch {
  stepMs: number;
  maxSteps: number;
  bisections: number;
  startRate?: number;
  maxRate?: number;
}

/** Parse the step-search flags (`--bisections 0` skips bisection); `--max-rate` must not be below `--start-rate`. */
export function parseStepSearch(flags: StepSearchFlags, d: StepSearchDefaults): StepSearch {
  const search: StepSearch = {
    stepMs: parseDuration(flags.step, '--step'),
    maxSteps: parsePositiveInt(flags.maxSteps, '--max-steps') ?? d.maxSteps,
    bisections: flags.bisections === '0' ? 0 : (parsePositiveInt(flags.bisections, '--bisections') ?? d.bisections),
  };
  const startRate = parsePositiveNumber(flags.startRate, '--start-rate');
  const maxRate = parsePositiveNumber(flags.maxRate, '--max-rate');
  if (startRate !== undefined) search.startRate = startRate;
  if (maxRate !== undefined) search.maxRate = maxRate;
  if (startRate !== undefined && maxRate !== undefined && maxRate < startRate) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--max-rate ${maxRate} is below --start-rate ${startRate}`, { location: '--max-rate', hint: 'Give a --max-rate at or above --start-rate.' });
  }
  return search;
}

/** The plan, loaded with `--env` pairs over the process environment and `--base-url` as an override. */
export async function loadPlanFromFlags(planPath: string, flags: { env?: string[]; baseUrl?: string; verbose?: boolean }): Promise<{ absolute: string; env: NodeJS.ProcessEnv; overrides: PlanOverrides; plan: ResolvedPlan }> {
  const env = { ...process.env, ...parsePairs(flags.env, '--env') };
  const overrides: PlanOverrides = flags.baseUrl ? { baseUrl: flags.baseUrl } : {};
  const absolute = resolve(planPath);
  const plan = await loadPlan(absolute, { env, overrides, verbose: flags.verbose });
  return { absolute, env, overrides, plan };
}

/**
 * The probes of the flags and the plan, checked once (what the diagnosis will not see goes to `notice`);
 * probes start and stop once, so `fresh` makes new ones for the same targets for every run (a
 * `--target-cmd` service is started once, by this setup).
 */
export async function steppedProbes(flags: ProbeFlags, plan: ResolvedPlan, notice: (line: string) => void): Promise<{ setup: ProbeSetup; fresh: () => Promise<Probe[]> }> {
  const setup = await probesFromOptions(flags, plan, notice);
  const fresh = async () => (await probesFromOptions({ ...flags, targetCmd: undefined, reference: undefined, pid: setup.targetPid === undefined ? flags.pid : String(setup.targetPid) }, plan)).probes;
  return { setup, fresh };
}

/** Run `work` with Ctrl-C handling ({@link withInterrupts}), then `cleanup` (stop a `--target-cmd` service), whatever happened. */
export async function runInterruptible<T>(io: CliIO, cleanup: () => Promise<void>, options: { quiet: boolean; notice: string }, work: (signals: InterruptSignals) => Promise<T>): Promise<T> {
  try {
    return await withInterrupts(io, options, work);
  } finally {
    await cleanup();
  }
}

/** What a step shows in its progress line. */
interface ShownStep {
  offeredRate: number;
  achievedRate: number;
  p95Ms: number | null;
  errorRate: number;
  sustained: boolean;
  reasons: string[];
}

/**
 * Progress on stderr for every run: a line when it starts, a live line during it, and one line per judged
 * step; `rate` formats rates and milliseconds.
 */
export function runProgressHooks(io: CliIO, rate: (n: number) => string) {
  let display: LiveDisplay | undefined;
  return {
    onRunStart({ label, rate: r, durationMs }: { label: string; rate: number; durationMs: number }): void {
      display = createLiveDisplay(io, { quiet: false, plannedMs: durationMs });
      io.err(`${label}: ${r > 0 ? `${rate(r)}/s for ` : ''}${Math.round(durationMs / 100) / 10} s`);
    },
    onLive: (live: LiveStats): void => display?.update(live),
    onRunEnd(): void {
      display?.done();
      display = undefined;
    },
    onStep(step: ShownStep): void {
      const p95 = step.p95Ms === null ? '-' : `${rate(step.p95Ms)} ms`;
      io.err(`  offered ${rate(step.offeredRate)}/s → ${rate(step.achievedRate)}/s, p95 ${p95}, errors ${rate(step.errorRate * 100)} %: ${step.sustained ? 'sustained' : `past the knee (${step.reasons.join('; ')})`}`);
    },
  };
}

/**
 * Store the run (result.json, and report.html / summary.md / junit.xml unless `--no-report`), then print
 * it: its JSON with `--json`, else (unless `--quiet`) the `summary` lines and where the files went.
 */
export async function storeAndPrint(io: CliIO, result: RunResult, flags: { json?: boolean; quiet?: boolean; report: boolean }, summary: () => string[]): Promise<void> {
  const resultPath = await writeRunResult(result, DEFAULT_RUNS_DIR);
  const htmlPath = flags.report ? (await writeReports(result, dirname(resultPath))).html : undefined;
  if (flags.json) io.out(JSON.stringify(result));
  else if (!flags.quiet) {
    for (const line of summary()) io.out(line);
    io.out(`result: ${resultPath}${htmlPath ? `\nreport: ${htmlPath}` : ''}`);
  }
}
