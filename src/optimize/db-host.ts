/**
 * The database host's memory and CPUs, for sizing PostgreSQL settings.
 *
 * PgTune's formulas need the resources of the machine PostgreSQL runs on,
 * which is usually not the machine tuneup runs on. In order of trust:
 * 1. given (`--db-memory`, `--db-cpus`);
 * 2. read from the server itself: `pg_read_file` of `/proc/meminfo`, the
 *    online CPUs and the server's cgroup limits (v1 and v2). Needs a
 *    superuser or `pg_read_server_files`; read-only;
 * 3. the run's machine, only when the database is on it (a localhost or
 *    Unix-socket URL);
 * otherwise unknown, and the caller says which options to pass.
 *
 * @module
 */
import type pg from 'pg';

/** The database host as sizing input, and where each number came from. */
export interface DbHost {
  memoryBytes: number;
  cpus: number;
  /** One line, e.g. `read from the server (/proc/meminfo, cgroup limits)`. */
  source: string;
}

/** What the server told about its host (each number may be missing). */
export interface ServerHost {
  memoryBytes?: number;
  cpus?: number;
}

/** `0-1,4` → 3. */
export function countCpuList(text: string): number {
  let n = 0;
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isFinite(a)) continue;
    n += b !== undefined && Number.isFinite(b) ? b - a + 1 : 1;
  }
  return n;
}

/** MemTotal of `/proc/meminfo`, in bytes. */
export function parseMemTotal(meminfo: string): number | undefined {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** A cgroup memory limit (`max` or a v1 "no limit" sentinel → undefined). */
export function parseMemoryLimit(text: string | null | undefined): number | undefined {
  const value = text?.trim();
  if (!value || value === 'max') return undefined;
  const n = Number(value);
  // cgroup v1 reports "no limit" as a huge page-rounded number (≈ 2^63).
  return Number.isFinite(n) && n > 0 && n < 2 ** 60 ? n : undefined;
}

/** CPUs a cgroup quota allows: v2 `cpu.max` ("200000 100000"), or v1 quota and period. */
export function parseCpuQuota(quota: string | null | undefined, period?: string | null): number | undefined {
  const parts = quota?.trim().split(/\s+/) ?? [];
  const q = Number(parts[0]);
  const p = Number(parts[1] ?? period?.trim());
  if (!Number.isFinite(q) || q <= 0 || !Number.isFinite(p) || p <= 0) return undefined;
  return Math.max(1, Math.ceil(q / p));
}

/**
 * Read the host's memory and CPUs through the server (`pg_read_file`). Null
 * when the role may not read server files (the usual case for an
 * application role), or the server is not on Linux.
 */
export async function readServerHost(client: pg.Client): Promise<ServerHost | null> {
  const read = async (path: string): Promise<string | null> => {
    // A savepoint-free read: pg_read_file with missing_ok never raises for a missing file.
    const res = await client.query<{ text: string | null }>('SELECT pg_read_file($1, 0, 65536, true) AS text', [path]);
    return res.rows[0]?.text ?? null;
  };
  let meminfo: string | null;
  try {
    meminfo = await read('/proc/meminfo');
  } catch {
    return null; // permission denied: not a superuser nor pg_read_server_files
  }
  if (!meminfo) return null;
  let memoryBytes = parseMemTotal(meminfo);
  const online = await read('/sys/devices/system/cpu/online');
  let cpus = online ? countCpuList(online) || undefined : undefined;

  // The server's cgroup may allow less than the machine has (a container, a systemd slice).
  const cgroups = (await read('/proc/self/cgroup')) ?? '';
  const v2 = /^0::(\/.*)$/m.exec(cgroups)?.[1];
  const v1mem = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(\/.*)$/m.exec(cgroups)?.[1];
  const v1cpu = /^\d+:(?:[^:]*,)?cpu(?:,[^:]*)?:(\/.*)$/m.exec(cgroups)?.[1];
  const join = (base: string, path: string | undefined, file: string): string[] => {
    const dirs = [path && path !== '/' ? `${base}${path}` : null, base].filter((d): d is string => d !== null);
    return dirs.map((d) => `${d}/${file}`);
  };
  const first = async (paths: string[], parse: (t: string | null) => number | undefined): Promise<number | undefined> => {
    for (const p of paths) {
      const value = parse(await read(p));
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const memLimit =
    (await first(join('/sys/fs/cgroup', v2, 'memory.max'), parseMemoryLimit)) ??
    (await first(join('/sys/fs/cgroup/memory', v1mem, 'memory.limit_in_bytes'), parseMemoryLimit));
  if (memLimit !== undefined && (memoryBytes === undefined || memLimit < memoryBytes)) memoryBytes = memLimit;
  let cpuLimit = await first(join('/sys/fs/cgroup', v2, 'cpu.max'), (t) => parseCpuQuota(t));
  if (cpuLimit === undefined) {
    for (const dir of join('/sys/fs/cgroup/cpu', v1cpu, '')) {
      cpuLimit = parseCpuQuota(await read(`${dir}cpu.cfs_quota_us`), await read(`${dir}cpu.cfs_period_us`));
      if (cpuLimit !== undefined) break;
    }
  }
  if (cpuLimit !== undefined && (cpus === undefined || cpuLimit < cpus)) cpus = cpuLimit;
  return { ...(memoryBytes ? { memoryBytes } : {}), ...(cpus ? { cpus } : {}) };
}

/**
 * True for a URL whose server is this machine: localhost, a loopback
 * address, or a Unix socket (no host, `%2F…`, or a `host=/…` parameter —
 * forms WHATWG URL parsing rejects, hence the plain pattern).
 */
export function isLocalDatabase(pgUrl: string): boolean {
  const m = /^postgres(?:ql)?:\/\/(?:[^@/?]*@)?(\[[^\]]*\]|[^:/?]*)/i.exec(pgUrl);
  if (!m) return false;
  const socketParam = /[?&]host=([^&]*)/.exec(pgUrl)?.[1];
  const host = decodeURIComponent(socketParam ?? m[1] ?? '');
  return host === '' || host.startsWith('/') || host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
}
