/**
 * The mail provider the helpdesk sends its notifications through (a
 * stand-in for a transactional-email API), as its own node:http process.
 *
 * `POST /v1/messages` validates the message and answers 202 once it is
 * queued (MAILER_ACCEPT_MS, default 20-80 ms). With `?wait=delivered` it
 * answers only after the SMTP handoff to the recipient's server
 * (MAILER_DELIVER_MS, default 300-800 ms more). Prints
 * `HELPDESK_MAILER_LISTENING <port>`.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';

function range(spec: string | undefined, fallback: [number, number]): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(spec ?? '');
  return m ? [Number(m[1]), Number(m[2])] : fallback;
}

const ACCEPT = range(process.env.MAILER_ACCEPT_MS, [20, 80]);
const DELIVER = range(process.env.MAILER_DELIVER_MS, [300, 800]);
const pick = ([lo, hi]: [number, number]): number => lo + Math.random() * (hi - lo);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://mailer');
  if (req.method === 'GET' && url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  if (req.method !== 'POST' || url.pathname !== '/v1/messages') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', async () => {
    let message: { to?: string; subject?: string; html?: string; clientReference?: string };
    try {
      message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid json"}');
      return;
    }
    if (!message.to?.includes('@') || !message.subject || !message.html) {
      res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"to, subject and html are required"}');
      return;
    }
    const waitDelivered = url.searchParams.get('wait') === 'delivered';
    await sleep(pick(ACCEPT) + (waitDelivered ? pick(DELIVER) : 0));
    const ack = { id: `msg_${randomUUID()}`, clientReference: message.clientReference ?? null, status: waitDelivered ? 'delivered' : 'queued' };
    res.writeHead(waitDelivered ? 200 : 202, { 'content-type': 'application/json' }).end(JSON.stringify(ack));
  });
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.MAILER_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`HELPDESK_MAILER_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
