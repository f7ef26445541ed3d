// Bench target: a node:http server that blocks its event loop for --stall-ms
// every --every-ms (a GC pause, a sync crypto call, a big JSON.stringify…).
// Stalls are scheduled on a fixed grid from start (self-correcting timer), so
// their duty cycle is exactly stall/every however late a timer fires.
import http from 'node:http';
import { parseArgs } from '../lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { port: '0', 'stall-ms': '200', 'every-ms': '2000' });
const stallMs = Number(args['stall-ms']);
const everyMs = Number(args['every-ms']);
const body = '{"ok":true}';
const server = http.createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(body);
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(Number(args.port), '127.0.0.1', () => {
  const start = performance.now();
  // The stall grid's origin in epoch ms, so a generator can align its window to whole cycles.
  process.stdout.write(`${JSON.stringify({ port: server.address().port, gridEpochMs: performance.timeOrigin + start })}\n`);
  let k = 1;
  const stall = () => {
    const end = start + k * everyMs + stallMs;
    while (performance.now() < end) {
      // busy: the event loop is blocked, requests queue in the kernel
    }
    k++;
    setTimeout(stall, Math.max(0, start + k * everyMs - performance.now()));
  };
  setTimeout(stall, everyMs);
});
