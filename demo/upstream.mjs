/**
 * A fake "reviews" upstream for the demo, on 127.0.0.1. It answers
 * `GET /reviews/:id` after `--delay-ms` (default 5); the slow-upstream fault
 * starts it with a long delay. Prints `{"ready":true,"port":N}` when listening.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, 'delay-ms': { type: 'string', default: '5' } } });
const delayMs = Number(values['delay-ms']);

const server = http.createServer((req, res) => {
  const m = /^\/reviews\/(\d+)/.exec(req.url ?? '');
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  const id = Number(m[1]);
  setTimeout(() => {
    const reviews = Array.from({ length: 3 }, (_, i) => ({ id: id * 10 + i, stars: 1 + ((id + i) % 5), text: `Review ${i + 1} of book ${id}` }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reviews));
  }, delayMs);
});
server.keepAliveTimeout = 30_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ ready: true, port: server.address().port }) + '\n');
});
const stop = () => server.close(() => process.exit(0)).closeAllConnections();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
