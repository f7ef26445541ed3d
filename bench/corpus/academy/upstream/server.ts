/**
 * The media service the academy talks to (the video CDN's token signer and
 * its document renderer), as its own small node:http process:
 *
 * - `POST /v1/playback-tokens` `{ asset, viewer, ttlSeconds }` answers after MEDIA_SIGN_MS (a range,
 *   default 25-60 ms: a key lookup in the vendor's regional KMS) with an HMAC-signed HLS URL and
 *   the asset's renditions.
 * - `POST /v1/documents` `{ template, fields }` answers after MEDIA_RENDER_MS (default 150-300 ms: a
 *   headless PDF render) with the document's id, URL and SHA-256.
 *
 * Prints `ACADEMY_MEDIA_LISTENING <port>`.
 *
 * @module
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

function range(value: string | undefined, fallback: [number, number]): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(value ?? '');
  return m ? [Number(m[1]), Number(m[2])] : fallback;
}

const SIGN_MS = range(process.env.MEDIA_SIGN_MS, [25, 60]);
const RENDER_MS = range(process.env.MEDIA_RENDER_MS, [150, 300]);
const KEY = 'cdn-signing-key-2026';
const between = ([lo, hi]: [number, number]): number => lo + Math.random() * (hi - lo);
const delay = (r: [number, number]): Promise<void> => new Promise((resolve) => setTimeout(resolve, between(r)));

const server = createServer((req, res) => {
  let text = '';
  req.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => {
    const reply = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text || '{}') as Record<string, unknown>;
    } catch {
      reply(400, { error: 'malformed JSON' });
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/playback-tokens') {
      void delay(SIGN_MS).then(() => {
        const expires = Math.floor(Date.now() / 1000) + Number(body.ttlSeconds ?? 3600);
        const path = `/hls/${String(body.asset)}/master.m3u8`;
        const signature = createHmac('sha256', KEY).update(`${path}|${expires}|${String(body.viewer)}`).digest('base64url');
        reply(200, {
          url: `https://cdn.example.com${path}?exp=${expires}&sig=${signature}`,
          expiresAt: new Date(expires * 1000).toISOString(),
          renditions: [{ height: 360, bitrateKbps: 800 }, { height: 720, bitrateKbps: 2500 }, { height: 1080, bitrateKbps: 5000 }],
        });
      });
    } else if (req.method === 'POST' && req.url === '/v1/documents') {
      void delay(RENDER_MS).then(() => {
        const documentId = randomUUID();
        reply(200, { documentId, url: `https://media.example.com/docs/${documentId}.pdf`, sha256: createHash('sha256').update(text).digest('hex'), pages: 1 });
      });
    } else {
      reply(404, { error: 'not found' });
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`ACADEMY_MEDIA_LISTENING ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
