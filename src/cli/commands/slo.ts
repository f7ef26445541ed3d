/**
 * `tuneup slo export PLAN --prometheus|--grafana [--out FILE]`: the plan's
 * SLOs as Prometheus recording and multi-window burn-rate alerting rules, or
 * as a Grafana dashboard (see docs/slo.md).
 *
 * With probes (the plan's `probes.redis` / `probes.postgres`, or `--run`, a
 * stored run whose evidence shows them) the export adds cache hit ratio,
 * buffer cache and slow-statement rules. The probes come from the plan or a
 * run rather than `--redis` / `--pg`: the export connects to nothing, and a
 * URL would only say "this was probed", which the plan and the run already
 * record; the run also holds what was measured (the cache objective).
 *
 * The declaration only: the action (slo-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliIO } from '../io.js';
import { sloPlanCommand, withSloOptions, type SloFlags } from '../slo-options.js';

/** The flags of `tuneup slo export` as commander gives them. */
export interface SloExportFlags extends SloFlags {
  prometheus?: boolean;
  grafana?: boolean;
  out?: string;
  run?: string;
  runsDir: string;
  cacheObjective?: string;
}

/** Register `tuneup slo export`. */
export function registerSloCommand(program: Command, io: CliIO): void {
  const slo = program.command('slo').description('SLOs of a plan as Prometheus rules or a Grafana dashboard');
  const exportCommand = sloPlanCommand(slo, 'export', "write the plan's SLOs as Prometheus recording + burn-rate alert rules (--prometheus) or a Grafana dashboard (--grafana)")
    .option('--prometheus', 'Prometheus rule file (YAML)')
    .option('--grafana', 'Grafana dashboard (JSON, classic model)')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .option('--run <run>', 'a stored run (latest, an id or a result.json) whose redis/postgres probes add cache and PostgreSQL rules; its measured cache hit ratio sets the cache objective')
    .option('--runs-dir <dir>', 'directory of stored runs', '.tuneup/runs')
    .option('--cache-objective <percent>', 'cache hit ratio to keep, in percent (default: slo.cache.objective, else from --run, else 90)');
  withSloOptions(exportCommand).action(async (planPath, flags) => (await import('./slo-action.js')).sloExportAction(planPath, flags, io));
}
