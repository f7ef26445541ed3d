// A small example service for the quick start: a few JSON endpoints with
// realistic, slightly variable latencies. It listens on 127.0.0.1 (port from
// PORT, default 0 = any free port) and prints one line: `listening <port>`.
import { createServer } from 'node:http';

const orders = new Map();
for (let id = 1; id <= 10_000; id++) orders.set(id, { id, customer: id % 977, total: (id * 37) % 500, items: 1 + (id % 5) });
const products = Array.from({ length: 500 }, (_, i) => ({ id: i + 1, name: `product-${i + 1}`, price: 5 + (i % 90) }));

/** Resolve after roughly `ms` milliseconds with a little jitter, like a real dependency. */
const work = (ms) => new Promise((resolve) => setTimeout(resolve, ms * (0.6 + Math.random() * 0.8)));

function send(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').filter(Boolean);
  if (req.method === 'GET' && url.pathname === '/api/health') return send(res, 200, { ok: true });
  if (req.method === 'GET' && parts[0] === 'api' && parts[1] === 'orders' && parts.length === 3) {
    await work(4);
    const order = orders.get(Number(parts[2]));
    return order ? send(res, 200, order) : send(res, 404, { error: 'not found' });
  }
  if (req.method === 'GET' && url.pathname === '/api/products') {
    await work(12);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    return send(res, 200, products.slice((page - 1) * 20, page * 20));
  }
  if (req.method === 'POST' && url.pathname === '/api/orders') {
    let body = '';
    for await (const chunk of req) body += chunk;
    await work(8);
    const id = orders.size + 1;
    orders.set(id, { id, ...JSON.parse(body || '{}') });
    return send(res, 201, { id });
  }
  send(res, 404, { error: 'no route' });
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
