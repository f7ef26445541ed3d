// Bench target for worker-scaling.ts: a raw `net` server that answers every
// HTTP/1.1 request with the same pre-built 200 response, without parsing
// anything but the end of the request head. Its per-request cost is a few
// microseconds, so on a small machine the generator, not the target, is the
// limit. Only body-less requests (GET/HEAD) are supported: each "\r\n\r\n"
// ends one request. It prints `{"port","pid"}` once it listens.
//
//     node bench/targets/fixed-response.mjs [--port 0]
import net from 'node:net';
import { parseArgs } from '../lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { port: '0' });
const body = '{"ok":true}';
const response = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nKeep-Alive: timeout=120\r\n\r\n${body}`);
const END = '\r\n\r\n';

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  // Tail of the previous chunk, so a request head split across chunks is still counted once.
  let carry = '';
  socket.on('data', (chunk) => {
    const text = carry + chunk.toString('latin1');
    let count = 0;
    let consumed = 0;
    for (let at = text.indexOf(END); at !== -1; at = text.indexOf(END, consumed)) {
      count++;
      consumed = at + END.length;
    }
    carry = text.slice(Math.max(consumed, text.length - (END.length - 1)));
    if (count === 0) return;
    // Pipelined requests get their responses in one write.
    socket.write(count === 1 ? response : Buffer.concat(Array(count).fill(response)));
  });
  socket.on('error', () => socket.destroy());
});
server.listen(Number(args.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, pid: process.pid })}\n`);
});
