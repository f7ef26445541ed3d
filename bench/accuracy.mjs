#!/usr/bin/env node
// Latency accuracy benchmark: does tuneup report the latency a user arriving
// on schedule experiences when the target stalls?
//
//   node bench/accuracy.mjs [--rate 500] [--duration 20] [--stall-ms 200] [--every-ms 2000]
//                           [--connections 200] [--closed-connections 4]
//
// Target: node:http that blocks its event loop for S = stall-ms every
// T = every-ms (bench/targets/stall-server.mjs), pinned to cpu 0.
// Generator (cpu 1): tuneup's FixedSender driven open-model at a constant
// rate λ (intended-time schedule, enough connections that none run out),
// then — for contrast — a paced closed loop with few connections, which is
// what closed-loop tools measure.
//
// Analytic response-time p99 (the expected answer):
//   Arrivals are uniform in time. A request arriving u ms into a stall
//   (0 ≤ u < S) waits for the stall to end, then for the backlog that arrived
//   before it (λu requests, served at μ = 1/b each, b = baseline service
//   time): R(u) = S − u + λu·b + b = S − u(1 − ρ) + b with ρ = λb.
//   Requests arriving outside stalls see ≈ b. A fraction S/T of requests
//   arrive during stalls, spread uniformly over u, so for x > b:
//     P(R > x) = P(u < (S − x + b)/(1 − ρ)) · S/T = (S − x + b) / ((1 − ρ)·T)
//   Setting P(R > x) = 1 − q for q = 0.99:
//     p99 = S + b − (1 − q)(1 − ρ)·T
//   ρ is the target's utilization from the backlog drain only: a node:http
//   server answers a tiny JSON body in ~50–100 µs of CPU, so at λ = 500/s
//   ρ ≤ 0.05 and the term moves p99 by ≤ 1 ms; we take ρ = 0:
//     p99 ≈ S + b − (1 − q)·T = 180 ms + b      (S = 200, T = 2000)
//   (Valid while (1 − q) < S/T, i.e. the 99th percentile falls inside the
//   stall tail.) b is taken from the run itself: the median service time
//   (network + scheduling latency of an unstalled request; it is NOT server
//   occupancy, so it must not be used to estimate ρ).
//   A closed-loop tool with c connections only has c requests in flight
//   during a stall — c slow samples per T instead of λS — so its p99 stays
//   near b whenever c / (λT) < 1 − q.
import { parseArgs, repoRoot, run, start, stop, freePort, waitForPort } from './lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), {
  rate: '500',
  duration: '20',
  'stall-ms': '200',
  'every-ms': '2000',
  connections: '200',
  'closed-connections': '4',
  'server-cpu': '0',
  'client-cpu': '1',
});
const rate = Number(args.rate);
const S = Number(args['stall-ms']);
const T = Number(args['every-ms']);
// Whole stall cycles only, so the window holds exactly duration/T stalls.
const duration = Math.max(1, Math.round((Number(args.duration) * 1000) / T)) * (T / 1000);
if (duration > 300) throw new Error('--duration is capped at 300 s');

const port = await freePort();
const target = start('taskset', ['-c', String(args['server-cpu']), process.execPath, 'bench/targets/stall-server.mjs', '--port', String(port), '--stall-ms', String(S), '--every-ms', String(T)], { cwd: repoRoot });
try {
  await waitForPort(port);
  let grid;
  for (let i = 0; i < 100 && grid === undefined; i++) {
    const line = target.output().stdout.split('\n').find((l) => l.includes('gridEpochMs'));
    if (line) grid = JSON.parse(line).gridEpochMs;
    else await new Promise((r) => setTimeout(r, 20));
  }
  if (grid === undefined) throw new Error('the stall server did not report its stall grid');
  const url = `http://127.0.0.1:${port}/`;
  const drive = async (extra) => {
    const { stdout } = await run('taskset', ['-c', String(args['client-cpu']), process.execPath, '--import', 'tsx', 'bench/drivers/tuneup-open.ts', '--url', url, '--rate', String(rate), '--duration', String(duration), '--align-epoch', String(grid), '--align-period', String(T), ...extra], { cwd: repoRoot, timeoutMs: (duration + 30) * 1000 });
    return JSON.parse(stdout.trim().split('\n').pop());
  };
  const open = await drive(['--connections', String(args.connections)]);
  const closed = await drive(['--connections', String(args['closed-connections']), '--closed']);

  const q = 0.99;
  const b = open.service.p50;
  const analytic = S + b - (1 - q) * T;
  const error = (open.response.p99 - analytic) / analytic;
  const f = (n) => `${n.toFixed(1)} ms`;
  console.log(`\nTarget stalls ${S} ms every ${T} ms; ${rate} req/s for ${duration} s.\n`);
  console.log(`open model (tuneup, ${args.connections} connections): sent ${open.sent}, dropped ${open.dropped}, failed ${open.failed}, max schedule lag ${f(open.maxLateMs)}`);
  console.log(`  response-time p99  ${f(open.response.p99).padStart(10)}   analytic ${f(analytic)} (S + b − (1−q)·T, b = ${f(b)})   error ${(error * 100).toFixed(1)}%  ${Math.abs(error) <= 0.15 ? 'OK (goal ±15%)' : 'MISSED (goal ±15%)'}`);
  console.log(`  service-time  p99  ${f(open.service.p99).padStart(10)}   (send → last byte in the same run)`);
  console.log(`  response-time p50/p90/p999/max  ${f(open.response.p50)} / ${f(open.response.p90)} / ${f(open.response.p999)} / ${f(open.response.max)}`);
  console.log(`closed loop (${args['closed-connections']} connections paced to the same rate): sent ${closed.sent} of ${Math.round(rate * duration)} scheduled`);
  console.log(`  service-time  p99  ${f(closed.service.p99).padStart(10)}   ← what a closed-loop tool reports (coordinated omission)`);
  if (args.json) console.log(JSON.stringify({ analytic, open, closed }));
} finally {
  await stop(target);
}
