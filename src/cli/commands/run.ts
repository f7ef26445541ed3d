/**
 * `tuneup run plan.ts|plan.js|plan.yaml|plan.json`: the plan's scenarios,
 * thresholds and probes, then the result, reports and exit code.
 * @module
 */
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { checkOverrides, loadPlan, overridesFromEnv, type PlanOverrides } from '../../plan/index.js';
import { planFileSource } from '../../engine/workers.js';
import { parseOutputSpecs } from '../../outputs/index.js';
import { executeRun } from '../execute-run.js';
import type { CliIO } from '../io.js';
import { collect, parsePairs, parsePositiveInt } from '../options.js';
import { addProbeOptions, probesFromOptions, type ProbeFlags } from '../probe-options.js';
import { addRunOutputOptions, dashboardFromFlags, type RunOutputFlags } from '../run-options.js';

const FLAG_OF: Record<keyof PlanOverrides, string> = {
  baseUrl: '--base-url',
  timeout: '--timeout',
  profile: '--profile',
  rate: '--rate',
  duration: '--duration',
};

/** Register `tuneup run`. */
export function registerRunCommand(program: Command, io: CliIO): void {
  const command = program
    .command('run')
    .description('run a plan (.ts, .js, .yaml, .json): scenarios, thresholds, probes, report')
    .argument('<plan>', 'plan file')
    .option('--base-url <url>', "override the plan's baseUrl")
    .option('--timeout <duration>', 'override the per-request timeout')
    .option('--profile <name>', 'replace the scenarios by a profile: smoke, load, stress, spike, soak, breakpoint')
    .option('--rate <n>', "the profile's expected load (iterations per second)")
    .option('--duration <duration>', "the profile's main duration")
    .option('-e, --env <key=value>', 'environment variable for the plan (repeatable)', collect);
  addRunOutputOptions(command, { segment: true, thresholds: true });
  addProbeOptions(command);
  command.action(async (planPath, parsed) => {
    const flags = parsed as typeof parsed & RunOutputFlags & ProbeFlags;
    const outputs = parseOutputSpecs(flags.out);
    const env = { ...process.env, ...parsePairs(flags.env, '--env') };
    const flagOverrides = checkOverrides(
      { baseUrl: flags.baseUrl, timeout: flags.timeout, profile: flags.profile as PlanOverrides['profile'], rate: flags.rate === undefined ? undefined : Number(flags.rate), duration: flags.duration },
      (key) => FLAG_OF[key],
    );
    const overrides: PlanOverrides = { ...overridesFromEnv(env), ...stripUndefined(flagOverrides) };
    const absolute = resolve(planPath);
    const plan = await loadPlan(absolute, { env, overrides, verbose: flags.verbose });
    const probes = await probesFromOptions(flags, plan, flags.json ? undefined : (line) => io.err(line));
    try {
      await executeRun(plan, io, {
        workers: parsePositiveInt(flags.workers, '--workers'),
        segment: flags.segment,
        json: flags.json,
        quiet: flags.quiet,
        noReport: !flags.report,
        dashboard: dashboardFromFlags(flags),
        noThresholds: !flags.thresholds,
        labels: parsePairs(flags.tag, '--tag'),
        probes: probes.probes,
        targetPid: probes.targetPid,
        enrich: probes.enrich,
        // Worker threads cannot receive functions: they load the plan again from its file.
        planSource: planFileSource(absolute, { env, overrides }),
        outputs,
      });
    } finally {
      await probes.cleanup();
    }
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
