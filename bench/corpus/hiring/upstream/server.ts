/**
 * The hiring platform's partner APIs in one process: the background-check
 * provider, the interviewers' calendar provider, and the transactional email
 * provider. Latencies are uniform in the ms ranges of HIRING_BGCHECK_MS,
 * HIRING_CALENDAR_MS and HIRING_EMAIL_MS ('lo-hi').
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';

function range(name: string, fallback: string): [number, number] {
  const [lo, hi] = (process.env[name] || fallback).split('-').map(Number);
  return [lo!, hi ?? lo!];
}
const BGCHECK = range('HIRING_BGCHECK_MS', '20-50');
const CALENDAR = range('HIRING_CALENDAR_MS', '30-70');
const EMAIL = range('HIRING_EMAIL_MS', '20-40');

const delay = ([lo, hi]: [number, number]): Promise<void> => new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8').on('data', (d: string) => (s += d)).on('end', () => {
      try { resolve(s ? JSON.parse(s) : {}); } catch { resolve({}); }
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const body = await readBody(req);
  let m: RegExpExecArray | null;
  if (req.method === 'GET' && (m = /^\/v2\/checks\/(\w+)$/.exec(url.pathname))) {
    await delay(BGCHECK);
    const h = createHash('md5').update(m[1]!).digest();
    return send(res, 200, {
      subject: m[1], status: h[0]! % 10 === 0 ? 'consider' : h[0]! % 3 === 0 ? 'pending' : 'clear',
      checks: [{ type: 'identity', result: 'clear' }, { type: 'employment', result: h[1]! % 7 === 0 ? 'pending' : 'clear' },
        { type: 'criminal', result: 'clear' }], updated_at: new Date().toISOString(),
    });
  }
  if (req.method === 'POST' && url.pathname === '/calendar/v1/freebusy') {
    await delay(CALENDAR);
    const start = Date.parse((body as { from?: string }).from ?? '') || Date.now();
    return send(res, 200, { busy: [{ start: new Date(start + 4 * 3600_000).toISOString(), end: new Date(start + 5 * 3600_000).toISOString() }] });
  }
  if (req.method === 'POST' && url.pathname === '/calendar/v1/events') {
    await delay(CALENDAR);
    return send(res, 201, { id: 'evt_' + createHash('md5').update(JSON.stringify(body) + Math.random()).digest('hex').slice(0, 16) });
  }
  if (req.method === 'POST' && url.pathname === '/email/v3/send') {
    await delay(EMAIL);
    return send(res, 202, { id: 'msg_' + Math.random().toString(36).slice(2), queued: true });
  }
  send(res, 404, { error: 'not found' });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`HIRING_PARTNERS_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
