/**
 * What `tuneup profile` does (declared in profile.ts): each scenario alone
 * for a short step with the probes, then each endpoint's cost per request.
 * @module
 */
import { resolve } from 'node:path';
import { loadPlan, parseDuration, PROFILE_STEP_DEFAULTS, profileStepsPlan } from '../../plan/index.js';
import { computeDemands, DB_CORES_LABEL } from '../../diagnose/index.js';
import { renderDemands } from '../../report/index.js';
import { executeRun } from '../execute-run.js';
import type { CliIO } from '../io.js';
import { parsePairs, parsePositiveNumber } from '../options.js';
import { probesFromOptions } from '../probe-setup.js';
import type { ProfileFlags } from './profile.js';

/** Run `tuneup profile`. */
export async function profileAction(planPath: string, flags: ProfileFlags, io: CliIO): Promise<void> {
  const env = { ...process.env, ...parsePairs(flags.env, '--env') };
  const plan = await loadPlan(resolve(planPath), { env, overrides: flags.baseUrl ? { baseUrl: flags.baseUrl } : {}, verbose: flags.verbose });
  const stepped = profileStepsPlan(plan, {
    stepMs: parseDuration(flags.step, '--step'),
    gapMs: PROFILE_STEP_DEFAULTS.gapMs,
    rate: parsePositiveNumber(flags.rate, '--rate'),
  });
  const dbCores = parsePositiveNumber(flags.dbCores, '--db-cores');
  const probes = await probesFromOptions(flags, stepped, flags.json ? undefined : (line) => io.err(line));
  try {
    const result = await executeRun(stepped, io, {
      json: flags.json,
      quiet: flags.quiet,
      probes: probes.probes,
      targetPid: probes.targetPid,
      enrich: probes.enrich,
      // The label keeps the cores with the run, so the diagnosis now and `tuneup analyze --run` later use the same bound.
      labels: { kind: 'profile', ...(dbCores === undefined ? {} : { [DB_CORES_LABEL]: String(dbCores) }) },
    });
    if (!flags.json) {
      io.out(renderDemands(result));
      const bound = databaseBoundLine(result);
      if (bound) io.out(bound);
    }
  } finally {
    await probes.cleanup();
  }
}

/** How the database's throughput bound was computed: the parallelism it divides by, and where the cores came from. */
function databaseBoundLine(result: Parameters<typeof computeDemands>[0]): string {
  if (!result.probes?.some((p) => p.probe === 'postgres' && p.ok)) return '';
  const model = computeDemands(result);
  return model.dbCores
    ? `database bound: ${model.dbServers} parallel executions = min(connections used, ${model.dbCores.cores} cores from ${model.dbCores.source === 'option' || model.dbCores.source === 'label' ? '--db-cores' : 'this host'})`
    : `database bound: ${model.dbServers} parallel executions = connections used (database cores unknown: give --db-cores; optimistic if it has fewer cores)`;
}
