/**
 * Soak: does the load generator's memory stay flat over a long run at a high
 * rate with streaming outputs? The real CLI runs an open-model plan
 * (constant-arrival-rate, `--rate` req/s for `--duration`) as a user would,
 *
 *     tuneup run plan.yaml --out json=metrics.jsonl --out csv=metrics.csv --json
 *
 * (report and diagnosis on, their defaults) against a cheap node:http target
 * in its own process (`targets/probe-target.mjs`: every path but /metrics
 * answers `{"ok":true}` at once; its /metrics page is not scraped). Every
 * `--every` seconds the bench reads the generator's VmRSS and CPU from
 * /proc/<pid>/, and a preload (`drivers/heap-log.mjs`, a timer that never keeps
 * the CLI alive) logs the main thread's V8 heap. Reported over the load window
 * (the result's startedAt–endedAt): RSS at start and end, peak, and the
 * least-squares slope of RSS (and heapUsed) in MB/min after the warm-up, with
 * its R² and standard error; the sizes of the two output files; requests
 * sent, the achieved rate, dropped iterations and the generator's CPU.
 *
 *     node --import tsx bench/soak.ts [--duration 10m] [--rate 2000] [--keys 100000] [--vus max(50, rate/20)]
 *       [--warmup 1m] [--every 5] [--cli dist|src|PATH] [--results FILE] [--note TEXT] [--live-heap]
 *
 * A slope near 0 with a low R² is a flat line with noise; a leak is a slope
 * well above its standard error with a high R². The warm-up (default 1 min,
 * a third of the run when the run is shorter than 3 min) leaves out start-up
 * growth: JIT, connection pools, heap sizing. V8 may promote garbage to the
 * old space for minutes before its first full collection, so a rising heapUsed
 * (and RSS) over a short run is not yet a leak; `--live-heap` makes the preload
 * run a full GC before each heap sample (a pause of tens of ms every
 * `--every` s, so it is opt-in), and its heapUsed slope is the leak signal.
 *
 * Bounded: the target listens on 127.0.0.1 only; --duration ≤ 60 min,
 * --rate ≤ 20,000 req/s. Writes bench/results-soak-<date>.txt unless
 * --results is given. Linux only (/proc).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  gitRevision,
  isoDate,
  leastSquares,
  loadAverage,
  parseSeconds,
  processCpuSeconds,
  processMemory,
  resolveCli,
  startTarget,
} from './lib/generator-cli.js';
import { parseArgs, repoRoot, start } from './lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { duration: '10m', rate: '2000', keys: '100000', vus: '', warmup: '', every: '5', cli: 'dist', results: '', note: '' });
const seconds = parseSeconds(String(args.duration));
const rate = Number(args.rate);
const everyS = Number(args.every);
const keys = Number(args.keys);
// Pre-allocated VUs (maxVUs is 10×): each VU holds a connection and its buffers; the request-shape caches (resolved URLs) are shared per scenario.
const vus = args.vus ? Number(args.vus) : Math.max(50, Math.ceil(rate / 20));
if (!(seconds >= 10 && seconds <= 3600)) throw new Error('--duration must be 10 s – 60 min');
if (!(rate > 0 && rate <= 20_000)) throw new Error('--rate must be in (0, 20000] req/s');
if (!(everyS >= 1 && everyS <= 60)) throw new Error('--every must be 1–60 s');
if (!(Number.isInteger(keys) && keys >= 1 && keys <= 10_000_000)) throw new Error('--keys must be an integer from 1 to 10,000,000');
if (!(Number.isInteger(vus) && vus >= 1 && vus <= 5000)) throw new Error('--vus must be an integer from 1 to 5000');
const warmupS = args.warmup ? parseSeconds(String(args.warmup)) : Math.min(60, seconds / 3);
if (!(warmupS >= 0 && warmupS < seconds)) throw new Error('--warmup must be shorter than --duration');
const heapPreload = new URL('./drivers/heap-log.mjs', import.meta.url).pathname;
// --live-heap: a full GC before each heap sample (node --expose-gc), so heapUsed is the live heap.
const liveHeap = args['live-heap'] === true;
const cli = resolveCli(String(args.cli), [heapPreload], liveHeap ? ['--expose-gc'] : []);
const resultsFile = String(args.results) || `${repoRoot}bench/results-soak-${isoDate()}.txt`;
const targetScript = new URL('./targets/probe-target.mjs', import.meta.url).pathname;

const MB = 2 ** 20;
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** One reading of the generator from /proc. */
interface Sample {
  at: number;
  rss: number;
  cpuS: number;
}
/** One line of the heap preload. */
interface HeapSample {
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}
interface SoakResult {
  startedAt: number;
  endedAt: number;
  durationMs: number;
  status: string;
  totals: { requests: number; failed: number; droppedIterations: number; serviceTime: { p50: number; p99: number }; responseTime: { p50: number; p99: number } };
  generator: { saturated: boolean; limitedBy?: string; lateStarts: number; eventLoopDelay: { p99: number }; cpuPercent: { mean: number }; maxRssBytes?: number };
  metrics: { name: string; max?: number }[];
}

/** A plan a user would write for a soak: a templated id over `--keys` distinct URLs (one endpoint name) and a health check. */
function planYaml(baseUrl: string): string {
  return `name: generator-soak
baseUrl: ${baseUrl}
scenarios:
  soak:
    executor: constant-arrival-rate
    rate: ${rate}
    timeUnit: 1s
    duration: ${seconds}s
    preAllocatedVUs: ${vus}
    maxVUs: ${vus * 10}
    requests:
      - weight: 9
        path: /items/{{ randomInt(1, ${keys}) }}
        name: GET /items/:id
      - weight: 1
        path: /health
        name: GET /health
thresholds:
  http_req_failed: ['rate<0.01']
  http_req_duration: ['p(99)<200']
`;
}

const cwd = mkdtempSync(join(tmpdir(), 'tuneup-soak-'));
const jsonOut = join(cwd, 'metrics.jsonl');
const csvOut = join(cwd, 'metrics.csv');
const heapLog = join(cwd, 'heap.jsonl');
const benchStart = new Date();
const loadAtStart = loadAverage();
const target = await startTarget(targetScript);
const samples: Sample[] = [];
let result: SoakResult;
try {
  writeFileSync(join(cwd, 'plan.yaml'), planYaml(target.url));
  const runArgs = [...cli.args, 'run', 'plan.yaml', '--out', `json=${jsonOut}`, '--out', `csv=${csvOut}`, '--json'];
  log(`soak: ${rate} req/s for ${seconds} s against ${target.url} (target pid ${target.pid}); warm-up ${fmt(warmupS, 0)} s; cwd ${cwd}`);
  const proc = start(cli.command, runArgs, { cwd, env: { ...process.env, TUNEUP_BENCH_HEAP_LOG: heapLog, TUNEUP_BENCH_HEAP_EVERY_MS: String(everyS * 1000), TUNEUP_BENCH_HEAP_GC: liveHeap ? '1' : '0' } });
  const pid = proc.child.pid;
  if (pid === undefined) throw new Error('the CLI did not start');
  const read = (): void => {
    const memory = processMemory(pid);
    const cpuS = processCpuSeconds(pid);
    // Right after spawn the process may not have exec'd node yet (no VmRSS): skip such readings.
    if (memory && memory.rss > 0 && cpuS !== null) samples.push({ at: Date.now(), rss: memory.rss, cpuS });
  };
  read();
  const timer = setInterval(() => {
    read();
    const last = samples[samples.length - 1];
    if (last && samples.length % Math.max(1, Math.round(60 / everyS)) === 0) log(`  ${((last.at - samples[0].at) / 1000).toFixed(0)} s  RSS ${fmt(last.rss / MB)} MB`);
  }, everyS * 1000);
  // Generous: start-up, graceful stop, diagnosis and report come on top of the load.
  const killer = setTimeout(() => proc.child.kill('SIGKILL'), (seconds + 180) * 1000);
  const done = await proc.done;
  clearInterval(timer);
  clearTimeout(killer);
  // Exit 99 is failed thresholds: still a complete run to measure.
  if (done.code !== 0 && done.code !== 99) throw new Error(`tuneup run exited with ${done.code}: ${done.stderr.slice(-3000)}`);
  result = JSON.parse(done.stdout) as SoakResult;
} finally {
  await target.stop();
}

const heap: HeapSample[] = readFileSync(heapLog, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as HeapSample);
const fileSize = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return NaN;
  }
};
const jsonBytes = fileSize(jsonOut);
const csvBytes = fileSize(csvOut);
const jsonLines = readFileSync(jsonOut, 'utf8').split('\n').filter(Boolean).length;
rmSync(cwd, { recursive: true, force: true });

const { startedAt, endedAt } = result;
const inLoad = <T extends { at: number }>(s: T): boolean => s.at >= startedAt && s.at <= endedAt;
const afterWarmup = <T extends { at: number }>(s: T): boolean => s.at >= startedAt + warmupS * 1000 && s.at <= endedAt;
const minutes = (at: number): number => (at - startedAt) / 60_000;
const load = samples.filter(inLoad);
const fitted = samples.filter(afterWarmup);
const rssFit = leastSquares(fitted.map((s) => ({ x: minutes(s.at), y: s.rss / MB })));
const heapFitted = heap.filter(afterWarmup);
const heapFit = leastSquares(heapFitted.map((s) => ({ x: minutes(s.at), y: s.heapUsed / MB })));
const loadS = (endedAt - startedAt) / 1000;
const first = load[0];
const last = load[load.length - 1];
const atWarmup = fitted[0];
const cpuPercent = first && last && last !== first ? (100 * (last.cpuS - first.cpuS)) / ((last.at - first.at) / 1000) : NaN;
const peak = Math.max(...samples.map((s) => s.rss));
// Every allocated VU keeps its own connection and URL caches: how many there were explains part of the memory.
const vusMax = (name: string): number => Math.max(...result.metrics.filter((m) => m.name === name).map((m) => m.max ?? NaN));

const lines = [
  `# soak: tuneup run at ${rate} req/s for ${seconds} s with --out json + csv (${benchStart.toISOString()})`,
  `command: tuneup run plan.yaml --out json=metrics.jsonl --out csv=metrics.csv --json   (constant-arrival-rate ${rate}/s, ${seconds}s, preAllocatedVUs ${vus}, 90 % GET /items/{{ randomInt(1, ${keys}) }}, 10 % GET /health; report and diagnosis on)`,
  `cli: ${cli.label} (+ ${liveHeap ? '--expose-gc, ' : ''}--import bench/drivers/heap-log.mjs${liveHeap ? ': a full GC before each heap sample' : ''}); checkout ${gitRevision()}; node ${process.version}`,
  `target: bench/targets/probe-target.mjs (node:http, 11-byte JSON); samples every ${everyS} s from /proc/<pid>/status and /stat; warm-up ${fmt(warmupS, 0)} s`,
  ...(args.note ? [`note: ${String(args.note)}`] : []),
  `load average at start ${loadAtStart}, at end ${loadAverage()}`,
  '',
  `run status ${result.status}; load window ${fmt(loadS)} s`,
  `requests sent ${result.totals.requests.toLocaleString('en-US')} (failed ${result.totals.failed}, dropped iterations ${result.totals.droppedIterations}, late starts ${result.generator.lateStarts})`,
  `achieved rate ${fmt(result.totals.requests / loadS)} req/s of ${rate} planned (${fmt((100 * result.totals.requests) / (rate * seconds))} % of rate × duration)`,
  `service time p50 ${result.totals.serviceTime.p50} ms, p99 ${result.totals.serviceTime.p99} ms; response time p99 ${result.totals.responseTime.p99} ms`,
  `VUs: ${vus} pre-allocated, ${fmt(vusMax('vus_max'), 0)} allocated at most, ${fmt(vusMax('vus'), 0)} busy at most`,
  `generator CPU ${fmt(cpuPercent, 0)} % of one core (/proc, load window; self-measured ${fmt(result.generator.cpuPercent.mean, 0)} %); event-loop p99 ${result.generator.eventLoopDelay.p99} ms; saturated ${result.generator.saturated} (${result.generator.limitedBy ?? '-'})`,
  '',
  `RSS at load start ${fmt(first ? first.rss / MB : NaN)} MB, after warm-up ${fmt(atWarmup ? atWarmup.rss / MB : NaN)} MB, at load end ${fmt(last ? last.rss / MB : NaN)} MB, peak (whole process) ${fmt(peak / MB)} MB`,
  `RSS slope after warm-up ${fmt(rssFit.slope, 3)} MB/min (± ${fmt(rssFit.slopeSe, 3)} s.e.), R² ${fmt(rssFit.r2, 3)}, ${rssFit.n} samples; ${fmt(rssFit.slope * 60, 1)} MB per hour at that slope`,
  `heapUsed (main thread${liveHeap ? ', after a full GC' : ''}) at start ${fmt(heap.find(inLoad) ? heap.find(inLoad)!.heapUsed / MB : NaN)} MB, at end ${fmt(heap.filter(inLoad).at(-1) ? heap.filter(inLoad).at(-1)!.heapUsed / MB : NaN)} MB; slope after warm-up ${fmt(heapFit.slope, 3)} MB/min (± ${fmt(heapFit.slopeSe, 3)}), R² ${fmt(heapFit.r2, 3)}, ${heapFit.n} samples`,
  `output files: metrics.jsonl ${(jsonBytes / 1024).toFixed(0)} KiB (${jsonLines} lines, ${fmt(jsonBytes / 1024 / (loadS / 60), 1)} KiB/min), metrics.csv ${(csvBytes / 1024).toFixed(0)} KiB (${fmt(csvBytes / 1024 / (loadS / 60), 1)} KiB/min)`,
  '',
  '## samples (t = s since load start; RSS from /proc, heap from the preload at its own times)',
  't_s      rss_mb   heap_used_mb   heap_total_mb   external_mb',
  ...samples.map((s) => {
    const h = heap.reduce<HeapSample | undefined>((best, x) => (!best || Math.abs(x.at - s.at) < Math.abs(best.at - s.at) ? x : best), undefined);
    const near = h && Math.abs(h.at - s.at) <= everyS * 500;
    return `${fmt((s.at - startedAt) / 1000, 0).padStart(5)}  ${fmt(s.rss / MB).padStart(8)}  ${near ? fmt(h.heapUsed / MB).padStart(13) : '            -'}  ${near ? fmt(h.heapTotal / MB).padStart(14) : '             -'}  ${near ? fmt(h.external / MB).padStart(12) : '           -'}`;
  }),
];
writeFileSync(resultsFile, `${lines.join('\n')}\n`);
for (const line of lines.slice(0, lines.indexOf('## samples (t = s since load start; RSS from /proc, heap from the preload at its own times)'))) log(line);
log(`\nwritten ${resultsFile}`);
