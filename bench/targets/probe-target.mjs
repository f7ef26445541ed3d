// Bench target for probe-overhead.ts: a cheap node:http server (GET / answers
// at once) that also exposes a realistic Prometheus /metrics page
// (prom-client's default metrics plus an HTTP histogram over a dozen routes),
// so the prometheus probe scrapes and parses what a real service serves.
import http from 'node:http';
import client from 'prom-client';
import { parseArgs } from '../lib/procs.mjs';

const args = parseArgs(process.argv.slice(2), { port: '0' });
const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });
const histogram = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'request duration',
  labelNames: ['method', 'route', 'status_code'],
  registers: [registry],
});
const routes = ['/', '/orders/:id', '/orders', '/users/:id', '/users', '/cart', '/cart/items', '/search', '/products/:id', '/products', '/login', '/health'];
// Pre-populate every route so the page has its full size from the first scrape.
for (const route of routes) histogram.observe({ method: 'GET', route, status_code: '200' }, 0.002);

const body = '{"ok":true}';
const server = http.createServer(async (req, res) => {
  if (req.url === '/metrics') {
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
    return;
  }
  histogram.observe({ method: 'GET', route: '/', status_code: '200' }, 0.0005);
  res.setHeader('content-type', 'application/json');
  res.end(body);
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(Number(args.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, pid: process.pid })}\n`);
});
