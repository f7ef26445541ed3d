/**
 * Worker scaling: how much more throughput does `tuneup load --workers 2`
 * reach than `--workers 1`, and what does it cost in generator CPU and
 * latency? Each run is the real CLI as a user runs it,
 *
 *     tuneup load URL -c N -d 10s --workers W --json --no-report --no-diagnose -q
 *
 * closed model (N connections, as many requests as they can do), against a
 * raw `net` target that answers every request with a fixed response
 * (`targets/fixed-response.mjs`, a few µs per request), so the generator and
 * not the target is the limit. Per run: requests/s, the generator's CPU
 * (from /proc: user + system of the whole process over the run, and the
 * result's own `generator.cpuPercent.mean`), the service-time p50/p99, the
 * target's CPU and the host's busy share. Repetitions alternate the worker
 * counts (1,2 then 2,1 …), so drift on a shared machine falls on both; the
 * report gives per worker count the median and min–max, and the ratio of the
 * medians with the min–max of the per-repetition ratios.
 *
 *     node --import tsx bench/worker-scaling.ts [--workers 1,2] [--connections 64] [--duration 10s]
 *       [--reps 3] [--layouts shared,split] [--cli dist|src|PATH] [--results FILE] [--note TEXT]
 *
 * Layouts: `shared` — nothing pinned, target and generator share all cores
 * (the generator can use both cores of a 2-core machine; the target takes a
 * little of them); `split` — the target on CPU 0, the generator on the other
 * CPUs with taskset (on 2 cores the generator has one core, so W > 1 shows the
 * cost of the worker machinery, not a gain). On a bigger machine use `split`
 * and step --workers 1,2,4,… up to the generator's cores (bench/README.md).
 *
 * Bounded: 127.0.0.1 only, --duration ≤ 30 s, --reps ≤ 10, --connections ≤ 1000.
 * Writes bench/results-worker-scaling-<date>.txt unless --results is given.
 * Needs `taskset` for the split layout and dist/ built for the default --cli.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  gitRevision,
  hostCpuSeconds,
  isoDate,
  loadAverage,
  parseSeconds,
  processCpuSeconds,
  resolveCli,
  startTarget,
  type LocalTarget,
} from './lib/generator-cli.js';
import { median, parseArgs, repoRoot, start } from './lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), {
  workers: '1,2',
  connections: '64',
  duration: '10s',
  reps: '3',
  layouts: 'shared,split',
  cli: 'dist',
  results: '',
  note: '',
});
const workerCounts = String(args.workers).split(',').map(Number);
const connections = Number(args.connections);
const seconds = parseSeconds(String(args.duration));
const reps = Number(args.reps);
const layouts = String(args.layouts).split(',') as Layout[];
const cores = availableParallelism();
if (!(seconds > 0 && seconds <= 30)) throw new Error('--duration must be in (0, 30 s]');
if (!(reps >= 1 && reps <= 10)) throw new Error('--reps must be 1–10');
if (!(connections >= 1 && connections <= 1000)) throw new Error('--connections must be 1–1000');
if (workerCounts.some((w) => !Number.isInteger(w) || w < 1 || w > Math.max(cores, 2) * 2)) throw new Error(`--workers: integers from 1 to ${Math.max(cores, 2) * 2}`);
for (const layout of layouts) if (layout !== 'shared' && layout !== 'split') throw new Error(`unknown layout ${layout}: shared or split`);
if (layouts.includes('split') && cores < 2) throw new Error('the split layout needs at least 2 CPUs');
const cli = resolveCli(String(args.cli));
const resultsFile = String(args.results) || `${repoRoot}bench/results-worker-scaling-${isoDate()}.txt`;
const targetScript = new URL('./targets/fixed-response.mjs', import.meta.url).pathname;

type Layout = 'shared' | 'split';

/** One `tuneup load` run. */
interface RunFigures {
  layout: Layout;
  workers: number;
  rep: number;
  rps: number;
  requests: number;
  failed: number;
  /** Generator CPU from /proc over the whole process life (start-up and result included), % of one core of the run's wall time. */
  cpuProc: number;
  /** The result's own `generator.cpuPercent.mean` (the load window). */
  cpuSelf: number;
  /** Requests per generator CPU-second (load window, self-measured CPU). */
  reqPerCpuS: number;
  p50: number;
  p99: number;
  loopP99: number;
  targetCpu: number;
  hostBusy: number;
  saturated: boolean;
  limitedBy: string;
  maxRssMb: number;
}

interface LoadResult {
  durationMs: number;
  totals: { requests: number; failed: number; rps: number; serviceTime: { p50: number; p99: number } };
  generator: { saturated: boolean; limitedBy?: string; cpuPercent: { mean: number }; eventLoopDelay: { p99: number }; workers: number; maxRssBytes?: number };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function runOnce(target: LocalTarget, layout: Layout, workers: number, rep: number): Promise<RunFigures> {
  const cwd = mkdtempSync(join(tmpdir(), 'tuneup-worker-scaling-'));
  try {
    const loadArgs = [...cli.args, 'load', target.url, '-c', String(connections), '-d', `${seconds}s`, '--workers', String(workers), '--json', '--no-report', '--no-diagnose', '-q'];
    const generatorCpus = Array.from({ length: cores - 1 }, (_, i) => i + 1).join(',');
    // taskset execs the generator, so the child's pid is the generator's.
    const proc = layout === 'split' ? start('taskset', ['-c', generatorCpus, cli.command, ...loadArgs], { cwd }) : start(cli.command, loadArgs, { cwd });
    const pid = proc.child.pid;
    if (pid === undefined) throw new Error('the CLI did not start');
    const t0 = performance.now();
    const host0 = hostCpuSeconds();
    const target0 = processCpuSeconds(target.pid) ?? 0;
    // The process's CPU is read just before it exits: poll, keep the last reading.
    let generatorCpu = 0;
    const poll = setInterval(() => {
      generatorCpu = processCpuSeconds(pid) ?? generatorCpu;
    }, 100);
    const killer = setTimeout(() => proc.child.kill('SIGKILL'), (seconds + 60) * 1000);
    const { code, stdout, stderr } = await proc.done;
    clearInterval(poll);
    clearTimeout(killer);
    const wallS = (performance.now() - t0) / 1000;
    const host1 = hostCpuSeconds();
    const target1 = processCpuSeconds(target.pid) ?? target0;
    if (code !== 0) throw new Error(`tuneup load exited with ${code}: ${stderr.slice(-2000)}`);
    const result = JSON.parse(stdout) as LoadResult;
    const rps = result.totals.requests / (result.durationMs / 1000);
    const cpuSelf = result.generator.cpuPercent.mean;
    return {
      layout,
      workers,
      rep,
      rps,
      requests: result.totals.requests,
      failed: result.totals.failed,
      cpuProc: (100 * generatorCpu) / wallS,
      cpuSelf,
      reqPerCpuS: cpuSelf > 0 ? rps / (cpuSelf / 100) : NaN,
      p50: result.totals.serviceTime.p50,
      p99: result.totals.serviceTime.p99,
      loopP99: result.generator.eventLoopDelay.p99,
      targetCpu: (100 * (target1 - target0)) / wallS,
      hostBusy: (100 * (host1.busy - host0.busy)) / (host1.total - host0.total),
      saturated: result.generator.saturated,
      limitedBy: result.generator.limitedBy ?? '-',
      maxRssMb: (result.generator.maxRssBytes ?? 0) / 2 ** 20,
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

const fmt = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
const spread = (values: number[], digits = 0): string => `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;

const lines: string[] = [];
const out = (line = ''): void => {
  lines.push(line);
  log(line);
};

const startedAt = new Date();
out(`# worker-scaling: tuneup load --workers ${workerCounts.join(' vs ')} (${startedAt.toISOString()})`);
out(`command per run: tuneup load URL -c ${connections} -d ${seconds}s --workers W --json --no-report --no-diagnose -q`);
out(`cli: ${cli.label}; checkout ${gitRevision()}; node ${process.version}; ${cores} CPUs; layouts ${layouts.join(', ')}; ${reps} repetitions, worker order alternating`);
out(`target: bench/targets/fixed-response.mjs (raw net server, fixed 11-byte JSON body); load average at start ${loadAverage()}`);
if (args.note) out(`note: ${String(args.note)}`);
out();
out('layout  W  rep      req/s   gen CPU % (proc / self)   req/CPU-s   p50 ms   p99 ms   loop p99 ms   target CPU %   host busy %   limitedBy');

const runs: RunFigures[] = [];
for (const layout of layouts) {
  const target = await startTarget(targetScript, layout === 'split' ? { cpu: '0' } : {});
  try {
    for (let rep = 1; rep <= reps; rep++) {
      // Alternate the order every repetition so a drifting neighbour load hits every worker count alike.
      const order = rep % 2 === 1 ? workerCounts : [...workerCounts].reverse();
      for (const workers of order) {
        const r = await runOnce(target, layout, workers, rep);
        runs.push(r);
        out(
          `${layout.padEnd(6)} ${String(workers).padStart(2)}  ${String(rep).padStart(3)}  ${fmt(r.rps).padStart(9)}   ${`${fmt(r.cpuProc)} / ${fmt(r.cpuSelf)}`.padStart(23)}   ${fmt(r.reqPerCpuS).padStart(9)}   ${fmt(r.p50, 2).padStart(6)}   ${fmt(r.p99, 2).padStart(6)}   ${fmt(r.loopP99, 1).padStart(11)}   ${fmt(r.targetCpu).padStart(12)}   ${fmt(r.hostBusy).padStart(11)}   ${r.limitedBy}${r.failed > 0 ? `  FAILED ${r.failed}` : ''}`,
        );
      }
    }
  } finally {
    await target.stop();
  }
}

out();
out('## Medians (min–max) per layout and worker count');
for (const layout of layouts) {
  out();
  out(`${layout}: ${layout === 'split' ? `target pinned to CPU 0, generator to CPU 1–${cores - 1}` : 'nothing pinned'}`);
  out('W    req/s                      gen CPU % (proc)    gen CPU % (self)   req/CPU-s                  p50 ms             p99 ms             target CPU %   max RSS MB');
  for (const workers of workerCounts) {
    const cell = runs.filter((r) => r.layout === layout && r.workers === workers);
    const col = (pick: (r: RunFigures) => number, digits = 0): string => spread(cell.map(pick), digits);
    out(
      `${String(workers).padEnd(3)}  ${col((r) => r.rps).padEnd(25)}  ${col((r) => r.cpuProc).padEnd(18)}  ${col((r) => r.cpuSelf).padEnd(17)}  ${col((r) => r.reqPerCpuS).padEnd(25)}  ${col((r) => r.p50, 2).padEnd(17)}  ${col((r) => r.p99, 2).padEnd(17)}  ${col((r) => r.targetCpu).padEnd(13)}  ${fmt(median(cell.map((r) => r.maxRssMb)))}`,
    );
  }
  const base = workerCounts[0];
  for (const workers of workerCounts.slice(1)) {
    const ratioOf = (pick: (r: RunFigures) => number): string => {
      const a = runs.filter((r) => r.layout === layout && r.workers === base);
      const b = runs.filter((r) => r.layout === layout && r.workers === workers);
      const paired = b.map((rb) => pick(rb) / pick(a.find((ra) => ra.rep === rb.rep) ?? a[0]));
      return `${(median(b.map(pick)) / median(a.map(pick))).toFixed(2)}× (per repetition ${Math.min(...paired).toFixed(2)}–${Math.max(...paired).toFixed(2)})`;
    };
    out(`ratio W=${workers} / W=${base}: req/s ${ratioOf((r) => r.rps)}; gen CPU ${ratioOf((r) => r.cpuProc)}; p99 ${ratioOf((r) => r.p99)}`);
  }
}
out();
out(`load average at end ${loadAverage()}; took ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s`);
writeFileSync(resultsFile, `${lines.join('\n')}\n`);
log(`\nwritten ${resultsFile}`);
