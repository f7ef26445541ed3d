// Benchmark driver: the Node ceiling — N raw sockets writing a fixed request
// and counting responses by byte length (valid only because the bench target
// returns a fixed-size response). No parsing, no timing, no recording: what
// any Node generator can at best reach on one core. Prints one JSON line.
import net from 'node:net';
import { parseArgs } from '../lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { url: '', connections: '64', duration: '5' });
const url = new URL(args.url);
if (url.hostname !== '127.0.0.1') throw new Error('benchmarks only target 127.0.0.1');
const request = Buffer.from(`GET ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`);
const port = Number(url.port);

// Learn the response size with one request.
const responseBytes = await new Promise((resolve, reject) => {
  const s = net.connect({ host: '127.0.0.1', port }, () => s.write(request));
  let data = '';
  s.on('data', (d) => {
    data += d.toString('latin1');
    const head = data.indexOf('\r\n\r\n');
    const m = /content-length: *(\d+)/i.exec(data);
    if (head >= 0 && m && data.length >= head + 4 + Number(m[1])) {
      s.destroy();
      resolve(head + 4 + Number(m[1]));
    }
  });
  s.on('error', reject);
});

let completed = 0;
let stopping = false;
const buffer = Buffer.allocUnsafe(65536);
const sockets = [];
for (let i = 0; i < Number(args.connections); i++) {
  let pending = 0;
  const socket = net.connect({
    host: '127.0.0.1',
    port,
    noDelay: true,
    onread: {
      buffer,
      callback(n) {
        pending += n;
        while (pending >= responseBytes) {
          pending -= responseBytes;
          completed++;
          if (!stopping) socket.write(request);
        }
      },
    },
  });
  socket.on('connect', () => socket.write(request));
  socket.on('error', () => undefined);
  sockets.push(socket);
}
const start = performance.now();
const cpu0 = process.cpuUsage();
setTimeout(() => {
  stopping = true;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  for (const s of sockets) s.destroy();
  process.stdout.write(`${JSON.stringify({ requests: completed, seconds, rps: completed / seconds, cpuSeconds })}\n`);
}, Number(args.duration) * 1000);
