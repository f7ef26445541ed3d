/**
 * The flags of the stepped commands (`tuneup capacity`, `tuneup diagnose`,
 * via experiment-options.ts also `tuneup playbook`): the step-search flags
 * (`--step`, `--start-rate`, `--max-rate`, `--max-steps`, `--bisections`) and
 * the flags of a stored run (`--base-url`, `--env`, `--json`, `--quiet`,
 * `--no-report`, `--verbose`). Declarations only, cheap to import when the
 * program is built; stepped-command.ts parses and runs them.
 *
 * Each command keeps its own help texts (the same flag means a capacity step
 * in one and a ramp step in the other), so the step-search flags come as
 * commander options the command places where its help lists them.
 *
 * @module
 */
import { Option, type Command } from '@commander-js/extra-typings';
import { collect } from './options.js';
import type { ProbeFlags } from './probe-options.js';

/** Help texts of the step-search flags, one per flag (each command words them for its own steps). */
export interface StepSearchTexts {
  step: string;
  startRate: string;
  maxRate: string;
  maxSteps: string;
  bisections: string;
}

/** Defaults of the step-search flags. */
export interface StepSearchDefaults {
  stepMs: number;
  maxSteps: number;
  bisections: number;
}

/** The step-search flags as commander options, for the command to add where its help lists them. */
export function stepSearchOptions(texts: StepSearchTexts, d: StepSearchDefaults) {
  return {
    step: new Option('--step <duration>', texts.step).default(`${d.stepMs / 1000}s`),
    startRate: new Option('--start-rate <n>', texts.startRate),
    maxRate: new Option('--max-rate <n>', texts.maxRate),
    maxSteps: new Option('--max-steps <n>', texts.maxSteps).default(String(d.maxSteps)),
    bisections: new Option('--bisections <n>', texts.bisections).default(String(d.bisections)),
  };
}

/** The step-search flags as commander gives them (strings). */
export interface StepSearchFlags {
  step: string;
  startRate?: string;
  maxRate?: string;
  maxSteps: string;
  bisections: string;
}

/** The flags {@link addStoredRunOptions} adds, with the probe flags (`addProbeOptions`) the command adds after them. */
export interface StoredRunFlags extends ProbeFlags {
  baseUrl?: string;
  env?: string[];
  json?: boolean;
  quiet?: boolean;
  report: boolean;
  verbose?: boolean;
}

/** Add the flags of a command that stores one run (plan overrides, output); `json` is the `--json` help text. The command adds the probe flags (`addProbeOptions`) where its help lists them. */
export function addStoredRunOptions<C extends Command<any, any, any>>(command: C, json: string): C {
  command
    .option('--base-url <url>', "override the plan's baseUrl")
    .option('-e, --env <key=value>', 'environment variable for the plan (repeatable)', collect)
    .option('--json', json)
    .option('-q, --quiet', 'no progress and no summary')
    .option('--no-report', 'do not write report.html / summary.md / junit.xml')
    .option('--verbose', 'show stack traces on errors');
  return command;
}
