/**
 * A stand-in for the shop's partner API (payment provider and recommender):
 * plain node:http on 127.0.0.1, latency drawn uniformly from a range per
 * operation. `PAYMENT_LATENCY_MS` and `RECS_LATENCY_MS` ("min-max") set the
 * ranges. Prints `PARTNER_LISTENING <port>` when ready.
 *
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

function range(name: string, fallback: string): [number, number] {
  const [min, max] = (process.env[name] || fallback).split('-').map(Number);
  return [min, max ?? min];
}
const payment = range('PAYMENT_LATENCY_MS', '30-70');
const recs = range('RECS_LATENCY_MS', '8-20');
const delay = ([min, max]: [number, number]): Promise<void> => new Promise((r) => setTimeout(r, min + Math.random() * (max - min)));

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://partner');
  const send = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  if (req.method === 'POST' && url.pathname === '/v1/payments') {
    req.resume();
    req.on('end', () => void delay(payment).then(() => send(201, { id: randomUUID(), status: 'captured' })));
    return;
  }
  if (req.method === 'GET' && url.pathname === '/v1/recommendations') {
    const user = Number(url.searchParams.get('user')) || 1;
    // Deterministic per user, spread over the catalogue.
    const productIds = Array.from({ length: 8 }, (_, i) => 1 + ((user * 7919 + i * 104729) % 20_000));
    void delay(recs).then(() => send(200, { productIds }));
    return;
  }
  send(404, { error: 'not found' });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`PARTNER_LISTENING ${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
