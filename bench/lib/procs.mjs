// Child-process bookkeeping for the benchmarks: every child is spawned in its
// own process group and killed (group-wide) when the bench exits, throws, or
// gets Ctrl-C / SIGTERM, so no nginx or generator outlives a run.
import { spawn } from 'node:child_process';
import net from 'node:net';

const children = new Set();

function killGroup(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

const exitHooks = new Set();

/** Register a synchronous cleanup (e.g. removing a temp dir) run on exit and on Ctrl-C; returns its remover. */
export function onExit(hook) {
  installHandlers();
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

/** Kill every child still running (SIGTERM, then SIGKILL for stragglers), then run exit hooks. Synchronous-safe. */
export function killAll() {
  for (const child of children) killGroup(child, 'SIGTERM');
  for (const child of children) killGroup(child, 'SIGKILL');
  children.clear();
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // best effort
    }
  }
  exitHooks.clear();
}

let installed = false;
function installHandlers() {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/**
 * Spawn a child in its own process group, tracked for cleanup.
 * @returns {{ child: import('node:child_process').ChildProcess, done: Promise<{ code: number|null, stdout: string, stderr: string }> }}
 */
export function start(command, args, options = {}) {
  installHandlers();
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d) => (stderr += d));
  const done = new Promise((resolve, reject) => {
    child.on('error', (error) => {
      children.delete(child);
      reject(error);
    });
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done, output: () => ({ stdout, stderr }) };
}

/** Run a command to completion with a hard time limit; rejects on non-zero exit. */
export async function run(command, args, { timeoutMs, ...options } = {}) {
  const proc = start(command, args, options);
  const timer = setTimeout(() => killGroup(proc.child, 'SIGKILL'), timeoutMs ?? 120_000);
  try {
    const result = await proc.done;
    if (result.code !== 0) {
      throw new Error(`${command} ${args.join(' ')} exited with ${result.code}\n${result.stderr.slice(-2000)}`);
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Stop one child (group-wide) and wait for it. */
export async function stop(proc) {
  killGroup(proc.child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(proc.child, 'SIGKILL'), 3000);
  await proc.done.catch(() => undefined);
  clearTimeout(timer);
}

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolve once 127.0.0.1:port accepts connections (or reject after timeoutMs). */
export async function waitForPort(port, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Parse `--name value` / `--flag` arguments into an object (values stay strings). */
export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const key = arg.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[key] = true;
    else {
      out[key] = next;
      i++;
    }
  }
  return out;
}

/** Absolute path of the repository root. */
export const repoRoot = new URL('../..', import.meta.url).pathname;
