/**
 * The partners the locker API depends on, in their own node:http process:
 * the payment gateway (POST /v1/charges) and the messaging provider (POST
 * /v1/sms, POST /v1/email). Latencies are ranges in ms from the environment
 * (PARTNER_PAYMENT_MS, PARTNER_SMS_MS, PARTNER_EMAIL_MS, e.g. '80-180').
 * Prints `LOCKER_PARTNERS_LISTENING <port>`.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

function range(name: string, fallback: string): [number, number] {
  const [lo, hi] = (process.env[name] || fallback).split('-').map(Number);
  return [lo!, hi ?? lo!];
}

const LATENCY = {
  payment: range('PARTNER_PAYMENT_MS', '80-180'),
  sms: range('PARTNER_SMS_MS', '20-50'),
  email: range('PARTNER_EMAIL_MS', '30-70'),
};
const DECLINE_RATE = Number(process.env.PARTNER_DECLINE_RATE ?? '0.015');

function delay([lo, hi]: [number, number]): Promise<void> {
  return new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return {};
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer(async (req, res) => {
  try {
    const payload = await readJson(req);
    if (req.method === 'POST' && req.url === '/v1/charges') {
      await delay(LATENCY.payment);
      const declined = Math.random() < DECLINE_RATE;
      send(res, declined ? 402 : 201, { id: `ch_${randomBytes(8).toString('hex')}`, status: declined ? 'declined' : 'captured', amountCents: payload.amountCents, ...(declined ? { declineCode: 'insufficient_funds' } : {}) });
    } else if (req.method === 'POST' && req.url === '/v1/sms') {
      await delay(LATENCY.sms);
      send(res, 202, { id: `sms_${randomBytes(8).toString('hex')}`, status: 'queued' });
    } else if (req.method === 'POST' && req.url === '/v1/email') {
      await delay(LATENCY.email);
      send(res, 202, { id: `em_${randomBytes(8).toString('hex')}`, status: 'queued' });
    } else {
      send(res, 404, { error: 'not_found' });
    }
  } catch (error) {
    send(res, 500, { error: String(error) });
  }
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`LOCKER_PARTNERS_LISTENING ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.once('SIGTERM', () => { server.close(); server.closeAllConnections(); process.exit(0); });
