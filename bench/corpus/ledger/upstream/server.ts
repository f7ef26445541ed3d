/**
 * The ledger's upstream: a fake risk-scoring engine and FX rates provider on
 * node:http, as a separate process on 127.0.0.1. Latencies are uniform
 * ranges from the environment (`RISK_LATENCY_MS`, `RATES_LATENCY_MS`,
 * `EOD_LATENCY_MS`, each `lo-hi` in ms), so the degraded-risk-engine fault
 * is a configuration of this process, not of the ledger.
 *
 * Routes: `POST /risk/score`, `GET /rates/history?days=N`,
 * `GET /rates/eod?month=YYYY-MM`. Prints `LEDGER_UPSTREAM_LISTENING <port>`.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CURRENCIES, dayNumber, midRate } from './rates.js';

function range(name: string, fallback: [number, number]): [number, number] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const [lo, hi] = raw.split('-').map(Number);
  return [lo, hi ?? lo];
}

const RISK = range('RISK_LATENCY_MS', [15, 35]);
const RATES = range('RATES_LATENCY_MS', [10, 30]);
const EOD = range('EOD_LATENCY_MS', [40, 90]);

const delay = ([lo, hi]: [number, number]): Promise<void> => new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
}

const RULES = ['velocity', 'new-payee', 'amount-vs-history', 'geo-mismatch', 'device-age', 'night-time', 'round-amount', 'payee-risk'];

async function score(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  await delay(RISK);
  const amount = Number(body.amountCents ?? 0);
  const score = Math.min(99, Math.round(Math.log10(amount + 10) * 9 + Math.random() * 20));
  send(res, 200, {
    score,
    decision: score > 95 ? 'review' : 'approve',
    model: 'gbm-2024-11',
    reasons: RULES.map((rule, i) => ({ rule, contribution: Number(((score * (i + 1)) / 360).toFixed(3)) })),
  });
}

async function history(url: URL, res: ServerResponse): Promise<void> {
  const days = Math.min(365, Math.max(1, Number(url.searchParams.get('days') ?? 90)));
  await delay(RATES);
  const today = dayNumber(new Date());
  const book: Record<string, { date: string; mid: number }[]> = {};
  for (const code of CURRENCIES) {
    book[code] = [];
    for (let d = today - days + 1; d <= today; d++) book[code].push({ date: new Date(d * 86_400_000).toISOString().slice(0, 10), mid: midRate(code, d) });
  }
  send(res, 200, { base: 'EUR', days, book });
}

async function endOfMonth(url: URL, res: ServerResponse): Promise<void> {
  const month = url.searchParams.get('month') ?? '';
  if (!/^\d{4}-\d{2}$/.test(month)) return send(res, 400, { error: 'month must be YYYY-MM' });
  await delay(EOD);
  const [y, m] = month.split('-').map(Number);
  const last = dayNumber(new Date(Date.UTC(y, m, 0)));
  send(res, 200, { base: 'EUR', month, rates: Object.fromEntries(CURRENCIES.map((c) => [c, midRate(c, last)])) });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://upstream');
  const route = `${req.method} ${url.pathname}`;
  const handled =
    route === 'POST /risk/score' ? score(req, res)
    : route === 'GET /rates/history' ? history(url, res)
    : route === 'GET /rates/eod' ? endOfMonth(url, res)
    : Promise.resolve(send(res, 404, { error: `no route ${route}` }));
  handled.catch((error: Error) => send(res, 500, { error: error.message }));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`LEDGER_UPSTREAM_LISTENING ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
