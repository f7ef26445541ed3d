/**
 * The pharmacy's partners in one node:http process: the PBM (insurance
 * eligibility and claim adjudication), the drug-interaction checker (v1 and
 * the clinical-decision-support v2 screen) and the SMS provider. Latencies
 * are uniform in fixed ms ranges from the environment (the same in every
 * build). Prints `PHARMACY_PARTNERS_LISTENING <port>` when ready.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

function range(name: string, fallback: string): [number, number] {
  const [lo, hi] = (process.env[name] ?? fallback).split('-').map(Number) as [number, number];
  return [lo, hi ?? lo];
}

const LATENCY: Record<string, [number, number]> = {
  '/pbm/eligibility': range('PARTNER_ELIGIBILITY_MS', '30-60'),
  '/pbm/claims': range('PARTNER_ADJUDICATION_MS', '250-750'),
  '/interactions/v1/check': range('PARTNER_INTERACTIONS_V1_MS', '30-70'),
  '/interactions/v2/screen': range('PARTNER_INTERACTIONS_V2_MS', '400-800'),
  '/sms/messages': range('PARTNER_SMS_MS', '25-60'),
};

function hash(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0);
}

function respond(path: string, body: Record<string, unknown>): unknown {
  switch (path) {
    case '/pbm/eligibility': {
      const h = hash(String(body.memberId));
      return { eligible: h % 50 !== 0, planCode: `PLN-${h % 900 + 100}`, copayCents: [500, 1000, 1500, 2500, 4000][h % 5], deductibleRemainingCents: h % 150000 };
    }
    case '/pbm/claims': {
      const h = hash(`${body.fillId}:${body.memberId}`);
      const paid = h % 19 !== 0;
      return { status: paid ? 'paid' : 'rejected', payerRef: `PBM-${h.toString(16)}`, paidCents: paid ? Math.round(Number(body.billedCents ?? 0) * 0.8) : 0, rejectCode: paid ? null : '70' };
    }
    case '/interactions/v1/check':
    case '/interactions/v2/screen': {
      const ndcs = (body.ndcs as string[] | undefined) ?? [];
      const alerts = [];
      for (let i = 0; i < ndcs.length; i++) {
        for (let j = i + 1; j < ndcs.length; j++) {
          const h = hash(`${ndcs[i]}|${ndcs[j]}`);
          if (h % 7 === 0) alerts.push({ ndcs: [ndcs[i], ndcs[j]], severity: ['minor', 'moderate', 'major'][h % 3], advice: 'Monitor the patient; consider an alternative.' });
        }
      }
      return path === '/interactions/v2/screen' ? { alerts, doseChecks: ndcs.map((n) => ({ ndc: n, ok: true })), allergyChecks: [], engine: 'cds-2.4' } : { alerts };
    }
    case '/sms/messages':
      return { id: `SM${hash(JSON.stringify(body)).toString(16)}`, status: 'queued' };
    default:
      return undefined;
  }
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let raw = '';
  req.setEncoding('utf8').on('data', (c: string) => (raw += c)).on('end', () => {
    const path = (req.url ?? '/').split('?')[0]!;
    const lat = LATENCY[path];
    if (!lat || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad json"}');
      return;
    }
    const delay = lat[0] + Math.random() * (lat[1] - lat[0]);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(respond(path, body)));
    }, delay);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PARTNERS_PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  console.log(`PHARMACY_PARTNERS_LISTENING ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
const shutdown = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
