/**
 * Ctrl-C for multi-run commands (`tuneup diagnose`, `tuneup capacity`): the
 * first SIGINT/SIGTERM stops gracefully (the current run ends, the partial
 * result is written), the second stops at once. The handlers are removed
 * when the work settles, so a later command is not affected.
 * @module
 */
import type { CliIO } from './io.js';

/** The two stop signals handed to the work. */
export interface InterruptSignals {
  /** Aborted on the first interrupt: finish the current run, then stop. */
  signal: AbortSignal;
  /** Aborted on the second interrupt: stop now. */
  hardSignal: AbortSignal;
}

/**
 * Run `work` with graceful and hard stop signals bound to SIGINT/SIGTERM.
 * @param notice - said on stderr at the first interrupt (unless `quiet`)
 */
export async function withInterrupts<T>(io: CliIO, options: { quiet: boolean; notice: string }, work: (signals: InterruptSignals) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const hard = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts === 1) {
      if (!options.quiet) io.err(options.notice);
      stop.abort();
    } else hard.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work({ signal: stop.signal, hardSignal: hard.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
