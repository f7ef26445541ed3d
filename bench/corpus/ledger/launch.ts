/**
 * Running one of the ledger's processes (the service or its upstream) as a
 * node child through tsx, ready once it prints its `<MARKER> <port>` line.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { RunningService } from '../types.js';

/** A started child process. */
export interface Child {
  process: ChildProcess;
  port: number;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once the process is gone. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const TSX = import.meta.resolve('tsx');

/** Spawn `node [nodeArgs] --import tsx entry` with `env` added, wait up to `timeoutMs` for `marker <port>`. */
export async function startChild(entry: string, marker: string, env: Record<string, string>, timeoutMs: number, nodeArgs: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', TSX, entry], { env: { ...process.env, ...env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let errText = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (errText = (errText + s).slice(-3000)));
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 5000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(killer);
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no '${marker}' within ${timeoutMs} ms`)), timeoutMs);
      child.stdout!.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        const m = new RegExp(`${marker} (\\d+)`).exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`exited (${code ?? signal}) before '${marker}'`));
      });
    });
    return { process: child, port, stop };
  } catch (error) {
    await stop(0);
    throw new Error(`${entry}: ${(error as Error).message}\n--- stderr ---\n${errText}`);
  }
}

/**
 * A corpus service as the runner sees it: its app child on 127.0.0.1 with prom-client's /metrics, and the
 * upstream children it started (none when the runner passed an upstream). Stopping stops them all, once.
 */
export function runningService(app: Child, upstreams: readonly (Child | undefined)[] = []): RunningService {
  const url = `http://127.0.0.1:${app.port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    pid: app.process.pid!,
    metricsUrl: `${url}/metrics`,
    stop: () => (stopping ??= Promise.allSettled([app.stop(), ...upstreams.map((u) => u?.stop())]).then(() => undefined)),
  };
}
