/**
 * The experiment's flags (`--rate`, `--step`, `--duration`, `--isolate`,
 * …), shared by `tuneup diagnose` and `tuneup playbook`: one declaration, so
 * both commands take the same flags. Cheap to import when the program is
 * built; experiment-target.ts parses them and prepares what the experiment
 * runs against.
 *
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { KNEE_SEARCH_DEFAULTS } from '../capacity/knee.js';
import type { ExperimentOptions } from '../diagnose/experiment/index.js';
import { stepSearchOptions, type StepSearchFlags } from './stepped-options.js';

/** The experiment flags after parsing (strings as commander gives them). */
export interface ExperimentFlags extends StepSearchFlags {
  rate?: string;
  duration?: string;
  isolate: string;
  isolateRate?: string;
  maxIsolations: string;
}

/**
 * The defaults of `EXPERIMENT_DEFAULTS` (src/diagnose/experiment/run.ts) that the flags show. A copy,
 * because that module loads the engine and the program is built on every `--help`;
 * test/cli/lazy-commands.test.ts checks it matches.
 */
export const EXPERIMENT_FLAG_DEFAULTS: Pick<ExperimentOptions, 'stepMs' | 'maxSteps' | 'bisections' | 'diagnosisMs' | 'isolateMs' | 'maxIsolations'> = {
  stepMs: 5000,
  maxSteps: KNEE_SEARCH_DEFAULTS.maxSteps,
  bisections: KNEE_SEARCH_DEFAULTS.bisections,
  diagnosisMs: 20_000,
  isolateMs: 4000,
  maxIsolations: 7,
};

/** Copies of `DIAGNOSIS_MS_PER_UNKNOWN` and `DIAGNOSIS_MAX_MS` (src/diagnose/experiment/run.ts) for the help text; test/cli/lazy-commands.test.ts checks they match. */
export const DIAGNOSIS_SIZING_SHOWN = { perUnknownMs: 2000, maxMs: 120_000 };

/** Add the experiment flags to a command, with {@link EXPERIMENT_FLAG_DEFAULTS} shown as the defaults (the step-search flags are shared with `tuneup capacity`: stepped-options.ts). */
export function addExperimentOptions<C extends Command<any, any, any>>(command: C): C {
  const d = EXPERIMENT_FLAG_DEFAULTS;
  const search = stepSearchOptions(
    {
      step: 'length of each capacity step',
      startRate: "first capacity step (iterations/s); default an eighth of the plan's rate, or 10",
      maxRate: "highest capacity step; default twice the plan's rate",
      maxSteps: 'most ramp steps',
      bisections: 'steps bisecting the knee after the ramp (0 to skip)',
    },
    d,
  );
  command
    .option('--rate <n>', 'rate of the diagnosis run (iterations/s); default 70 % of the knee, or the plan\'s rate if lower')
    .addOption(search.step)
    .addOption(search.startRate)
    .addOption(search.maxRate)
    .addOption(search.maxSteps)
    .addOption(search.bisections)
    .option('--duration <duration>', `length of the diagnosis run (default ${d.diagnosisMs / 1000}s, or ${DIAGNOSIS_SIZING_SHOWN.perUnknownMs / 1000} s per endpoint + ${DIAGNOSIS_SIZING_SHOWN.perUnknownMs / 1000} s for a mix of more endpoints, up to ${DIAGNOSIS_SIZING_SHOWN.maxMs / 1000}s)`)
    .option('--isolate <duration>', 'length of each isolation run', `${d.isolateMs / 1000}s`)
    .option('--isolate-rate <n>', "rate of each isolation run; default the endpoint's rate in the diagnosis run, within 10–50/s")
    .option('--max-isolations <n>', 'most suspect endpoints run alone', String(d.maxIsolations));
  return command;
}
