/**
 * Output channels of the CLI. Commands write through this object so tests
 * can capture output and so `--quiet` / non-TTY rules live in one place.
 *
 * @module
 */

/** Where a command writes. */
export interface CliIO {
  /** Results (tables, JSON): stdout. */
  out(text: string): void;
  /** Progress, warnings and errors: stderr. */
  err(text: string): void;
  /** True when stdout is an interactive terminal and not in CI (live redraw allowed). */
  readonly interactive: boolean;
  /** True when colors may be used. */
  readonly color: boolean;
}

/** The process's real streams. */
export function processIO(): CliIO {
  const interactive = Boolean(process.stderr.isTTY) && !process.env.CI;
  return {
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    interactive,
    color: interactive && !process.env.NO_COLOR,
  };
}
