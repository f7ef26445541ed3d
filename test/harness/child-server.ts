/**
 * Stopping a server the harness started as a child process (Redis,
 * Prometheus): kill it, wait for the exit, remove its temp dir.
 *
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { onProcessExit } from './cleanup.js';
import { freePort } from './free-port.js';

/**
 * An idempotent `stop()` for a server child: unregisters its process-exit
 * cleanup, SIGKILLs it and waits for the exit, then removes `dir`.
 */
export function stopChildServer(child: ChildProcess, dir: string, unregister: () => void): () => Promise<void> {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    if (child.exitCode === null && child.signalCode === null) {
      child.ref(); // wait for the exit below even if nothing else keeps the loop alive
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

/** A server child that answered its readiness check. */
export interface StartedChild {
  child: ChildProcess;
  port: number;
  /** Unregisters the process-exit cleanup (pass it to {@link stopChildServer}). */
  unregister: () => void;
}

/**
 * Start a server child on a free 127.0.0.1 port and wait until it is ready.
 * The port is free when picked but may be taken before the server binds it:
 * on "address already in use" it retries with another port (4 tries). Once
 * ready, neither the child nor its pipes keep the test process alive; the
 * process-exit cleanup kills it and removes `dir` when the file ends.
 */
export async function startChildServer(
  name: string,
  dir: string,
  start: (port: number) => ChildProcess,
  ready: (child: ChildProcess, port: number) => Promise<void>,
): Promise<StartedChild> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    const child = start(port);
    const unregister = onProcessExit(() => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    try {
      await ready(child, port);
    } catch (error) {
      unregister();
      child.kill('SIGKILL');
      lastError = error;
      if (/address already in use/i.test(String(error))) continue;
      break;
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.unref();
    return { child, port, unregister };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`${name} did not start: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
