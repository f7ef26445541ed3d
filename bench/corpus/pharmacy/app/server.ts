/**
 * The pharmacy chain API: @hapi/hapi 21, pg-promise 11 (pool of 6,
 * application_name 'pharmacy-api'), ioredis 5, prom-client 15. One build per
 * fault: PHARMACY_FAULT switches the planted mistake on (see ../faults.ts).
 * Prints `PHARMACY_LISTENING <port>` once the drug catalogue and the pickup
 * board are loaded and the most dispensed drugs' pages are in the cache.
 *
 * @module
 */
import { createHmac, pbkdf2Sync } from 'node:crypto';
import Hapi from '@hapi/hapi';
import pgPromise from 'pg-promise';
import { Redis } from 'ioredis';
import client from 'prom-client';

const FAULT = process.env.PHARMACY_FAULT || null;
const PARTNERS = process.env.PHARMACY_PARTNERS_URL ?? 'http://127.0.0.1:9';
const POOL_MAX = Number(process.env.PHARMACY_PG_POOL_MAX ?? 6);

const pgp = pgPromise({});
const db = pgp({ connectionString: process.env.PHARMACY_PG_URL!, max: POOL_MAX, application_name: 'pharmacy-api', idleTimeoutMillis: 30_000 });
const redis = new Redis(process.env.PHARMACY_REDIS_URL!, { maxRetriesPerRequest: 2 });

// ---------------------------------------------------------------- metrics
const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });
const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration in seconds',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
new client.Gauge({
  name: 'pg_pool_connections',
  help: 'pg-promise pool connections by state',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    const pool = db.$pool;
    this.set({ state: 'total' }, pool.totalCount);
    this.set({ state: 'idle' }, pool.idleCount);
    this.set({ state: 'waiting' }, pool.waitingCount);
  },
});

// ---------------------------------------------------------------- partners
async function partner<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(PARTNERS + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`partner ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

// ---------------------------------------------------------------- boot-time state
interface CatalogueDrug { id: number; ndc: string; name: string; generic_name: string; strength: string; form: string; unit_price_cents: number }
let catalogue: CatalogueDrug[] = [];

const LABEL_SECRET = 'riverside-label-signing-secret';
const LABEL_SALT = 'label-v3';
const LABEL_KEY_ITERATIONS = 100_000;
const LABEL_KEY = pbkdf2Sync(LABEL_SECRET, LABEL_SALT, LABEL_KEY_ITERATIONS, 32, 'sha256');

const DRUG_CACHE_TTL_SECONDS = 600;
const WARM_DRUGS = 300;
const PATIENT_CACHE_TTL_SECONDS = 120;

/** The in-store pickup board: one JSON key per queued/ready fill plus a per-store index (sorted by time). */
async function loadPickupBoard(): Promise<number> {
  const rows = await db.any<{ id: number; store_id: number; status: string; ts: number; rx_number: string; first_name: string; last_name: string }>(`
    SELECT f.id, f.store_id, f.status, extract(epoch FROM f.filled_at)::float8 AS ts, p.rx_number, pt.first_name, pt.last_name
    FROM fills f JOIN prescriptions p ON p.id = f.prescription_id JOIN patients pt ON pt.id = p.patient_id
    WHERE f.status IN ('queued', 'ready')`);
  for (let i = 0; i < rows.length; i += 5000) {
    const pipe = redis.pipeline();
    for (const r of rows.slice(i, i + 5000)) {
      pipe.set(`pickup:${r.store_id}:${r.id}`, JSON.stringify(boardEntry(r)));
      pipe.zadd(`pickup:idx:${r.store_id}`, r.ts, String(r.id));
    }
    await pipe.exec();
  }
  return rows.length;
}

function boardEntry(r: { id: number; status: string; ts: number; rx_number: string; first_name: string; last_name: string }): Record<string, unknown> {
  return { fillId: r.id, rx: `***${r.rx_number.slice(-4)}`, name: `${r.first_name} ${r.last_name[0]}.`, status: r.status, since: new Date(r.ts * 1000).toISOString() };
}

/** The drug page from the database, written to the cache; null for an unknown NDC. */
async function loadDrugPage(ndc: string): Promise<string | null> {
  const page = await db.task(async (t) => {
    const drug = await t.oneOrNone('SELECT id, ndc, name, generic_name, strength, form, schedule, manufacturer, unit_price_cents, monograph FROM drugs WHERE ndc = $1', [ndc]);
    if (!drug) return null;
    const alternatives = await t.any('SELECT ndc, name, strength, manufacturer, unit_price_cents FROM drugs WHERE generic_name = $1 AND id <> $2 ORDER BY unit_price_cents LIMIT 10', [drug.generic_name, drug.id]);
    const stock = await t.one('SELECT count(*) FILTER (WHERE on_hand > 0)::int AS stores_in_stock, coalesce(sum(on_hand), 0)::int AS units_on_hand FROM inventory WHERE drug_id = $1', [drug.id]);
    const dispensed = await t.one(`SELECT count(*)::int AS fills_30d, coalesce(sum(f.quantity), 0)::int AS units_30d
      FROM prescriptions p JOIN fills f ON f.prescription_id = p.id
      WHERE p.drug_id = $1 AND f.filled_at > now() - interval '30 days'`, [drug.id]);
    return { ...drug, alternatives, stock, dispensed };
  });
  if (!page) return null;
  const json = JSON.stringify(page);
  if (FAULT === 'drug-cache-ttl-ms') await redis.set(`drug:${ndc}`, json, 'PX', DRUG_CACHE_TTL_SECONDS);
  else await redis.set(`drug:${ndc}`, json, 'EX', DRUG_CACHE_TTL_SECONDS);
  return json;
}

/** Deploy-time cache warming: the pages of the most dispensed drugs. */
async function warmDrugCache(): Promise<void> {
  const top = catalogue.slice(0, WARM_DRUGS).map((d) => d.ndc);
  const worker = async (): Promise<void> => {
    for (let ndc = top.shift(); ndc; ndc = top.shift()) await loadDrugPage(ndc);
  };
  await Promise.all([worker(), worker(), worker()]);
}

function formatPhone(input: string): string {
  const d = input.replace(/\D/g, '').slice(-10);
  return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
}

function intParam(v: unknown, fallback = 0): number {
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

// ---------------------------------------------------------------- server
const server = Hapi.server({ port: Number(process.env.PHARMACY_PORT ?? 0), host: '127.0.0.1', routes: { response: { emptyStatusCode: 204 } } });

server.ext('onRequest', (request, h) => {
  (request.app as { t0?: bigint }).t0 = process.hrtime.bigint();
  return h.continue;
});
server.events.on('response', (request) => {
  const t0 = (request.app as { t0?: bigint }).t0;
  if (t0 === undefined || request.route.path === '/metrics') return;
  const response = request.response as { statusCode?: number; output?: { statusCode: number } } | null;
  const status = response?.statusCode ?? response?.output?.statusCode ?? 500;
  httpDuration.observe({ method: request.method.toUpperCase(), route: request.route.path, status_code: String(status) }, Number(process.hrtime.bigint() - t0) / 1e9);
});

server.route({
  method: 'GET',
  path: '/metrics',
  handler: async (_request, h) => h.response(await registry.metrics()).type(registry.contentType),
});

server.route({ method: 'GET', path: '/healthz', handler: () => ({ ok: true }) });

// Drug page: catalogue entry, cheaper alternatives, chain-wide stock, 30-day dispensing. Cache-aside.
server.route({
  method: 'GET',
  path: '/drugs/{ndc}',
  handler: async (request, h) => {
    const ndc = String(request.params.ndc);
    const cached = await redis.get(`drug:${ndc}`);
    if (cached) return h.response(cached).type('application/json');
    const json = await loadDrugPage(ndc);
    if (!json) return h.response({ error: 'unknown NDC' }).code(404);
    return h.response(json).type('application/json');
  },
});

// Stock of one drug at one store.
server.route({
  method: 'GET',
  path: '/stores/{storeId}/inventory/{ndc}',
  handler: async (request, h) => {
    const row = await db.oneOrNone(`SELECT d.ndc, d.name, d.strength, coalesce(i.on_hand, 0) AS on_hand, i.reorder_point, i.bin, i.updated_at
      FROM drugs d LEFT JOIN inventory i ON i.drug_id = d.id AND i.store_id = $1 WHERE d.ndc = $2`, [intParam(request.params.storeId), String(request.params.ndc)]);
    if (!row) return h.response({ error: 'unknown NDC' }).code(404);
    return { storeId: intParam(request.params.storeId), ...row, inStock: row.on_hand > 0 };
  },
});

// A store's inventory, paginated.
server.route({
  method: 'GET',
  path: '/stores/{storeId}/inventory',
  handler: async (request) => {
    const storeId = intParam(request.params.storeId);
    const page = Math.max(1, intParam(request.query.page, 1));
    const limit = Math.min(100, Math.max(1, intParam(request.query.limit, 50)));
    if (FAULT === 'inventory-unpaginated') {
      const items = await db.any(`SELECT i.drug_id, d.ndc, d.name, d.generic_name, d.strength, d.form, d.manufacturer, d.unit_price_cents, d.monograph,
          i.on_hand, i.reorder_point, i.bin, i.updated_at
        FROM inventory i JOIN drugs d ON d.id = i.drug_id WHERE i.store_id = $1 ORDER BY i.drug_id`, [storeId]);
      return { storeId, page: 1, items };
    }
    const items = await db.any(`SELECT i.drug_id, d.ndc, d.name, d.strength, i.on_hand, i.reorder_point, i.bin
      FROM inventory i JOIN drugs d ON d.id = i.drug_id WHERE i.store_id = $1 ORDER BY i.drug_id LIMIT $2 OFFSET $3`, [storeId, limit, (page - 1) * limit]);
    return { storeId, page, limit, items };
  },
});

// Phone lookup at the counter.
server.route({
  method: 'GET',
  path: '/patients/lookup',
  handler: async (request) => {
    const phone = String(request.query.phone ?? '');
    const digits = phone.replace(/\D/g, '');
    if (digits.length < 10) return { matches: [] };
    const matches = FAULT === 'patient-phone-regexp'
      ? await db.any(`SELECT id, first_name, last_name, dob, phone, home_store_id FROM patients WHERE translate(phone, '()- ', '') = $1`, [digits.slice(-10)])
      : await db.any('SELECT id, first_name, last_name, dob, phone, home_store_id FROM patients WHERE phone = $1', [formatPhone(digits)]);
    return { matches };
  },
});

// Patient profile. Cache-aside.
server.route({
  method: 'GET',
  path: '/patients/{patientId}',
  handler: async (request, h) => {
    const id = intParam(request.params.patientId);
    const key = `patient:${id}`;
    const cached = await redis.get(key);
    if (cached) return h.response(cached).type('application/json');
    const patient = await db.oneOrNone(`SELECT pt.id, pt.first_name, pt.last_name, pt.dob, pt.phone, pt.email, pt.insurer, pt.allergies,
        pt.home_store_id, s.name AS home_store_name, s.phone AS home_store_phone
      FROM patients pt JOIN stores s ON s.id = pt.home_store_id WHERE pt.id = $1`, [id]);
    if (!patient) return h.response({ error: 'no such patient' }).code(404);
    const json = JSON.stringify(patient);
    await redis.set(key, json, 'EX', PATIENT_CACHE_TTL_SECONDS);
    return h.response(json).type('application/json');
  },
});

// A patient's prescriptions.
server.route({
  method: 'GET',
  path: '/patients/{patientId}/prescriptions',
  handler: async (request) => {
    const id = intParam(request.params.patientId);
    const prescriptions = await db.any(`SELECT p.id, p.rx_number, p.status, p.quantity, p.days_supply, p.refills_allowed - p.refills_used AS refills_left,
        p.prescriber, p.written_at, d.ndc, d.name AS drug_name, d.strength
      FROM prescriptions p JOIN drugs d ON d.id = p.drug_id WHERE p.patient_id = $1 ORDER BY p.written_at DESC LIMIT 50`, [id]);
    return { patientId: id, prescriptions };
  },
});

// Drug-utilization review of a patient's active medications through the interaction checker.
server.route({
  method: 'GET',
  path: '/patients/{patientId}/interactions',
  handler: async (request) => {
    const id = intParam(request.params.patientId);
    const meds = await db.any<{ ndc: string; name: string }>(`SELECT d.ndc, d.name FROM prescriptions p JOIN drugs d ON d.id = p.drug_id
      WHERE p.patient_id = $1 AND p.status = 'active'`, [id]);
    const ndcs = meds.map((m) => m.ndc);
    const result = FAULT === 'interactions-v2-screening'
      ? await partner<{ alerts: unknown[] }>('/interactions/v2/screen', { patientId: id, ndcs, include: ['interactions', 'dose', 'allergy'] })
      : await partner<{ alerts: unknown[] }>('/interactions/v1/check', { ndcs });
    return { patientId: id, medications: meds, alerts: result.alerts };
  },
});

// Prescription detail with the last fills.
server.route({
  method: 'GET',
  path: '/prescriptions/{rxId}',
  handler: async (request, h) => {
    const id = intParam(request.params.rxId);
    const out = await db.task(async (t) => {
      const rx = await t.oneOrNone(`SELECT p.id, p.rx_number, p.patient_id, p.store_id, p.prescriber, p.sig, p.quantity, p.days_supply,
          p.refills_allowed, p.refills_used, p.status, p.written_at, d.ndc, d.name AS drug_name, d.strength, d.form
        FROM prescriptions p JOIN drugs d ON d.id = p.drug_id WHERE p.id = $1`, [id]);
      if (!rx) return null;
      const fills = await t.any('SELECT id, fill_number, ticket, status, quantity, copay_cents, filled_at, picked_up_at FROM fills WHERE prescription_id = $1 ORDER BY filled_at DESC LIMIT 5', [id]);
      return { ...rx, fills };
    });
    if (!out) return h.response({ error: 'no such prescription' }).code(404);
    return out;
  },
});

// Printable label with a signed verification code.
server.route({
  method: 'GET',
  path: '/prescriptions/{rxId}/label',
  handler: async (request, h) => {
    const id = intParam(request.params.rxId);
    const rx = await db.oneOrNone(`SELECT p.id, p.rx_number, p.sig, p.quantity, p.refills_allowed - p.refills_used AS refills_left, p.prescriber,
        pt.first_name, pt.last_name, d.name AS drug_name, d.ndc, s.name AS store_name, s.phone AS store_phone, p.store_id
      FROM prescriptions p JOIN patients pt ON pt.id = p.patient_id JOIN drugs d ON d.id = p.drug_id JOIN stores s ON s.id = p.store_id
      WHERE p.id = $1`, [id]);
    if (!rx) return h.response({ error: 'no such prescription' }).code(404);
    const lines = [rx.store_name, rx.store_phone, `${rx.rx_number}  ${rx.first_name} ${rx.last_name}`, `${rx.drug_name}  NDC ${rx.ndc}`, rx.sig, `Qty ${rx.quantity}  Refills ${rx.refills_left}  ${rx.prescriber}`];
    const key = FAULT === 'label-key-derived-per-request'
      ? pbkdf2Sync(LABEL_SECRET, `${LABEL_SALT}:${rx.store_id}`, LABEL_KEY_ITERATIONS, 32, 'sha256')
      : LABEL_KEY;
    const signature = createHmac('sha256', key).update(lines.join('\n')).digest('base64url');
    return { rxId: id, lines, verification: signature.slice(0, 16) };
  },
});

// Copay estimate through the PBM's eligibility check.
const MEMBER_ID = /^[A-Z]{3}\d{9}$/;
server.route({
  method: 'GET',
  path: '/prescriptions/{rxId}/coverage',
  handler: async (request, h) => {
    const id = intParam(request.params.rxId);
    const rx = await db.oneOrNone(`SELECT p.id, p.quantity, pt.insurer, pt.member_id, pt.dob, d.ndc, d.unit_price_cents
      FROM prescriptions p JOIN patients pt ON pt.id = p.patient_id JOIN drugs d ON d.id = p.drug_id WHERE p.id = $1`, [id]);
    if (!rx) return h.response({ error: 'no such prescription' }).code(404);
    let memberId: string = rx.member_id;
    if (FAULT === 'coverage-member-id-validation') {
      if (!MEMBER_ID.test(memberId)) throw new Error(`invalid member id ${memberId}`);
    } else {
      memberId = memberId.trim().toUpperCase();
    }
    const elig = await partner<{ eligible: boolean; copayCents: number; planCode: string }>('/pbm/eligibility', { insurer: rx.insurer, memberId, ndc: rx.ndc, quantity: rx.quantity });
    const retail = rx.unit_price_cents * rx.quantity;
    return { rxId: id, covered: elig.eligible, planCode: elig.planCode, copayCents: elig.eligible ? Math.min(elig.copayCents, retail) : retail, retailCents: retail };
  },
});

// Refill request: counter ticket, new fill, stock, board, SMS to the patient.
server.route({
  method: 'POST',
  path: '/prescriptions/{rxId}/refills',
  handler: async (request, h) => {
    const id = intParam(request.params.rxId);
    const rx = await db.oneOrNone(`SELECT p.id, p.rx_number, p.patient_id, p.store_id, p.drug_id, p.quantity, p.refills_allowed, p.refills_used, p.status,
        pt.first_name, pt.last_name, pt.phone, pt.allergies, pt.dob, d.ndc
      FROM prescriptions p JOIN patients pt ON pt.id = p.patient_id JOIN drugs d ON d.id = p.drug_id WHERE p.id = $1`, [id]);
    if (!rx) return h.response({ error: 'no such prescription' }).code(404);
    if (rx.status !== 'active' || rx.refills_used >= rx.refills_allowed) {
      return h.response({ rxId: id, status: 'renewal_requested', message: 'No refills left; a renewal request was sent to the prescriber.' }).code(202);
    }
    const sms = { to: rx.phone, body: `Riverside Pharmacy: your refill of ${rx.rx_number} is being prepared.` };
    // Drug-utilization review of the refill (dose and allergy screen of the drug for this patient).
    const durCheck = (): Promise<unknown> => partner('/interactions/v1/check', { ndcs: [rx.ndc], quantity: rx.quantity, allergies: rx.allergies, dob: rx.dob });
    const nextTicket = `INSERT INTO daily_fill_counters (day, fills, updated_at) VALUES (current_date, 1, now())
      ON CONFLICT (day) DO UPDATE SET fills = daily_fill_counters.fills + 1, updated_at = now() RETURNING fills`;
    const fillRx = async (t: pgPromise.ITask<unknown>, ticket: number): Promise<{ id: number; ticket: number } | null> => {
      const ok = await t.result('UPDATE prescriptions SET refills_used = refills_used + 1, updated_at = now() WHERE id = $1 AND refills_used < refills_allowed', [id]);
      if (ok.rowCount === 0) return null;
      const row = await t.one<{ id: number }>(`INSERT INTO fills (prescription_id, store_id, fill_number, ticket, quantity, status, copay_cents, filled_at)
        VALUES ($1, $2, $3, $4, $5, 'queued', 0, now()) RETURNING id`, [id, rx.store_id, rx.refills_used + 2, ticket, rx.quantity]);
      await t.none('UPDATE inventory SET on_hand = greatest(on_hand - $3, 0), updated_at = now() WHERE store_id = $1 AND drug_id = $2', [rx.store_id, rx.drug_id, rx.quantity]);
      return { id: row.id, ticket };
    };
    let fill: { id: number; ticket: number } | null;
    if (FAULT === 'refill-ticket-lock-held') {
      // One transaction for the whole refill, starting with the day's ticket: "all or nothing".
      fill = await db.tx(async (t) => {
        const { fills: ticket } = await t.one<{ fills: number }>(nextTicket);
        await durCheck();
        const f = await fillRx(t, ticket);
        if (f) await partner('/sms/messages', sms);
        return f;
      });
    } else {
      await durCheck();
      const { fills: ticket } = await db.one<{ fills: number }>(nextTicket);
      fill = await db.tx((t) => fillRx(t, ticket));
      if (fill) await partner('/sms/messages', sms);
    }
    if (!fill) return h.response({ rxId: id, status: 'renewal_requested' }).code(202);
    const now = Date.now() / 1000;
    await redis.multi()
      .set(`pickup:${rx.store_id}:${fill.id}`, JSON.stringify(boardEntry({ id: fill.id, status: 'queued', ts: now, rx_number: rx.rx_number, first_name: rx.first_name, last_name: rx.last_name })))
      .zadd(`pickup:idx:${rx.store_id}`, now, String(fill.id))
      .exec();
    return h.response({ rxId: id, fillId: fill.id, ticket: fill.ticket, status: 'queued' }).code(201);
  },
});

// Claim submission to the PBM for a fill.
server.route({
  method: 'POST',
  path: '/claims',
  handler: async (request, h) => {
    const body = (request.payload ?? {}) as { fillId?: unknown };
    const fillId = intParam(body.fillId);
    const lookup = `SELECT f.id, f.quantity, f.copay_cents, p.patient_id, pt.insurer, pt.member_id, d.ndc, d.unit_price_cents
      FROM fills f JOIN prescriptions p ON p.id = f.prescription_id JOIN patients pt ON pt.id = p.patient_id JOIN drugs d ON d.id = p.drug_id
      WHERE f.id = $1`;
    type Fill = { id: number; quantity: number; patient_id: number; insurer: string; member_id: string; ndc: string; unit_price_cents: number };
    type Adjudication = { status: string; payerRef: string; paidCents: number };
    const insert = `INSERT INTO claims (fill_id, patient_id, insurer, status, billed_cents, paid_cents, payer_ref, submitted_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, now()) RETURNING id`;
    const adjudicate = (f: Fill) => partner<Adjudication>('/pbm/claims', { fillId: f.id, memberId: f.member_id, insurer: f.insurer, ndc: f.ndc, quantity: f.quantity, billedCents: f.unit_price_cents * f.quantity });
    let out: { claimId: number; status: string; paidCents: number } | null;
    if (FAULT === 'claim-adjudication-in-transaction') {
      out = await db.tx(async (t) => {
        const f = await t.oneOrNone<Fill>(`${lookup} FOR UPDATE OF f`, [fillId]);
        if (!f) return null;
        const adj = await adjudicate(f);
        const { id } = await t.one<{ id: number }>(insert, [f.id, f.patient_id, f.insurer, adj.status, f.unit_price_cents * f.quantity, adj.paidCents, adj.payerRef]);
        return { claimId: id, status: adj.status, paidCents: adj.paidCents };
      });
    } else {
      const f = await db.oneOrNone<Fill>(lookup, [fillId]);
      if (!f) return h.response({ error: 'no such fill' }).code(404);
      const adj = await adjudicate(f);
      const { id } = await db.one<{ id: number }>(insert, [f.id, f.patient_id, f.insurer, adj.status, f.unit_price_cents * f.quantity, adj.paidCents, adj.payerRef]);
      out = { claimId: id, status: adj.status, paidCents: adj.paidCents };
    }
    if (!out) return h.response({ error: 'no such fill' }).code(404);
    return h.response(out).code(201);
  },
});

// Pickup queue at the counter: ready fills with patient and drug.
server.route({
  method: 'GET',
  path: '/stores/{storeId}/pickup-queue',
  handler: async (request) => {
    const storeId = intParam(request.params.storeId);
    if (FAULT === 'pickup-queue-n-plus-one') {
      const items = await db.task(async (t) => {
        const fills = await t.any(`SELECT id, prescription_id, ticket, quantity, copay_cents, filled_at FROM fills
          WHERE store_id = $1 AND status = 'ready' ORDER BY filled_at LIMIT 40`, [storeId]);
        const out = [];
        for (const f of fills) {
          const rx = await t.one('SELECT rx_number, patient_id, drug_id FROM prescriptions WHERE id = $1', [f.prescription_id]);
          const pt = await t.one('SELECT first_name, last_name, dob FROM patients WHERE id = $1', [rx.patient_id]);
          const d = await t.one('SELECT ndc, name, strength FROM drugs WHERE id = $1', [rx.drug_id]);
          out.push({ fillId: f.id, ticket: f.ticket, readySince: f.filled_at, copayCents: f.copay_cents, quantity: f.quantity, rxNumber: rx.rx_number,
            patient: `${pt.first_name} ${pt.last_name}`, dob: pt.dob, ndc: d.ndc, drug: `${d.name}` });
        }
        return out;
      });
      return { storeId, items };
    }
    const rows = await db.any(`SELECT f.id, f.ticket, f.filled_at, f.copay_cents, f.quantity, p.rx_number, pt.first_name, pt.last_name, pt.dob, d.ndc, d.name
      FROM fills f JOIN prescriptions p ON p.id = f.prescription_id JOIN patients pt ON pt.id = p.patient_id JOIN drugs d ON d.id = p.drug_id
      WHERE f.store_id = $1 AND f.status = 'ready' ORDER BY f.filled_at LIMIT 40`, [storeId]);
    return {
      storeId,
      items: rows.map((r) => ({ fillId: r.id, ticket: r.ticket, readySince: r.filled_at, copayCents: r.copay_cents, quantity: r.quantity, rxNumber: r.rx_number,
        patient: `${r.first_name} ${r.last_name}`, dob: r.dob, ndc: r.ndc, drug: r.name })),
    };
  },
});

// In-store display board, served from Redis.
server.route({
  method: 'GET',
  path: '/stores/{storeId}/pickup-board',
  handler: async (request) => {
    const storeId = intParam(request.params.storeId);
    let entries: Record<string, unknown>[];
    if (FAULT === 'pickup-board-keys-scan') {
      const keys = (await redis.keys(`pickup:${storeId}:*`)).slice(0, 1000);
      const values = keys.length ? await redis.mget(keys) : [];
      entries = values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as Record<string, unknown>)
        .sort((a, b) => String(b.since).localeCompare(String(a.since))).slice(0, 30);
    } else {
      const ids = await redis.zrevrange(`pickup:idx:${storeId}`, 0, 29);
      const values = ids.length ? await redis.mget(ids.map((id) => `pickup:${storeId}:${id}`)) : [];
      entries = values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as Record<string, unknown>);
    }
    return { storeId, entries };
  },
});

// Pharmacist dashboard: work queue, today's volume, low stock, top movers.
server.route({
  method: 'GET',
  path: '/stores/{storeId}/dashboard',
  handler: async (request) => {
    const storeId = intParam(request.params.storeId);
    return db.task(async (t) => {
      const queue = await t.any(`SELECT status, count(*)::int AS n FROM fills WHERE store_id = $1 AND status IN ('queued', 'ready') GROUP BY status`, [storeId]);
      const today = await t.one(`SELECT count(*)::int AS fills_today FROM fills WHERE store_id = $1 AND filled_at >= current_date`, [storeId]);
      const low = await t.one('SELECT count(*)::int AS low_stock FROM inventory WHERE store_id = $1 AND on_hand <= reorder_point', [storeId]);
      let topMovers: unknown[];
      if (FAULT === 'dashboard-velocity-matrix') {
        const rows = await t.any<{ drug_id: number; week_ago: number; units: number }>(`SELECT p.drug_id, (current_date - f.filled_at::date) / 7 AS week_ago, sum(f.quantity)::int AS units
          FROM fills f JOIN prescriptions p ON p.id = f.prescription_id
          WHERE f.store_id = $1 AND f.filled_at > now() - interval '28 days' GROUP BY 1, 2`, [storeId]);
        // Weekly velocity for every drug of the catalogue, then keep the top ten.
        const velocity = catalogue.map((d) => ({ ...d, weeks: Array.from({ length: 4 }, (_, i) => ({ weekAgo: i, units: 0, fills: 0 })) }));
        const byId = new Map(velocity.map((v) => [v.id, v]));
        for (const r of rows) {
          const v = byId.get(r.drug_id);
          if (v && r.week_ago >= 0 && r.week_ago < 4) { v.weeks[r.week_ago]!.units += r.units; v.weeks[r.week_ago]!.fills += 1; }
        }
        topMovers = velocity
          .map((v) => ({ ndc: v.ndc, name: v.name, units: v.weeks.reduce((s, w) => s + w.units, 0), lastWeek: v.weeks[0]!.units }))
          .filter((v) => v.units > 0).sort((a, b) => b.units - a.units).slice(0, 10);
      } else {
        topMovers = await t.any(`SELECT d.ndc, d.name, sum(f.quantity)::int AS units,
            coalesce(sum(f.quantity) FILTER (WHERE f.filled_at > now() - interval '7 days'), 0)::int AS "lastWeek"
          FROM fills f JOIN prescriptions p ON p.id = f.prescription_id JOIN drugs d ON d.id = p.drug_id
          WHERE f.store_id = $1 AND f.filled_at > now() - interval '28 days' GROUP BY d.ndc, d.name ORDER BY units DESC LIMIT 10`, [storeId]);
      }
      return { storeId, queue, ...today, ...low, topMovers };
    });
  },
});

async function main(): Promise<void> {
  catalogue = await db.any<CatalogueDrug>('SELECT id, ndc, name, generic_name, strength, form, unit_price_cents FROM drugs ORDER BY id');
  await loadPickupBoard();
  await warmDrugCache();
  await server.start();
  console.log(`PHARMACY_LISTENING ${server.info.port}`);
}

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.stop({ timeout: 2000 }).catch(() => {});
  redis.disconnect();
  await pgp.end();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
