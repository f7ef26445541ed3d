/**
 * The partner platform the newsroom depends on, as a stand-in process
 * (node:http): the image CDN's rendition-signing API, the comment-moderation
 * model and push/email notifications. Each operation answers after a latency
 * drawn uniformly from its configured range (ms, `lo-hi`), so a deploy can
 * model a degraded partner. Prints `NEWSROOM_PARTNER_LISTENING <port>`.
 *
 * @module
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

function range(name: string, fallback: string): [number, number] {
  const [lo, hi] = (process.env[name] ?? fallback).split('-').map(Number) as [number, number];
  return [lo, hi ?? lo];
}

const LATENCY = {
  renditions: range('PARTNER_RENDITIONS_MS', '8-20'),
  moderation: range('PARTNER_MODERATION_MS', '40-90'),
  notify: range('PARTNER_NOTIFY_MS', '15-35'),
};

const sleep = ([lo, hi]: [number, number]): Promise<void> => new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const SIGNING_KEY = 'partner-cdn-signing-key';

const server = createServer((req, res) => {
  void (async () => {
    try {
      const url = new URL(req.url ?? '/', 'http://partner');
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true });
      if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
      const body = await readJson(req);
      switch (url.pathname) {
        case '/v1/renditions': {
          await sleep(LATENCY.renditions);
          const images = (body.images as { key: string; width: number; height: number }[] | undefined) ?? [];
          const widths = (body.widths as number[] | undefined) ?? [640];
          const expires = Math.floor(Date.now() / 1000) + 3600;
          return send(res, 200, {
            renditions: images.map((img) => ({
              key: img.key,
              expiresAt: new Date(expires * 1000).toISOString(),
              urls: Object.fromEntries(widths.map((w) => {
                const path = `/${img.key}?w=${w}&fmt=${String(body.format ?? 'webp')}&exp=${expires}`;
                const sig = createHmac('sha256', SIGNING_KEY).update(path).digest('hex').slice(0, 32);
                return [String(w), `https://cdn.partner.example${path}&sig=${sig}`];
              })),
            })),
          });
        }
        case '/v1/moderation/score': {
          await sleep(LATENCY.moderation);
          const text = String(body.text ?? '');
          // Deterministic stand-in for the model: most comments are fine, a few are borderline or toxic.
          const h = createHash('md5').update(text).digest()[0]! / 255;
          const score = h < 0.9 ? h * 0.5 : h;
          return send(res, 200, { score: Math.round(score * 1000) / 1000, labels: score >= 0.6 ? ['insult'] : [], model: 'toxicity-v7' });
        }
        case '/v1/notifications': {
          await sleep(LATENCY.notify);
          return send(res, 202, { id: createHash('sha1').update(JSON.stringify(body) + Date.now()).digest('hex').slice(0, 16), queued: true });
        }
        default:
          return send(res, 404, { error: 'not found' });
      }
    } catch (error) {
      send(res, 500, { error: (error as Error).message });
    }
  })();
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PARTNER_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`NEWSROOM_PARTNER_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  // The API keeps connections alive; don't wait for them to idle out.
  server.closeAllConnections();
});
