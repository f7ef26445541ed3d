/**
 * `tuneup profile plan`: run each scenario alone for a short step at a
 * moderate rate, with the probes, and print each endpoint's cost per request
 * (CPU, database time and calls, distinct statements, Redis commands, bytes,
 * unexplained wait), its bottleneck and the throughput bound it implies.
 * @module
 */
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { loadPlan, parseDuration, PROFILE_STEP_DEFAULTS, profileStepsPlan } from '../../plan/index.js';
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
    .option('--rate <n>', 'iterations per second in each step (moderate load)', String(PROFILE_STEP_DEFAULTS.rate))
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
      rate: parsePositiveNumber(flags.rate, '--rate') ?? PROFILE_STEP_DEFAULTS.rate,
    });
    const probes = await probesFromOptions(flags as typeof flags & ProbeFlags, stepped);
    try {
      const result = await executeRun(stepped, io, {
        json: flags.json,
        quiet: flags.quiet,
        probes: probes.probes,
        targetPid: probes.targetPid,
        enrich: probes.enrich,
        labels: { kind: 'profile' },
      });
      if (!flags.json) io.out(renderDemands(result));
    } finally {
      await probes.cleanup();
    }
  });
}
