/**
 * The bikeshare's partners in one node:http process: payment gateway
 * (/v1/charges), dock controller cloud (/v1/docks/:id/commands, /unlock),
 * SMS/push provider (/v1/messages) and the city's open-data geocoder
 * (/v1/geocode/reverse). Latencies are uniform in ranges set by env
 * (`lo-hi` ms). Prints `BIKESHARE_PARTNERS_LISTENING <port>` once bound.
 *
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

function range(name: string, fallback: string): [number, number] {
  const [lo, hi] = (process.env[name] ?? fallback).split('-').map(Number);
  return [lo!, hi ?? lo!];
}

const LATENCY = {
  charge: range('PARTNER_PAYMENT_MS', '90-220'),
  dockCommand: range('PARTNER_DOCK_COMMAND_MS', '15-40'),
  dockUnlockWait: range('PARTNER_DOCK_UNLOCK_WAIT_MS', '400-1000'),
  message: range('PARTNER_MESSAGE_MS', '20-60'),
  geocode: range('PARTNER_GEOCODE_MS', '150-350'),
};

const delay = ([lo, hi]: [number, number]): Promise<void> => new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
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

const STREETS = ['N Clark St', 'W Division St', 'N Halsted St', 'W Grand Ave', 'S Canal St', 'N Damen Ave', 'W Madison St', 'N Wells St'];
const HOODS = ['Loop', 'West Loop', 'Wicker Park', 'Lincoln Park', 'Pilsen', 'Bucktown', 'River North', 'Old Town'];

const server = createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? '/', 'http://partner');
    const body = req.method === 'POST' ? await readBody(req) : {};
    const path = url.pathname;
    if (req.method === 'POST' && path === '/v1/charges') {
      await delay(LATENCY.charge);
      const amount = Number(body.amount);
      if (!Number.isFinite(amount) || amount < 0) return send(res, 400, { error: 'invalid_amount' });
      const ref = createHash('sha1').update(String(body.idempotency_key ?? randomUUID())).digest('hex').slice(0, 24);
      return send(res, 200, { id: `ch_${ref}`, status: 'succeeded', amount, currency: body.currency ?? 'usd', card_last4: String(1000 + (ref.charCodeAt(0) * 37) % 9000) });
    }
    let m = /^\/v1\/docks\/(\d+)\/commands$/.exec(path);
    if (req.method === 'POST' && m) {
      await delay(LATENCY.dockCommand);
      return send(res, 202, { command_id: randomUUID(), dock: Number(m[1]), action: body.action ?? 'unlock', state: 'queued' });
    }
    m = /^\/v1\/docks\/(\d+)\/unlock$/.exec(path);
    if (req.method === 'POST' && m) {
      const t0 = Date.now();
      await delay(LATENCY.dockUnlockWait);
      return send(res, 200, { dock: Number(m[1]), opened: true, latch_ms: Date.now() - t0 });
    }
    if (req.method === 'POST' && path === '/v1/messages') {
      await delay(LATENCY.message);
      return send(res, 202, { message_id: randomUUID(), status: 'accepted' });
    }
    if (req.method === 'GET' && path === '/v1/geocode/reverse') {
      await delay(LATENCY.geocode);
      const lat = Number(url.searchParams.get('lat'));
      const lon = Number(url.searchParams.get('lon'));
      const k = Math.abs(Math.round(lat * 1e4) + Math.round(lon * 1e4));
      return send(res, 200, { address: `${100 + (k % 4800)} ${STREETS[k % STREETS.length]}`, neighborhood: HOODS[(k >> 3) % HOODS.length], city: 'Chicago' });
    }
    if (path === '/healthz') return send(res, 200, { ok: true });
    send(res, 404, { error: 'not_found' });
  })().catch((error: unknown) => {
    if (!res.headersSent) send(res, 500, { error: String(error) });
  });
});

server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PARTNER_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`BIKESHARE_PARTNERS_LISTENING ${port}`);
});

const shutdown = (): void => {
  server.close();
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 200).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
