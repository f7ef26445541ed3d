/**
 * The probes a command runs with: its probe flags (probe-options.ts) merged
 * over the plan's `probes:` section, a `--target-cmd` service started, and
 * the diagnosis that runs on the result before it is stored.
 *
 * @module
 */
import { diagnose, loadSqlParser, type Sensitivity } from '../diagnose/index.js';
import { isTuneupError, TuneupError } from '../errors.js';
import type { ResolvedPlan } from '../plan/types.js';
import type { ProbeSpec } from '../probes/host/spec.js';
import type { Probe } from '../probes/types.js';
import type { RunResult } from '../result/types.js';
import { parsePositiveInt } from './options.js';
import { SENSITIVITIES, type ProbeFlags, type ProbeSetup } from './probe-options.js';
import { startTargetCommand, type TargetProcess } from './target-command.js';

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
  // The probes, their preflight and EXPLAIN load the database drivers (pg, redis): they load only when
  // a probe is asked for, so a run without probes does not pay for them.
  const probes: Probe[] = [];
  if (specs.length > 0) {
    const { probeFromSpec } = await import('../probes/host/create.js');
    probes.push(...specs.map(probeFromSpec));
  }
  if (notice && (pgUrl || redisUrl || metricsUrl)) {
    const { checkProbePrerequisites } = await import('../probes/preflight.js');
    const gaps = await checkProbePrerequisites({ pgUrl, redisUrl, metricsUrl });
    if (gaps.length > 0) {
      notice('diagnosis will not see everything:');
      for (const gap of gaps) notice(`  ${gap.probe}: ${gap.message}`);
    }
  }

  // Loaded before any load is sent, so a wrong reference fails at once rather than after the run.
  const reference = flags.reference && flags.diagnose !== false ? await loadReferenceRuns(flags.reference) : undefined;
  const enrich = async (result: RunResult): Promise<RunResult> => {
    if (flags.diagnose === false) return result;
    const explained = pgUrl ? await (await import('../diagnose/explain.js')).enrichWithExplain(result, pgUrl) : result;
    await loadSqlParser();
    const { findings, demands, reference: judgedBy } = diagnose(explained, { sensitivity: sensitivity as Sensitivity, ...(reference ? { reference } : {}) });
    return { ...explained, findings, demands, ...(judgedBy ? { diagnosisReference: judgedBy } : {}) };
  };
  return { probes, targetPid, enrich, cleanup: async () => target?.stop() };
}

/**
 * The runs `--reference` names (see {@link loadRunSet}: ids, `latest`, paths, `baseline:NAME`). Its errors
 * keep their code and hint and name the option.
 */
export async function loadReferenceRuns(spec: string, options: { runsDir?: string } = {}): Promise<RunResult[]> {
  const { loadRunSet } = await import('../compare/load.js');
  try {
    return await loadRunSet(spec, options);
  } catch (err) {
    if (!isTuneupError(err)) throw err;
    throw new TuneupError(err.code, `--reference: ${err.message}`, { hint: err.hint, location: err.location ?? '--reference', cause: err });
  }
}
