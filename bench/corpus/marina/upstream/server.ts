/**
 * The marina's partners in one node:http process: the weather/tide service
 * (forecast, tide tables, live tide gauge), the payment gateway, the tax
 * authority's fiscal receipt signing and the e-mail provider. Latencies are ranges in ms from the environment:
 * PARTNER_WEATHER_MS, PARTNER_TIDES_MS, PARTNER_TIDE_GAUGE_MS,
 * PARTNER_PAYMENT_MS, PARTNER_EMAIL_MS, PARTNER_FISCAL_MS (e.g. '20-50').
 * Prints `MARINA_PARTNERS_LISTENING <port>`.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';

function range(name: string, fallback: string): [number, number] {
  const [lo, hi] = (process.env[name] ?? fallback).split('-').map(Number);
  return [lo!, hi ?? lo!];
}

const LATENCY = {
  weather: range('PARTNER_WEATHER_MS', '20-50'),
  tides: range('PARTNER_TIDES_MS', '15-40'),
  gauge: range('PARTNER_TIDE_GAUGE_MS', '300-700'),
  payment: range('PARTNER_PAYMENT_MS', '60-140'),
  email: range('PARTNER_EMAIL_MS', '400-900'),
  fiscal: range('PARTNER_FISCAL_MS', '40-90'),
};

const sleep = ([lo, hi]: [number, number]) => new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : {};
}

function tideTable(harbour: number): { time: string; heightM: number; kind: string }[] {
  const out = [];
  const base = Date.now() - (Date.now() % 3_600_000);
  for (let i = 0; i < 8; i++) {
    out.push({ time: new Date(base + i * 6.2 * 3_600_000).toISOString(), heightM: Math.round((i % 2 ? 0.6 : 4.8) * 100 + harbour) / 100, kind: i % 2 ? 'low' : 'high' });
  }
  return out;
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://partner');
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/weather\/(\d+)$/.exec(url.pathname))) {
      await sleep(LATENCY.weather);
      const h = Number(m[1]);
      return send(res, 200, {
        harbour: h,
        issuedAt: new Date().toISOString(),
        hours: Array.from({ length: 24 }, (_, i) => ({ hour: i, windKn: 8 + ((h * 7 + i * 3) % 20), gustKn: 14 + ((h + i) % 25), dir: (h * 40 + i * 5) % 360, seaState: 1 + ((h + i) % 5) })),
      });
    }
    if (req.method === 'GET' && (m = /^\/tides\/(\d+)$/.exec(url.pathname))) {
      await sleep(LATENCY.tides);
      return send(res, 200, { harbour: Number(m[1]), table: tideTable(Number(m[1])) });
    }
    if (req.method === 'GET' && (m = /^\/tides\/(\d+)\/live$/.exec(url.pathname))) {
      await sleep(LATENCY.gauge);
      return send(res, 200, { harbour: Number(m[1]), heightM: 2 + Math.sin(Date.now() / 7_000_000) * 2, readAt: new Date().toISOString() });
    }
    if (req.method === 'POST' && url.pathname === '/payments/authorize') {
      const body = (await readBody(req)) as { amountCents?: number };
      await sleep(LATENCY.payment);
      return send(res, 200, { status: 'captured', ref: `pay_${randomUUID()}`, amountCents: body.amountCents ?? 0 });
    }
    if (req.method === 'POST' && url.pathname === '/fiscal/sign') {
      const body = (await readBody(req)) as { receiptNo?: string; totalCents?: number };
      await sleep(LATENCY.fiscal);
      return send(res, 200, { receiptNo: body.receiptNo, signature: createHash('sha256').update(`${body.receiptNo}:${body.totalCents}`).digest('base64url') });
    }
    if (req.method === 'POST' && url.pathname === '/email/send') {
      await readBody(req);
      await sleep(LATENCY.email);
      return send(res, 202, { queued: true, id: randomUUID() });
    }
    send(res, 404, { error: 'not found' });
  } catch (error) {
    send(res, 500, { error: (error as Error).message });
  }
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`MARINA_PARTNERS_LISTENING ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => { server.close(); server.closeAllConnections(); process.exit(0); });
