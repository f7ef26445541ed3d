/**
 * Shared pieces of the benchmarks that drive the real `tuneup` CLI as a child
 * process (soak.ts, worker-scaling.ts): which CLI build to run, a local target
 * started in its own process, and per-process CPU and memory read from /proc
 * (Linux only), so the figures are the kernel's, not the generator's own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { repoRoot, start, stop, type StartedProcess } from './procs.mjs';

/** How to start the CLI: `command args… <tuneup arguments>`. */
export interface CliCommand {
  command: string;
  args: string[];
  /** What was run, for the results file. */
  label: string;
}

/**
 * The CLI to benchmark. `dist` (default): the compiled `dist/cli/main.js` of
 * this checkout (`npx tsc -p tsconfig.build.json` first); `src`: the sources
 * through tsx; anything else: the path of a compiled `cli/main.js` (e.g. a
 * build of another commit). `preload` modules are added with `--import`,
 * `nodeFlags` (e.g. `--expose-gc`) before them.
 */
export function resolveCli(choice: string, preload: string[] = [], nodeFlags: string[] = []): CliCommand {
  const imports = [...nodeFlags, ...preload.flatMap((file) => ['--import', file])];
  if (choice === 'src') {
    return { command: process.execPath, args: ['--import', 'tsx', ...imports, `${repoRoot}src/cli/main.ts`], label: 'src/cli/main.ts through tsx' };
  }
  const main = choice === 'dist' ? `${repoRoot}dist/cli/main.js` : choice;
  if (!existsSync(main)) {
    throw new Error(`${main} does not exist: build it with \`npx tsc -p tsconfig.build.json\`, or pass --cli src to run the sources through tsx`);
  }
  return { command: process.execPath, args: [...imports, main], label: main };
}

/** A target started by `startTarget`. */
export interface LocalTarget {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Start a bench target script (it prints `{"port","pid"}` on its first line),
 * optionally pinned to `cpu` with taskset. taskset execs the target, so the
 * printed pid is the process that serves.
 */
export async function startTarget(script: string, options: { cpu?: string } = {}): Promise<LocalTarget> {
  const proc: StartedProcess = options.cpu === undefined ? start(process.execPath, [script]) : start('taskset', ['-c', options.cpu, process.execPath, script]);
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${proc.output().stderr}`)), 15_000);
    proc.child.stdout.on('data', () => {
      const out = proc.output().stdout;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0]);
      }
    });
  });
  const { port, pid } = JSON.parse(line) as { port: number; pid: number };
  return { url: `http://127.0.0.1:${port}/`, pid, stop: () => stop(proc) };
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system, all threads) a process has used so far; null once it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state (field 3).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Resident set size and its high-water mark in bytes (VmRSS, VmHWM); null once the process is gone. */
export function processMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Host CPU counters from /proc/stat (all cores, seconds): busy and total, to give the host's load over a window. */
export function hostCpuSeconds(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = fields[3] + fields[4];
  return { busy: (total - idle) / CLOCK_TICKS, total: total / CLOCK_TICKS };
}

/** The 1-minute load average, rounded, for a results line. */
export function loadAverage(): string {
  return loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
}

/** Today's UTC date as YYYY-MM-DD, the suffix of results files. */
export function isoDate(at = new Date()): string {
  return at.toISOString().slice(0, 10);
}

/** The checkout's commit (with `+dirty` when the working tree has changes), for a results file. */
export function gitRevision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** Parse a bench duration (`90`, `90s`, `10m`, `1m30s`) into seconds. */
export function parseSeconds(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const match = /^(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (!match || (match[1] === undefined && match[2] === undefined)) throw new Error(`not a duration: ${text} (use e.g. 20s, 10m, 1m30s)`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

/** Ordinary least squares of y on x: slope, intercept, R² and the slope's standard error. */
export function leastSquares(points: { x: number; y: number }[]): { slope: number; intercept: number; r2: number; slopeSe: number; n: number } {
  const n = points.length;
  if (n < 3) return { slope: NaN, intercept: NaN, r2: NaN, slopeSe: NaN, n };
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const residual = Math.max(0, syy - slope * sxy);
  const r2 = syy === 0 ? 1 : 1 - residual / syy;
  const slopeSe = Math.sqrt(residual / (n - 2) / sxx);
  return { slope, intercept, r2, slopeSe, n };
}
