/**
 * Probe flags shared by `load` and `run` (`--pg`, `--redis`, `--metrics`,
 * `--pid`, `--target-cmd`), merged over the plan's `probes:` section, and the
 * diagnosis that runs on the result before it is stored.
 *
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { diagnose, loadSqlParser, type Sensitivity } from '../diagnose/index.js';
import { enrichWithExplain } from '../diagnose/explain.js';
import { TuneupError } from '../errors.js';
import type { ResolvedPlan } from '../plan/types.js';
import { probeFromSpec } from '../probes/host/create.js';
import { checkProbePrerequisites } from '../probes/preflight.js';
import type { ProbeSpec } from '../probes/host/spec.js';
import type { Probe } from '../probes/types.js';
import type { RunResult } from '../result/types.js';
import { parsePositiveInt } from './options.js';
import { startTargetCommand, type TargetProcess } from './target-command.js';

/** The probe-related flags after parsing. */
export interface ProbeFlags {
  pg?: string;
  redis?: string;
  metrics?: string;
  pid?: string;
  targetCmd?: string;
  sensitivity?: string;
  diagnose?: boolean;
}

/** What the commands need to run with probes. */
export interface ProbeSetup {
  probes: Probe[];
  targetPid?: number;
  /** Diagnose the result (and EXPLAIN hot statements when PostgreSQL is probed). */
  enrich: (result: RunResult) => Promise<RunResult>;
  /** Stop a `--target-cmd` service. */
  cleanup: () => Promise<void>;
}

const SENSITIVITIES = ['low', 'normal', 'high'] as const;

/** Add the probe flags to a command. */
export function addProbeOptions<C extends Command<any, any, any>>(command: C): C {
  command
    .option('--pg <url>', 'PostgreSQL to sample during the run (postgres://user@host:port/db)')
    .option('--redis <url>', 'Redis to sample during the run (redis://host:port)')
    .option('--metrics <url>', "the service's Prometheus /metrics URL")
    .option('--pid <pid>', 'pid of the service process (CPU, memory, connections)')
    .option('--target-cmd <command>', 'start the service with this command and probe its process')
    .option('--sensitivity <level>', 'diagnosis sensitivity: low, normal, high', 'normal')
    .option('--no-diagnose', 'do not diagnose the result');
  return command;
}

/**
 * Build the probes from flags (which win) and the plan's `probes:` section.
 * With `notice`, first check every probe's prerequisites and print what the
 * diagnosis will not see, with the fix, before any load is sent.
 */
export async function probesFromOptions(flags: ProbeFlags, plan?: ResolvedPlan, notice?: (line: string) => void): Promise<ProbeSetup> {
  const sensitivity = flags.sensitivity ?? 'normal';
  if (!(SENSITIVITIES as readonly string[]).includes(sensitivity)) {
    throw new TuneupError('TUNEUP_OPTION_INVALID', `--sensitivity: expected low, normal or high, got ${JSON.stringify(sensitivity)}`, {
      location: '--sensitivity',
      hint: 'normal is the default; high reports more, low only the clearest problems.',
    });
  }
  const planProbes = plan?.probes ?? {};
  const pgUrl = flags.pg ?? planProbes.postgres?.url;
  const redisUrl = flags.redis ?? planProbes.redis?.url;
  const metricsUrl = flags.metrics ?? planProbes.prometheus?.url;
  let targetPid = parsePositiveInt(flags.pid, '--pid') ?? planProbes.process?.pid;
  let target: TargetProcess | undefined;
  if (flags.targetCmd) {
    const readyUrl = plan?.baseUrl ?? plan?.scenarios.find((s) => s.fixed)?.fixed?.url;
    target = await startTargetCommand(flags.targetCmd, readyUrl);
    targetPid = target.pid;
  }
  // Specs, not probe objects: the run rebuilds them in its probe worker thread,
  // so their sampling never runs on the load generator's event loop.
  const specs: ProbeSpec[] = [];
  if (pgUrl) specs.push({ kind: 'postgres', options: { url: pgUrl } });
  if (redisUrl) specs.push({ kind: 'redis', options: { url: redisUrl } });
  if (metricsUrl) specs.push({ kind: 'prometheus', options: { url: metricsUrl } });
  if (targetPid !== undefined) specs.push({ kind: 'process', options: { pid: targetPid } });
  else if (planProbes.process?.command) specs.push({ kind: 'process', options: { command: planProbes.process.command } });
  const probes: Probe[] = specs.map(probeFromSpec);
  if (notice) {
    const gaps = await checkProbePrerequisites({ pgUrl, redisUrl, metricsUrl });
    if (gaps.length > 0) {
      notice('diagnosis will not see everything:');
      for (const gap of gaps) notice(`  ${gap.probe}: ${gap.message}`);
    }
  }

  const enrich = async (result: RunResult): Promise<RunResult> => {
    if (flags.diagnose === false) return result;
    const explained = pgUrl ? await enrichWithExplain(result, pgUrl) : result;
    await loadSqlParser();
    const { findings, demands } = diagnose(explained, { sensitivity: sensitivity as Sensitivity });
    return { ...explained, findings, demands };
  };
  return { probes, targetPid, enrich, cleanup: async () => target?.stop() };
}
