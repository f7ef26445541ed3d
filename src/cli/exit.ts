/**
 * The exit code a command asks for. Commands never call process.exit;
 * `main.ts` reads this after the command resolves.
 * @module
 */
import type { ExitCodeValue } from '../errors.js';

let requested: ExitCodeValue | undefined;

/** Ask the CLI to exit with `code` (the highest-priority non-zero code wins). */
export function setExitCode(code: ExitCodeValue): void {
  if (requested === undefined || requested === 0) requested = code;
}

/** The requested exit code (0 if none). */
export function requestedExitCode(): number {
  return requested ?? 0;
}
