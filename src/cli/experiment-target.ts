/**
 * What `tuneup diagnose` and `tuneup playbook` run the experiment with: its
 * options parsed from the flags (declared in experiment-options.ts) and its
 * target (the plan, its probes, the diagnosis of each run). One parser, so
 * both commands run the experiment the same way.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { EXPERIMENT_DEFAULTS, type ExperimentContext, type ExperimentOptions } from '../diagnose/experiment/index.js';
import { parseDuration, resolvePlan, type PlanOptions } from '../plan/index.js';
import { parseYamlSource } from '../plan/locate.js';
import type { ExperimentFlags } from './experiment-options.js';
import { parsePositiveInt, parsePositiveNumber } from './options.js';
import type { ProbeFlags } from './probe-options.js';
import { probesFromOptions } from './probe-setup.js';
import { loadPlanFromFlags, parseStepSearch, steppedProbes } from './stepped-command.js';

/** The experiment's options from its flags; bad values fail with the flag named. */
export function experimentOptionsFromFlags(flags: ExperimentFlags, defaults: ExperimentOptions = EXPERIMENT_DEFAULTS): ExperimentOptions {
  const d = defaults;
  const options: ExperimentOptions = {
    ...d,
    ...parseStepSearch(flags, d),
    // Without --duration the diagnosis run is sized to the mix (at least the default); a length given is kept.
    diagnosisMs: flags.duration === undefined ? d.diagnosisMs : parseDuration(flags.duration, '--duration'),
    sizeDiagnosisToMix: flags.duration === undefined && d.sizeDiagnosisToMix === true,
    isolateMs: parseDuration(flags.isolate, '--isolate'),
    maxIsolations: parsePositiveInt(flags.maxIsolations, '--max-isolations') ?? d.maxIsolations,
  };
  const rate = parsePositiveNumber(flags.rate, '--rate');
  const isolateRate = parsePositiveNumber(flags.isolateRate, '--isolate-rate');
  if (rate !== undefined) options.rate = rate;
  if (isolateRate !== undefined) options.isolateRate = isolateRate;
  return options;
}

/** The flags {@link prepareExperimentTarget} reads besides the probe flags. */
export interface TargetFlags extends ProbeFlags {
  env?: string[];
  baseUrl?: string;
  verbose?: boolean;
}

/** What the experiment runs against, with the probe setup's cleanup (a `--target-cmd` service). */
export interface ExperimentTarget extends Pick<ExperimentContext, 'plan' | 'raw' | 'resolveRaw' | 'probes' | 'stepProbes' | 'targetPid' | 'diagnoseRun'> {
  /** The database and cache the probes sample (flags over the plan's `probes:`), for the optimizer. */
  pgUrl?: string;
  redisUrl?: string;
  /** Stop a `--target-cmd` service. */
  cleanup: () => Promise<void>;
}

/**
 * Load the plan (with `--env` and `--base-url`), build the probes from the probe flags (printing
 * what the diagnosis will not see through `notice`), and the derived-plan resolver of YAML/JSON plans.
 */
export async function prepareExperimentTarget(planPath: string, flags: TargetFlags, notice: (line: string) => void): Promise<ExperimentTarget> {
  const { absolute, env, overrides, plan } = await loadPlanFromFlags(planPath, flags);
  const { setup, fresh: probes } = await steppedProbes(flags, plan, notice);
  // Capacity steps only need the process probe (saturated CPU: the service's, its main thread's, PostgreSQL's).
  const pid = setup.targetPid ?? flags.pid ?? plan.probes.process?.pid;
  const stepProbes = async () => (pid === undefined ? [] : (await probesFromOptions({ pid: String(pid), diagnose: false })).probes);
  const raw = await readRawPlan(absolute);
  const isolationEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !['TUNEUP_PROFILE', 'TUNEUP_RATE', 'TUNEUP_DURATION'].includes(k)));
  const resolveRaw = (derived: PlanOptions) => resolvePlan({ raw: derived, source: plan.source, env: isolationEnv, overrides, baseDir: dirname(absolute) });
  const pgUrl = flags.pg ?? plan.probes.postgres?.url;
  const redisUrl = flags.redis ?? plan.probes.redis?.url;
  return {
    plan,
    ...(raw ? { raw, resolveRaw } : {}),
    probes,
    stepProbes,
    targetPid: setup.targetPid,
    diagnoseRun: setup.enrich,
    ...(pgUrl ? { pgUrl } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    cleanup: setup.cleanup,
  };
}

/** The plan as written, for YAML/JSON plans (per-request isolation); undefined for code plans. */
async function readRawPlan(file: string): Promise<PlanOptions | undefined> {
  if (!['.yaml', '.yml', '.json'].includes(extname(file).toLowerCase())) return undefined;
  return parseYamlSource(await readFile(file, 'utf8'), file).value as PlanOptions;
}
