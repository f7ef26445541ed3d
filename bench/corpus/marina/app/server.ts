/**
 * The marina API: harbours, berths, boats and owners, seasonal berth
 * reservations, fuel-dock orders, harbour-master notices, invoices and
 * payments, and sea conditions from the weather/tide partner.
 *
 * express 5 + TypeORM 0.3 (EntitySchema) over pg 8 + ioredis 5 + prom-client
 * 15. Configured from the environment (MARINA_PORT, MARINA_PG_URL,
 * MARINA_REDIS_URL, MARINA_PARTNER_URL, MARINA_PG_POOL_MAX, MARINA_FAULT);
 * prints `MARINA_LISTENING <port>`.
 *
 * @module
 */
import { createHmac, pbkdf2Sync } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Redis } from 'ioredis';
import client from 'prom-client';
import { parseFault } from '../faults.js';
import {
  BoatEntity, createDataSource, FuelTankEntity, HarbourEntity, InvoiceEntity, NoticeEntity, OwnerEntity, PaymentEntity, ReservationEntity,
  type Berth, type Invoice, type Notice,
} from './db.js';

const FAULT = parseFault(process.env.MARINA_FAULT);
const PARTNER = process.env.MARINA_PARTNER_URL ?? 'http://127.0.0.1:9';
const ds = createDataSource(process.env.MARINA_PG_URL!, Number(process.env.MARINA_PG_POOL_MAX ?? 6));
const redis = new Redis(process.env.MARINA_REDIS_URL!, { maxRetriesPerRequest: 2, lazyConnect: true });
const mailRedis = new Redis(process.env.MARINA_REDIS_URL!, { maxRetriesPerRequest: null, lazyConnect: true });

/** Nights of the berth-availability cache (avail:<berth>:<YYYY-MM-DD>). */
const AVAIL_NIGHTS = 90;
const GATE_SECRET = process.env.MARINA_GATE_SECRET ?? 'marina-gate-master-secret-2026';
const GATE_KDF_ITERATIONS = 75_000;
const DAY_MS = 86_400_000;
/** Longest stay a booking may have (the booking rules); bounds the overlap searches. */
const MAX_STAY_NIGHTS = 14;

// ---------------------------------------------------------------- metrics
client.collectDefaultMetrics();
const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'Duration of HTTP requests by route template',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});
interface PgPoolLike { totalCount: number; idleCount: number; waitingCount: number }
new client.Gauge({
  name: 'marina_db_pool_connections',
  help: 'TypeORM/pg pool connections by state (total, idle, waiting clients)',
  labelNames: ['state'] as const,
  collect() {
    const pool = (ds.driver as unknown as { master?: PgPoolLike }).master;
    if (!pool) return;
    this.set({ state: 'total' }, pool.totalCount);
    this.set({ state: 'idle' }, pool.idleCount);
    this.set({ state: 'waiting' }, pool.waitingCount);
  },
});

// ---------------------------------------------------------------- helpers
class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const todayMs = (): number => Date.now() - (Date.now() % DAY_MS);
function intParam(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, `bad ${name}`);
  return n;
}

async function partner<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(PARTNER + path, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (!res.ok) throw new HttpError(502, `partner ${path}: ${res.status}`);
  return (await res.json()) as T;
}

async function cached<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
  const hit = await redis.get(key);
  if (hit !== null) return JSON.parse(hit) as T;
  const value = await load();
  await redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
  return value;
}

// Per-harbour gate keys, derived once at boot (see GET /reservations/:id).
const gateKeys = new Map<number, Buffer>();
function deriveGateKey(harbourId: number): Buffer {
  return pbkdf2Sync(GATE_SECRET, `gate-harbour-${harbourId}`, GATE_KDF_ITERATIONS, 32, 'sha256');
}

// Tariff calendar: the base nightly rate per day of the year and 0.3 m length class (5.0-35.0 m);
// a harbour's rate is the base rate times the harbour's factor. Built once and used for quotes and invoice lines.
interface TariffCell { dayOfYear: number; month: number; lengthClass: number; lengthFrom: number; lengthTo: number; factor: number; baseCents: number; taxes: { code: string; rate: number; cents: number }[] }
const TARIFF_CLASSES = 100;
const SEASON_FACTOR = [0.7, 0.7, 1, 1, 1.35, 1.35, 1.6, 1.6, 1.35, 1, 0.7, 0.7];
const MONTH_START = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const harbourFactor = (harbourId: number): number => 0.85 + (harbourId % 7) * 0.05;
function buildTariffCalendar(): TariffCell[] {
  const cells: TariffCell[] = new Array(365 * TARIFF_CLASSES);
  let month = 0;
  for (let d = 0; d < 365; d++) {
    if (month < 11 && d >= MONTH_START[month + 1]!) month++;
    const factor = SEASON_FACTOR[month]!;
    for (let cls = 0; cls < TARIFF_CLASSES; cls++) {
      const lengthFrom = 5 + cls * 0.3;
      const baseCents = Math.round((1200 + lengthFrom * 95) * factor);
      cells[d * TARIFF_CLASSES + cls] = {
        dayOfYear: d, month, lengthClass: cls, lengthFrom, lengthTo: lengthFrom + 0.3, factor, baseCents,
        taxes: [{ code: 'VAT', rate: 0.2, cents: Math.round(baseCents * 0.2) }, { code: 'DUES', rate: 0.035, cents: Math.round(baseCents * 0.035) }],
      };
    }
  }
  return cells;
}
let tariff: TariffCell[] | undefined;
function tariffCalendar(): TariffCell[] {
  return (tariff ??= buildTariffCalendar());
}
function tariffCell(calendar: TariffCell[], atMs: number, lengthM: number): TariffCell {
  const d = new Date(atMs);
  const dayOfYear = Math.min(364, Math.floor((atMs - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS));
  const cls = Math.max(0, Math.min(TARIFF_CLASSES - 1, Math.floor((lengthM - 5) / 0.3)));
  return calendar[dayOfYear * TARIFF_CLASSES + cls]!;
}

// Berth availability cache: avail:<berthId>:<night> = 'free' | boat id.
async function loadAvailability(berthId?: number): Promise<Map<string, string>> {
  const rows: { berth_id: number; night: string; boat_id: number }[] = await ds.query(
    `SELECT r.berth_id, to_char(d, 'YYYY-MM-DD') AS night, r.boat_id
       FROM reservations r
       CROSS JOIN LATERAL generate_series(greatest(r.starts_on, current_date), least(r.ends_on - 1, current_date + ${AVAIL_NIGHTS - 1}), interval '1 day') d
      WHERE r.ends_on > current_date AND r.starts_on < current_date + ${AVAIL_NIGHTS} AND r.status <> 'cancelled'
        ${berthId ? 'AND r.berth_id = $1' : ''}`,
    berthId ? [berthId] : [],
  );
  const out = new Map<string, string>();
  for (const r of rows) out.set(`avail:${r.berth_id}:${r.night}`, String(r.boat_id));
  return out;
}
async function writeAvailability(berthIds: number[], occupied: Map<string, string>): Promise<void> {
  const start = todayMs();
  let batch: string[] = [];
  const flush = async () => { if (batch.length) await redis.mset(...batch); batch = []; };
  for (const id of berthIds) {
    for (let n = 0; n < AVAIL_NIGHTS; n++) {
      const key = `avail:${id}:${isoDay(start + n * DAY_MS)}`;
      batch.push(key, occupied.get(key) ?? 'free');
      if (batch.length >= 4000) await flush();
    }
  }
  await flush();
}

// ---------------------------------------------------------------- app
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(express.json({ limit: '100kb' }));
app.use((req, res, next) => {
  if (req.path === '/metrics') return next();
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    end({ method: req.method, route, status_code: String(res.statusCode) });
  });
  next();
});

app.get('/metrics', async (_req, res) => {
  res.set('content-type', client.register.contentType);
  res.send(await client.register.metrics());
});
app.get('/healthz', (_req, res) => { res.json({ ok: true }); });

// Harbour list (summary), or the map view in harbour-map-payload.
let mapView: { at: number; body: Promise<string> } | undefined;
app.get('/harbours', async (_req, res) => {
  if (FAULT === 'harbour-map-payload') {
    if (!mapView || Date.now() - mapView.at > 10_000) {
      const body = buildMapView().then((v) => JSON.stringify(v));
      mapView = { at: Date.now(), body };
      body.catch(() => { if (mapView?.body === body) mapView = undefined; });
    }
    res.type('application/json').send(await mapView.body);
    return;
  }
  const harbours = await cached('harbours:summary:v2', 30, () => ds.query(
    `SELECT h.id, h.code, h.name, h.region, h.latitude, h.longitude, h.max_draft_m AS "maxDraftM", h.vhf_channel AS "vhfChannel",
            count(b.id)::int AS berths,
            count(b.id) FILTER (WHERE b.status = 'active' AND NOT EXISTS (
              SELECT 1 FROM reservations r WHERE r.berth_id = b.id AND r.status <> 'cancelled'
                 AND r.starts_on BETWEEN current_date - 30 AND current_date AND r.ends_on > current_date))::int AS "freeTonight"
       FROM harbours h JOIN berths b ON b.harbour_id = h.id
      GROUP BY h.id ORDER BY h.name`));
  res.json({ harbours });
});

async function buildMapView(): Promise<unknown> {
  const harbours = await ds.getRepository(HarbourEntity).find({ order: { id: 'ASC' } });
  const berths: (Berth & { amenities?: string[] })[] = await ds.query(
    `SELECT id, harbour_id AS "harbourId", code, pontoon, length_m AS "lengthM", width_m AS "widthM", depth_m AS "depthM",
            daily_rate_cents AS "dailyRateCents", has_power AS "hasPower", has_water AS "hasWater", status FROM berths ORDER BY id`);
  const stays: { berth_id: number; starts_on: string; ends_on: string; boat_id: number }[] = await ds.query(
    `SELECT berth_id, to_char(starts_on, 'YYYY-MM-DD') AS starts_on, to_char(ends_on, 'YYYY-MM-DD') AS ends_on, boat_id FROM reservations
      WHERE starts_on BETWEEN current_date - 7 AND current_date + 14 AND ends_on > current_date AND status <> 'cancelled'`);
  const byBerth = new Map<number, typeof stays>();
  for (const s of stays) byBerth.set(s.berth_id, [...(byBerth.get(s.berth_id) ?? []), s]);
  const start = todayMs();
  const nights = Array.from({ length: 14 }, (_, n) => isoDay(start + n * DAY_MS));
  return {
    generatedAt: new Date().toISOString(),
    harbours: harbours.map((h) => ({
      ...h,
      berths: berths.filter((b) => b.harbourId === h.id).map((b) => ({
        ...b,
        harbourName: h.name,
        amenities: [b.hasPower ? 'shore power 16A' : null, b.hasWater ? 'fresh water' : null, 'wifi', 'pump-out at fuel dock'].filter(Boolean),
        photoUrl: `https://cdn.marina.example/berths/${h.code}/${b.code}.jpg`,
        calendar: nights.map((night) => {
          const stay = (byBerth.get(b.id) ?? []).find((s) => s.starts_on <= night && s.ends_on > night);
          return { night, status: stay ? 'occupied' : b.status === 'active' ? 'free' : 'closed', boatId: stay?.boat_id ?? null };
        }),
      })),
    })),
  };
}

// Berths of a harbour with their next booking.
app.get('/harbours/:id/berths', async (req, res) => {
  const harbourId = intParam(req.params.id, 'harbour id');
  const minLength = Number(req.query.minLength ?? 0) || 0;
  if (FAULT === 'berth-list-next-booking-per-berth') {
    const berths = await ds.getRepository<Berth>('Berth').createQueryBuilder('b')
      .where('b.harbour_id = :harbourId AND b.length_m >= :minLength', { harbourId, minLength })
      .orderBy('b.length_m', 'ASC').limit(50).getMany();
    const out = [];
    for (const b of berths) {
      const [next] = await ds.query(
        `SELECT r.id, r.starts_on AS "startsOn", r.ends_on AS "endsOn", bo.name AS "boatName" FROM reservations r JOIN boats bo ON bo.id = r.boat_id
          WHERE r.berth_id = $1 AND r.starts_on >= current_date - ${MAX_STAY_NIGHTS} AND r.ends_on > current_date AND r.status <> 'cancelled' ORDER BY r.starts_on LIMIT 1`, [b.id]);
      out.push({ ...b, nextBooking: next ?? null });
    }
    res.json({ harbourId, berths: out });
    return;
  }
  const rows = await ds.query(
    `SELECT b.id, b.harbour_id AS "harbourId", b.code, b.pontoon, b.length_m AS "lengthM", b.width_m AS "widthM", b.depth_m AS "depthM",
            b.daily_rate_cents AS "dailyRateCents", b.has_power AS "hasPower", b.has_water AS "hasWater", b.status,
            CASE WHEN n.id IS NULL THEN NULL ELSE json_build_object('id', n.id, 'startsOn', n.starts_on, 'endsOn', n.ends_on, 'boatName', n.boat_name) END AS "nextBooking"
       FROM berths b
       LEFT JOIN LATERAL (
         SELECT r.id, r.starts_on, r.ends_on, bo.name AS boat_name FROM reservations r JOIN boats bo ON bo.id = r.boat_id
          WHERE r.berth_id = b.id AND r.starts_on >= current_date - ${MAX_STAY_NIGHTS} AND r.ends_on > current_date AND r.status <> 'cancelled' ORDER BY r.starts_on LIMIT 1) n ON true
      WHERE b.harbour_id = $1 AND b.length_m >= $2
      ORDER BY b.length_m LIMIT 50`, [harbourId, minLength]);
  res.json({ harbourId, berths: rows });
});

// Berth detail (cached) with the live 14-night availability.
app.get('/berths/:id', async (req, res) => {
  const berthId = intParam(req.params.id, 'berth id');
  const key = FAULT === 'berth-cache-key-timestamp'
    ? `berth:${berthId}:detail:${new Date().toISOString()}`
    : `berth:${berthId}:detail:${isoDay(Date.now())}`;
  const detail = await cached(key, 300, async () => {
    const [berth] = await ds.query(
      `SELECT b.id, b.code, b.pontoon, b.length_m AS "lengthM", b.width_m AS "widthM", b.depth_m AS "depthM", b.daily_rate_cents AS "dailyRateCents",
              b.has_power AS "hasPower", b.has_water AS "hasWater", b.status, h.id AS "harbourId", h.name AS "harbourName", h.vhf_channel AS "vhfChannel"
         FROM berths b JOIN harbours h ON h.id = b.harbour_id WHERE b.id = $1`, [berthId]);
    if (!berth) throw new HttpError(404, 'no such berth');
    const [stats] = await ds.query(
      `SELECT count(*)::int AS stays, coalesce(sum(r.ends_on - r.starts_on), 0)::int AS nights, round(avg(bo.length_m), 2) AS "avgBoatLengthM",
              max(bo.length_m) AS "maxBoatLengthM", count(DISTINCT r.owner_id)::int AS "distinctOwners",
              count(*) FILTER (WHERE bo.kind = 'sail')::int AS "sailboats"
         FROM reservations r JOIN boats bo ON bo.id = r.boat_id WHERE r.berth_id = $1 AND r.status <> 'cancelled'`, [berthId]);
    const upcoming = await ds.query(
      `SELECT r.id, r.starts_on AS "startsOn", r.ends_on AS "endsOn", bo.name AS "boatName", bo.length_m AS "boatLengthM"
         FROM reservations r JOIN boats bo ON bo.id = r.boat_id
        WHERE r.berth_id = $1 AND r.starts_on >= current_date - ${MAX_STAY_NIGHTS} AND r.ends_on > current_date AND r.status <> 'cancelled' ORDER BY r.starts_on LIMIT 10`, [berthId]);
    return { ...berth, history: stats, upcoming };
  });
  const start = todayMs();
  const keys = Array.from({ length: 14 }, (_, n) => `avail:${berthId}:${isoDay(start + n * DAY_MS)}`);
  let nights = await redis.mget(...keys);
  if (nights.some((v) => v === null)) {
    const occupied = await loadAvailability(berthId);
    await writeAvailability([berthId], occupied);
    nights = keys.map((k) => occupied.get(k) ?? 'free');
  }
  res.json({ ...detail, availability: keys.map((k, i) => ({ night: k.split(':')[2], status: nights[i] === 'free' ? 'free' : 'occupied' })) });
});

// Harbour-master notices: the harbour's and the fleet-wide ones, newest first.
app.get('/harbours/:id/notices', async (req, res) => {
  const harbourId = intParam(req.params.id, 'harbour id');
  let notices: Notice[];
  if (FAULT === 'notices-coalesce-filter') {
    notices = await ds.getRepository(NoticeEntity).createQueryBuilder('n')
      .where('coalesce(n.harbour_id, :harbourId) = :harbourId', { harbourId })
      .andWhere('(n.expires_at IS NULL OR n.expires_at > now())')
      .orderBy('n.published_at', 'DESC').limit(20).getMany();
  } else {
    notices = await ds.query(
      `SELECT id, harbour_id AS "harbourId", severity, title, body, published_at AS "publishedAt", expires_at AS "expiresAt" FROM (
         (SELECT * FROM notices WHERE harbour_id = $1 AND (expires_at IS NULL OR expires_at > now()) ORDER BY published_at DESC LIMIT 20)
         UNION ALL
         (SELECT * FROM notices WHERE harbour_id IS NULL AND (expires_at IS NULL OR expires_at > now()) ORDER BY published_at DESC LIMIT 20)
       ) n ORDER BY published_at DESC LIMIT 20`, [harbourId]);
  }
  res.json({ harbourId, notices });
});

// Sea conditions: forecast and tide table (cached), live tide gauge in live-tide-gauge.
app.get('/harbours/:id/conditions', async (req, res) => {
  const harbourId = intParam(req.params.id, 'harbour id');
  const conditions = await cached(`conditions:${harbourId}`, 120, async () => {
    const [weather, tides] = await Promise.all([
      partner<{ hours: { hour: number; windKn: number; gustKn: number; dir: number; seaState: number }[] }>(`/weather/${harbourId}`),
      partner<{ table: unknown[] }>(`/tides/${harbourId}`),
    ]);
    return { harbourId, forecast: weather.hours.slice(0, 12), tides: tides.table, fetchedAt: new Date().toISOString() };
  });
  if (FAULT === 'live-tide-gauge') {
    const gauge = await partner<{ heightM: number; readAt: string }>(`/tides/${harbourId}/live`);
    res.json({ ...conditions, liveTide: gauge });
    return;
  }
  res.json(conditions);
});

function insuranceBadge(expiresOn: string): { status: string; label: string } {
  const days = Math.round((Date.parse(expiresOn) - Date.now()) / DAY_MS);
  if (days < 0) return { status: 'expired', label: `Insurance expired ${-days} days ago` };
  if (days < 30) return { status: 'expiring', label: `Insurance expires in ${days} days` };
  return { status: 'valid', label: `Insured until ${expiresOn}` };
}

app.get('/boats/:id', async (req, res) => {
  const boatId = intParam(req.params.id, 'boat id');
  const boat = await ds.getRepository(BoatEntity).findOneBy({ id: boatId });
  if (!boat) throw new HttpError(404, 'no such boat');
  const owner = await ds.getRepository(OwnerEntity).findOneBy({ id: boat.ownerId });
  const badge = FAULT === 'insurance-badge-null'
    ? insuranceBadge(boat.insurance!.expiresOn)
    : boat.insurance ? insuranceBadge(boat.insurance.expiresOn) : { status: 'unknown', label: 'No policy on file' };
  res.json({ ...boat, owner: owner && { id: owner.id, fullName: owner.fullName, country: owner.country }, insuranceBadge: badge });
});

app.get('/owners/:id/reservations', async (req, res) => {
  const ownerId = intParam(req.params.id, 'owner id');
  const rows = await ds.query(
    `SELECT r.id, r.starts_on AS "startsOn", r.ends_on AS "endsOn", r.status, r.total_cents AS "totalCents",
            b.code AS "berthCode", h.name AS "harbourName", bo.name AS "boatName"
       FROM reservations r JOIN berths b ON b.id = r.berth_id JOIN harbours h ON h.id = b.harbour_id JOIN boats bo ON bo.id = r.boat_id
      WHERE r.owner_id = $1 ORDER BY r.starts_on DESC LIMIT 20`, [ownerId]);
  res.json({ ownerId, reservations: rows });
});

app.get('/owners/:id/invoices', async (req, res) => {
  const ownerId = intParam(req.params.id, 'owner id');
  const invoices: Invoice[] = await ds.getRepository(InvoiceEntity).find({ where: { ownerId }, order: { issuedAt: 'DESC' }, take: 20 });
  // tariff-calendar-per-request: the calendar is rebuilt for every request so that tariff edits show at once.
  const calendar = FAULT === 'tariff-calendar-per-request' ? buildTariffCalendar() : tariffCalendar();
  const out = invoices.map((inv) => {
    const issued = new Date(inv.issuedAt).getTime();
    const hf = harbourFactor(inv.harbourId);
    const lines = [];
    for (let n = 0; n < inv.nights; n++) {
      const cell = tariffCell(calendar, issued + n * DAY_MS, Number(inv.lengthM));
      lines.push({ night: isoDay(issued + n * DAY_MS), tariff: `${cell.lengthFrom.toFixed(1)}-${cell.lengthTo.toFixed(1)} m x${(cell.factor * hf).toFixed(2)}`, baseCents: Math.round(cell.baseCents * hf), taxCents: Math.round(cell.taxes.reduce((s, t) => s + t.cents, 0) * hf) });
    }
    return { id: inv.id, number: inv.number, status: inv.status, amountCents: inv.amountCents, issuedAt: inv.issuedAt, dueOn: inv.dueOn, paidAt: inv.paidAt, lines };
  });
  const outstanding = invoices.filter((i) => i.status === 'open').reduce((s, i) => s + i.amountCents, 0);
  res.json({ ownerId, outstandingCents: outstanding, invoices: out });
});

app.get('/reservations/:id', async (req, res) => {
  const id = intParam(req.params.id, 'reservation id');
  const [r] = await ds.query(
    `SELECT r.id, r.starts_on AS "startsOn", r.ends_on AS "endsOn", r.status, r.total_cents AS "totalCents", r.notes,
            b.id AS "berthId", b.code AS "berthCode", b.pontoon, b.harbour_id AS "harbourId", h.name AS "harbourName", h.vhf_channel AS "vhfChannel",
            bo.id AS "boatId", bo.name AS "boatName", bo.registration
       FROM reservations r JOIN berths b ON b.id = r.berth_id JOIN harbours h ON h.id = b.harbour_id JOIN boats bo ON bo.id = r.boat_id
      WHERE r.id = $1`, [id]);
  if (!r) throw new HttpError(404, 'no such reservation');
  const key = FAULT === 'gate-key-derived-per-request' ? deriveGateKey(r.harbourId) : gateKeys.get(r.harbourId) ?? deriveGateKey(r.harbourId);
  const mac = createHmac('sha256', key).update(`${r.id}:${String(r.startsOn)}:${r.berthCode}`).digest();
  const gateCode = String(mac.readUInt32BE(0) % 1_000_000).padStart(6, '0');
  res.json({ ...r, gateCode });
});

// New booking: the requested berth if free, else the smallest free fitting berth of the same harbour.
app.post('/reservations', async (req, res) => {
  const boatId = intParam(req.body?.boatId, 'boatId');
  const berthId = intParam(req.body?.berthId, 'berthId');
  const arriveInDays = intParam(req.body?.arriveInDays, 'arriveInDays');
  const nights = intParam(req.body?.nights, 'nights');
  const booked = await ds.transaction(async (m) => {
    const boat = await m.findOneBy(BoatEntity, { id: boatId });
    if (!boat) throw new HttpError(404, 'no such boat');
    const [berth] = await m.query(
      `SELECT b.id, b.harbour_id, b.daily_rate_cents FROM berths b
        WHERE b.harbour_id = (SELECT harbour_id FROM berths WHERE id = $1) AND b.status = 'active' AND b.length_m >= $2
          AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.berth_id = b.id AND r.status <> 'cancelled'
                           AND r.starts_on > current_date + $3::int - ${MAX_STAY_NIGHTS} AND r.starts_on < current_date + $4::int AND r.ends_on > current_date + $3::int)
        ORDER BY (b.id = $1) DESC, b.length_m LIMIT 1 FOR UPDATE OF b`, [berthId, boat.lengthM, arriveInDays, arriveInDays + nights]);
    if (!berth) throw new HttpError(409, 'no free berth fits this boat for these nights');
    const startsOn = isoDay(todayMs() + arriveInDays * DAY_MS);
    const endsOn = isoDay(todayMs() + (arriveInDays + nights) * DAY_MS);
    const calendar = tariffCalendar();
    let totalCents = 0;
    for (let n = 0; n < nights; n++) totalCents += Math.round(tariffCell(calendar, todayMs() + (arriveInDays + n) * DAY_MS, Number(boat.lengthM)).baseCents * harbourFactor(berth.harbour_id));
    const reservation = await m.save(ReservationEntity, {
      berthId: berth.id, boatId, ownerId: boat.ownerId, startsOn, endsOn, status: 'confirmed', totalCents, notes: null, createdAt: new Date(),
    });
    await m.query(
      `INSERT INTO invoices (number, owner_id, reservation_id, harbour_id, amount_cents, nights, length_m, status, issued_at, due_on)
       VALUES ('INV-' || lpad($1::bigint::text, 8, '0'), $2, $1::bigint, $3, $4, $5, $6, 'open', now(), current_date + 30)`,
      [reservation.id, boat.ownerId, berth.harbour_id, reservation.totalCents, nights, boat.lengthM]);
    return { reservation, berthId: berth.id as number, boatId };
  });
  // The availability cache of the berth is now stale.
  if (FAULT === 'availability-invalidate-keys') {
    const stale = await redis.keys(`avail:${booked.berthId}:*`);
    if (stale.length) await redis.del(...stale);
  } else {
    const pairs: string[] = [];
    for (let n = arriveInDays; n < Math.min(arriveInDays + nights, AVAIL_NIGHTS); n++) pairs.push(`avail:${booked.berthId}:${isoDay(todayMs() + n * DAY_MS)}`, String(boatId));
    if (pairs.length) await redis.mset(...pairs);
  }
  res.status(201).json(booked.reservation);
});

// Fuel-dock order: fuel plus chandlery lines, stock and a gapless fiscal receipt number.
const CHANDLERY: Record<string, number> = { 'ice-bag': 350, 'engine-oil-1l': 1450, 'pump-out': 1200, 'fresh-water-100l': 500, 'gas-bottle': 3200 };
app.post('/fuel-orders', async (req, res) => {
  const boatId = intParam(req.body?.boatId, 'boatId');
  const harbourId = intParam(req.body?.harbourId, 'harbourId');
  const fuelType = req.body?.fuelType === 'petrol' ? 'petrol' : 'diesel';
  const litres = intParam(req.body?.litres, 'litres');
  const items: { sku: string; qty: number }[] = (Array.isArray(req.body?.items) ? req.body.items : [])
    .map((i: { sku?: string; qty?: unknown }) => ({ sku: String(i.sku), qty: Number(i.qty) || 1 }))
    .filter((i: { sku: string }) => i.sku in CHANDLERY);
  const firstReceiptNo = FAULT === 'fuel-receipt-counter-first';
  const order = await ds.transaction(async (m) => {
    const takeReceiptNo = async (): Promise<string> => {
      const [[row]] = await m.query(`UPDATE receipt_counters SET last_no = last_no + 1, updated_at = now() WHERE company = 'marina-group' RETURNING last_no`);
      return String(row.last_no);
    };
    // fuel-receipt-counter-first: the number is taken up front so that the fiscal signature can be stored with the order.
    let receiptNo = firstReceiptNo ? await takeReceiptNo() : '';
    const boat = await m.findOneBy(BoatEntity, { id: boatId });
    if (!boat) throw new HttpError(404, 'no such boat');
    const [season] = await m.query(
      `SELECT coalesce(sum(litres), 0)::float AS litres FROM fuel_orders WHERE boat_id = $1 AND ordered_at > now() - interval '365 days'`, [boatId]);
    const discount = season.litres > 1000 ? 0.05 : 0;
    const [[tank]] = await m.query(
      `UPDATE fuel_tanks SET litres_available = litres_available - $3 WHERE harbour_id = $1 AND fuel_type = $2 RETURNING price_cents_per_litre`,
      [harbourId, fuelType, litres]);
    if (!tank) throw new HttpError(404, 'no such fuel dock');
    let total = Math.round(litres * tank.price_cents_per_litre * (1 - discount));
    const lines = [{ sku: `fuel-${fuelType}`, qty: litres, cents: total }];
    for (const item of items) {
      const [[stock]] = await m.query(
        `UPDATE dock_stock SET qty_available = qty_available - $3 WHERE harbour_id = $1 AND sku = $2 RETURNING qty_available`,
        [harbourId, item.sku, item.qty]);
      if (!stock || stock.qty_available < 0) throw new HttpError(409, `${item.sku} is out of stock at this dock`);
      const cents = CHANDLERY[item.sku]! * item.qty;
      total += cents;
      lines.push({ sku: item.sku, qty: item.qty, cents });
    }
    if (!receiptNo) receiptNo = await takeReceiptNo();
    const signature = firstReceiptNo ? (await partner<{ signature: string }>('/fiscal/sign', { receiptNo, totalCents: total, harbourId })).signature : null;
    const [saved] = await m.query(
      `INSERT INTO fuel_orders (receipt_no, boat_id, harbour_id, fuel_type, litres, price_cents, status, ordered_at, fiscal_signature)
       VALUES ($1, $2, $3, $4, $5, $6, 'ordered', now(), $7) RETURNING id, ordered_at AS "orderedAt"`,
      [receiptNo, boatId, harbourId, fuelType, litres, total, signature]);
    await m.query(
      `INSERT INTO fuel_order_lines (order_id, sku, qty, cents) SELECT $1, l.sku, l.qty, l.cents FROM jsonb_to_recordset($2::jsonb) AS l(sku text, qty numeric, cents int)`,
      [saved.id, JSON.stringify(lines)]);
    return { id: String(saved.id), receiptNo, orderedAt: saved.orderedAt, boatId, harbourId, totalCents: total, discount, lines, fiscalSignature: signature };
  });
  if (!order.fiscalSignature) {
    // The tax authority's signature, once the receipt number is committed.
    order.fiscalSignature = (await partner<{ signature: string }>('/fiscal/sign', { receiptNo: order.receiptNo, totalCents: order.totalCents, harbourId })).signature;
    await ds.query(`UPDATE fuel_orders SET fiscal_signature = $2 WHERE id = $1`, [order.id, order.fiscalSignature]);
  }
  res.status(201).json(order);
});

// Pay an invoice by card; the receipt e-mail goes through the outbox.
app.post('/invoices/:id/pay', async (req, res) => {
  const invoiceId = intParam(req.params.id, 'invoice id');
  const cardToken = String(req.body?.cardToken ?? '');
  if (!cardToken) throw new HttpError(400, 'cardToken required');
  const repo = ds.getRepository(InvoiceEntity);
  if (FAULT === 'pay-inside-transaction') {
    const result = await ds.transaction(async (m) => {
      const [inv] = await m.query(`SELECT id, number, owner_id, amount_cents, status FROM invoices WHERE id = $1 FOR UPDATE`, [invoiceId]);
      if (!inv) throw new HttpError(404, 'no such invoice');
      if (inv.status === 'paid') return { id: String(inv.id), status: 'paid', alreadyPaid: true };
      const payment = await partner<{ ref: string }>('/payments/authorize', { amountCents: inv.amount_cents, cardToken, reference: inv.number });
      await m.update(InvoiceEntity, { id: String(invoiceId) }, { status: 'paid', paidAt: new Date() });
      await m.insert(PaymentEntity, { invoiceId: String(invoiceId), amountCents: inv.amount_cents, providerRef: payment.ref });
      await partner('/email/send', { to: `owner${inv.owner_id}@example.org`, template: 'payment-receipt', invoice: inv.number });
      return { id: String(inv.id), status: 'paid', paymentRef: payment.ref };
    });
    res.json(result);
    return;
  }
  const inv = await repo.findOneBy({ id: String(invoiceId) });
  if (!inv) throw new HttpError(404, 'no such invoice');
  if (inv.status === 'paid') { res.json({ id: inv.id, status: 'paid', alreadyPaid: true }); return; }
  const payment = await partner<{ ref: string }>('/payments/authorize', { amountCents: inv.amountCents, cardToken, reference: inv.number });
  const result = await ds.transaction(async (m) => {
    const [row] = await m.query(`SELECT status FROM invoices WHERE id = $1 FOR UPDATE`, [invoiceId]);
    if (row.status === 'paid') return { id: inv.id, status: 'paid', alreadyPaid: true };
    await m.update(InvoiceEntity, { id: String(invoiceId) }, { status: 'paid', paidAt: new Date() });
    await m.insert(PaymentEntity, { invoiceId: String(invoiceId), amountCents: inv.amountCents, providerRef: payment.ref });
    return { id: inv.id, status: 'paid', paymentRef: payment.ref };
  });
  await redis.lpush('mail:outbox', JSON.stringify({ to: `owner${inv.ownerId}@example.org`, template: 'payment-receipt', invoice: inv.number }));
  res.json(result);
});

app.get('/harbours/:id/fuel-prices', async (req, res) => {
  const harbourId = intParam(req.params.id, 'harbour id');
  const prices = await cached(`fuel-prices:${harbourId}`, 60, async () => {
    const tanks = await ds.getRepository(FuelTankEntity).find({ where: { harbourId }, order: { fuelType: 'ASC' } });
    return tanks.map((t) => ({ fuelType: t.fuelType, pricePerLitreCents: t.priceCentsPerLitre, available: Number(t.litresAvailable) > 500 }));
  });
  res.json({ harbourId, prices });
});

app.use((_req, res) => { res.status(404).json({ error: 'not found' }); });
app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
  const status = err instanceof HttpError ? err.status : 500;
  if (status >= 500 && !(err instanceof HttpError)) console.error(`marina: ${(err as Error)?.stack ?? err}`);
  res.status(status).json({ error: status >= 500 && !(err instanceof HttpError) ? 'internal error' : (err as Error).message });
});

// ---------------------------------------------------------------- boot
async function mailWorker(): Promise<void> {
  for (;;) {
    try {
      const job = await mailRedis.brpop('mail:outbox', 1);
      if (job) await partner('/email/send', JSON.parse(job[1]));
    } catch {
      if (stopping) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (stopping) return;
  }
}

let stopping = false;
async function main(): Promise<void> {
  await ds.initialize();
  await redis.connect();
  await mailRedis.connect();
  for (let h = 1; h <= 20; h++) gateKeys.set(h, deriveGateKey(h));
  tariffCalendar();
  const berthIds: number[] = (await ds.query('SELECT id FROM berths ORDER BY id')).map((r: { id: number }) => r.id);
  await writeAvailability(berthIds, await loadAvailability());
  for (let i = 0; i < 3; i++) void mailWorker();
  const server = app.listen(Number(process.env.MARINA_PORT ?? 0), '127.0.0.1', () => {
    const addr = server.address();
    console.log(`MARINA_LISTENING ${typeof addr === 'object' && addr ? addr.port : 0}`);
  });
  server.keepAliveTimeout = 65_000;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections();
    mailRedis.disconnect();
    redis.disconnect();
    await ds.destroy().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
