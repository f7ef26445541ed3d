/**
 * The studio's partners, stubbed in their own process: the card payment
 * gateway (`POST /v1/charges`) and the SMS provider (`POST /v1/messages`).
 * Each answers after a latency drawn from its configured range, like the
 * sandbox endpoints the team tests against.
 *
 *   PARTNERS_PORT=0 PARTNERS_GATEWAY_MS=40-90 PARTNERS_SMS_MS=20-60 node --import tsx partners/server.ts
 *
 * Prints `STUDIO_PARTNERS_LISTENING <port>` once listening.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

function range(spec: string | undefined, fallback: [number, number]): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(spec ?? '');
  return m ? [Number(m[1]), Number(m[2])] : fallback;
}

const GATEWAY_MS = range(process.env.PARTNERS_GATEWAY_MS, [40, 90]);
const SMS_MS = range(process.env.PARTNERS_SMS_MS, [20, 60]);

const delay = ([lo, hi]: [number, number]): Promise<void> => new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  void (async () => {
    const body = await readJson(req);
    if (req.method === 'POST' && req.url === '/v1/charges') {
      await delay(GATEWAY_MS);
      const amount = Number(body.amount ?? 0);
      if (!Number.isFinite(amount) || amount <= 0) return send(res, 400, { error: 'invalid_amount' });
      return send(res, 201, { id: `ch_${randomUUID().replaceAll('-', '')}`, status: 'captured', amount, currency: body.currency ?? 'eur' });
    }
    if (req.method === 'POST' && req.url === '/v1/messages') {
      await delay(SMS_MS);
      return send(res, 202, { id: `sms_${randomUUID()}`, status: 'queued' });
    }
    if (req.method === 'GET' && req.url === '/health') return send(res, 200, { ok: true });
    send(res, 404, { error: 'not_found' });
  })().catch(() => send(res, 500, { error: 'internal' }));
});
server.keepAliveTimeout = 65_000;

server.listen(Number(process.env.PARTNERS_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`STUDIO_PARTNERS_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
