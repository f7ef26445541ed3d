/**
 * The partner platform the voyage depends on, in its own process: GDS seat
 * availability and seat holds, payment authorization, transactional e-mail.
 * Latencies are uniform in the ranges given by PARTNER_GDS_AVAIL_MS,
 * PARTNER_GDS_HOLD_MS, PARTNER_PAYMENT_MS and PARTNER_EMAIL_MS ("lo-hi").
 * Prints `VOYAGE_PARTNER_LISTENING <port>` once ready.
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

function range(name: string, fallback: string): [number, number] {
  const [lo, hi] = (process.env[name] ?? fallback).split('-').map(Number) as [number, number];
  return [lo, hi ?? lo];
}

const LATENCY = {
  availability: range('PARTNER_GDS_AVAIL_MS', '20-40'),
  hold: range('PARTNER_GDS_HOLD_MS', '20-40'),
  payment: range('PARTNER_PAYMENT_MS', '40-80'),
  email: range('PARTNER_EMAIL_MS', '15-30'),
};

const FARE_CLASSES = ['Y', 'B', 'K', 'Q', 'W', 'E', 'J', 'C', 'D'];

function delay([lo, hi]: [number, number]): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, lo + Math.random() * (hi - lo)));
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8').on('data', (c: string) => (data += c)).on('end', () => {
      try {
        resolve(data ? JSON.parse(data) : {});
      } catch (error) {
        reject(error);
      }
    }).on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://partner');
  const route = `${req.method} ${url.pathname}`;
  void (async () => {
    if (route === 'GET /gds/availability') {
      const flight = Number(url.searchParams.get('flight'));
      await delay(LATENCY.availability);
      // Deterministic per flight and hour, like a real inventory snapshot.
      const seed = createHash('sha1').update(`${flight}:${new Date().getUTCHours()}`).digest();
      send(res, 200, { flightId: flight, source: 'gds-amadeus', buckets: FARE_CLASSES.map((fareClass, i) => ({ fareClass, seats: seed[i]! % 10 })) });
    } else if (route === 'POST /gds/holds') {
      await readBody(req);
      await delay(LATENCY.hold);
      send(res, 201, { holdId: `H${randomBytes(6).toString('hex')}`, expiresInS: 900 });
    } else if (route === 'POST /payments/authorize') {
      await readBody(req);
      await delay(LATENCY.payment);
      send(res, 201, { authorization: `AUTH-${randomBytes(6).toString('hex').toUpperCase()}`, status: 'approved' });
    } else if (route === 'POST /email/send') {
      await readBody(req);
      await delay(LATENCY.email);
      send(res, 202, { messageId: randomBytes(8).toString('hex') });
    } else {
      send(res, 404, { error: 'not found' });
    }
  })().catch((error: unknown) => send(res, 400, { error: String(error) }));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PARTNER_PORT ?? 0), '127.0.0.1', () => {
  console.log(`VOYAGE_PARTNER_LISTENING ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
