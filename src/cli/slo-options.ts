/**
 * What the SLO commands (`tuneup slo export`, `tuneup monitor validate`)
 * share on the command line: a `<plan>` subcommand and the flags that say how
 * to read the plan's SLOs (`--preset`, `--metric`, `--service`, `--window`).
 * Declarations only, cheap to import when the program is built; slo-set.ts
 * loads the SLO set with them.
 *
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { CONVENTION_PRESETS } from '../slo/conventions.js';

/** The options `slo export` and `monitor validate` share: how to read the plan's SLOs. */
export interface SloFlags {
  preset?: string;
  metric?: string;
  service?: string;
  window?: string;
  verbose?: boolean;
}

/** The subcommand `name` of `parent`, taking the plan file; the command adds its own flags, then {@link withSloOptions}. */
export function sloPlanCommand(parent: Command, name: string, description: string) {
  return parent.command(name).description(description).argument('<plan>', 'plan file (.ts, .js, .yaml, .json)');
}

/** Add the shared SLO options (listed after the command's own) and `--verbose` to a command. */
export function withSloOptions<C extends Command<[string], Record<string, unknown>>>(command: C): C {
  command
    .option('--preset <name>', `metric naming conventions: ${CONVENTION_PRESETS.join('|')} (default: slo.metrics.preset, else prom-client)`)
    .option('--metric <name>', 'duration histogram base name (default from the preset, e.g. http_request_duration_seconds)')
    .option('--service <name>', 'service name in the rule labels (default: slo.service, else the plan name)')
    .option('--window <duration>', 'SLO period, e.g. 30d (default: slo.window, else 30d); alert windows scale with it')
    .option('--verbose', 'show stack traces on errors');
  return command;
}
