/**
 * Readers of Linux /proc used by the process probe. Each function reads one
 * file and returns plain numbers; they throw the fs error (ENOENT when the
 * process is gone) and the probe decides what that means. They are async in
 * signature (callers need not change if a slow source appears) but read
 * synchronously (see below).
 *
 * @module
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

// /proc files are generated in memory by the kernel and read in microseconds, so they are read
// synchronously: on a busy host a trip through libuv's thread pool per file costs far more
// (scheduling latency) than the read itself, and it made samples late.
const readFile = async (path: string, _enc: 'utf8'): Promise<string> => readFileSync(path, 'utf8');
const readdir = async (path: string): Promise<string[]> => readdirSync(path);
const readlink = async (path: string): Promise<string> => readlinkSync(path);

/**
 * The probe shares the load generator's event loop, so long runs of synchronous
 * reads are cut into slices: the generator's own timers (open-model arrivals,
 * response timestamps) are never held back by more than one slice.
 */
export const SYNC_SLICE = 32;

/** Let the event loop run pending timers and I/O before the next slice. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
import { execFileSync } from 'node:child_process';

/** CPU ticks and identity from `/proc/<pid>/stat`. */
export interface ProcStat {
  pid: number;
  /** Executable name (the `comm` field, at most 15 characters). */
  comm: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /**
   * cutime + cstime, in clock ticks: the CPU of this process's children that exited and that it waited for
   * (with their own waited-for descendants). A PostgreSQL postmaster's grows by each backend it reaps.
   */
  childTicks: number;
  /** Start time after boot, in clock ticks (identifies pid reuse). */
  startTicks: number;
}

/** Parse the content of `/proc/<pid>/stat`. `comm` may contain spaces and parentheses, so split at the last `)`. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('malformed /proc stat');
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // Fields after comm start at field 3 (state); utime is field 14, stime 15, cutime 16, cstime 17, starttime 22.
  const rest = text.slice(close + 2).split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  return { pid, comm, ppid: field(4), cpuTicks: field(14) + field(15), childTicks: field(16) + field(17), startTicks: field(22) };
}

/** Read `/proc/<pid>/stat`. */
export async function readStat(pid: number): Promise<ProcStat> {
  return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * Read the stat of one thread, `/proc/<pid>/task/<tid>/stat`. For a Node.js
 * process the thread whose tid equals the pid runs the event loop: its CPU is
 * the synchronous JavaScript work, apart from the libuv pool and V8's helpers.
 */
export async function readThreadStat(pid: number, tid: number): Promise<ProcStat> {
  return parseStat(await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
}

/** Resident set size (bytes) and thread count from `/proc/<pid>/status`. */
export async function readStatus(pid: number): Promise<{ rssBytes: number; threads: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  const threads = /^Threads:\s+(\d+)/m.exec(text);
  // A zombie has no VmRSS line: report 0 rather than failing.
  return { rssBytes: kb ? Number(kb[1]) * 1024 : 0, threads: threads ? Number(threads[1]) : 0 };
}

/** Open file descriptors of `pid` and the socket inodes among them. */
export async function readFds(pid: number): Promise<{ count: number; socketInodes: Set<string> }> {
  const names = await readdir(`/proc/${pid}/fd`);
  const socketInodes = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    if (i > 0 && i % SYNC_SLICE === 0) await yieldToLoop();
    try {
      const target = await readlink(`/proc/${pid}/fd/${names[i]}`);
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m) socketInodes.add(m[1]!);
    } catch {
      // fd closed between readdir and readlink: ignore.
    }
  }
  return { count: names.length, socketInodes };
}

/** One row of `/proc/<pid>/net/tcp{,6}`. */
export interface TcpSocket {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Kernel TCP state: `01` ESTABLISHED, `0A` LISTEN, ... (hex). */
  state: string;
  inode: string;
}

/** Decode a hex address of /proc/net/tcp (IPv4: one little-endian word; IPv6: four). */
export function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const b = Buffer.from(hex, 'hex');
    return `${b[3]}.${b[2]}.${b[1]}.${b[0]}`;
  }
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = Buffer.from(hex.slice(w * 8, w * 8 + 8), 'hex');
    bytes.push(word[3]!, word[2]!, word[1]!, word[0]!);
  }
  // IPv4-mapped (::ffff:a.b.c.d) is shown as plain IPv4, as users write it.
  if (bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return compressIpv6(groups);
}

/** RFC 5952 text form: the longest run (≥ 2) of zero groups becomes `::`. */
function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}

/** Parse the text of `/proc/net/tcp` or `/proc/net/tcp6`. */
export function parseNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const [local, remote] = [cols[1]!, cols[2]!];
    const [la, lp] = local.split(':');
    const [ra, rp] = remote.split(':');
    out.push({
      localAddress: decodeAddress(la!),
      localPort: parseInt(lp!, 16),
      remoteAddress: decodeAddress(ra!),
      remotePort: parseInt(rp!, 16),
      state: cols[3]!.toUpperCase(),
      inode: cols[9]!,
    });
  }
  return out;
}

/** TCP sockets in the network namespace of `pid` (IPv4 and IPv6). */
export async function readTcpSockets(pid: number): Promise<TcpSocket[]> {
  const read = (f: string) => readFile(`/proc/${pid}/net/${f}`, 'utf8').then(parseNetTcp, () => [] as TcpSocket[]);
  const [v4, v6] = await Promise.all([read('tcp'), read('tcp6')]);
  return uniqueSockets([...v4, ...v6]);
}

/**
 * One row per socket. The kernel serves /proc/net/tcp a page at a time, not as a snapshot: on a busy host,
 * sockets opened or closed during the read shift the rows, and a row can come twice (CI, Node 24: a child's
 * two connections counted as four). A live socket has one inode; rows without one (inode 0: TIME_WAIT and
 * other sockets no process holds) are kept as they are.
 */
export function uniqueSockets(rows: readonly TcpSocket[]): TcpSocket[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    if (r.inode === '0') return true;
    if (seen.has(r.inode)) return false;
    seen.add(r.inode);
    return true;
  });
}

/** Direct children of `pid` from `/proc/<pid>/task/<pid>/children` (Linux ≥ 3.5 with CONFIG_PROC_CHILDREN); undefined when unavailable. */
export async function readChildren(pid: number): Promise<number[] | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return undefined;
  }
}

/** Every numeric entry of /proc (all pids). */
export async function listPids(): Promise<number[]> {
  const names = await readdir('/proc');
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

/** The full command line of `pid`, arguments joined by spaces ('' when unreadable). */
export async function readCmdline(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

let cachedTicks: number | undefined;

/** Kernel clock ticks per second (`getconf CLK_TCK`), 100 when it cannot be read (the Linux default). */
export function clockTicksPerSecond(): number {
  if (cachedTicks !== undefined) return cachedTicks;
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim());
    cachedTicks = Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    cachedTicks = 100;
  }
  return cachedTicks;
}
