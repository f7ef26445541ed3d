/**
 * The kennel API: a pet-boarding and daycare service on hono 4 +
 * @hono/node-server, pg-promise 11 (pool of 8), ioredis 5 and prom-client 15.
 *
 * Configuration comes from the environment (`KENNEL_*`, set by index.ts).
 * `KENNEL_FAULT` selects the code path of a faulty build; the healthy path
 * is always the `else` branch. Prints `KENNEL_LISTENING <port>` when ready.
 *
 * @module
 */
import { createHash, createHmac, scryptSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import { Redis } from 'ioredis';
import pgPromise from 'pg-promise';
import client from 'prom-client';
import { parseFault } from '../faults.js';

const FAULT = parseFault(process.env.KENNEL_FAULT);
const PARTNERS = process.env.KENNEL_PARTNERS_URL ?? 'http://127.0.0.1:0';
const PASSPORT_SECRET = process.env.KENNEL_PASSPORT_SECRET ?? 'kennel-passport-secret-v1';
/** Reviews summary cache lifetime; the deploy config gives it in milliseconds. */
const REVIEWS_TTL_MS = Number(process.env.KENNEL_REVIEWS_CACHE_TTL_MS ?? 60_000);
/** Pets whose care marks are warmed into Redis at startup (the pets in care recently). */
const CARE_WARM_PETS = 4000;

// ---------------------------------------------------------------- database
const pgp = pgPromise({ noWarnings: true });
// int8 (counts, bigserial ids) fits a JS number here; dates stay ISO strings; numeric -> number.
pgp.pg.types.setTypeParser(20, (v: string) => Number(v));
pgp.pg.types.setTypeParser(1700, (v: string) => Number(v));
pgp.pg.types.setTypeParser(1082, (v: string) => v);

type Db = pgPromise.IDatabase<unknown>;
type Tx = pgPromise.ITask<unknown>;

const db: Db = pgp({
  connectionString: process.env.KENNEL_PG_URL,
  max: Number(process.env.KENNEL_PG_POOL_MAX ?? 8),
  application_name: 'kennel',
});

/**
 * The vaccination-records path may run on its own pool so that a slow vet
 * registry cannot take the whole API's connections; unset = the main pool.
 */
const recordsDb: Db = process.env.KENNEL_RECORDS_PG_POOL_MAX
  ? pgp({ connectionString: process.env.KENNEL_PG_URL, max: Number(process.env.KENNEL_RECORDS_PG_POOL_MAX), application_name: 'kennel-records' })
  : db;

const redis = new Redis(process.env.KENNEL_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });

// ---------------------------------------------------------------- metrics
const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });
const httpDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration by route template, method and status',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

// ---------------------------------------------------------------- helpers
/** An error with the HTTP status it should be answered with. */
class HttpError extends Error {
  constructor(readonly status: 400 | 404 | 409 | 502, message: string) {
    super(message);
  }
}

function intParam(c: Context, name: string): number {
  const value = Number(c.req.param(name));
  if (!Number.isInteger(value) || value < 1) throw new HttpError(400, `bad ${name}`);
  return value;
}

function num(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new HttpError(400, `bad ${name}`);
  return n;
}

function isoDate(d = new Date()): string {
  return d.toISOString().slice(0, 10);
}

function addDays(days: number): string {
  return isoDate(new Date(Date.now() + days * 86_400_000));
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Money for display; credits (negative amounts) are shown with a minus sign. */
function formatMoney(cents: number): string {
  return `${cents < 0 ? '-' : ''}£${(Math.abs(cents) / 100).toFixed(2)}`;
}

/**
 * The charge formatter of the payments module: it validates that an amount
 * is a positive charge, which is right for what it was written for (amounts
 * sent to the gateway) and wrong for invoice lines, where credits are negative.
 */
function formatCharge(cents: number): string {
  if (!Number.isInteger(cents) || cents < 0) throw new Error(`formatCharge: invalid charge amount ${cents}`);
  return `£${(cents / 100).toFixed(2)}`;
}

/** Call a partner API (JSON in and out), failing after 5 s. */
async function partner<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(PARTNERS + path, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new HttpError(502, `partner ${path} answered ${res.status}`);
  return (await res.json()) as T;
}

// The passport-link key is derived once: scrypt is deliberately expensive.
const PASSPORT_KEY = scryptSync(PASSPORT_SECRET, 'kennel-passport', 32);

/** A signed link to the pet's printable passport. */
function passportLink(petId: number): string {
  // The faulty build derives a per-pet key on every request (scrypt with its default cost, ~tens of ms of CPU).
  const key = FAULT === 'passport-key-per-request' ? scryptSync(PASSPORT_SECRET, `passport:${petId}`, 32) : PASSPORT_KEY;
  const expires = Math.floor(Date.now() / 3_600_000 + 24) * 3600;
  const sig = createHmac('sha256', key).update(`${petId}:${expires}`).digest('base64url');
  return `https://kennel.example/passport/${petId}?e=${expires}&s=${sig}`;
}

/** Signed CDN URL of a photo (the bucket is private). */
function signPhoto(url: string): string {
  const expires = Math.floor(Date.now() / 3_600_000 + 1) * 3600;
  return `${url}?e=${expires}&s=${createHmac('sha256', PASSPORT_KEY).update(url + expires).digest('base64url').slice(0, 22)}`;
}

/**
 * Responses memoized by their ETag to answer If-None-Match. The profile
 * carries `generatedAt`, so no two bodies hash alike: the map never hits and
 * nothing ever evicts from it.
 */
const renderedProfiles = new Map<string, { body: string; gzipped: Buffer; card: string; profile: unknown; at: number }>();

/** The printable passport card: HTML with the passport link as an inline SVG code (a 41x41 module grid). */
function passportCard(name: string, link: string): string {
  const size = 41;
  let bits = Buffer.alloc(0);
  for (let i = 0; bits.length * 8 < size * size; i++) bits = Buffer.concat([bits, createHash('sha512').update(`${link}:${i}`).digest()]);
  const rects: string[] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const n = y * size + x;
      if ((bits[n >> 3] >> (n & 7)) & 1) rects.push(`<rect x="${x * 4}" y="${y * 4}" width="4" height="4" fill="#000"/>`);
    }
  }
  return `<!doctype html><html><head><title>Pet passport: ${name}</title></head><body><h1>${name}</h1>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size * 4}" height="${size * 4}" viewBox="0 0 ${size * 4} ${size * 4}">${rects.join('')}</svg>` +
    `<p>Scan to view vaccinations and care notes: ${link}</p></body></html>`;
}

// ---------------------------------------------------------------- app
const app = new Hono();

app.use('*', async (c, next) => {
  const start = process.hrtime.bigint();
  await next();
  if (c.req.path === '/metrics') return;
  const route = routePath(c, -1);
  httpDuration.observe(
    { route: route === '*' || route === '/*' ? 'unmatched' : route, method: c.req.method, status: String(c.res.status) },
    Number(process.hrtime.bigint() - start) / 1e9,
  );
});

app.onError((error, c) => {
  if (error instanceof HttpError) return c.json({ error: error.message }, error.status);
  console.error(`${c.req.method} ${c.req.path}: ${error.message}`);
  return c.json({ error: 'internal error' }, 500);
});

app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
app.get('/healthz', (c) => c.json({ ok: true }));

/** Pet profile: owner, vaccinations, recent stays, whether it is on site now, passport link. */
app.get('/pets/:id', async (c) => {
  const id = intParam(c, 'id');
  const [pet, vaccinations, stays, onSite] = await Promise.all([
    db.oneOrNone(
      `SELECT p.id, p.name, p.species, p.breed, p.size, p.birth_date, p.weight_kg, p.notes,
              o.id AS owner_id, o.full_name AS owner_name, o.email AS owner_email, o.phone AS owner_phone
         FROM pets p JOIN owners o ON o.id = p.owner_id WHERE p.id = $1`, [id]),
    db.any(`SELECT vaccine, administered_on, expires_on, clinic, certificate_no, verified
              FROM vaccinations WHERE pet_id = $1 ORDER BY administered_on DESC LIMIT 20`, [id]),
    db.any(`SELECT b.id, b.start_date, b.nights, b.status, f.name AS facility
              FROM bookings b JOIN facilities f ON f.id = b.facility_id
             WHERE b.pet_id = $1 ORDER BY b.start_date DESC LIMIT 10`, [id]),
    redis.get(`presence:pet:${id}`),
  ]);
  if (!pet) throw new HttpError(404, 'pet not found');
  const today = isoDate();
  const profile = {
    ...pet,
    vaccinations,
    vaccinationsCurrent: ['rabies', 'dhpp', 'bordetella'].every((v) => vaccinations.some((x) => x.vaccine === v && x.expires_on >= today)),
    recentStays: stays,
    onSiteAtFacility: onSite ? Number(onSite) : null,
    passport: passportLink(id),
    generatedAt: new Date().toISOString(),
  };
  if (FAULT === 'profile-memo-leak') {
    const body = JSON.stringify(profile);
    const etag = createHash('sha1').update(body).digest('base64url');
    const key = `${id}:${etag}`;
    const hit = renderedProfiles.get(key);
    if (hit && c.req.header('if-none-match') === `"${etag}"`) return c.body(null, 304);
    // Variants for gzip-accepting clients and the printable passport card are rendered and kept with it.
    renderedProfiles.set(key, { body, gzipped: gzipSync(body), card: passportCard(pet.name, profile.passport), profile, at: Date.now() });
    return c.body(body, 200, { 'content-type': 'application/json', etag: `"${etag}"` });
  }
  return c.json(profile);
});

/** An owner's booking history, newest first, with whether each stay can still be reviewed. */
app.get('/owners/:id/bookings', async (c) => {
  const id = intParam(c, 'id');
  // "Reviewable": a completed stay without a review. The faulty build wrote it with NOT IN, which
  // PostgreSQL cannot turn into an anti-join: every request materializes all reviewed booking ids.
  const reviewable = FAULT === 'bookings-review-not-in'
    ? `b.id NOT IN (SELECT rv.booking_id FROM reviews rv WHERE rv.booking_id IS NOT NULL)`
    : `NOT EXISTS (SELECT 1 FROM reviews rv WHERE rv.booking_id = b.id)`;
  const [owner, bookings] = await Promise.all([
    db.oneOrNone('SELECT id, full_name, email, city FROM owners WHERE id = $1', [id]),
    db.any(
      `SELECT b.id, b.start_date, b.nights, b.status, b.deposit_cents, b.payment_ref,
              p.name AS pet_name, r.label AS run_label, r.kind AS run_kind, f.name AS facility,
              (b.status = 'completed' AND ${reviewable}) AS can_review
         FROM bookings b JOIN pets p ON p.id = b.pet_id JOIN runs r ON r.id = b.run_id JOIN facilities f ON f.id = b.facility_id
        WHERE b.owner_id = $1 ORDER BY b.start_date DESC LIMIT 50`, [id]),
  ]);
  if (!owner) throw new HttpError(404, 'owner not found');
  return c.json({ owner, bookings: bookings.map((b) => ({ ...b, deposit: formatMoney(b.deposit_cents) })) });
});

/** Free runs of a facility for a stay (`from` = days ahead, `nights`), with a price quote. */
app.get('/availability', async (c) => {
  const facility = num(c.req.query('facility'), 'facility');
  const size = c.req.query('size') ?? 'M';
  const from = addDays(num(c.req.query('from') ?? 1, 'from'));
  const nights = Math.min(28, Math.max(1, num(c.req.query('nights') ?? 1, 'nights')));
  if (FAULT === 'availability-full-calendar') {
    // The faulty build answers with the whole year's calendar of every run of the facility and
    // leaves the filtering by size and stay to the app.
    const rows = await db.any(
      `SELECT r.id AS run_id, r.label, r.size, r.kind, r.nightly_cents, d::date::text AS night, (n.booking_id IS NULL) AS free
         FROM runs r CROSS JOIN generate_series($2::date, $2::date + 364, interval '1 day') d
         LEFT JOIN run_nights n ON n.run_id = r.id AND n.night = d::date
        WHERE r.facility_id = $1 AND r.in_service ORDER BY r.id, d`, [facility, from]);
    const calendar = rows.map((r) => ({
      runId: r.run_id, label: r.label, size: r.size, kind: r.kind, night: r.night, free: r.free,
      priceCents: Math.round(r.nightly_cents * season(r.night)), price: formatMoney(Math.round(r.nightly_cents * season(r.night))),
      currency: 'GBP', minStay: r.kind === 'suite' ? 2 : 1,
    }));
    return c.json({ facility, size, from, nights, calendar });
  }
  const [runs, occupancy] = await Promise.all([
    db.any(
      `SELECT r.id, r.label, r.size, r.kind, r.nightly_cents FROM runs r
        WHERE r.facility_id = $1 AND r.size = $2 AND r.in_service
          AND NOT EXISTS (SELECT 1 FROM run_nights n WHERE n.run_id = r.id AND n.night >= $3::date AND n.night < $3::date + $4::int)
        ORDER BY r.nightly_cents, r.id`, [facility, size, from, nights]),
    db.any(
      `SELECT n.night::text AS night, count(*) AS taken FROM run_nights n JOIN runs r ON r.id = n.run_id
        WHERE r.facility_id = $1 AND n.night >= $2::date AND n.night < $2::date + $3::int GROUP BY n.night ORDER BY n.night`,
      [facility, from, nights]),
  ]);
  const factor = season(from);
  return c.json({
    facility, size, from, nights,
    runs: runs.map((r) => ({ ...r, quoteCents: Math.round(r.nightly_cents * factor) * nights, quote: formatMoney(Math.round(r.nightly_cents * factor) * nights) })),
    busiestNight: occupancy.reduce((m, o) => Math.max(m, o.taken), 0),
  });
});

/** Seasonal price factor of a night (school holidays and Christmas cost more). */
function season(night: string): number {
  const month = Number(night.slice(5, 7));
  return month === 8 || month === 12 ? 1.35 : month === 7 || month === 4 ? 1.15 : 1;
}

interface Reserved { bookingId: number; petId: number; runId: number; depositCents: number }

/** Reserve a run for one pet inside `t`: pick a free run, insert the booking and its nights. */
async function reserve(t: Tx, ownerId: number, petId: number, facility: number, size: string, start: string, nights: number): Promise<Reserved> {
  const run = await t.oneOrNone(
    `SELECT r.id, r.nightly_cents FROM runs r
      WHERE r.facility_id = $1 AND r.in_service
        AND NOT EXISTS (SELECT 1 FROM run_nights n WHERE n.run_id = r.id AND n.night >= $3::date AND n.night < $3::date + $4::int)
      ORDER BY (r.size = $2) DESC, r.nightly_cents LIMIT 1`, [facility, size, start, nights]);
  if (!run) throw new HttpError(409, 'no run free for those nights');
  const depositCents = Math.round(run.nightly_cents * nights * 0.2);
  const booking = await t.one(
    `INSERT INTO bookings (owner_id, pet_id, run_id, facility_id, start_date, nights, status, deposit_cents, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'pending_deposit', $7, now()) RETURNING id`,
    [ownerId, petId, run.id, facility, start, nights, depositCents]);
  const taken = await t.result(
    `INSERT INTO run_nights SELECT $1, $2::date + i, $3 FROM generate_series(0, $4::int - 1) i ON CONFLICT DO NOTHING`,
    [run.id, start, booking.id, nights]);
  // Someone else took one of the nights between the check and the insert.
  if (taken.rowCount !== nights) throw new HttpError(409, 'run was just taken');
  return { bookingId: booking.id, petId, runId: run.id, depositCents };
}

/** Book runs for an owner's pets and take the deposit. */
app.post('/bookings', async (c) => {
  const body = await c.req.json<Record<string, unknown>>();
  const ownerId = num(body.ownerId, 'ownerId');
  const facility = num(body.facilityId, 'facilityId');
  const size = String(body.size ?? 'M');
  const start = addDays(num(body.startInDays ?? 30, 'startInDays'));
  const nights = Math.min(28, Math.max(1, num(body.nights ?? 2, 'nights')));
  const pets = await db.any('SELECT p.id, p.name, o.phone FROM pets p JOIN owners o ON o.id = p.owner_id WHERE p.owner_id = $1 ORDER BY p.id LIMIT $2',
    [ownerId, Math.max(1, num(body.pets ?? 1, 'pets'))]);
  if (!pets.length) throw new HttpError(404, 'owner has no pets');
  const certs = await db.any(
    `SELECT DISTINCT ON (pet_id) pet_id, certificate_no FROM vaccinations
      WHERE pet_id IN ($1:csv) AND vaccine = 'rabies' ORDER BY pet_id, administered_on DESC`, [pets.map((p) => p.id)]);
  const certOf = new Map(certs.map((x) => [x.pet_id as number, x.certificate_no as string]));
  const verify = (petId: number) => partner('POST', '/vet/verify', { petId, certificateNo: certOf.get(petId) ?? 'none' });
  const sms = () => partner('POST', '/sms/send', { to: pets[0].phone, text: `Booking confirmed for ${pets.map((p) => p.name).join(' & ')} from ${start}` });

  if (FAULT === 'booking-tx-spans-partners') {
    // The faulty build does the whole booking, partner calls included, in one transaction
    // ("all or nothing"): each pet's registry check and deposit authorization run with a pooled
    // connection held open, and so does the confirmation SMS.
    const result = await db.tx(async (t) => {
      const reserved: (Reserved & { paymentRef: string })[] = [];
      for (const pet of pets) {
        await verify(pet.id);
        const r = await reserve(t, ownerId, pet.id, facility, size, start, nights);
        const pay = await partner<{ id: string }>('POST', '/payments/authorize', { amountCents: r.depositCents, reference: `booking-${r.bookingId}` });
        await t.none(`UPDATE bookings SET status = 'confirmed', payment_ref = $2 WHERE id = $1`, [r.bookingId, pay.id]);
        reserved.push({ ...r, paymentRef: pay.id });
      }
      const invoice = await t.one(`INSERT INTO invoices (booking_id, owner_id, status, issued_at, total_cents) VALUES ($1, $2, 'open', now(), $3) RETURNING id`,
        [reserved[0].bookingId, ownerId, reserved.reduce((s, r) => s + r.depositCents, 0)]);
      await t.none(`INSERT INTO invoice_lines SELECT $1, k, 13, pet, 1, dep FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS u(pet, dep, k)`,
        [invoice.id, reserved.map((r) => r.petId), reserved.map((r) => r.depositCents)]);
      await sms();
      return { invoiceId: invoice.id, reserved };
    });
    return c.json(result, 201);
  }

  // Healthy: partner calls never run while a connection is held. Registry checks first (in
  // parallel), then a short transaction, then one deposit authorization, then a one-line update.
  await Promise.all(pets.map((p) => verify(p.id)));
  const { invoiceId, reserved } = await db.tx(async (t) => {
    const reserved: Reserved[] = [];
    for (const pet of pets) reserved.push(await reserve(t, ownerId, pet.id, facility, size, start, nights));
    const invoice = await t.one(`INSERT INTO invoices (booking_id, owner_id, status, issued_at, total_cents) VALUES ($1, $2, 'open', now(), $3) RETURNING id`,
      [reserved[0].bookingId, ownerId, reserved.reduce((s, r) => s + r.depositCents, 0)]);
    await t.none(`INSERT INTO invoice_lines SELECT $1, k, 13, pet, 1, dep FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS u(pet, dep, k)`,
      [invoice.id, reserved.map((r) => r.petId), reserved.map((r) => r.depositCents)]);
    return { invoiceId: invoice.id as number, reserved };
  });
  const total = reserved.reduce((s, r) => s + r.depositCents, 0);
  const pay = await partner<{ id: string }>('POST', '/payments/authorize', { amountCents: total, reference: `invoice-${invoiceId}` });
  await db.none(`UPDATE bookings SET status = 'confirmed', payment_ref = $2 WHERE id IN ($1:csv)`, [reserved.map((r) => r.bookingId), pay.id]);
  sms().catch(() => {}); // the confirmation text is best effort
  return c.json({ invoiceId, reserved: reserved.map((r) => ({ ...r, paymentRef: pay.id })) }, 201);
});

/** Daycare check-in at the desk: record the visit, create today's care tasks, text the owner. */
app.post('/daycare/checkins', async (c) => {
  const body = await c.req.json<Record<string, unknown>>();
  const petId = num(body.petId, 'petId');
  const facility = num(body.facilityId, 'facilityId');
  const pet = await db.oneOrNone(
    `SELECT p.name, o.phone, (SELECT certificate_no FROM vaccinations v WHERE v.pet_id = p.id AND v.vaccine = 'rabies'
                              ORDER BY administered_on DESC LIMIT 1) AS certificate_no
       FROM pets p JOIN owners o ON o.id = p.owner_id WHERE p.id = $1`, [petId]);
  if (!pet) throw new HttpError(404, 'pet not found');
  // No dog joins the floor without a rabies certificate the vet registry confirms.
  const checkRegistry = () => partner<{ valid: boolean }>('POST', '/vet/verify', { petId, certificateNo: pet.certificate_no ?? 'none' });
  const notifyOwner = (tag: string) => partner('POST', '/sms/send', { to: pet.phone, text: `${pet.name} is checked in at daycare (tag ${tag})` });
  const gapless = FAULT === 'checkin-gapless-tags';
  if (!gapless) await checkRegistry();
  const visit = await db.tx(async (t) => {
    // Tag numbers on the printed kennel cards. The faulty build made them gap-free per day with a
    // counter row, taken first thing in the transaction, and moved the registry check and the
    // owner's text inside the transaction so that a refused or unnotified check-in rolls its tag
    // back: every check-in of the day then queues on that one row for two partner calls.
    let tag: string;
    if (gapless) {
      tag = (await t.one(`INSERT INTO daycare_tag_counters (day, last_tag) VALUES (current_date, 1)
                          ON CONFLICT (day) DO UPDATE SET last_tag = daycare_tag_counters.last_tag + 1 RETURNING 'D' || last_tag AS tag`)).tag;
      await checkRegistry();
    } else {
      tag = (await t.one(`SELECT 'D' || nextval('daycare_tag_seq') AS tag`)).tag;
    }
    const vax = await t.one(`SELECT count(*) FILTER (WHERE expires_on >= current_date) AS current, count(*) AS total FROM vaccinations WHERE pet_id = $1`, [petId]);
    await t.none('UPDATE daycare_visits SET checked_out_at = now() WHERE pet_id = $1 AND checked_out_at IS NULL', [petId]);
    const v = await t.one(`INSERT INTO daycare_visits (pet_id, facility_id, tag, checked_in_at) VALUES ($1, $2, $3, now())
                           RETURNING id, tag, checked_in_at`, [petId, facility, tag]);
    await t.none(`INSERT INTO care_tasks (visit_id, pet_id, schedule_id, due_at)
                  SELECT $1, pet_id, id, date_trunc('day', now()) + minute_of_day * interval '1 minute' FROM care_schedule WHERE pet_id = $2`, [v.id, petId]);
    await t.none('UPDATE facilities SET present_count = present_count + 1 WHERE id = $1', [facility]);
    if (gapless) await notifyOwner(v.tag);
    return { ...v, vaccinationsCurrent: vax.current === vax.total };
  });
  await redis.multi().sadd(`presence:fac:${facility}`, String(petId)).set(`presence:pet:${petId}`, String(facility), 'EX', 43_200).exec();
  // The desk waits for the provider's acknowledgement so staff can see "owner notified".
  if (!gapless) await notifyOwner(visit.tag);
  return c.json({ ...visit, ownerNotified: true }, 201);
});

interface CareItem { id: number; kind: string; minute_of_day: number; item: string; dose: string | null; days_mask: number }
const DURATION: Record<string, number> = { feeding: 15, medication: 5, walk: 30 };

/** The week ahead: for each day, the items due, flagging items within 20 minutes of each other. */
function weekPlan(items: CareItem[]): { day: string; slots: { at: string; items: string[]; tight: boolean }[] }[] {
  const out = [];
  for (let d = 0; d < 7; d++) {
    const due = items.filter((it) => (it.days_mask >> ((new Date(Date.now() + d * 86_400_000).getUTCDay())) & 1) === 1)
      .sort((a, b) => a.minute_of_day - b.minute_of_day);
    out.push({
      day: addDays(d),
      slots: due.map((it, i) => ({ at: hhmm(it.minute_of_day), items: [it.item], tight: i > 0 && it.minute_of_day - due[i - 1].minute_of_day < 20 })),
    });
  }
  return out;
}

/**
 * The faulty build's planner: it lays every item onto a per-minute grid of
 * the next 28 days (one object per minute) to find overlaps, then collapses
 * the grid back to the same week plan.
 */
function weekPlanByMinuteGrid(items: CareItem[]): ReturnType<typeof weekPlan> {
  const grid: { key: string; day: number; minute: number; items: CareItem[]; flags: { staffed: boolean; quiet: boolean } }[][] = [];
  for (let d = 0; d < 28; d++) {
    const dow = new Date(Date.now() + d * 86_400_000).getUTCDay();
    const day = [];
    for (let m = 0; m < 1440; m++) day.push({ key: `${d}:${m}`, day: d, minute: m, items: [] as CareItem[], flags: { staffed: m >= 420 && m < 1200, quiet: m < 360 } });
    for (const it of items) {
      if (((it.days_mask >> dow) & 1) !== 1) continue;
      for (let m = it.minute_of_day; m < Math.min(1440, it.minute_of_day + (DURATION[it.kind] ?? 10)); m++) day[m].items.push(it);
    }
    grid.push(day);
  }
  return grid.slice(0, 7).map((day, d) => {
    const starts = day.filter((s) => s.items.some((it) => it.minute_of_day === s.minute));
    return {
      day: addDays(d),
      slots: starts.flatMap((s) => s.items.filter((it) => it.minute_of_day === s.minute).map((it) => ({
        at: hhmm(s.minute), items: [it.item], tight: day.slice(Math.max(0, s.minute - 20), s.minute).some((p) => p.items.some((x) => x !== it && x.minute_of_day < s.minute)),
      }))),
    };
  });
}

/** Feeding / medication / walk schedule of a pet: today's items with their done marks, and the week ahead. */
app.get('/pets/:id/care-schedule', async (c) => {
  const id = intParam(c, 'id');
  const items = await db.any<CareItem>('SELECT id, kind, minute_of_day, item, dose, days_mask FROM care_schedule WHERE pet_id = $1 ORDER BY minute_of_day', [id]);
  const today = isoDate();
  const fields = items.map((it) => `${today}:${id}:${it.id}`);
  let done: (string | null)[];
  if (FAULT === 'care-marks-hscan') {
    // The faulty build finds the pet's marks of the day by pattern: HSCAN ... MATCH with a COUNT large
    // enough to finish in one call, which makes Redis walk and glob-match every field of the hash
    // (every pet in care, a week of marks) to return three.
    const found = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscan('care:done', cursor, 'MATCH', `${today}:${id}:*`, 'COUNT', 1_000_000);
      for (let i = 0; i < flat.length; i += 2) found.set(flat[i], flat[i + 1]);
      cursor = next;
    } while (cursor !== '0');
    done = fields.map((f) => found.get(f) ?? null);
  } else {
    done = fields.length ? await redis.hmget('care:done', ...fields) : [];
  }
  const week = FAULT === 'care-minute-grid' ? weekPlanByMinuteGrid(items) : weekPlan(items);
  return c.json({
    petId: id,
    today: items.map((it, i) => ({ id: it.id, kind: it.kind, at: hhmm(it.minute_of_day), item: it.item, dose: it.dose, doneAt: done[i] ?? null })),
    week,
  });
});

/** The staff dashboard of a facility: run board, arrivals/departures, dogs on site, medication load, recent rating. */
app.get('/facilities/:id/dashboard', async (c) => {
  const id = intParam(c, 'id');
  const [facility, board, movements, meds, rating, onSite] = await Promise.all([
    db.oneOrNone('SELECT id, name, city, has_daycare, daycare_capacity, present_count FROM facilities WHERE id = $1', [id]),
    db.any('SELECT status, count(*) AS runs FROM run_status WHERE facility_id = $1 GROUP BY status ORDER BY status', [id]),
    db.one(`SELECT count(*) FILTER (WHERE start_date = current_date) AS arrivals,
                   count(*) FILTER (WHERE start_date + nights = current_date) AS departures,
                   count(*) FILTER (WHERE start_date <= current_date AND start_date + nights > current_date) AS staying
              FROM bookings WHERE facility_id = $1 AND start_date BETWEEN current_date - 28 AND current_date AND status <> 'cancelled'`, [id]),
    db.one(`SELECT count(*) AS doses FROM bookings b JOIN care_schedule cs ON cs.pet_id = b.pet_id AND cs.kind = 'medication'
             WHERE b.facility_id = $1 AND b.start_date BETWEEN current_date - 28 AND current_date
               AND b.start_date + b.nights > current_date AND b.status <> 'cancelled'`, [id]),
    db.one(`SELECT round(avg(rating), 2) AS avg, count(*) AS n FROM reviews WHERE facility_id = $1 AND created_at > now() - interval '30 days'`, [id]),
    redis.scard(`presence:fac:${id}`),
  ]);
  if (!facility) throw new HttpError(404, 'facility not found');
  return c.json({ facility, runBoard: board, ...movements, medicationDosesToday: meds.doses, rating30d: rating, daycareOnSite: onSite, at: new Date().toISOString() });
});

/** A pet's photo-report feed (latest 20), with signed CDN links. */
app.get('/pets/:id/photos', async (c) => {
  const id = intParam(c, 'id');
  const photos = await db.any(
    'SELECT id, booking_id, taken_at, caption, url, width, height FROM photo_reports WHERE pet_id = $1 ORDER BY taken_at DESC LIMIT 20', [id]);
  return c.json({ petId: id, photos: photos.map((p) => ({ ...p, url: signPhoto(p.url), thumb: signPhoto(p.url.replace('.jpg', '_320.jpg')) })) });
});

/** An invoice with its lines. */
app.get('/invoices/:id', async (c) => {
  const id = intParam(c, 'id');
  const invoice = await db.oneOrNone(
    `SELECT i.id, i.booking_id, i.status, i.issued_at, i.total_cents, o.full_name AS owner_name, o.email AS owner_email
       FROM invoices i JOIN owners o ON o.id = i.owner_id WHERE i.id = $1`, [id]);
  if (!invoice) throw new HttpError(404, 'invoice not found');
  let lines: { line_no: number; service_item_id: number; pet_id: number; quantity: number; amount_cents: number; item: string; category: string; pet_name: string }[];
  if (FAULT === 'invoice-lines-per-row') {
    // The faulty build loads the bare lines and then resolves each line's service item and pet one by one.
    const bare = await db.any('SELECT line_no, service_item_id, pet_id, quantity, amount_cents FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_no', [id]);
    lines = [];
    for (const l of bare) {
      const item = await db.one('SELECT name, category FROM service_items WHERE id = $1', [l.service_item_id]);
      const pet = await db.one('SELECT name FROM pets WHERE id = $1', [l.pet_id]);
      lines.push({ ...l, item: item.name, category: item.category, pet_name: pet.name });
    }
  } else {
    lines = await db.any(
      `SELECT l.line_no, l.service_item_id, l.pet_id, l.quantity, l.amount_cents, s.name AS item, s.category, p.name AS pet_name
         FROM invoice_lines l JOIN service_items s ON s.id = l.service_item_id JOIN pets p ON p.id = l.pet_id
        WHERE l.invoice_id = $1 ORDER BY l.line_no`, [id]);
  }
  // The faulty build formats line amounts with the payments module's charge formatter, which rejects credits.
  const fmt = FAULT === 'invoice-credit-format-crash' ? formatCharge : formatMoney;
  return c.json({
    ...invoice,
    total: formatMoney(invoice.total_cents),
    lines: lines.map((l) => ({ ...l, amount: fmt(l.amount_cents * l.quantity) })),
  });
});

/** Review summary of a facility (rating, breakdown, monthly trend, rank in the network, latest reviews), cached. */
app.get('/facilities/:id/reviews', async (c) => {
  const id = intParam(c, 'id');
  const key = `reviews:summary:${id}`;
  const cached = await redis.get(key);
  if (cached) return c.body(cached, 200, { 'content-type': 'application/json', 'x-cache': 'hit' });
  const [summary, months, network, latest] = await Promise.all([
    db.one(`SELECT count(*) AS n, round(avg(rating), 2) AS avg,
                   count(*) FILTER (WHERE rating = 5) AS r5, count(*) FILTER (WHERE rating = 4) AS r4, count(*) FILTER (WHERE rating = 3) AS r3,
                   count(*) FILTER (WHERE rating = 2) AS r2, count(*) FILTER (WHERE rating = 1) AS r1
              FROM reviews WHERE facility_id = $1`, [id]),
    db.any(`SELECT to_char(date_trunc('month', created_at), 'YYYY-MM') AS month, round(avg(rating), 2) AS avg, count(*) AS n
              FROM reviews WHERE facility_id = $1 AND created_at > now() - interval '12 months' GROUP BY 1 ORDER BY 1`, [id]),
    // Where the facility ranks in the network: an aggregate over every review, the main reason this summary is cached.
    db.any(`SELECT facility_id, round(avg(rating), 3) AS avg FROM reviews GROUP BY facility_id ORDER BY avg DESC, facility_id`),
    db.any(`SELECT r.id, r.rating, r.title, r.body, r.created_at, o.full_name AS author
              FROM reviews r JOIN owners o ON o.id = r.owner_id WHERE r.facility_id = $1 ORDER BY r.created_at DESC LIMIT 20`, [id]),
  ]);
  const body = JSON.stringify({
    facilityId: id, ...summary, byMonth: months, networkRank: network.findIndex((x) => x.facility_id === id) + 1, facilities: network.length, latest,
  });
  // Cache writes are best effort: a failed write only costs the next request a recomputation.
  // EX takes seconds. (In the cache-miss build the deploy gives the TTL as "60": 60 ms -> EX 0, which Redis rejects.)
  redis.set(key, body, 'EX', Math.floor(REVIEWS_TTL_MS / 1000)).catch(() => {});
  return c.body(body, 200, { 'content-type': 'application/json', 'x-cache': 'miss' });
});

/** Record a vaccination: stored unverified, checked with the vet-records registry, marked verified. */
app.post('/pets/:id/vaccinations', async (c) => {
  const petId = intParam(c, 'id');
  const body = await c.req.json<Record<string, unknown>>();
  const vaccine = String(body.vaccine ?? 'rabies');
  const certificateNo = String(body.certificateNo ?? '');
  // One transaction so a pet never shows a half-recorded certificate: insert, ask the registry, mark.
  const row = await recordsDb.tx(async (t) => {
    const v = await t.one(`INSERT INTO vaccinations (pet_id, vaccine, administered_on, expires_on, clinic, certificate_no, verified)
                           VALUES ($1, $2, current_date, current_date + 365, $3, $4, false) RETURNING id, administered_on, expires_on`,
      [petId, vaccine, String(body.clinic ?? 'unknown'), certificateNo]);
    const verdict = await partner<{ status: string }>('POST', '/vet/verify', { petId, certificateNo });
    const record = await partner<{ microchip: string }>('GET', `/vet/pets/${petId}/records`);
    await t.none('UPDATE vaccinations SET verified = $2 WHERE id = $1', [v.id, verdict.status === 'verified']);
    return { ...v, status: verdict.status, microchip: record.microchip };
  });
  return c.json({ petId, vaccine, certificateNo, ...row }, 201);
});

// ---------------------------------------------------------------- startup
/** Load the recent care marks (done feedings/doses/walks) into Redis, as the care-board sync does on boot. */
async function warmCareMarks(): Promise<void> {
  const rows = await db.any<{ id: number; pet_id: number }>('SELECT id, pet_id FROM care_schedule WHERE pet_id <= $1', [CARE_WARM_PETS]);
  // Marks are kept for a week (the weekly care report reads them).
  const days = Array.from({ length: 7 }, (_, d) => addDays(-d));
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length) await redis.hset('care:done', ...batch);
    batch = [];
  };
  for (const day of days) {
    for (const r of rows) {
      if ((r.id + day.charCodeAt(9)) % 10 < 7) batch.push(`${day}:${r.pet_id}:${r.id}`, `${day}T${hhmm(420 + (r.id % 600))}:00Z`);
      if (batch.length >= 4000) await flush();
    }
  }
  await flush();
}

await warmCareMarks();
const server = serve({ fetch: app.fetch, port: Number(process.env.KENNEL_PORT ?? 0), hostname: '127.0.0.1' }, (info) => {
  console.log(`KENNEL_LISTENING ${info.port}`);
});
const shutdown = () => {
  server.close();
  redis.disconnect();
  void pgp.end();
  setTimeout(() => process.exit(0), 200).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
