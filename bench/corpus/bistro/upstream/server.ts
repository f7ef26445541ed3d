/**
 * The bistro's partners, in their own process like the third-party APIs
 * they stand for: an address geocoder, a delivery-quote service (courier
 * marketplace), a payment gateway and an SMS provider. Each answers after a
 * uniformly drawn latency from its range (env `BISTRO_<NAME>_MS=lo-hi`).
 *
 * Designed (healthy) latencies: geocoder 30–80 ms, delivery quote 300–600 ms,
 * payment authorization 150–400 ms, SMS 20–50 ms.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

function range(name: string, fallback: string): [number, number] {
  const [lo, hi] = (process.env[name] ?? fallback).split('-').map(Number) as [number, number];
  return [lo, hi];
}

const LATENCY: Record<string, [number, number]> = {
  '/v1/geocode': range('BISTRO_GEOCODER_MS', '30-80'),
  '/v2/quotes': range('BISTRO_DELIVERY_QUOTE_MS', '300-600'),
  '/v1/authorizations': range('BISTRO_PAYMENT_MS', '150-400'),
  '/v1/messages': range('BISTRO_SMS_MS', '20-50'),
};

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8').on('data', (c: string) => (s += c)).on('end', () => {
      try {
        resolve(s ? JSON.parse(s) : {});
      } catch {
        resolve({});
      }
    });
  });
}

function answer(path: string, body: Record<string, unknown>): unknown {
  const digest = createHash('sha1').update(JSON.stringify(body)).digest('hex');
  switch (path) {
    case '/v1/geocode': {
      const n = parseInt(digest.slice(0, 8), 16);
      return { lat: 45.75 + (n % 1000) / 10000, lng: 4.85 + ((n >> 10) % 1000) / 10000, confidence: 0.92, formatted: String(body.address ?? '') };
    }
    case '/v2/quotes': {
      const n = parseInt(digest.slice(0, 6), 16);
      return { quoteId: `q_${digest.slice(0, 16)}`, feeCents: 290 + (n % 400), etaMinutes: 25 + (n % 30), courier: ['Rapido', 'Velo', 'Cargo'][n % 3] };
    }
    case '/v1/authorizations':
      return { authorizationCode: `AUTH-${digest.slice(0, 10).toUpperCase()}`, status: 'approved', amountCents: body.amountCents };
    case '/v1/messages':
      return { messageId: `sms_${digest.slice(0, 12)}`, status: 'queued' };
    default:
      return undefined;
  }
}

const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
  const path = (req.url ?? '/').split('?')[0]!;
  const body = await readBody(req);
  const latency = LATENCY[path];
  if (!latency || req.method !== 'POST') {
    res.writeHead(path === '/health' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    return;
  }
  const [lo, hi] = latency;
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(path, body)));
  }, lo + Math.random() * (hi - lo));
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.BISTRO_PARTNERS_PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  console.log(`BISTRO_PARTNERS_LISTENING ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
