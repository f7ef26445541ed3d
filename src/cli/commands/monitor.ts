/**
 * `tuneup monitor validate PLAN --prometheus URL`: the plan's SLO expressions
 * evaluated by a live Prometheus; pass/fail and the error budget left per SLO.
 * Exits 99 (as failed thresholds do) when an SLO is breached.
 *
 * The declaration only: the action (monitor-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliIO } from '../io.js';
import { sloPlanCommand, withSloOptions, type SloFlags } from '../slo-options.js';

/** The flags of `tuneup monitor validate` as commander gives them. */
export interface MonitorValidateFlags extends SloFlags {
  prometheus?: string;
  json?: boolean;
}

/** Register `tuneup monitor validate`. */
export function registerMonitorCommand(program: Command, io: CliIO): void {
  const monitor = program.command('monitor').description("the plan's SLOs against production monitoring");
  const validate = sloPlanCommand(monitor, 'validate', "evaluate the plan's SLO expressions on a live Prometheus: pass/fail and error budget left per SLO (exit 99 on a breach)")
    .option('--prometheus <url>', 'Prometheus base URL, e.g. http://127.0.0.1:9090')
    .option('--json', 'print the result as JSON');
  withSloOptions(validate).action(async (planPath, flags) => (await import('./monitor-action.js')).monitorValidateAction(planPath, flags, io));
}
