/**
 * `tuneup profile plan`: run each scenario alone for a short step at its own
 * rate (or `--rate`), with the probes, and print each endpoint's cost per
 * request (CPU, database time and calls, distinct statements, Redis commands,
 * bytes, unexplained wait), its bottleneck and the throughput bound it
 * implies. The database bound divides by the database's cores (`--db-cores`,
 * else the host's when the server runs on it), not by its connections.
 * @module
 */
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { loadPlan, parseDuration, PROFILE_STEP_DEFAULTS, profileStepsPlan } from '../../plan/index.js';
import { computeDemands, DB_CORES_LABEL } from '../../diagnose/index.js';
import { renderDemands } from '../../report/index.js';
import { executeRun } from '../execute-run.js';
import type { CliIO } from '../io.js';
import { collect, parsePairs, parsePositiveNumber } from '../options.js';
import { addProbeOptions, probesFromOptions, type ProbeFlags } from '../probe-options.js';

/** Register `tuneup profile`. */
export function registerProfileCommand(program: Command, io: CliIO): void {
  const command = program
    .command('profile')
    .description('per-endpoint cost profile: each scenario alone for a short step, with probes')
    .argument('<plan>', 'plan file; define one scenario per endpoint to profile endpoints apart')
    .option('--step <duration>', 'length of each step', '10s')
    .option('--rate <n>', "iterations per second in every step (default: each scenario's own rate, or its VUs for closed-model scenarios)")
    .option('--db-cores <n>', "cores of the database server, for its throughput bound (default: this host's when the process probe finds PostgreSQL here)")
    .option('--base-url <url>', "override the plan's baseUrl")
    .option('-e, --env <key=value>', 'environment variable for the plan (repeatable)', collect)
    .option('--json', 'print the RunResult JSON on stdout')
    .option('-q, --quiet', 'no live progress')
    .option('--verbose', 'show stack traces on errors');
  addProbeOptions(command);
  command.action(async (planPath, flags) => {
    const env = { ...process.env, ...parsePairs(flags.env, '--env') };
    const plan = await loadPlan(resolve(planPath), { env, overrides: flags.baseUrl ? { baseUrl: flags.baseUrl } : {}, verbose: flags.verbose });
    const stepped = profileStepsPlan(plan, {
      stepMs: parseDuration(flags.step, '--step'),
      gapMs: PROFILE_STEP_DEFAULTS.gapMs,
      rate: parsePositiveNumber(flags.rate, '--rate'),
    });
    const dbCores = parsePositiveNumber(flags.dbCores, '--db-cores');
    const probes = await probesFromOptions(flags as typeof flags & ProbeFlags, stepped, flags.json ? undefined : (line) => io.err(line));
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
  });
}

/** How the database's throughput bound was computed: the parallelism it divides by, and where the cores came from. */
function databaseBoundLine(result: Parameters<typeof computeDemands>[0]): string {
  if (!result.probes?.some((p) => p.probe === 'postgres' && p.ok)) return '';
  const model = computeDemands(result);
  return model.dbCores
    ? `database bound: ${model.dbServers} parallel executions = min(connections used, ${model.dbCores.cores} cores from ${model.dbCores.source === 'option' || model.dbCores.source === 'label' ? '--db-cores' : 'this host'})`
    : `database bound: ${model.dbServers} parallel executions = connections used (database cores unknown: give --db-cores; optimistic if it has fewer cores)`;
}
