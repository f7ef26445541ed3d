/**
 * Throw-away Redis servers for tests: `redis-server` as a child process on a
 * free 127.0.0.1 port, no persistence, working dir in a temp dir. `stop()`
 * kills it and removes the dir; the same happens on process exit.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer, stopChildServer } from './child-server.js';

/** The redis-server binary (override with `TUNEUP_REDIS_SERVER`). */
export const REDIS_SERVER = process.env.TUNEUP_REDIS_SERVER ?? '/usr/bin/redis-server';

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /** Extra command-line config, e.g. `{ maxmemory: '2mb', 'maxmemory-policy': 'allkeys-lru' }`. */
  config?: Record<string, string>;
}

/** A running throw-away Redis server. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Pid of the redis-server process. */
  pid: number;
  /** Kill the server and remove its dir. Idempotent. */
  stop(): Promise<void>;
}

/** Start a fresh Redis server. Takes well under a second. */
export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`${REDIS_SERVER} not found: install Redis (apt-get install redis-server) or set TUNEUP_REDIS_SERVER.`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tuneup-redis-'));
  const started = await startChildServer(
    'redis-server',
    dir,
    (port) => spawn(REDIS_SERVER, args(port, dir, options.config ?? {}), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }),
    (child) => waitReady(child),
  );
  return handle(started.child, started.port, dir, started.unregister);
}

function args(port: number, dir: string, config: Record<string, string>): string[] {
  const settings: Record<string, string> = {
    port: String(port),
    bind: '127.0.0.1',
    save: '',
    appendonly: 'no',
    dir,
    daemonize: 'no',
    'protected-mode': 'no',
    ...config,
  };
  return Object.entries(settings).flatMap(([key, value]) => [`--${key}`, value]);
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => finish(new Error(`timed out waiting for readiness; output:\n${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) finish();
    };
    const onExit = (code: number | null): void => finish(new Error(`exited with ${code}; output:\n${output}`));
    const onError = (error: Error): void => finish(error);
    function finish(error?: Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function handle(child: ChildProcess, port: number, dir: string, unregister: () => void): TestRedis {
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid ?? -1, stop: stopChildServer(child, dir, unregister) };
}
