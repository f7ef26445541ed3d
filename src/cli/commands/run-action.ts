/**
 * What `tuneup run` does (declared in run.ts): load the plan with its
 * overrides, set up the probes, run it, store and print the result.
 * @module
 */
import { resolve } from 'node:path';
import { checkOverrides, loadPlan, overridesFromEnv, type PlanOverrides } from '../../plan/index.js';
import { planFileSource } from '../../engine/workers.js';
import { parseOutputSpecs } from '../../outputs/index.js';
import { executeRun } from '../execute-run.js';
import type { CliIO } from '../io.js';
import { parsePairs, parsePositiveInt } from '../options.js';
import { probesFromOptions } from '../probe-setup.js';
import { dashboardFromFlags } from '../run-options.js';
import type { RunFlags } from './run.js';

const FLAG_OF: Record<keyof PlanOverrides, string> = {
  baseUrl: '--base-url',
  timeout: '--timeout',
  profile: '--profile',
  rate: '--rate',
  duration: '--duration',
};

/** Run `tuneup run PLAN`. */
export async function runAction(planPath: string, flags: RunFlags, io: CliIO): Promise<void> {
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
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
