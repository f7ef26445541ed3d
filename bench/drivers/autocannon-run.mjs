// Benchmark driver: autocannon through its programmatic API, so the CPU time
// of the measured window can be read in-process (same method as the other
// Node drivers). Prints one JSON line.
import autocannon from 'autocannon';
import { parseArgs } from '../lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { url: '', connections: '64', duration: '5' });
if (!args.url.startsWith('http://127.0.0.1')) throw new Error('benchmarks only target 127.0.0.1');
const cpu0 = process.cpuUsage();
const start = performance.now();
const result = await autocannon({ url: args.url, connections: Number(args.connections), duration: Number(args.duration) });
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
const requests = result.requests.total;
process.stdout.write(`${JSON.stringify({ requests, errors: result.errors, non2xx: result.non2xx, seconds, rps: requests / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
