/**
 * Private PostgreSQL and Redis servers for `tuneup demo --real`, started from
 * the machine's binaries on free loopback ports in a temp dir, and stopped
 * (immediately) afterwards. PostgreSQL refuses to run as root, so as root its
 * binaries run as the `postgres` system user through `runuser`.
 *
 * A small launcher of its own: src/ must not import test/harness, which does
 * the same for tests with more options.
 *
 * @module
 */
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { TuneupError } from '../errors.js';

const execFileAsync = promisify(execFile);

/** Directory of the PostgreSQL server binaries (override with `TUNEUP_PG_BIN`). */
export const PG_BIN = process.env.TUNEUP_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A started private server. */
export interface PrivateServer {
  url: string;
  port: number;
  pid?: number;
  stop(): Promise<void>;
}

/** A free loopback port (the OS picks; a race with another process is possible but rare). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

async function pgIds(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await execFileAsync('id', ['-u', 'postgres']);
  const { stdout: g } = await execFileAsync('id', ['-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(g.trim()) };
}

async function runPg(bin: string, args: string[]): Promise<void> {
  const file = join(PG_BIN, bin);
  if (asRoot) await execFileAsync('runuser', ['-u', 'postgres', '--', file, ...args]);
  else await execFileAsync(file, args);
}

/** initdb + pg_ctl start with pg_stat_statements preloaded; durability off (the cluster lives for minutes). */
export async function startPrivatePostgres(dir: string): Promise<PrivateServer> {
  if (!existsSync(join(PG_BIN, 'postgres'))) {
    throw new TuneupError('TUNEUP_DEMO_START_FAILED', `--real: no PostgreSQL server binaries in ${PG_BIN}`, {
      hint: 'install postgresql-15 (or set TUNEUP_PG_BIN), or leave --real out to use embedded PostgreSQL',
    });
  }
  mkdirSync(dir, { recursive: true });
  if (asRoot) {
    const { uid, gid } = await pgIds();
    // The stack's temp dir is 0700 (mkdtemp): the postgres user must be able to pass through it.
    chmodSync(dirname(dir), 0o711);
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    await runPg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        `shared_preload_libraries = 'pg_stat_statements'`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    await runPg('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', `-p ${port}`, '-w', '-t', '60', 'start']);
  } catch (err) {
    throw new TuneupError('TUNEUP_DEMO_START_FAILED', `--real: PostgreSQL did not start: ${(err as Error).message}`, {
      hint: 'leave --real out to use embedded PostgreSQL',
      cause: err,
    });
  }
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await client.query('CREATE EXTENSION IF NOT EXISTS hypopg').catch(() => undefined); // when the Debian package is installed
  await client.end();
  return {
    url,
    port,
    stop: async () => {
      await runPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    },
  };
}

/** redis-server on a free port, or undefined when the binary is missing. */
export async function startPrivateRedis(dir: string): Promise<PrivateServer | undefined> {
  const bin = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((b) => existsSync(b));
  if (!bin) return undefined;
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new TuneupError('TUNEUP_DEMO_START_FAILED', 'redis-server did not start in 20 s', { hint: 'leave --real out' })), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new TuneupError('TUNEUP_DEMO_START_FAILED', `redis-server exited: ${out.slice(-500)}`, { hint: 'leave --real out' }));
    });
  });
  child.stdout!.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
