/**
 * The demo's stack: embedded PostgreSQL (PGlite behind a wire-protocol
 * socket) or a given/private server, the fake upstream, and the demo service
 * from `demo/` — each a child process started by path (src/ never imports
 * demo/). {@link DemoStack.stop} ends every process it started, drops what
 * it created on a given server, and removes its temp dir; it is idempotent.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TuneupError } from '../errors.js';
import { startPrivatePostgres, startPrivateRedis, type PrivateServer } from './private-servers.js';

/** The demo/ directory, from src/demo-stack (tsx) or dist/demo-stack (built). */
export const DEMO_DIR = fileURLToPath(new URL('../../demo/', import.meta.url));

/** Options of {@link startDemoStack}. */
export interface DemoStackOptions {
  /** Faults planted in the service (names from demo/faults.mjs). */
  faults: string[];
  /** Use this PostgreSQL (a database `tuneup_demo_<pid>` is created on it and dropped afterwards). */
  pgUrl?: string;
  /** Use this Redis for the service's cache (keys under `tuneup-demo:`… are the service's own). */
  redisUrl?: string;
  /** Start private PostgreSQL and Redis servers from the machine's binaries instead of PGlite. */
  real?: boolean;
  /** Where PGlite's initialised data directory is cached (default `~/.cache/tuneup`). */
  cacheDir?: string;
  /** Progress, one line per event (library code never prints). */
  onProgress?: (line: string) => void;
  /** Abort (Ctrl-C): the part starting now is killed, what started is stopped, and TUNEUP_INTERRUPTED is thrown. */
  signal?: AbortSignal;
}

/** What runs, and where. */
export interface DemoStack {
  /** The service, `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** The service's Prometheus endpoint. */
  metricsUrl: string;
  /** The demo's database (for probes and the optimizer). */
  pgUrl: string;
  /** The Redis the service caches in; undefined when the cache is in-process. */
  redisUrl?: string;
  /** `pglite` (embedded), `private` (--real), `given` (--pg). */
  database: 'pglite' | 'private' | 'given';
  /** Server version string of the database. */
  databaseVersion: string;
  /** Pid of the service process. */
  servicePid: number;
  /** Every pid this stack started. */
  pids: number[];
  /** Every loopback port this stack listens on (service, upstream, embedded/private database). */
  ports: number[];
  /** The temp dir of this stack (removed by stop). */
  tmpDir: string;
  /** Stop everything started; idempotent. */
  stop(): Promise<void>;
}

interface Child {
  name: string;
  proc: ChildProcess;
  ready: Record<string, unknown>;
}

/** Start the stack; on failure, whatever was started is stopped before the error is thrown. */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const progress = options.onProgress ?? (() => undefined);
  const tmpDir = mkdtempSync(join(tmpdir(), 'tuneup-demo-'));
  const children: Child[] = [];
  const servers: PrivateServer[] = [];
  let dropDatabase: (() => Promise<void>) | undefined;
  let stopped = false;
  // Last resort: if this process exits without stop() (a crash), the children must not outlive it.
  const onExit = (): void => {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  };
  process.on('exit', onExit);

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const c of [...children].reverse()) await stopChild(c.proc);
    if (dropDatabase) await dropDatabase().catch(() => undefined);
    for (const s of [...servers].reverse()) await s.stop().catch(() => undefined);
    rmSync(tmpDir, { recursive: true, force: true });
    process.off('exit', onExit);
  };

  try {
    let pgUrl: string;
    let database: DemoStack['database'];
    let redisUrl = options.redisUrl;
    const ports: number[] = [];
    if (options.pgUrl) {
      const made = await createScratchDatabase(options.pgUrl);
      pgUrl = made.url;
      dropDatabase = made.drop;
      database = 'given';
      progress(`database: ${made.name} created on the given server (dropped afterwards)`);
    } else if (options.real) {
      progress('starting a private PostgreSQL from the machine\'s binaries…');
      const pgServer = await startPrivatePostgres(join(tmpDir, 'pg'));
      servers.push(pgServer);
      pgUrl = pgServer.url;
      ports.push(pgServer.port);
      database = 'private';
      if (!redisUrl) {
        const redis = await startPrivateRedis(join(tmpDir, 'redis'));
        if (redis) {
          servers.push(redis);
          redisUrl = redis.url;
          ports.push(redis.port);
        } else progress('no redis-server on this machine: the cache stays in-process');
      }
    } else {
      const cacheDir = options.cacheDir ?? join(homedir(), '.cache', 'tuneup');
      progress(`starting embedded PostgreSQL (PGlite)${existsSync(cacheDir) ? '' : '; the first start initialises it (up to a minute on a busy machine), later starts reuse it'}…`);
      const db = await startChild('embedded PostgreSQL', join(DEMO_DIR, 'pglite-server.mjs'), ['--cache-dir', cacheDir], 180_000, options.signal);
      children.push(db);
      const port = Number(db.ready.port);
      ports.push(port);
      pgUrl = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
      database = 'pglite';
      progress(`embedded PostgreSQL ready on 127.0.0.1:${port} (PGlite ${String(db.ready.version)}, ${Math.round(Number(db.ready.startMs) / 100) / 10} s${db.ready.fromCache ? ', from cache' : ''})`);
    }

    const slow = options.faults.includes('slow-upstream');
    const upstream = await startChild('upstream', join(DEMO_DIR, 'upstream.mjs'), ['--delay-ms', slow ? '200' : '5'], 30_000, options.signal);
    children.push(upstream);
    ports.push(Number(upstream.ready.port));

    progress(`starting the demo service (faults: ${options.faults.length > 0 ? options.faults.join(', ') : 'none'}) and seeding its database…`);
    const args = ['--pg', pgUrl, '--upstream', `http://127.0.0.1:${String(upstream.ready.port)}`, '--faults', options.faults.join(',') || 'none', '--seed'];
    if (redisUrl) args.push('--redis', redisUrl);
    const service = await startChild('demo service', join(DEMO_DIR, 'server.mjs'), args, 120_000, options.signal);
    children.push(service);
    const port = Number(service.ready.port);
    ports.push(port);

    const version = await serverVersion(pgUrl);
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
      pgUrl,
      ...(redisUrl ? { redisUrl } : {}),
      database,
      databaseVersion: version,
      servicePid: service.proc.pid!,
      pids: children.map((c) => c.proc.pid!).concat(servers.flatMap((s) => (s.pid ? [s.pid] : []))),
      ports,
      tmpDir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Spawn `node script args…` and wait for its `{"ready":true,…}` line on stdout. */
function startChild(name: string, script: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<Child> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new TuneupError('TUNEUP_INTERRUPTED', `interrupted while starting the demo's ${name}; everything started was stopped`));
      return;
    }
    const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let settled = false;
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new TuneupError('TUNEUP_INTERRUPTED', `interrupted while starting the demo's ${name}; everything started was stopped`));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      const tail = err.trim().split('\n').slice(-8).join('\n');
      reject(
        new TuneupError('TUNEUP_DEMO_START_FAILED', `${name} ${why}${tail ? `:\n${tail}` : ''}`, {
          hint: 'run `npm ci` in the tuneup checkout (the demo needs @electric-sql/pglite and pg), or pass --pg URL to use an existing PostgreSQL',
        }),
      );
    };
    const timer = setTimeout(() => fail(`was not ready after ${timeoutMs / 1000} s`), timeoutMs);
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      err = (err + chunk).slice(-4000);
    });
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (settled) return;
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"ready"'));
      if (!line) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      resolve({ name, proc, ready: JSON.parse(line) as Record<string, unknown> });
    });
    proc.on('error', (e) => fail(`could not start (${e.message})`));
    proc.on('exit', (code, signal) => fail(`exited before it was ready (${signal ?? `code ${code}`})`));
  });
}

/** SIGTERM, then SIGKILL after 5 s. */
async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return String((await client.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? '').split(' on ')[0]!;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh database on a given server, so the demo's DROP/CREATE never touch the user's tables. */
async function createScratchDatabase(url: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `tuneup_demo_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    throw new TuneupError('TUNEUP_PG_CONNECT', `could not create the demo's database on the given server: ${(err as Error).message}`, {
      hint: 'give --pg a role that may CREATE DATABASE (the demo drops it afterwards), or leave --pg out to use embedded PostgreSQL',
      cause: err,
    });
  } finally {
    await admin.end().catch(() => undefined);
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  const scratch = new pg.Client({ connectionString: u.toString() });
  await scratch.connect();
  await scratch.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => undefined);
  await scratch.end();
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end().catch(() => undefined);
      }
    },
  };
}
