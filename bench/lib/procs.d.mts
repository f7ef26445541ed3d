// Types for the parts of procs.mjs the TypeScript drivers use.
/** Parse `--name value` / `--flag` arguments (values stay strings; bare flags become true). */
export function parseArgs<T extends Record<string, string>>(argv: string[], defaults: T): T & Record<string, string | boolean>;
/** Median of numbers. */
export function median(values: number[]): number;
/** Absolute path of the repository root. */
export const repoRoot: string;
/** A spawned child tracked for cleanup (see `start`). */
export interface StartedProcess {
  child: import('node:child_process').ChildProcessWithoutNullStreams;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  output(): { stdout: string; stderr: string };
}
/** Spawn a child in its own process group, tracked for cleanup. */
export function start(command: string, args: string[], options?: import('node:child_process').SpawnOptions): StartedProcess;
/** Run a command to completion with a hard time limit; rejects on non-zero exit. */
export function run(command: string, args: string[], options?: import('node:child_process').SpawnOptions & { timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
/** Stop one child (group-wide) and wait for it. */
export function stop(proc: StartedProcess): Promise<void>;
