// Benchmark driver: a plain undici closed loop (N concurrent loops on one
// Pool of N keep-alive connections) — the "use a well-kept library" baseline.
// Prints one JSON line.
import { Pool } from 'undici';
import { parseArgs } from '../lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { url: '', connections: '64', duration: '5' });
const url = new URL(args.url);
if (url.hostname !== '127.0.0.1') throw new Error('benchmarks only target 127.0.0.1');
const connections = Number(args.connections);
const pool = new Pool(url.origin, { connections, pipelining: 1 });
let completed = 0;
let stopping = false;
const start = performance.now();
const cpu0 = process.cpuUsage();

async function loop() {
  while (!stopping) {
    const { body } = await pool.request({ path: url.pathname, method: 'GET' });
    await body.dump();
    completed++;
  }
}

const loops = Array.from({ length: connections }, loop);
setTimeout(async () => {
  stopping = true;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result = { requests: completed, seconds, rps: completed / seconds, cpuSeconds };
  await Promise.allSettled(loops);
  await pool.destroy();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}, Number(args.duration) * 1000);
