/**
 * The parcel carrier the depot talks to, as its own small node:http process:
 * `POST /labels` buys a shipping label (CARRIER_LABEL_MS, default 20-40 ms)
 * and `POST /addresses/validate` checks a delivery address
 * (CARRIER_ADDRESS_MS, default 10-25 ms; the depot starts it with 30-70 ms). Prints `DEPOT_CARRIER_LISTENING <port>`.
 *
 * @module
 */
import { createServer } from 'node:http';

function range(value: string | undefined, fallback: [number, number]): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(value ?? '');
  return m ? [Number(m[1]), Number(m[2])] : fallback;
}

const LABEL_MS = range(process.env.CARRIER_LABEL_MS, [20, 40]);
const ADDRESS_MS = range(process.env.CARRIER_ADDRESS_MS, [10, 25]);
const delay = ([lo, hi]: [number, number]): Promise<void> => new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));

let labels = 0;
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8').on('data', (c: string) => (body += c));
  req.on('end', () => {
    const reply = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    if (req.method === 'POST' && req.url === '/labels') {
      void delay(LABEL_MS).then(() => {
        labels++;
        const { shipmentNo } = JSON.parse(body || '{}') as { shipmentNo?: number };
        reply(201, { tracking: `PX${String(shipmentNo ?? labels).padStart(10, '0')}DE`, labelUrl: `/labels/${labels}.pdf` });
      });
    } else if (req.method === 'POST' && req.url === '/addresses/validate') {
      void delay(ADDRESS_MS).then(() => reply(200, { valid: true, normalized: (JSON.parse(body || '{}') as { address?: string }).address ?? '' }));
    } else {
      reply(404, { error: 'not found' });
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`DEPOT_CARRIER_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
