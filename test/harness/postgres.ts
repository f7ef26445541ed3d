/**
 * Throw-away PostgreSQL 15 servers for tests.
 *
 * Each call to {@link startPostgres} runs `initdb` into a fresh temp dir,
 * starts a server on a free 127.0.0.1 port (unix socket inside the temp dir),
 * creates a database and the requested extensions, and returns its URL.
 * Durability is switched off (fsync, synchronous_commit, full_page_writes):
 * these clusters live for seconds. `stop()` is `pg_ctl stop -m immediate`
 * plus removal of the temp dir, and also runs on process exit.
 *
 * PostgreSQL refuses to run as root, so when the test process is root the
 * server binaries run as the `postgres` system user via `runuser`.
 *
 * Binaries come from `/usr/lib/postgresql/15/bin` (override with
 * `TUNEUP_PG_BIN`).
 *
 * @module
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { onProcessExit } from './cleanup.js';
import { freePort } from './free-port.js';

const execFileAsync = promisify(execFile);

/** Directory of the PostgreSQL server binaries. */
export const PG_BIN = process.env.TUNEUP_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /**
   * Preload `pg_stat_statements` and `pg_qualstats` (default true). With
   * false the server runs without them, as many production servers do.
   */
  preload?: boolean;
  /** Name of the database to create (default `tuneup`). */
  database?: string;
  /**
   * Extensions to create in the database. Default: `['pg_stat_statements']`
   * when preloading, else none. `hypopg` works without preloading.
   */
  extensions?: string[];
  /** Extra `postgresql.conf` settings, e.g. `{ shared_buffers: '16MB' }`. */
  settings?: Record<string, string>;
}

/** A running throw-away PostgreSQL server. */
export interface TestPostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/<database>` (trust auth, no password). */
  url: string;
  port: number;
  /** The temp dir holding the cluster (`<dataDir>` itself is the PGDATA). */
  dataDir: string;
  /** Name of the database created for the test. */
  database: string;
  /** Run one statement on a lazily opened connection of the harness; resolves to the rows. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Stop immediately and delete the cluster. Idempotent. */
  stop(): Promise<void>;
}

const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Start a fresh PostgreSQL server. Takes about a second and a half. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const preload = options.preload ?? true;
  const database = options.database ?? 'tuneup';
  const extensions = options.extensions ?? (preload ? ['pg_stat_statements'] : []);
  checkInstallation(preload, extensions);

  const root = mkdtempSync(join(tmpdir(), 'tuneup-pg-'));
  const dataDir = join(root, 'data');
  if (runningAsRoot) {
    const { uid, gid } = postgresUser();
    chownSync(root, uid, gid);
  }
  // Cleanup is registered before anything can start, so a crash mid-start still tidies up.
  const unregister = onProcessExit(() => stopSync(dataDir, root));

  try {
    await createCluster(dataDir, root);
    appendFileSync(dataDir + '/postgresql.conf', configText(root, preload, options.settings ?? {}));
    const port = await startOnFreePort(dataDir, root);
    const url = `postgresql://postgres@127.0.0.1:${port}/${database}`;
    await createDatabase(port, database, extensions);
    return handle(url, port, root, database, async () => {
      unregister();
      stopSync(dataDir, root);
    });
  } catch (error) {
    unregister();
    stopSync(dataDir, root);
    throw error;
  }
}

/**
 * initdb costs seconds on a loaded 2-core machine; copying a finished
 * cluster costs about one. So the first initdb of the machine is kept as a
 * template under the temp dir (`tuneup-pg-template-*`, about 40 MB, shared
 * by all test processes, created atomically by rename) and later clusters
 * are copies. `TUNEUP_PG_TEMPLATE=0` disables the cache.
 */
async function createCluster(dataDir: string, root: string): Promise<void> {
  const initdbArgs = ['-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'];
  if (process.env.TUNEUP_PG_TEMPLATE === '0') {
    await runAsServerUser('initdb', ['-D', dataDir, ...initdbArgs], root);
    return;
  }
  const template = join(tmpdir(), `tuneup-pg-template-${templateKey(initdbArgs)}`);
  if (!existsSync(join(template, 'PG_VERSION'))) {
    // Build next to the final name, then rename: a concurrent process sees either nothing or a whole cluster.
    const building = mkdtempSync(join(tmpdir(), 'tuneup-pg-building-'));
    if (runningAsRoot) chownSync(building, postgresUser().uid, postgresUser().gid);
    try {
      await runAsServerUser('initdb', ['-D', join(building, 'data'), ...initdbArgs], building);
      try {
        renameSync(join(building, 'data'), template);
      } catch {
        // Another process won the race: its template is as good as ours.
      }
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
  }
  cpSync(template, dataDir, { recursive: true, preserveTimestamps: true });
  if (runningAsRoot) chownTree(dataDir, postgresUser().uid, postgresUser().gid);
  chmodSync(dataDir, 0o700);
}

function templateKey(initdbArgs: string[]): string {
  const version = execFileSync(join(PG_BIN, 'pg_config'), ['--version'], { encoding: 'utf8' }).trim();
  return createHash('sha256').update(`${PG_BIN}\n${version}\n${runningAsRoot}\n${initdbArgs.join(' ')}`).digest('hex').slice(0, 12);
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else chownSync(child, uid, gid);
  }
}

function configText(socketDir: string, preload: boolean, extra: Record<string, string>): string {
  const settings: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: `'${socketDir}'`,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    track_io_timing: 'on',
    // Keep each server small: several run at once on a 2-core machine.
    shared_buffers: "'32MB'",
    max_connections: '50',
    ...(preload
      ? {
          shared_preload_libraries: "'pg_stat_statements,pg_qualstats'",
          'pg_stat_statements.track': 'all',
          // pg_qualstats samples 1/max_connections of queries by default; tests need all of them.
          'pg_qualstats.sample_rate': '1',
        }
      : {}),
    ...extra,
  };
  return '\n# tuneup test harness\n' + Object.entries(settings).map(([k, v]) => `${k} = ${v}\n`).join('');
}

async function startOnFreePort(dataDir: string, root: string): Promise<number> {
  let lastError: unknown;
  // The port is free when picked but may be taken before the server binds it: retry a few times.
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    try {
      await runAsServerUser('pg_ctl', ['-D', dataDir, '-l', join(root, 'server.log'), '-o', `-p ${port}`, '-w', '-t', '30', 'start'], root);
      return port;
    } catch (error) {
      lastError = error;
      const log = safeRead(join(root, 'server.log'));
      if (!/could not bind|Address already in use/i.test(log)) break;
    }
  }
  const log = safeRead(join(root, 'server.log')).split('\n').slice(-15).join('\n');
  throw new Error(`PostgreSQL did not start: ${errorMessage(lastError)}\n--- server.log ---\n${log}`);
}

async function createDatabase(port: number, database: string, extensions: string[]): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(database)}`);
  } finally {
    await admin.end();
  }
  if (extensions.length === 0) return;
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database });
  await client.connect();
  try {
    for (const extension of extensions) await client.query(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(extension)}`);
  } finally {
    await client.end();
  }
}

function handle(url: string, port: number, root: string, database: string, stopServer: () => Promise<void>): TestPostgres {
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let stopped = false;
  const connect = (): Promise<pg.Client> => {
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString: url, application_name: 'tuneup-harness' });
      // A server stopped under an open connection emits 'error'; without a listener that would crash the test.
      c.on('error', () => {});
      await c.connect();
      client = c;
      return c;
    })();
    return connecting;
  };
  return {
    url,
    port,
    dataDir: root,
    database,
    async query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> {
      const c = await connect();
      const result = await c.query<R>(sql, params);
      return result.rows;
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      if (client) await client.end().catch(() => {});
      await stopServer();
    },
  };
}

function stopSync(dataDir: string, root: string): void {
  if (existsSync(join(dataDir, 'postmaster.pid'))) {
    spawnSync(...serverCommand('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop']), { cwd: root, stdio: 'ignore' });
  }
  rmSync(root, { recursive: true, force: true });
}

async function runAsServerUser(binary: string, args: string[], cwd: string): Promise<void> {
  const [command, commandArgs] = serverCommand(binary, args);
  try {
    await execFileAsync(command, commandArgs, { cwd, timeout: 60_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${binary} failed: ${errorMessage(error)} ${stderr}`.trim());
  }
}

function serverCommand(binary: string, args: string[]): [string, string[]] {
  const path = join(PG_BIN, binary);
  return runningAsRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

let cachedUser: { uid: number; gid: number } | undefined;
function postgresUser(): { uid: number; gid: number } {
  if (cachedUser) return cachedUser;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    cachedUser = { uid, gid };
    return cachedUser;
  } catch {
    throw new Error('Running as root needs the `postgres` system user to run PostgreSQL: install the `postgresql-15` package (apt-get install postgresql-15).');
  }
}

let sharedir: string | undefined;
function checkInstallation(preload: boolean, extensions: string[]): void {
  for (const binary of ['initdb', 'pg_ctl', 'postgres']) {
    if (!existsSync(join(PG_BIN, binary))) {
      throw new Error(`${join(PG_BIN, binary)} not found: install PostgreSQL 15 (apt-get install postgresql-15) or set TUNEUP_PG_BIN.`);
    }
  }
  sharedir ??= execFileSync(join(PG_BIN, 'pg_config'), ['--sharedir'], { encoding: 'utf8' }).trim();
  const packages: Record<string, string> = {
    pg_stat_statements: 'postgresql-15',
    pg_qualstats: 'postgresql-15-pg-qualstats',
    hypopg: 'postgresql-15-hypopg',
  };
  const needed = new Set([...extensions, ...(preload ? ['pg_stat_statements', 'pg_qualstats'] : [])]);
  for (const extension of needed) {
    if (!existsSync(join(sharedir, 'extension', `${extension}.control`))) {
      const pkg = packages[extension] ?? `the package providing ${extension}`;
      throw new Error(`PostgreSQL extension ${extension} is not installed: apt-get install ${pkg}.`);
    }
  }
}

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
