// Types for the parts of procs.mjs the TypeScript drivers use.
/** Parse `--name value` / `--flag` arguments (values stay strings; bare flags become true). */
export function parseArgs<T extends Record<string, string>>(argv: string[], defaults: T): T & Record<string, string | boolean>;
/** Median of numbers. */
export function median(values: number[]): number;
/** Absolute path of the repository root. */
export const repoRoot: string;
