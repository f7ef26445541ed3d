/**
 * The payment provider the venue charges cards at, as its own small node:http
 * process: `POST /charges` answers 201 with a charge id after
 * PAYMENTS_CHARGE_MS (a range, default 40-80 ms; the venue starts it with
 * 150-250 ms), and `POST /risk` scores a customer for bot/fraud risk after
 * PAYMENTS_RISK_MS (default 20-40 ms; the venue starts it with 80-120 ms). Prints `VENUE_PAYMENTS_LISTENING <port>`.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

function range(value: string | undefined, fallback: [number, number]): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(value ?? '');
  return m ? [Number(m[1]), Number(m[2])] : fallback;
}

const CHARGE_MS = range(process.env.PAYMENTS_CHARGE_MS, [40, 80]);
const RISK_MS = range(process.env.PAYMENTS_RISK_MS, [20, 40]);
const delay = ([lo, hi]: [number, number]): Promise<void> => new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8').on('data', (c: string) => (body += c));
  req.on('end', () => {
    const reply = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    if (req.method === 'POST' && req.url === '/charges') {
      void delay(CHARGE_MS).then(() => {
        const { reference, amountCents } = JSON.parse(body || '{}') as { reference?: string; amountCents?: number };
        reply(201, { id: `ch_${createHash('sha1').update(String(reference)).digest('hex').slice(0, 20)}`, amountCents, status: 'succeeded' });
      });
    } else if (req.method === 'POST' && req.url === '/risk') {
      void delay(RISK_MS).then(() => {
        const { customerId } = JSON.parse(body || '{}') as { customerId?: number };
        reply(200, { customerId, score: ((customerId ?? 0) * 7919) % 100, decision: 'allow' });
      });
    } else {
      reply(404, { error: 'not found' });
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`VENUE_PAYMENTS_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
