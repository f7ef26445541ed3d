/**
 * Store systems: the grocery chain's internal APIs the pantry calls, in their
 * own process (node:http). Live inventory of a store, price quotes from the
 * pricing engine, and the payment gateway's card authorization. Latencies are
 * uniform in the ranges of STORE_INVENTORY_MS, STORE_PRICING_MS and
 * STORE_PAYMENT_MS ("min-max" in ms).
 *
 * Prints `PANTRY_STORE_SYSTEMS_LISTENING <port>` once listening.
 *
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

function range(name: string, fallback: string): [number, number] {
  const [lo, hi] = (process.env[name] || fallback).split('-').map(Number);
  return [lo!, hi ?? lo!];
}
const INVENTORY = range('STORE_INVENTORY_MS', '15-40');
const PRICING = range('STORE_PRICING_MS', '50-100');
const PAYMENT = range('STORE_PAYMENT_MS', '30-60');

const delay = ([lo, hi]: [number, number]): Promise<void> => new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));

function stableInt(...parts: (string | number)[]): number {
  return createHash('sha1').update(parts.join(':')).digest().readUInt32BE(0);
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://store-systems');
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && (m = /^\/inventory\/(\d+)$/.exec(url.pathname))) {
      const storeId = Number(m[1]);
      const ids = (url.searchParams.get('products') ?? '').split(',').filter(Boolean).map(Number);
      await delay(INVENTORY);
      send(res, 200, {
        storeId,
        asOf: new Date().toISOString(),
        items: ids.map((productId) => {
          const h = stableInt(storeId, productId);
          return { productId, onHand: h % 60, reserved: (h >> 8) % 5, nextDelivery: new Date(Date.now() + ((h >> 4) % 72) * 3_600_000).toISOString() };
        }),
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/pricing/quote') {
      const body = await readJson(req);
      await delay(PRICING);
      const ids: number[] = Array.isArray(body.productIds) ? body.productIds.map(Number) : [];
      send(res, 200, {
        storeId: body.storeId,
        quoteId: randomUUID(),
        prices: ids.map((productId) => {
          const h = stableInt('price', body.storeId, productId);
          return { productId, unitPriceCents: 49 + (h % 1500), promo: h % 7 === 0 ? { kind: 'multibuy', label: '3 for 2' } : null };
        }),
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/payments/authorize') {
      const body = await readJson(req);
      await delay(PAYMENT);
      send(res, 201, { authorizationId: `auth_${randomUUID()}`, status: 'authorized', amountCents: body.amountCents, reference: body.reference ?? null });
      return;
    }
    if (url.pathname === '/health') return send(res, 200, { ok: true });
    send(res, 404, { error: 'not found' });
  } catch (error) {
    send(res, 500, { error: (error as Error).message });
  }
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.STORE_SYSTEMS_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`PANTRY_STORE_SYSTEMS_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => { server.close(); process.exit(0); });
