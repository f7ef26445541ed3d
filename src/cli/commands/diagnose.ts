/**
 * `tuneup diagnose plan`: diagnosis as an experiment — find the sustainable
 * rate of the plan's mix (capacity steps), diagnose the mix at a rate the
 * service sustains with every probe, and confirm each suspect finding by
 * running its endpoint alone. One stored run (the diagnosis run) holds the
 * findings, each with its confirmation, and the experiment.
 *
 * The declaration only: the action (diagnose-action.ts) loads when the command runs.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliIO } from '../io.js';
import { addExperimentOptions, type ExperimentFlags } from '../experiment-options.js';
import { addProbeOptions, addReferenceOption } from '../probe-options.js';
import { addStoredRunOptions, type StoredRunFlags } from '../stepped-options.js';

/** The flags of `tuneup diagnose` as commander gives them. */
export interface DiagnoseFlags extends ExperimentFlags, StoredRunFlags {}

/** Register `tuneup diagnose`. */
export function registerDiagnoseCommand(program: Command, io: CliIO): void {
  const command = program
    .command('diagnose')
    .description('capacity steps → diagnosis at a sustainable rate → confirm each suspect by running its endpoint alone')
    .argument('<plan>', 'plan file; one scenario (or one requests: entry) per endpoint lets every suspect be isolated');
  addExperimentOptions(command);
  addStoredRunOptions(command, 'print the RunResult JSON (findings with confirmation, experiment) on stdout');
  addProbeOptions(command);
  addReferenceOption(command);
  command.action(async (planPath, parsed) => (await import('./diagnose-action.js')).diagnoseAction(planPath, parsed as DiagnoseFlags, io));
}
