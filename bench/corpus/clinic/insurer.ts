/**
 * A fake insurance/SMS gateway on 127.0.0.1 for the clinic service: the
 * upstream the service calls for eligibility checks and booking
 * confirmations. It only waits (timers), so it costs almost no CPU.
 *
 * - `GET /v2/eligibility/:member` — current API, 8–20 ms.
 * - `GET /v1/eligibility/:member` — legacy API kept for old clients, 250–450 ms
 *   (it recomputes coverage synchronously on the insurer's side).
 * - `POST /v1/sms` — 6–12 ms.
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running fake insurer. */
export interface FakeInsurer {
  url: string;
  close(): Promise<void>;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

/** Start the fake insurer on a free loopback port. */
export async function startFakeInsurer(): Promise<FakeInsurer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      // Drain any request body before answering.
      for await (const _ of req) void _;
      const eligibility = /^\/v([12])\/eligibility\/([A-Za-z0-9]+)$/.exec(url);
      if (req.method === 'GET' && eligibility) {
        await delay(eligibility[1] === '1' ? between(250, 450) : between(8, 20));
        const member = eligibility[2];
        const eligible = member.charCodeAt(member.length - 1) % 7 !== 0;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ member, eligible, plan: eligible ? 'standard' : null, copayCents: eligible ? 1500 : null }));
        return;
      }
      if (req.method === 'POST' && url === '/v1/sms') {
        await delay(between(6, 12));
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"queued":true}');
        return;
      }
      res.writeHead(404).end();
    })();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
