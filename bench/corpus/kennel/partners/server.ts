/**
 * The kennel's partners as one node:http process: the card payment gateway
 * (deposit authorization), the vet-records registry (certificate
 * verification, a pet's registry record) and the SMS provider. Each answers
 * after a latency drawn uniformly from its `KENNEL_*_MS` range ("lo-hi" ms),
 * so a fault's world can make one partner slow without touching the service.
 *
 * Prints `KENNEL_PARTNERS_LISTENING <port>` once listening.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

function range(name: string, fallback: string): [number, number] {
  const [lo, hi] = (process.env[name] || fallback).split('-').map(Number) as [number, number];
  return [lo, hi ?? lo];
}

const LATENCY = {
  payment: range('KENNEL_PAYMENT_MS', '60-140'),
  vet: range('KENNEL_VET_MS', '30-70'),
  sms: range('KENNEL_SMS_MS', '15-35'),
};

function delay([lo, hi]: [number, number]): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, lo + Math.random() * (hi - lo)));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
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

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://partners');
  const body = await readBody(req);
  if (req.method === 'POST' && url.pathname === '/payments/authorize') {
    await delay(LATENCY.payment);
    send(res, 200, { id: `pay_${randomUUID()}`, status: 'authorized', amountCents: body.amountCents ?? 0 });
  } else if (req.method === 'POST' && url.pathname === '/vet/verify') {
    await delay(LATENCY.vet);
    // The registry knows most certificates; a few are pending sync on its side.
    const cert = String(body.certificateNo ?? '');
    send(res, 200, { certificateNo: cert, valid: true, status: cert.endsWith('7') ? 'pending' : 'verified' });
  } else if (req.method === 'GET' && url.pathname.startsWith('/vet/pets/')) {
    await delay(LATENCY.vet);
    const petId = url.pathname.split('/')[3];
    send(res, 200, { petId, microchip: `9410000${petId}`, records: [{ vaccine: 'rabies', status: 'current' }, { vaccine: 'dhpp', status: 'current' }] });
  } else if (req.method === 'POST' && url.pathname === '/sms/send') {
    await delay(LATENCY.sms);
    send(res, 202, { id: `sms_${randomUUID()}`, queued: true });
  } else {
    send(res, 404, { error: 'not found' });
  }
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.KENNEL_PARTNERS_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`KENNEL_PARTNERS_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
