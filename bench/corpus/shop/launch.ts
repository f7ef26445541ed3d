/**
 * Starting the shop's processes: a node child running a TypeScript entry
 * (through tsx), ready when it prints its `<NAME>_LISTENING <port>` line.
 * Its stderr is kept (last lines) only to explain a failed start.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A started child process and its port. */
export interface Launched {
  child: ChildProcess;
  port: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. Idempotent. */
  stop(): Promise<void>;
}

const TSX_LOADER = import.meta.resolve('tsx');

/** Spawn `node --import tsx <entry>` with `env` and wait (up to `timeoutMs`) for `<marker> <port>` on stdout. */
export function launch(entry: string, marker: string, env: Record<string, string>, timeoutMs = 120_000): Promise<Launched> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, entry], {
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`${entry} did not report ${marker} within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      stdout += chunk.toString();
      const match = new RegExp(`${marker} (\\d+)`).exec(stdout);
      if (match) {
        cleanup();
        // Keep draining stdout so a chatty child never blocks on a full pipe.
        child.stdout!.resume();
        resolve({ child, port: Number(match[1]), stop });
      }
    };
    const onExit = (code: number | null, signal: string | null): void => fail(new Error(`${entry} exited (${code ?? signal}) before it was ready`));
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
    }
    function fail(error: Error): void {
      cleanup();
      void stop().then(() => reject(new Error(`${error.message}\n--- stderr ---\n${stderr}`)));
    }
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}
