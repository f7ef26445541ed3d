/**
 * Probe flags shared by `load` and `run` (`--pg`, `--redis`, `--metrics`,
 * `--pid`, `--target-cmd`): their declaration only, cheap to import when the
 * program is built; probe-setup.ts merges them over the plan's `probes:`
 * section when a command runs.
 *
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { Probe } from '../probes/types.js';
import type { RunResult } from '../result/types.js';

/** The probe-related flags after parsing. */
export interface ProbeFlags {
  pg?: string;
  redis?: string;
  metrics?: string;
  pid?: string;
  targetCmd?: string;
  sensitivity?: string;
  diagnose?: boolean;
  /** Earlier runs to judge dependency waits against (`--reference`): run references or `baseline:NAME`. */
  reference?: string;
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

/** The diagnosis sensitivities `--sensitivity` accepts. */
export const SENSITIVITIES = ['low', 'normal', 'high'] as const;

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
 * Add `--reference` to a command whose runs are diagnosed: the earlier runs of the same service a dependency's
 * wait is judged against when the plan states no latency objective (src/diagnose/reference.ts).
 */
export function addReferenceOption<C extends Command<any, any, any>>(command: C): C {
  command.option('--reference <runs>', 'earlier runs of this service to judge dependency waits against: run ids, latest, result.json paths or baseline:NAME, comma-separated');
  return command;
}
