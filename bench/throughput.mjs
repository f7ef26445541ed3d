#!/usr/bin/env node
// Generator throughput benchmark: how many requests/s each load generator
// drives through ONE nginx worker on 127.0.0.1, each generator on one core.
//
//   node bench/throughput.mjs [--rounds 5] [--duration 5] [--connections 64]
//                             [--tools wrk,autocannon,tuneup,tuneup-cli,tuneup-stub,undici,raw-minimal]
//                             [--server-cpu 0] [--client-cpu 1]
//
// nginx is pinned to --server-cpu, every generator to --client-cpu (taskset),
// so generators compete for the same core and the machine's other work only
// adds noise. Rounds are interleaved (A B C … A B C …, order rotated each
// round) and the median per tool is reported with its min–max spread.
//
// Each tool is one function returning { rps, cpuSeconds, requests }:
//   tuneup       the transport + real metrics recorder in a bare closed loop
//   tuneup-cli   the whole `tuneup load URL -c N -d Ds` command
//   tuneup-stub  the transport with a counting stub instead of the recorder
//   raw-minimal  the Node ceiling: raw sockets, no parsing, no timing
//   undici       a plain undici Pool loop
import { join } from 'node:path';
import { startNginx } from './lib/nginx.mjs';
import { median, parseArgs, repoRoot, run } from './lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), {
  rounds: '5',
  duration: '5',
  connections: '64',
  tools: 'wrk,autocannon,tuneup,tuneup-cli,raw-minimal',
  'server-cpu': '0',
  'client-cpu': '1',
});
const rounds = Number(args.rounds);
const duration = Number(args.duration);
const connections = Number(args.connections);
const cpu = String(args['client-cpu']);
const limitMs = (duration + 30) * 1000;

function pinned(command, commandArgs) {
  return run('taskset', ['-c', cpu, command, ...commandArgs], { timeoutMs: limitMs, cwd: repoRoot });
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

function lastJsonLine(stdout) {
  const line = stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

function parseTimes(stdout) {
  // bash `times`: last line is the children's user and system time, e.g. "0m1.234s 0m0.567s".
  const line = stdout.trim().split('\n').pop();
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (parts.length !== 2) throw new Error(`unexpected bash times output: ${line}`);
  return parts[0] + parts[1];
}

function nodeDriver(script, extra = []) {
  return async (url) => {
    const { stdout } = await pinned(process.execPath, [...script, '--url', url, '--connections', String(connections), '--duration', String(duration), ...extra]);
    const result = lastJsonLine(stdout);
    if (result.failed > 0 || result.errors > 0) throw new Error(`${script.join(' ')} saw failed requests: ${JSON.stringify(result)}`);
    return { rps: result.rps, cpuSeconds: result.cpuSeconds, requests: result.requests };
  };
}

/**
 * One function per tool: run it against `url` for `duration` s and return
 * { rps, cpuSeconds (generator CPU during the measured window), requests }.
 */
const TOOLS = {
  async wrk(url) {
    // wrk is C: start-up CPU is negligible, so the whole process's CPU (bash `times`) is the window's CPU.
    const { stdout } = await run('bash', ['-c', `taskset -c ${cpu} wrk -t1 -c${connections} -d${duration}s ${url}; times`], { timeoutMs: limitMs });
    const match = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
    const total = /(\d+) requests in/.exec(stdout);
    if (!match || !total) throw new Error(`unexpected wrk output:\n${stdout}`);
    if (/Non-2xx|Socket errors/.test(stdout)) throw new Error(`wrk saw errors:\n${stdout}`);
    return { rps: Number(match[1]), cpuSeconds: parseTimes(stdout), requests: Number(total[1]) };
  },
  autocannon: nodeDriver(['bench/drivers/autocannon-run.mjs']),
  // The transport + real recorder in a bare closed loop (no executor, no CLI): the hot path alone.
  tuneup: nodeDriver(['--import', 'tsx', 'bench/drivers/tuneup-fixed.ts']),
  // The whole product: `tuneup load URL -c N -d Ds` (executor, workers, live stats, result building).
  // Runs the built CLI (dist/, made by `npm ci` / `npm run build`), exactly what users run.
  async 'tuneup-cli'(url) {
    const { stdout } = await pinned(process.execPath, ['bin/tuneup.js', 'load', url, '-c', String(connections), '-d', `${duration}s`, '--json', '--no-report', '-q']);
    const result = JSON.parse(stdout);
    if (result.totals.failed > 0) throw new Error(`tuneup load saw ${result.totals.failed} failed requests`);
    // cpuPercent is the generator process's CPU (% of one core) averaged over the run window.
    const cpuSeconds = (result.generator.cpuPercent.mean / 100) * (result.durationMs / 1000);
    return { rps: result.totals.rps, cpuSeconds, requests: result.totals.requests };
  },
  'tuneup-stub': nodeDriver(['--import', 'tsx', 'bench/drivers/tuneup-fixed.ts'], ['--recorder', 'stub']),
  undici: nodeDriver(['bench/drivers/undici-loop.mjs']),
  'raw-minimal': nodeDriver(['bench/drivers/raw-minimal.mjs']),
};

const tools = String(args.tools).split(',').filter(Boolean);
for (const tool of tools) if (!TOOLS[tool]) throw new Error(`unknown tool ${tool}; known: ${Object.keys(TOOLS).join(', ')}`);

const nginx = await startNginx({ cpu: String(args['server-cpu']) });
const samples = Object.fromEntries(tools.map((t) => [t, { rps: [], perCpu: [] }]));
try {
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no tool always runs right after the same neighbour.
    const order = tools.map((_, i) => tools[(i + round) % tools.length]);
    for (const tool of order) {
      const { rps, cpuSeconds, requests } = await TOOLS[tool](nginx.url);
      samples[tool].rps.push(rps);
      samples[tool].perCpu.push(requests / cpuSeconds);
      process.stderr.write(
        `round ${round + 1}/${rounds} ${tool.padEnd(12)} ${fmt(rps).padStart(7)} req/s  ${fmt(requests / cpuSeconds).padStart(7)} req/CPU-s\n`,
      );
    }
  }
} finally {
  await nginx.stop();
}

function summary(values) {
  const m = median(values);
  return { median: m, text: fmt(m), range: `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}` };
}
const rows = tools.map((t) => {
  const rps = summary(samples[t].rps);
  const perCpu = summary(samples[t].perCpu);
  return { tool: t, rps, perCpu, cells: [t, rps.text, rps.range, perCpu.text, perCpu.range] };
});
const header = ['tool', 'req/s (median)', 'min–max', 'req/CPU-s (median)', 'min–max'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(
  `\n${rounds} interleaved rounds × ${duration} s, ${connections} connections; nginx (1 worker) on cpu ${args['server-cpu']}, each generator on cpu ${cpu}\n` +
    'req/s is wall-clock throughput; req/CPU-s is requests per second of generator CPU in the measured window\n' +
    '(robust when other processes share the cores: it is what the generator would reach on a dedicated core).\n',
);
console.log(line(header));
for (const row of rows) console.log(line(row.cells));
const by = Object.fromEntries(rows.map((r) => [r.tool, r]));
for (const subject of ['tuneup', 'tuneup-cli']) {
  if (!by[subject]) continue;
  console.log('');
  const ratio = (other, goal) => {
    if (!by[other] || other === subject) return;
    const a = (by[subject].rps.median / by[other].rps.median).toFixed(2);
    const b = (by[subject].perCpu.median / by[other].perCpu.median).toFixed(2);
    console.log(`${subject} / ${other.padEnd(11)} = ${a}× req/s, ${b}× req/CPU-s${goal ? `  (${goal})` : ''}`);
  };
  ratio('autocannon', 'required ≥ 1.5×');
  ratio('wrk', 'goal ≥ 0.7×');
  ratio('undici');
  ratio('raw-minimal');
  if (subject === 'tuneup') ratio('tuneup-stub');
}
if (args.json) console.log(JSON.stringify(samples));
