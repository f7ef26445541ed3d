/**
 * Process-exit cleanup for the test harness: every started database or
 * cache registers a synchronous stop function here, and one set of handlers
 * (installed once per process) runs them on normal exit and on SIGINT /
 * SIGTERM, so a failing or interrupted test never leaves a server behind.
 *
 * A SIGKILL of the test process cannot be intercepted; servers then stay up
 * until they are killed by hand (their temp dirs are named `tuneup-*`).
 *
 * @module
 */

const pending = new Set<() => void>();
let installed = false;

/**
 * Register a synchronous cleanup to run when the process exits.
 * @returns a function that unregisters it (call it after a normal stop).
 */
export function onProcessExit(cleanup: () => void): () => void {
  install();
  pending.add(cleanup);
  return () => pending.delete(cleanup);
}

function runAll(): void {
  for (const cleanup of [...pending]) {
    pending.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: one failed cleanup must not prevent the others.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = (): void => {
      runAll();
      // Re-raise with default behaviour so the exit status still says "killed by signal".
      process.removeListener(signal, handler);
      process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}
