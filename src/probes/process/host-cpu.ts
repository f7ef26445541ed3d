/**
 * Host CPU per process group, so contention names whoever holds the CPU
 * (design.md, Diagnosis: "host CPU per process"). Each sample reads the
 * host total from `/proc/stat` and the CPU ticks of:
 * - the **target**: the service's pid and its descendants;
 * - **postgres**: processes whose comm is `postgres*` (passed in by the
 *   probe, which already tracks them);
 * - **redis**: processes whose comm is `redis-server`;
 * - the **generator**: tuneup's own process (by pid: the probe reads /proc,
 *   never the generator's memory, so it works in any thread);
 * - **other**: the host's busy time minus the groups above.
 *
 * All values are % of one core (a 2-core host tops out at 200 %).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { readChildren, readStat, type ProcStat } from './procfs.js';

/** The host-wide counters of `/proc/stat` (first line), in clock ticks. */
export interface HostStat {
  /** user + nice + system + irq + softirq (guest time is already in user). */
  busyTicks: number;
  /** idle + iowait. */
  idleTicks: number;
  /** Time a hypervisor gave to other guests. */
  stealTicks: number;
  /** Number of `cpuN` lines: the cores the kernel schedules on. */
  cores: number;
}

/** Parse the text of `/proc/stat`. */
export function parseProcStat(text: string): HostStat {
  let busy = 0;
  let idle = 0;
  let steal = 0;
  let cores = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const f = line.trim().split(/\s+/).slice(1).map(Number);
      const at = (i: number) => (Number.isFinite(f[i]) ? f[i]! : 0);
      busy = at(0) + at(1) + at(2) + at(5) + at(6);
      idle = at(3) + at(4);
      steal = at(7);
    } else if (/^cpu\d+\s/.test(line)) cores++;
  }
  return { busyTicks: busy, idleTicks: idle, stealTicks: steal, cores };
}

/** Read `/proc/stat`. */
export function readHostStat(): HostStat {
  return parseProcStat(readFileSync('/proc/stat', 'utf8'));
}

/**
 * CPU ticks a set of processes used between two samples. A process seen for
 * the first time after the first sample counts all its ticks (it was born
 * in the interval); one seen again with another start time is a reused pid
 * and counts from zero.
 *
 * Processes that exit between samples count too, through their parent: a
 * parent's children time (cutime + cstime) grows by the whole CPU of each
 * child it reaps. So the group also counts the growth of its members'
 * children time, less what it had already counted of a member that left
 * (its ticks when last seen), when that member's parent is in the group.
 * Without this, a process per request or per connection (a PostgreSQL
 * backend for each new connection, born and gone within a second) was
 * never seen, and its CPU was put down to "other" processes on the host.
 */
export class GroupTicks {
  private byPid = new Map<number, { start: number; ticks: number; childTicks: number; ppid: number }>();
  private primed = false;

  /** Ticks used since the previous call by the processes in `stats` (0 on the first call). */
  delta(stats: readonly ProcStat[]): number {
    let sum = 0;
    const next = new Map<number, { start: number; ticks: number; childTicks: number; ppid: number }>();
    for (const st of stats) {
      const prev = this.byPid.get(st.pid);
      if (prev && prev.start === st.startTicks) sum += Math.max(0, st.cpuTicks - prev.ticks) + Math.max(0, st.childTicks - prev.childTicks);
      else if (this.primed) sum += st.cpuTicks;
      next.set(st.pid, { start: st.startTicks, ticks: st.cpuTicks, childTicks: st.childTicks, ppid: st.ppid });
    }
    // A member that left and whose parent stayed: the parent's children time took its whole CPU, of which
    // its ticks when last seen were counted already.
    for (const [pid, prev] of this.byPid) {
      if (next.has(pid) || !next.has(prev.ppid) || !this.byPid.has(prev.ppid)) continue;
      sum -= prev.ticks + prev.childTicks;
    }
    this.byPid = next;
    const first = !this.primed;
    this.primed = true;
    if (first) return 0;
    // A member gone from /proc was reaped, but its parent's stat may have been read just before: then its
    // CPU reaches the parent's children time in the next interval. Never below zero; the rest carries over.
    const total = sum + this.owed;
    this.owed = Math.min(0, total);
    return Math.max(0, total);
  }

  /** Ticks subtracted for a departed member before its parent's children time showed them (≤ 0). */
  private owed = 0;
}

/** Stat of each pid that still exists. */
export async function readStats(pids: Iterable<number>): Promise<ProcStat[]> {
  const out: ProcStat[] = [];
  for (const p of pids) {
    try {
      out.push(await readStat(p));
    } catch {
      // exited between listing and reading
    }
  }
  return out;
}

/**
 * `root` and its descendants, from `/proc/<pid>/task/<pid>/children`; falls
 * back to `ppidOf` (the parent of each process at the last full scan) where
 * the kernel lacks the children file. Bounded by `limit` processes.
 */
export async function processTree(root: number, ppidOf: ReadonlyMap<number, number>, limit = 256): Promise<number[]> {
  const out: number[] = [];
  const queue = [root];
  const seen = new Set<number>();
  while (queue.length > 0 && out.length < limit) {
    const p = queue.shift()!;
    if (seen.has(p)) continue;
    seen.add(p);
    out.push(p);
    const children = await readChildren(p);
    if (children) queue.push(...children);
    else for (const [child, parent] of ppidOf) if (parent === p) queue.push(child);
  }
  return out;
}
